"""Sessions on the server: Flask's `session` backed by `aggregator.storage.sessions`.

A logged-in browser's cookie (`aggregator_session`) holds only a random token. Everything the
app keeps per session (its CSRF token, flash messages, the queue's baseline) is in the
session's row, so ending the row (logout, a new password, a disabled account, idle or absolute
expiry) ends the session whatever copies of the cookie exist. A cookie whose session is
unknown or over is treated as no cookie, and cleared.

A visitor who has not logged in has no row (an anonymous page view writes nothing to the
database): the little it needs kept (the login form's CSRF token) travels in a separate
signed cookie, `aggregator_visitor`, which carries no authority. Logging in always starts a
new session with a new token (`start_session`), so a cookie planted before login is never
adopted.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from flask import Flask, Request, current_app
from flask.globals import request_ctx
from flask.sessions import SecureCookieSession, SessionInterface
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response

from aggregator.storage.sessions import SessionStore, StoredSession

VISITOR_COOKIE = "aggregator_visitor"
VISITOR_MAX_AGE = 12 * 3600  # seconds a login form stays usable


class ServerSession(SecureCookieSession):
    """The request's session: a live stored one (`stored`, with its cookie's `token`), or a
    visitor's (both None)."""

    def __init__(
        self,
        data: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        stored: StoredSession | None = None,
        stale_cookie: bool = False,
    ) -> None:
        super().__init__(data or {})
        self.token = token
        self.stored = stored
        self.stale_cookie = stale_cookie  # a cookie came whose session is over
        self.started = False  # a session began in this request: send its cookie
        self.ended = False  # the session ended in this request: clear its cookie

    @property
    def user_id(self) -> int | None:
        return None if self.stored is None else self.stored.user_id


def sessions() -> SessionStore:
    return cast(SessionStore, current_app.extensions["aggregator_sessions"])


def current_session() -> ServerSession:
    """The request's session object itself (not Flask's proxy of it)."""
    return cast(ServerSession, request_ctx.session)


def start_session(user_id: int, at: datetime) -> None:
    """Log `user_id` in: any session this browser had ends, and a new one with a new token
    (and nothing of the old state, so a new CSRF token too) takes its place."""
    session = current_session()
    if session.token is not None:
        sessions().end(session.token)
    token, stored = sessions().start(user_id, at=at)
    session.clear()
    session.token, session.stored = token, stored
    session.started, session.ended, session.modified = True, False, False


def end_session() -> None:
    """Log out: the session's row is deleted, so its cookie is worthless from now on."""
    session = current_session()
    if session.token is not None:
        sessions().end(session.token)
    session.clear()
    session.token, session.stored = None, None
    session.ended, session.modified = True, False


class ServerSessionInterface(SessionInterface):
    """Opens the request's session from the database and saves what changed back to it."""

    def open_session(self, app: Flask, request: Request) -> ServerSession:
        store = cast(SessionStore, app.extensions["aggregator_sessions"])
        token = request.cookies.get(self.get_cookie_name(app))
        if token:
            stored = store.resume(token, at=app.config["CLOCK"]())
            if stored is not None:
                return ServerSession(stored.data, token=token, stored=stored)
        return ServerSession(self._visitor_data(app, request), stale_cookie=token is not None)

    def save_session(self, app: Flask, session: Any, response: Response) -> None:
        assert isinstance(session, ServerSession)
        name = self.get_cookie_name(app)
        if session.accessed:
            response.vary.add("Cookie")
        if session.token is None:
            if session.ended or session.stale_cookie:
                self._delete(app, response, name)
            if session.modified:
                self._save_visitor(app, session, response)
            return
        store = cast(SessionStore, app.extensions["aggregator_sessions"])
        if session.modified:
            store.save_data(session.token, dict(session))
        if session.started:
            assert session.stored is not None
            response.set_cookie(
                name,
                session.token,
                # Relative, not a date: the browser's clock need not agree with the server's.
                # The server ends the session at `expires_at` whatever the cookie says.
                max_age=int(
                    (session.stored.expires_at - session.stored.created_at).total_seconds()
                ),
                path=self.get_cookie_path(app),
                domain=self.get_cookie_domain(app),
                secure=self.get_cookie_secure(app),
                httponly=True,
                samesite=self.get_cookie_samesite(app),
            )
            self._delete(app, response, VISITOR_COOKIE)  # its login-form token is spent

    def _serializer(self, app: Flask) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(app.secret_key or "", salt="aggregator-visitor")

    def _visitor_data(self, app: Flask, request: Request) -> dict[str, Any]:
        value = request.cookies.get(VISITOR_COOKIE)
        if not value:
            return {}
        try:
            data = self._serializer(app).loads(value, max_age=VISITOR_MAX_AGE)
        except BadSignature:
            return {}
        return data if isinstance(data, dict) else {}

    def _save_visitor(self, app: Flask, session: ServerSession, response: Response) -> None:
        if not session:
            self._delete(app, response, VISITOR_COOKIE)
            return
        response.set_cookie(
            VISITOR_COOKIE,
            self._serializer(app).dumps(dict(session)),
            max_age=VISITOR_MAX_AGE,
            path=self.get_cookie_path(app),
            domain=self.get_cookie_domain(app),
            secure=self.get_cookie_secure(app),
            httponly=True,
            samesite=self.get_cookie_samesite(app),
        )

    def _delete(self, app: Flask, response: Response, name: str) -> None:
        response.delete_cookie(
            name,
            path=self.get_cookie_path(app),
            domain=self.get_cookie_domain(app),
            secure=self.get_cookie_secure(app),
            httponly=True,
            samesite=self.get_cookie_samesite(app),
        )
