"""CSRF protection: a random token per session, required on every request that may change
something (any method but GET, HEAD and OPTIONS).

Forms carry it in a hidden `csrf_token` field (`{{ csrf_field() }}` in templates); the
page's JavaScript sends it in the `X-CSRF-Token` header, read from `<meta name="csrf-token">`.
A request without it, or with another session's, is refused with 400 before any view runs.

The token is kept in the session (`aggregator.review.sessions`): for a logged-in editor in
the session's row on the server, for a visitor who has not logged in (the login form) in the
signed visitor cookie. Logging in starts a new session and so a new token: a token seen before
login is worthless after it.
"""

from __future__ import annotations

import hmac
import secrets

from flask import Flask, abort, request, session
from markupsafe import Markup, escape

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
FIELD = "csrf_token"
HEADER = "X-CSRF-Token"


def csrf_token() -> str:
    """This session's token (made on first use)."""
    token = session.get(FIELD)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        session[FIELD] = token
    return token


def csrf_field() -> Markup:
    return Markup('<input type="hidden" name="csrf_token" value="{}">').format(escape(csrf_token()))


def check_csrf() -> None:
    if request.method in SAFE_METHODS:
        return
    expected = session.get(FIELD)
    sent = request.headers.get(HEADER) or request.form.get(FIELD)
    if (
        not isinstance(expected, str)
        or not expected
        or not sent
        or not hmac.compare_digest(expected.encode("utf-8"), sent.encode("utf-8"))
    ):
        abort(400, "The form's CSRF token is missing or out of date: reload the page and retry.")


def init_csrf(app: Flask) -> None:
    app.before_request(check_csrf)
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.jinja_env.globals["csrf_field"] = csrf_field
