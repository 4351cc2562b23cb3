"""Attacks 33-37 of the attack suite (../shared/attack-suite.md) on the review app, on SQLite
and PostgreSQL: forged and anonymous changes, a viewer changing things, session replay and
fixation, password brute force, and open redirects after login.

Attacks 33 and 34 read every state-changing route (POST, PUT, PATCH, DELETE) from the app's
own URL map, so a route added later is attacked too, and compare every table of the schema
before and after: a refused request must have changed nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, select
from werkzeug.routing import Rule

from aggregator.review.bulletins import BulletinComposer
from aggregator.storage.login_throttle import ACCOUNT, ADDRESS, LoginThrottle
from aggregator.storage.models import Base
from aggregator.storage.sessions import token_hash
from tests.review.conftest import (  # noqa: F401 - _cheap_password_hashing is a fixture
    EDITOR,
    NOW,
    VIEWER,
    World,
    _cheap_password_hashing,
    build_world,
    csrf_of,
    later,
    login,
)

CHANGING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
COOKIE = "aggregator_session"
# What logging in and out themselves write: not content, so left out of "nothing changed".
SESSION_TABLES = frozenset({"review_sessions", "login_failures", "login_lockouts"})
# State-changing routes a viewer may use, each with its reason; every other one must be 403.
VIEWER_MAY = {
    "auth.login": "logging in",
    "auth.logout": "ending one's own session",
    "queue.mark_seen": "marking the queue seen for oneself (the viewer's own 'new' marks)",
}
# A form with every field any route reads, filled with values that would change something.
HOSTILE_FORM: dict[str, Any] = {
    "action": "approve",
    "reason": "forged",
    "title": "Forged title",
    "summary": "Forged summary",
    "section": "Forged section",
    "words": "40",
    "start": "2024-06-03",
    "end": "2024-06-09",
    "step": "-1",
    "keep": "1",
    "other": "0",
}


@pytest.fixture
def world(db_url: str) -> Iterator[World]:
    """The review tests' world, with an approved item (and its audit event) in a draft
    bulletin, so every route's ids name real rows."""
    found = build_world(db_url)
    item_id = found.ids["neglect"]
    found.ids["event"] = found.repo.review(item_id, "approve", at=NOW, actor="ed")
    found.ids["bulletin"] = BulletinComposer(found.repo).create(
        "Week 23", date(2024, 6, 3), date(2024, 6, 9), actor="ed", at=NOW
    )
    try:
        yield found
    finally:
        found.repo.close()


def changing_routes(app: Flask) -> list[tuple[str, Rule]]:
    """(method, rule) for every state-changing route the app has, read from its URL map."""
    found = [
        (method, rule)
        for rule in app.url_map.iter_rules()
        for method in sorted((rule.methods or set()) & CHANGING_METHODS)
    ]
    assert len(found) >= 20, found  # the app's known routes at least: the map was read
    return found


def url_of(world: World, rule: Rule) -> str:
    values = {
        "item_id": world.ids["neglect"],
        "bulletin_id": world.ids["bulletin"],
        "event_id": world.ids["event"],
    }
    unknown = rule.arguments - set(values)
    assert not unknown, f"{rule.rule}: give {unknown} a real row's id here"
    with world.app.test_request_context():
        adapter = world.app.url_map.bind("localhost")
        return adapter.build(rule.endpoint, {name: values[name] for name in rule.arguments})


def send(client: FlaskClient, method: str, path: str, token: str | None) -> Any:
    form = {**HOSTILE_FORM, "ids": [str(id_) for id_ in range(1, 8)]}
    if token is not None:
        form["csrf_token"] = token
    return client.open(path, method=method, data=form)


def content(engine: Engine) -> dict[str, list[str]]:
    """Every row of every table but the sessions' own, comparable."""
    with engine.connect() as conn:
        return {
            table.name: sorted(repr(tuple(row)) for row in conn.execute(select(table)))
            for table in Base.metadata.sorted_tables
            if table.name not in SESSION_TABLES
        }


def cookie_of(client: FlaskClient) -> str | None:
    found = client.get_cookie(COOKIE)
    return None if found is None else found.value


def attempt(world: World, username: str, password: str, address: str) -> Any:
    client = world.app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    token = csrf_of(client)
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )


# --- 33 --------------------------------------------------------------------------------------


def test_attack_33_every_state_changing_route_needs_login_and_csrf(world: World) -> None:
    routes = changing_routes(world.app)
    before = content(world.repo.engine)
    other = world.client()  # another editor's session: its token is no key to this one
    others_token = csrf_of(other, "/bulletins")
    for method, rule in routes:
        path = url_of(world, rule)
        anonymous = world.app.test_client()
        assert send(anonymous, method, path, None).status_code == 400, (method, path)
        assert send(anonymous, method, path, "forged").status_code == 400, (method, path)
        visitor_token = csrf_of(anonymous)  # a valid token, but no login
        answer = send(anonymous, method, path, visitor_token)
        # the login form itself answers 401 too: an empty username matches no account
        assert answer.status_code == 401, (method, path, answer.status_code)

        editor = world.client()
        for token in (None, "forged", others_token, visitor_token):
            answer = send(editor, method, path, token)
            assert answer.status_code == 400, (method, path, token, answer.status_code)
        assert content(world.repo.engine) == before, (method, path)

    # the control: the same request with the session's own token does change things
    editor = world.client()
    review = f"/items/{world.ids['cse']}/review"
    assert send(editor, "POST", review, csrf_of(editor, "/bulletins")).status_code == 302
    assert content(world.repo.engine) != before


# --- 34 --------------------------------------------------------------------------------------


def test_attack_34_viewer_cannot_change_anything(world: World) -> None:
    routes = changing_routes(world.app)
    endpoints = {rule.endpoint for _, rule in routes}
    assert set(VIEWER_MAY) <= endpoints, "VIEWER_MAY names a route that no longer exists"
    before = content(world.repo.engine)
    viewer = world.client(VIEWER)
    attacked = 0
    for method, rule in routes:
        if rule.endpoint in VIEWER_MAY:
            continue
        path = url_of(world, rule)
        for accept in ("text/html", "application/json"):
            answer = viewer.open(
                path,
                method=method,
                data={
                    **HOSTILE_FORM,
                    "ids": [str(world.ids["cse"])],
                    "csrf_token": csrf_of(viewer, "/bulletins"),
                },
                headers={"Accept": accept},
            )
            assert answer.status_code == 403, (method, path, accept, answer.status_code)
        attacked += 1
        assert content(world.repo.engine) == before, (method, path)
    assert attacked == len(routes) - len(VIEWER_MAY)
    assert viewer.get("/queue").status_code == 200  # still logged in: refused, not broken


# --- 35 --------------------------------------------------------------------------------------


def test_attack_35_session_replay_after_logout_and_fixation(world: World) -> None:
    item_path = f"/items/{world.ids['cse']}/review"
    before = content(world.repo.engine)

    # replay: a cookie copied before logout is worthless after it, for pages and for changes
    victim = world.client()
    copied, copied_token = cookie_of(victim), csrf_of(victim, "/bulletins")
    assert copied is not None
    assert victim.post("/logout", data={"csrf_token": copied_token}).status_code == 302
    thief = world.app.test_client()
    thief.set_cookie(COOKIE, copied)
    assert thief.get("/queue").status_code == 302
    thief.set_cookie(COOKIE, copied)
    stolen = thief.post(item_path, data={"action": "approve", "csrf_token": copied_token})
    assert stolen.status_code in (400, 401)
    assert content(world.repo.engine) == before

    # fixation 1: a cookie value chosen by the attacker is never adopted at login
    planted = "attacker-chosen-" + "a" * 40
    browser = world.app.test_client()
    browser.set_cookie(COOKIE, planted)
    assert login(browser, *EDITOR).status_code == 302
    assert cookie_of(browser) not in (None, planted)
    attacker = world.app.test_client()
    attacker.set_cookie(COOKIE, planted)
    assert attacker.get("/queue").status_code == 302
    with world.repo.engine.connect() as conn:
        stored = set(conn.execute(select(Base.metadata.tables["review_sessions"].c.id)).scalars())
    assert token_hash(planted) not in stored

    # fixation 2: the attacker's own live session, planted in the victim's browser, is ended
    # by the victim's login and replaced, so the attacker never rides the editor's session
    attacker = world.client(VIEWER)
    attackers = cookie_of(attacker)
    assert attackers is not None
    victim_browser = world.app.test_client()
    victim_browser.set_cookie(COOKIE, attackers)
    assert login(victim_browser, *EDITOR).status_code == 302
    assert cookie_of(victim_browser) != attackers
    assert attacker.get("/queue").status_code == 302  # the planted session is over
    rider = world.app.test_client()
    rider.set_cookie(COOKIE, attackers)
    assert rider.get("/queue").status_code == 302
    assert victim_browser.get("/queue").status_code == 200


# --- 36 --------------------------------------------------------------------------------------


def test_attack_36_password_brute_force_throttled(world: World) -> None:
    throttle = world.app.extensions["aggregator_login_throttle"]
    assert isinstance(throttle, LoginThrottle)
    attacker = "203.0.113.10"

    # 60 wrong passwords in a row, as fast as they come: only the three free ones are checked
    answers = [attempt(world, EDITOR[0], f"guess-{n:02d}-wrong", attacker) for n in range(60)]
    assert [a.status_code for a in answers].count(401) == 3
    refused = [a for a in answers if a.status_code == 429]
    assert len(refused) == 57 and all(int(a.headers["Retry-After"]) >= 1 for a in refused)
    right = attempt(world, *EDITOR, attacker)
    assert right.status_code == 429  # the right password, during the lockout: refused too
    # from another address it is refused as well: the account itself is locked
    assert attempt(world, *EDITOR, "198.51.100.20").status_code == 429
    # the lockout never touches another account, from any address
    assert attempt(world, *VIEWER, attacker).status_code == 302
    assert attempt(world, *VIEWER, "198.51.100.20").status_code == 302

    # one guess a second for a minute: waits of 2, 4, 8, 16 s after the free three, then 32 s
    # that outlasts the minute, so 7 guesses are checked of 60
    later(world, timedelta(days=2))  # the earlier run is forgotten
    checked = 0
    for n in range(60):
        later(world, timedelta(seconds=1))
        checked += attempt(world, EDITOR[0], f"guess-{n:02d}", attacker).status_code == 401
    assert checked == 7
    locked = attempt(world, *EDITOR, attacker)
    assert locked.status_code == 429
    lockouts = [lock for lock in throttle.lockouts() if lock.scope == ACCOUNT]
    assert [lock.failures for lock in lockouts] == [3, 3, 4, 5, 6, 7]  # each one audited
    assert all(lock.subject == EDITOR[0] and lock.address == attacker for lock in lockouts)

    # waiting out Retry-After lets the right password in
    later(world, timedelta(seconds=int(locked.headers["Retry-After"])))
    assert attempt(world, *EDITOR, attacker).status_code == 302

    # many accounts from one address: the address is throttled, other addresses are not
    later(world, timedelta(days=2))
    spray = [attempt(world, f"user{n}", "password-guess", attacker) for n in range(60)]
    assert [a.status_code for a in spray].count(401) == 10
    assert attempt(world, *VIEWER, attacker).status_code == 429
    assert attempt(world, *VIEWER, "198.51.100.21").status_code == 302
    assert any(lock.scope == ADDRESS and lock.subject == attacker for lock in throttle.lockouts())


# --- 37 --------------------------------------------------------------------------------------

OFF_SITE = (
    "https://evil.example/",
    "http://evil.example",
    "//evil.example/path",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",  # next=/%09/evil.example: browsers drop the tab
    "/\n/evil.example",
    "/ /evil.example",
    "https:evil.example",
    "https:/evil.example",
    "javascript:alert(1)",
    " //evil.example",
    "/%5Cevil.example/",  # double-encoded: decoded once here, a harmless path is all it gives
    "evil.example",
    "///evil.example",
)


def test_attack_37_open_redirect_on_login(world: World) -> None:
    for target in OFF_SITE:
        client = world.app.test_client()
        token = csrf_of(client)
        answer = client.post(
            "/login",
            query_string={"next": target},
            data={"username": EDITOR[0], "password": EDITOR[1], "csrf_token": token},
        )
        assert answer.status_code == 302, target
        location = answer.headers["Location"]
        parts = urlsplit(location)
        assert (parts.scheme, parts.netloc) == ("", ""), (target, location)
        assert location.startswith("/") and not location.startswith(("//", "/\\")), location
        assert not any(ord(char) < 0x21 for char in location), location
    # the raw query string as an attacker writes it
    for raw in ("next=/%09/evil.example", "next=%2F%2Fevil.example", "next=/%5Cevil.example"):
        client = world.app.test_client()
        answer = client.post(
            f"/login?{raw}",
            data={"username": EDITOR[0], "password": EDITOR[1], "csrf_token": csrf_of(client)},
        )
        assert answer.headers["Location"] == "/queue", raw
    # an on-site path is kept
    client = world.app.test_client()
    answer = client.post(
        "/login?next=/items/1%3Fx%3D1",
        data={"username": EDITOR[0], "password": EDITOR[1], "csrf_token": csrf_of(client)},
    )
    assert answer.headers["Location"] == "/items/1?x=1"
