"""Login throttling: growing waits per account and per address, 429 with Retry-After, lockouts
audited, one account's lockout never another's. Time is the app's clock: attempts are counted,
nothing sleeps."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from aggregator.storage.login_throttle import (
    ACCOUNT,
    ADDRESS,
    LoginThrottle,
    Refusal,
    ThrottlePolicy,
)
from tests.review.conftest import EDITOR, NOW, VIEWER, World, csrf_of, later

WRONG = "not-the-password"


def attempt(world: World, username: str, password: str, address: str = "192.0.2.1") -> Any:
    client: FlaskClient = world.app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    token = csrf_of(client)
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )


def throttle(world: World) -> LoginThrottle:
    found = world.app.extensions["aggregator_login_throttle"]
    assert isinstance(found, LoginThrottle)
    return found


def test_waits_double_after_the_free_failures_up_to_the_cap() -> None:
    policy = ThrottlePolicy(
        free_failures=3, first_delay=timedelta(seconds=2), max_delay=timedelta(minutes=15)
    )
    waits = [policy.wait_after(n).total_seconds() for n in range(12)]
    assert waits == [0, 0, 0, 2, 4, 8, 16, 32, 64, 128, 256, 512]
    assert policy.wait_after(13) == policy.wait_after(10_000) == timedelta(minutes=15)
    with pytest.raises(ValueError):
        ThrottlePolicy(first_delay=timedelta(0))
    with pytest.raises(ValueError):
        ThrottlePolicy(max_delay=timedelta(days=2), forget_after=timedelta(days=1))


def test_after_three_failures_each_attempt_waits_longer_and_the_right_password_too(
    world: World,
) -> None:
    for _ in range(3):
        assert attempt(world, EDITOR[0], WRONG).status_code == 401
    refused = attempt(world, *EDITOR)  # the right password, too soon: refused unchecked
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "2"
    assert "Too many failed logins" in refused.get_data(as_text=True)
    later(world, timedelta(seconds=2))
    assert attempt(world, EDITOR[0], WRONG).status_code == 401  # the 4th failure
    assert attempt(world, *EDITOR).headers["Retry-After"] == "4"
    later(world, timedelta(seconds=3))
    assert attempt(world, *EDITOR).headers["Retry-After"] == "1"
    later(world, timedelta(seconds=1))
    assert attempt(world, *EDITOR).status_code == 302
    # a success forgets the account's failures: three free ones again
    assert throttle(world).failures(ACCOUNT, EDITOR[0]) == 0
    for _ in range(3):
        assert attempt(world, EDITOR[0], WRONG).status_code == 401
    assert attempt(world, EDITOR[0], WRONG).status_code == 429


def test_each_lockout_is_audited(world: World) -> None:
    for _ in range(3):
        attempt(world, EDITOR[0], WRONG, address="198.51.100.7")
    later(world, timedelta(seconds=2))
    attempt(world, EDITOR[0], WRONG, address="198.51.100.7")
    attempt(world, EDITOR[0], WRONG, address="198.51.100.7")  # refused: no new lockout
    lockouts = throttle(world).lockouts()
    assert [(lock.scope, lock.subject, lock.failures) for lock in lockouts] == [
        (ACCOUNT, EDITOR[0], 3),
        (ACCOUNT, EDITOR[0], 4),
    ]
    assert [lock.locked_until - lock.at for lock in lockouts] == [
        timedelta(seconds=2),
        timedelta(seconds=4),
    ]
    assert {lock.address for lock in lockouts} == {"198.51.100.7"}
    assert throttle(world).lockouts(since=NOW + timedelta(seconds=1)) == lockouts[1:]


def test_one_account_locked_out_never_locks_out_another(world: World) -> None:
    for _ in range(6):
        attempt(world, EDITOR[0], WRONG)
    assert attempt(world, *EDITOR).status_code == 429
    # the same address, another account: logs in straight away
    assert attempt(world, *VIEWER).status_code == 302
    assert attempt(world, *VIEWER, address="203.0.113.9").status_code == 302
    assert throttle(world).failures(ACCOUNT, VIEWER[0]) == 0


def test_one_address_trying_many_accounts_is_throttled_as_an_address(world: World) -> None:
    hammer = "203.0.113.66"
    for number in range(10):  # ten accounts, one guess each: no account reaches its limit
        assert attempt(world, f"user{number}", WRONG, address=hammer).status_code == 401
    refused = attempt(world, *VIEWER, address=hammer)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "2"
    assert [lock.scope for lock in throttle(world).lockouts()] == [ADDRESS]
    # other addresses are not held up, and the hammering address waits its turn
    assert attempt(world, *VIEWER, address="203.0.113.67").status_code == 302
    later(world, timedelta(seconds=2))
    assert attempt(world, *VIEWER, address=hammer).status_code == 302
    # a right password forgives only its own attempt: the address's run of guesses stands
    assert throttle(world).failures(ADDRESS, hammer) == 10


def test_failures_are_forgotten_a_day_after_the_last(world: World) -> None:
    for _ in range(5):
        later(world, timedelta(seconds=30))
        attempt(world, EDITOR[0], WRONG)
    assert attempt(world, *EDITOR).status_code == 429
    later(world, timedelta(days=1))
    assert attempt(world, EDITOR[0], WRONG).status_code == 401
    assert throttle(world).failures(ACCOUNT, EDITOR[0]) == 1


def test_parallel_attempts_cannot_slip_past_the_count(world: World) -> None:
    """Eight attempts at once, as eight server threads would make them: each is counted
    before its password is checked, so only the three free ones go ahead."""
    store = throttle(world)
    results: list[Refusal | None] = []
    lock = threading.Lock()
    start = threading.Barrier(8)

    def claim() -> None:
        start.wait()
        found = store.claim(EDITOR[0], "192.0.2.50", at=NOW)
        with lock:
            results.append(found)

    threads = [threading.Thread(target=claim) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(found is None for found in results) == 3
    assert {found.scope for found in results if found is not None} == {ACCOUNT}
    assert store.failures(ACCOUNT, EDITOR[0]) == 3
