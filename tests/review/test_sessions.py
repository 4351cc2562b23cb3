"""Sessions on the server: the cookie holds only a token, and logout, a new password, a disabled
account, idle and absolute expiry end the session for every copy of the cookie."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from aggregator.review.app import SESSION_IDLE_ENV, SESSION_MAX_ENV, create_app
from aggregator.storage.sessions import SESSIONS, TOUCH_EVERY, SessionStore, token_hash
from aggregator.storage.users import UserStore
from tests.review.conftest import EDITOR, NOW, VIEWER, World, csrf_of, later, login, post

COOKIE = "aggregator_session"


def session_token(client: FlaskClient) -> str | None:
    cookie = client.get_cookie(COOKIE)
    return None if cookie is None else cookie.value


def sessions(world: World) -> SessionStore:
    store = world.app.extensions["aggregator_sessions"]
    assert isinstance(store, SessionStore)
    return store


def user_id(world: World, username: str) -> int:
    user = UserStore(world.repo.engine).get(username)
    assert user is not None
    return user.id


def test_the_cookie_holds_only_a_token_whose_hash_is_the_stored_id(world: World) -> None:
    client = world.client()
    token = session_token(client)
    assert token is not None and len(token) >= 40
    with world.repo.engine.connect() as conn:
        rows = conn.execute(select(SESSIONS)).all()
    assert [row.id for row in rows] == [token_hash(token)]
    assert rows[0].user_id == user_id(world, EDITOR[0])
    assert rows[0].created_at == rows[0].last_seen_at == NOW
    assert rows[0].expires_at == NOW + timedelta(hours=12)
    # the token itself is nowhere in the table, and the CSRF token is not in the cookie
    assert token not in repr(rows)
    csrf = csrf_of(client, "/bulletins")
    with world.repo.engine.connect() as conn:
        [data] = conn.execute(select(SESSIONS.c.data)).scalars()
    assert data["csrf_token"] == csrf and csrf not in token


def test_logout_ends_the_session_on_the_server(world: World) -> None:
    client = world.client()
    token = session_token(client)
    assert token is not None
    response = post(client, "/logout")
    assert response.status_code == 302
    assert session_token(client) is None  # the cookie is cleared
    assert sessions(world).of_user(user_id(world, EDITOR[0]), at=NOW) == []
    replay = world.app.test_client()
    replay.set_cookie(COOKIE, token)
    assert replay.get("/queue").status_code == 302
    assert session_token(replay) is None  # a dead cookie is cleared too


def test_a_session_ends_after_being_idle(world: World) -> None:
    client = world.client()
    later(world, timedelta(minutes=59))
    assert client.get("/queue").status_code == 200  # activity moves the idle clock on
    later(world, timedelta(minutes=59))
    assert client.get("/queue").status_code == 200
    later(world, timedelta(hours=1))
    assert client.get("/queue").status_code == 302
    with world.repo.engine.connect() as conn:
        assert conn.execute(select(SESSIONS)).all() == []


def test_a_session_ends_at_its_absolute_expiry_however_active(world: World) -> None:
    client = world.client()
    for _ in range(14):  # 11 h 40 min of steady use
        later(world, timedelta(minutes=50))
        assert client.get("/queue").status_code == 200
    later(world, timedelta(minutes=20))  # 12 hours after login
    assert client.get("/queue").status_code == 302


def test_a_new_password_or_disabling_ends_every_session_on_the_server(world: World) -> None:
    users = UserStore(world.repo.engine)
    first, second = world.client(), world.client()
    editor = user_id(world, EDITOR[0])
    viewer = world.client(VIEWER)
    assert len(sessions(world).of_user(editor, at=NOW)) == 2
    users.set_password(EDITOR[0], "a-brand-new-password")
    assert sessions(world).of_user(editor, at=NOW) == []
    assert first.get("/queue").status_code == 302 and second.get("/queue").status_code == 302
    assert viewer.get("/queue").status_code == 200  # another account's session is untouched

    again = world.app.test_client()
    assert login(again, EDITOR[0], "a-brand-new-password").status_code == 302
    token = session_token(again)
    users.set_disabled(EDITOR[0])
    assert sessions(world).of_user(editor, at=NOW) == []
    users.set_disabled(EDITOR[0], False)  # enabling again brings no session back
    assert again.get("/queue").status_code == 302
    revived = world.app.test_client()
    assert token is not None
    revived.set_cookie(COOKIE, token)
    assert revived.get("/queue").status_code == 302


def test_the_session_id_and_csrf_token_rotate_at_login(world: World) -> None:
    client = world.app.test_client()
    before = csrf_of(client)
    planted = "planted-by-someone-else-" + "x" * 30
    client.set_cookie(COOKIE, planted)
    response = login(client, *EDITOR)
    assert response.status_code == 302
    token = session_token(client)
    assert token is not None and token != planted
    after = csrf_of(client, "/bulletins")
    assert after != before
    # the visitor's token no longer works once logged in
    item_id = world.ids["neglect"]
    stale = client.post(
        f"/items/{item_id}/review", data={"action": "approve", "csrf_token": before}
    )
    assert stale.status_code == 400
    # logging in again over a live session ends the old one
    login(client, *EDITOR)
    assert session_token(client) != token
    assert [s.id for s in sessions(world).of_user(user_id(world, EDITOR[0]), at=NOW)] == [
        token_hash(session_token(client) or "")
    ]


def test_flash_messages_and_state_live_in_the_session_row(world: World) -> None:
    client = world.client()
    item_id = world.ids["neglect"]
    assert post(client, "/queue/bulk", {"action": "approve", "ids": [item_id]}).status_code == 302
    with world.repo.engine.connect() as conn:
        [data] = conn.execute(select(SESSIONS.c.data)).scalars()
    assert data["_flashes"] == [["success", "Approved 1 item."]]
    assert "Approved 1 item." in client.get("/queue").get_data(as_text=True)
    with world.repo.engine.connect() as conn:
        [data] = conn.execute(select(SESSIONS.c.data)).scalars()
    assert "_flashes" not in data


def test_the_store_touches_a_session_at_most_once_a_minute(world: World) -> None:
    store = sessions(world)
    editor = user_id(world, EDITOR[0])
    token, started = store.start(editor, at=NOW)
    assert store.resume(token, at=NOW + TOUCH_EVERY / 2) == started
    [seen] = store.of_user(editor, at=NOW)
    assert seen.last_seen_at == NOW
    assert store.resume(token, at=NOW + TOUCH_EVERY) is not None
    [seen] = store.of_user(editor, at=NOW)
    assert seen.last_seen_at == NOW + TOUCH_EVERY
    assert store.resume("not-a-token", at=NOW) is None
    assert store.end(token) and not store.end(token)
    assert store.resume(token, at=NOW) is None
    with pytest.raises(ValueError, match="aware"):
        store.resume(token, at=NOW.replace(tzinfo=None))


def test_expiry_is_configured_from_the_environment(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SESSION_IDLE_ENV, "15")
    monkeypatch.setenv(SESSION_MAX_ENV, "2.5")
    app = create_app(world.url, secret_key="test-secret")
    store = app.extensions["aggregator_sessions"]
    assert (store.idle_timeout, store.lifetime) == (timedelta(minutes=15), timedelta(hours=2.5))
    for bad in ("0", "-3", "soon", "nan", "inf"):
        monkeypatch.setenv(SESSION_IDLE_ENV, bad)
        with pytest.raises(ValueError, match=SESSION_IDLE_ENV):
            create_app(world.url, secret_key="test-secret")
    app.extensions["aggregator_repo"].close()
