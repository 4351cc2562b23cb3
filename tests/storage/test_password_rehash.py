"""The production Argon2 parameters, and rehash-on-login to them.

The review tests swap in a cheap hasher for the whole session (tests/review/conftest.py), and
that swap outlives their folder, so this test runs in a fresh process, where
`aggregator.storage.users` is imported untouched: its hasher is the one production uses. There a
user whose hash was made with weaker, older parameters logs in through `UserStore.authenticate`;
the stored hash must then carry the production parameters. A wrong password and a disabled
account leave the old hash alone.
"""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

from argon2 import extract_parameters
from argon2.profiles import RFC_9106_LOW_MEMORY

from tests import prewarmed
from tests.crawling import ROOT

SCRIPT = textwrap.dedent(
    """
    import json, sys
    from datetime import UTC, datetime
    from argon2 import PasswordHasher
    from aggregator.storage import users
    from aggregator.storage.db import make_engine, upgrade

    url = sys.argv[1]
    upgrade(url)
    store = users.UserStore(make_engine(url))
    at = datetime(2024, 6, 5, 9, tzinfo=UTC)
    old = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)  # "older" parameters
    report = {"production": users._HASHER.hash("any password at all")}
    for name in ("ok", "wrong", "off"):
        store.add(name, "a password for " + name, "editor", at=at)
        store._update(name, password_hash=old.hash("a password for " + name))
    store.set_disabled("off")
    report["before"] = {n: store.get(n).password_hash for n in ("ok", "wrong", "off")}
    report["logins"] = {
        "ok": store.authenticate("ok", "a password for ok") is not None,
        "wrong": store.authenticate("wrong", "not the password") is not None,
        "off": store.authenticate("off", "a password for off") is not None,
        "ok again": store.authenticate("ok", "a password for ok") is not None,
    }
    report["after"] = {n: store.get(n).password_hash for n in ("ok", "wrong", "off")}
    report["verifies"] = users.verify_password(report["after"]["ok"], "a password for ok")
    print(json.dumps(report))
    """
)


def test_login_rehashes_an_older_hash_with_the_production_parameters(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'users.db'}"
    result = prewarmed.run(
        [sys.executable, "-c", SCRIPT, url],
        cwd=ROOT,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])

    production = extract_parameters(report["production"])
    # Production hashes with Argon2id at no less than RFC 9106's low-memory profile
    # (argon2-cffi's default: t=3, m=64 MiB, p=4).
    assert production.type.name == "ID"
    assert production.time_cost >= RFC_9106_LOW_MEMORY.time_cost
    assert production.memory_cost >= RFC_9106_LOW_MEMORY.memory_cost
    assert production.parallelism >= RFC_9106_LOW_MEMORY.parallelism

    old = {name: extract_parameters(h) for name, h in report["before"].items()}
    assert all(p.memory_cost == 1024 and p.time_cost == 1 for p in old.values())
    assert report["logins"] == {"ok": True, "wrong": False, "off": False, "ok again": True}

    after = report["after"]
    assert after["ok"] != report["before"]["ok"]
    assert extract_parameters(after["ok"]) == production  # rehashed with production's
    assert report["verifies"] is True  # and the password still opens it
    assert after["wrong"] == report["before"]["wrong"]  # a failed login rehashes nothing
    assert after["off"] == report["before"]["off"]  # nor does a disabled account's
