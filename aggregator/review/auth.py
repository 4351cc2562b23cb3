"""Logging in to the review app: editors (may change things) and viewers (may only look).

The accounts are `aggregator.storage.users.UserStore`'s. Sessions live on the server
(`aggregator.review.sessions`): the cookie holds only a random token, logging in always starts
a new session (so a planted cookie is never adopted), and logout, a new password or a disabled
account end it for every copy of the cookie.

Failed logins are throttled per account and per client address
(`aggregator.storage.login_throttle`): after a few, each further attempt must wait longer,
and one made sooner is answered 429 with Retry-After without its password being checked, even
a right one. Each lockout is recorded in the audit table `login_lockouts`.
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response

from aggregator.review.sessions import current_session, end_session, start_session
from aggregator.storage.login_throttle import LoginThrottle
from aggregator.storage.users import User, UserStore

bp = Blueprint("auth", __name__)

PUBLIC_ENDPOINTS = {"auth.login", "static", "healthz"}
"""Endpoints open without logging in (the exports' feeds are public too: see app.py)."""

F = TypeVar("F", bound=Callable[..., Any])

LOG = logging.getLogger(__name__)


def users() -> UserStore:
    return cast(UserStore, current_app.extensions["aggregator_users"])


def login_throttle() -> LoginThrottle:
    return cast(LoginThrottle, current_app.extensions["aggregator_login_throttle"])


def current_user() -> User | None:
    return cast(User | None, g.get("user"))


def _now() -> datetime:
    return cast(datetime, current_app.config["CLOCK"]())


def client_address() -> str:
    """The client's address as the WSGI server gives it (behind a reverse proxy, `aggregator
    serve --trusted-proxy` makes waitress give the proxy's client, not the proxy)."""
    return request.remote_addr or "unknown"


def load_user() -> None:
    """Before each request: the logged-in user of the request's live session, or None (the
    session of a deleted or disabled account is ended)."""
    g.user = None
    user_id = current_session().user_id
    if user_id is None:
        return
    user = users().by_id(user_id)
    if user is None or user.disabled:
        end_session()
        return
    g.user = user


def require_login() -> Response | None:
    """Every page but the login page (and public endpoints) needs a logged-in user."""
    endpoint = request.endpoint or ""
    if endpoint in PUBLIC_ENDPOINTS or endpoint.startswith(current_app.config["PUBLIC_PREFIXES"]):
        return None
    if current_user() is None:
        if request.method != "GET":
            abort(401)
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    return None


def editor_required(view: F) -> F:
    """Only an editor may change anything: a viewer gets 403."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        user = current_user()
        if user is None:
            abort(401)
        if not user.can_edit:
            abort(403, "viewers cannot change anything")
        return view(*args, **kwargs)

    return cast(F, wrapped)


def _safe_next(target: str | None) -> str:
    """Only a path on this site (never another host) after logging in.

    Browsers read a backslash as a slash and drop tabs and newlines inside a URL, so
    `/\\evil.example` and `/<tab>/evil.example` would lead off the site as `//evil.example`
    does: any backslash, control character or space refuses the target.
    """
    fallback = url_for("queue.index")
    if not target or not target.startswith("/") or target.startswith("//"):
        return fallback
    if "\\" in target or any(ord(char) < 0x21 or ord(char) == 0x7F for char in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return fallback
    return target


def _wait_words(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    return f"{math.ceil(seconds / 60)} minutes"


def _login_page(error: str | None, status: int) -> Response:
    page = render_template("login.html", error=error, next=request.args.get("next", ""))
    return make_response(page, status)


def _refused(wait: timedelta) -> Response:
    """429: this account or address must wait; nothing was checked."""
    seconds = max(1, math.ceil(wait.total_seconds()))
    response = _login_page(f"Too many failed logins. Try again in {_wait_words(seconds)}.", 429)
    response.headers["Retry-After"] = str(seconds)
    return response


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response:
    if request.method != "POST":
        return _login_page(None, 200)
    username = request.form.get("username", "")
    password = request.form.get("password", "")
    address, at = client_address(), _now()
    refusal = login_throttle().claim(username, address, at=at)
    if refusal is not None:
        return _refused(refusal.retry_after)
    user = users().authenticate(username, password)
    if user is None:
        for lockout in login_throttle().failed(username, address, at=at):
            LOG.warning(
                "login lockout: %s %r after %d failures (from %s), until %s",
                lockout.scope,
                lockout.subject,
                lockout.failures,
                lockout.address,
                lockout.locked_until.isoformat(),
            )
        return _login_page("That username and password do not match an active account.", 401)
    login_throttle().succeeded(username, address)
    start_session(user.id, at)
    return redirect(_safe_next(request.args.get("next")))


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    end_session()
    return redirect(url_for("auth.login"))
