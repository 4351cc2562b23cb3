"""Logging in to the review app: editors (may change things) and viewers (may only look).

The accounts are `aggregator.storage.users.UserStore`'s. The session cookie (Flask's signed
cookie: HttpOnly, SameSite=Lax) holds the user id and a fingerprint of the password hash, so
changing a password or disabling an account ends every session of it at the next request.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.wrappers import Response

from aggregator.storage.users import User, UserStore

bp = Blueprint("auth", __name__)

PUBLIC_ENDPOINTS = {"auth.login", "static", "healthz"}
"""Endpoints open without logging in (the exports' feeds are public too: see app.py)."""

F = TypeVar("F", bound=Callable[..., Any])


def users() -> UserStore:
    return cast(UserStore, current_app.extensions["aggregator_users"])


def current_user() -> User | None:
    return cast(User | None, g.get("user"))


def load_user() -> None:
    """Before each request: the logged-in user, or None (a stale session is dropped)."""
    g.user = None
    user_id = session.get("user_id")
    if user_id is None:
        return
    user = users().by_id(int(user_id))
    if user is None or user.disabled or session.get("fingerprint") != user.fingerprint:
        session.clear()
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
    """Only a path on this site (never another host) after logging in."""
    if not target:
        return url_for("queue.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("queue.index")
    return target


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    error = None
    if request.method == "POST":
        user = users().authenticate(
            request.form.get("username", ""), request.form.get("password", "")
        )
        if user is None:
            error = "That username and password do not match an active account."
        else:
            csrf = session.get("csrf_token")
            session.clear()  # a fresh session on login (no fixation)
            session["user_id"] = user.id
            session["fingerprint"] = user.fingerprint
            session.permanent = True
            if csrf:
                session["csrf_token"] = csrf
            return redirect(_safe_next(request.args.get("next")))
    return render_template("login.html", error=error, next=request.args.get("next", "")), (
        401 if error else 200
    )


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    session.clear()
    return redirect(url_for("auth.login"))
