"""The review app's sessions, kept on the server: the `review_sessions` table.

A session is started at login with a fresh random token, which the browser keeps in its cookie
and which is never stored: the row's id is the token's SHA-256, so reading the table gives
nobody a session. A session ends when its row is deleted (logout, a new password, a disabled
account) or at the first request after its idle or absolute expiry. The app's per-session
state (CSRF token, flash messages) lives in the row's `data`, never in the cookie.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, Connection, Engine, Table, delete, insert, or_, select, update

from aggregator.storage.db import StoreBase, require_aware, write_transaction
from aggregator.storage.models import ReviewSessionRow

SESSIONS = cast(Table, ReviewSessionRow.__table__)

TOKEN_BYTES = 32
"""256 random bits per session token: not guessable, so the token alone identifies it."""

TOUCH_EVERY = timedelta(minutes=1)
"""`last_seen_at` is written at most this often (not on every request), so the idle expiry
is exact to within this interval and a busy editor costs one write a minute."""


def token_hash(token: str) -> str:
    """The stored id of the session whose cookie holds `token`."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class StoredSession:
    id: str
    user_id: int
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    data: dict[str, Any]


def end_sessions_of(conn: Connection, user_id: int) -> int:
    """End every session of a user inside the caller's transaction (a new password, a
    disabled account); how many there were."""
    return int(conn.execute(delete(SESSIONS).where(SESSIONS.c.user_id == user_id)).rowcount)


class SessionStore(StoreBase):
    """Sessions of the review app, with idle and absolute expiry."""

    def __init__(
        self,
        engine: Engine,
        *,
        idle_timeout: timedelta = timedelta(hours=1),
        lifetime: timedelta = timedelta(hours=12),
    ) -> None:
        super().__init__(engine)
        if idle_timeout <= timedelta(0) or lifetime <= timedelta(0):
            raise ValueError("session timeouts must be positive")
        self.idle_timeout = idle_timeout
        self.lifetime = lifetime

    def start(
        self, user_id: int, *, at: datetime, data: dict[str, Any] | None = None
    ) -> tuple[str, StoredSession]:
        """A new session for `user_id`: its token (for the cookie only) and its row. Sessions
        already expired, anyone's, are deleted on the way (so the table stays small)."""
        require_aware(at, "at")
        token = secrets.token_urlsafe(TOKEN_BYTES)
        stored = StoredSession(
            id=token_hash(token),
            user_id=user_id,
            created_at=at,
            last_seen_at=at,
            expires_at=at + self.lifetime,
            data=dict(data or {}),
        )
        with write_transaction(self.engine) as conn:
            conn.execute(delete(SESSIONS).where(self._expired(at)))
            conn.execute(
                insert(SESSIONS).values(
                    id=stored.id,
                    user_id=user_id,
                    created_at=at,
                    last_seen_at=at,
                    expires_at=stored.expires_at,
                    data=stored.data,
                )
            )
        return token, stored

    def resume(self, token: str, *, at: datetime) -> StoredSession | None:
        """The live session whose cookie holds `token`, its last sight moved to `at`; None for
        a token that is unknown, ended or expired (an expired one is deleted now)."""
        require_aware(at, "at")
        session_id = token_hash(token)
        with self.engine.connect() as conn:
            row = conn.execute(select(SESSIONS).where(SESSIONS.c.id == session_id)).first()
        if row is None:
            return None
        found = _stored(row)
        if self._is_expired(found, at):
            self.end(token)
            return None
        if at - found.last_seen_at >= TOUCH_EVERY:
            with write_transaction(self.engine) as conn:
                conn.execute(
                    update(SESSIONS).where(SESSIONS.c.id == session_id).values(last_seen_at=at)
                )
        return found

    def save_data(self, token: str, data: dict[str, Any]) -> bool:
        """Keep the app's state of a session; False when the session has ended meanwhile."""
        with write_transaction(self.engine) as conn:
            result = conn.execute(
                update(SESSIONS).where(SESSIONS.c.id == token_hash(token)).values(data=data)
            )
        return bool(result.rowcount)

    def end(self, token: str) -> bool:
        """End the session whose cookie holds `token` (logout); False if it had ended."""
        with write_transaction(self.engine) as conn:
            result = conn.execute(delete(SESSIONS).where(SESSIONS.c.id == token_hash(token)))
        return bool(result.rowcount)

    def end_all(self, user_id: int) -> int:
        """End every session of a user; how many there were."""
        with write_transaction(self.engine) as conn:
            return end_sessions_of(conn, user_id)

    def of_user(self, user_id: int, *, at: datetime) -> list[StoredSession]:
        """The user's live sessions at `at`, oldest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(SESSIONS)
                .where(SESSIONS.c.user_id == user_id)
                .order_by(SESSIONS.c.created_at, SESSIONS.c.id)
            ).all()
        return [s for s in map(_stored, rows) if not self._is_expired(s, at)]

    def _is_expired(self, session: StoredSession, at: datetime) -> bool:
        return at >= session.expires_at or at >= session.last_seen_at + self.idle_timeout

    def _expired(self, at: datetime) -> ColumnElement[bool]:
        return or_(SESSIONS.c.expires_at <= at, SESSIONS.c.last_seen_at <= at - self.idle_timeout)


def _stored(row: Any) -> StoredSession:
    return StoredSession(
        id=row.id,
        user_id=row.user_id,
        created_at=row.created_at,
        last_seen_at=row.last_seen_at,
        expires_at=row.expires_at,
        data=dict(row.data or {}),
    )
