"""Accounts of the review app: editors (may change things) and viewers (may only look).

Passwords are hashed with Argon2id (argon2-cffi, its default parameters) and never stored in
the clear. Setting a new password or disabling an account ends every open session of it on
the server (`aggregator.storage.sessions`), in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import insert, select, update

from aggregator.storage.db import StoreBase, write_transaction
from aggregator.storage.models import USER_ROLES
from aggregator.storage.sessions import end_sessions_of
from aggregator.storage.tables import USERS

MIN_PASSWORD_LENGTH = 10

_HASHER = PasswordHasher()
_DUMMY_HASH = _HASHER.hash("not a password anyone has")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class User:
    id: int
    username: str
    role: str
    disabled: bool
    created_at: datetime
    last_seen_queue_at: datetime | None
    password_hash: str

    @property
    def can_edit(self) -> bool:
        return self.role == "editor" and not self.disabled


class UserStore(StoreBase):
    """The `users` table."""

    def add(self, username: str, password: str, role: str, *, at: datetime) -> User:
        username = username.strip()
        _check_username(username)
        _check_role(role)
        _check_password(password)
        with write_transaction(self.engine) as conn:
            if conn.execute(select(USERS.c.id).where(USERS.c.username == username)).first():
                raise ValueError(f"user {username!r} already exists")
            conn.execute(
                insert(USERS).values(
                    username=username,
                    password_hash=hash_password(password),
                    role=role,
                    disabled=False,
                    created_at=at,
                    last_seen_queue_at=None,
                )
            )
        found = self.get(username)
        assert found is not None
        return found

    def get(self, username: str) -> User | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(USERS).where(USERS.c.username == username)).first()
        return None if row is None else _user(row)

    def by_id(self, user_id: int) -> User | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(USERS).where(USERS.c.id == user_id)).first()
        return None if row is None else _user(row)

    def all(self) -> list[User]:
        with self.engine.connect() as conn:
            return [_user(row) for row in conn.execute(select(USERS).order_by(USERS.c.username))]

    def set_disabled(self, username: str, disabled: bool = True) -> None:
        """Disable (and end every session of) an account, or enable it again."""
        self._update(username, end_sessions=disabled, disabled=disabled)

    def set_password(self, username: str, password: str) -> None:
        """A new password; every open session of the account ends."""
        _check_password(password)
        self._update(username, end_sessions=True, password_hash=hash_password(password))

    def set_role(self, username: str, role: str) -> None:
        _check_role(role)
        self._update(username, role=role)

    def saw_queue(self, user_id: int, at: datetime) -> None:
        with write_transaction(self.engine) as conn:
            conn.execute(update(USERS).where(USERS.c.id == user_id).values(last_seen_queue_at=at))

    def authenticate(self, username: str, password: str) -> User | None:
        """The enabled user with this name and password, else None (in about the same time
        whether or not the name exists)."""
        user = self.get(username.strip())
        if user is None:
            verify_password(_DUMMY_HASH, password)
            return None
        if not verify_password(user.password_hash, password) or user.disabled:
            return None
        if _HASHER.check_needs_rehash(user.password_hash):
            self._update(user.username, password_hash=hash_password(password))
            user = self.get(user.username) or user
        return user

    def _update(self, username: str, *, end_sessions: bool = False, **values: Any) -> None:
        with write_transaction(self.engine) as conn:
            user_id = conn.execute(
                update(USERS)
                .where(USERS.c.username == username)
                .values(**values)
                .returning(USERS.c.id)
            ).scalar()
            if user_id is None:
                raise KeyError(f"no user {username!r}")
            if end_sessions:
                end_sessions_of(conn, int(user_id))


def _user(row: Any) -> User:
    return User(
        id=row.id,
        username=row.username,
        role=row.role,
        disabled=bool(row.disabled),
        created_at=row.created_at,
        last_seen_queue_at=row.last_seen_queue_at,
        password_hash=row.password_hash,
    )


def _check_username(username: str) -> None:
    if not username or len(username) > 100 or any(c.isspace() for c in username):
        raise ValueError("a username is 1 to 100 characters without spaces")


def _check_role(role: str) -> None:
    if role not in USER_ROLES:
        raise ValueError(f"unknown role {role!r}: expected one of {', '.join(USER_ROLES)}")


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
