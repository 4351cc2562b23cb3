"""Login throttling: failed logins counted per account and per client address, in the database.

After a few free failures, every further attempt on that account (or from that address) must
wait an interval that doubles with each failure, up to a cap; an attempt made sooner is refused
without its password being checked, even a right one, and the caller answers 429 with
Retry-After. Each failure that imposes a wait is recorded in `login_lockouts` (the audit).

An account's count is its own: failures on one username never make another wait. An address's
count spans every username tried from it, so one client hammering many accounts is slowed too.
The counts live in the database, so every process and thread of the app shares them, and the
time is always passed in (`at`), so tests count attempts instead of sleeping.

An attempt is counted before its password is checked (`claim`) and forgiven if it succeeds
(`succeeded`), so parallel attempts cannot all slip in under the count.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Connection, Engine, Table, delete, insert, select, update

from aggregator.storage.bulk import dialect_insert
from aggregator.storage.db import StoreBase, require_aware, retry_on_conflict, write_transaction
from aggregator.storage.models import LoginFailureRow, LoginLockoutRow

FAILURES = cast(Table, LoginFailureRow.__table__)
LOCKOUTS = cast(Table, LoginLockoutRow.__table__)

ACCOUNT = "account"
ADDRESS = "address"
SUBJECT_LENGTH = 200
LOCKOUT_COLUMNS = ("at", "scope", "subject", "address", "failures", "locked_until")


@dataclass(frozen=True)
class ThrottlePolicy:
    """How failures turn into waits: `free_failures` cost nothing; after that the next attempt
    waits `first_delay`, doubled with every further failure, never more than `max_delay`.
    A count whose last failure is `forget_after` old starts again from nothing."""

    free_failures: int = 3
    first_delay: timedelta = timedelta(seconds=2)
    max_delay: timedelta = timedelta(minutes=15)
    forget_after: timedelta = timedelta(days=1)

    def __post_init__(self) -> None:
        if self.free_failures < 0 or self.first_delay <= timedelta(0):
            raise ValueError("a throttle needs free_failures >= 0 and a positive first delay")
        if self.max_delay < self.first_delay or self.forget_after < self.max_delay:
            raise ValueError("a throttle needs first_delay <= max_delay <= forget_after")

    def wait_after(self, failures: int) -> timedelta:
        """How long the next attempt waits after `failures` failures in a row."""
        if failures < self.free_failures:
            return timedelta(0)
        doublings = failures - self.free_failures
        if doublings >= 32:  # far past any cap; no huge multiplication
            return self.max_delay
        return min(self.max_delay, self.first_delay * (2**doublings))


ACCOUNT_POLICY = ThrottlePolicy()
ADDRESS_POLICY = ThrottlePolicy(free_failures=10)
"""An address gets more free failures than an account: an office behind one NAT address has
many editors, each of whom may mistype."""


@dataclass(frozen=True)
class Refusal:
    """An attempt refused without checking its password: wait `retry_after`."""

    scope: str
    subject: str
    retry_after: timedelta


@dataclass(frozen=True)
class Lockout:
    """An audit record: a failure that made an account or address wait until `locked_until`."""

    id: int
    at: datetime
    scope: str
    subject: str
    address: str
    failures: int
    locked_until: datetime


class LoginThrottle(StoreBase):
    """The `login_failures` counts and the `login_lockouts` audit."""

    def __init__(
        self,
        engine: Engine,
        *,
        account: ThrottlePolicy = ACCOUNT_POLICY,
        address: ThrottlePolicy = ADDRESS_POLICY,
    ) -> None:
        super().__init__(engine)
        self.policies = {ACCOUNT: account, ADDRESS: address}

    def claim(self, username: str, address: str, *, at: datetime) -> Refusal | None:
        """Before a password is checked: None when the attempt may go ahead (it is counted
        now, as a failure until `succeeded`), else the refusal that waits longest."""
        require_aware(at, "at")
        subjects = _subjects(username, address)

        def work() -> Refusal | None:
            with write_transaction(self.engine) as conn:
                counts = self._locked_counts(conn, subjects, at)
                refusals = [
                    Refusal(scope, subject, ready - at)
                    for (scope, subject), (failures, last) in counts.items()
                    if failures and at < (ready := last + self.policies[scope].wait_after(failures))
                ]
                if refusals:
                    return max(refusals, key=lambda refusal: refusal.retry_after)
                for (scope, subject), (failures, _) in counts.items():
                    conn.execute(
                        update(FAILURES)
                        .where(FAILURES.c.scope == scope, FAILURES.c.subject == subject)
                        .values(failures=failures + 1, last_failed_at=at)
                    )
                return None

        return retry_on_conflict(work)

    def failed(self, username: str, address: str, *, at: datetime) -> list[Lockout]:
        """The claimed attempt failed: the lockouts it starts, recorded in the audit."""
        require_aware(at, "at")
        started: list[Lockout] = []
        with write_transaction(self.engine) as conn:
            for scope, subject in _subjects(username, address):
                row = conn.execute(
                    select(FAILURES.c.failures).where(
                        FAILURES.c.scope == scope, FAILURES.c.subject == subject
                    )
                ).first()
                failures = int(row.failures) if row else 0
                wait = self.policies[scope].wait_after(failures)
                if not wait:
                    continue
                lockout = Lockout(
                    id=0,
                    at=at,
                    scope=scope,
                    subject=subject,
                    address=address[:64],
                    failures=failures,
                    locked_until=at + wait,
                )
                values = {name: getattr(lockout, name) for name in LOCKOUT_COLUMNS}
                lockout_id = conn.execute(
                    insert(LOCKOUTS).values(**values).returning(LOCKOUTS.c.id)
                ).scalar_one()
                started.append(replace(lockout, id=int(lockout_id)))
        return started

    def succeeded(self, username: str, address: str) -> None:
        """The claimed attempt logged in: the account's count is forgotten, and the address's
        forgives this one attempt (its earlier failures stand: another account's right
        password must not wipe out a run of guesses)."""
        account, client = _subjects(username, address)
        with write_transaction(self.engine) as conn:
            conn.execute(
                delete(FAILURES).where(
                    FAILURES.c.scope == account[0], FAILURES.c.subject == account[1]
                )
            )
            conn.execute(
                update(FAILURES)
                .where(
                    FAILURES.c.scope == client[0],
                    FAILURES.c.subject == client[1],
                    FAILURES.c.failures > 0,
                )
                .values(failures=FAILURES.c.failures - 1)
            )

    def failures(self, scope: str, subject: str) -> int:
        """The failures now counted against an account or address (0 when none)."""
        with self.engine.connect() as conn:
            found = conn.execute(
                select(FAILURES.c.failures).where(
                    FAILURES.c.scope == scope, FAILURES.c.subject == subject[:SUBJECT_LENGTH]
                )
            ).scalar()
        return int(found or 0)

    def lockouts(self, *, since: datetime | None = None) -> list[Lockout]:
        """The audit record of lockouts, oldest first (since `since` when given)."""
        query = select(LOCKOUTS).order_by(LOCKOUTS.c.id)
        if since is not None:
            query = query.where(LOCKOUTS.c.at >= since)
        with self.engine.connect() as conn:
            return [_lockout(row) for row in conn.execute(query)]

    def _locked_counts(
        self, conn: Connection, subjects: list[tuple[str, str]], at: datetime
    ) -> dict[tuple[str, str], tuple[int, datetime]]:
        """Each subject's (failures, last failure), its row made if new and locked (on
        PostgreSQL; SQLite's BEGIN IMMEDIATE already excludes other writers). A count whose
        last failure is older than its policy's `forget_after` reads as none."""
        for scope, subject in subjects:
            conn.execute(
                dialect_insert(conn, FAILURES)
                .values(scope=scope, subject=subject, failures=0, last_failed_at=at)
                .on_conflict_do_nothing(index_elements=["scope", "subject"])
            )
        counts: dict[tuple[str, str], tuple[int, datetime]] = {}
        for scope, subject in subjects:  # always the same order: no deadlock between two
            row = conn.execute(
                select(FAILURES.c.failures, FAILURES.c.last_failed_at)
                .where(FAILURES.c.scope == scope, FAILURES.c.subject == subject)
                .with_for_update()
            ).one()
            stale = at - row.last_failed_at >= self.policies[scope].forget_after
            counts[(scope, subject)] = (0 if stale else int(row.failures), row.last_failed_at)
        return counts


def _subjects(username: str, address: str) -> list[tuple[str, str]]:
    """The account's and the address's keys, always in this order."""
    return [
        (ACCOUNT, username.strip()[:SUBJECT_LENGTH]),
        (ADDRESS, (address or "unknown")[:SUBJECT_LENGTH]),
    ]


def _lockout(row: Any) -> Lockout:
    return Lockout(
        id=row.id,
        at=row.at,
        scope=row.scope,
        subject=row.subject,
        address=row.address,
        failures=row.failures,
        locked_until=row.locked_until,
    )
