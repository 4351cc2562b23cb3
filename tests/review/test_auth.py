"""Accounts and safety: login, sessions, CSRF, roles, the users command."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from aggregator.cli import main
from aggregator.storage.tables import USERS
from aggregator.storage.users import UserStore
from tests.review.conftest import EDITOR, VIEWER, World, csrf_of, login, post


def test_logged_out_visitor_is_sent_to_login(world: World) -> None:
    client = world.client(None)
    for path in ("/queue", f"/items/{world.ids['neglect']}", "/bulletins", "/sources"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")
    assert client.get("/login").status_code == 200


def test_login_with_a_wrong_password_is_refused(world: World) -> None:
    client = world.client(None)
    response = login(client, EDITOR[0], "not-the-password")
    assert response.status_code == 401
    assert "do not match" in response.get_data(as_text=True)
    assert client.get("/queue").status_code == 302


def test_login_then_the_queue_and_the_session_cookie_is_safe(world: World) -> None:
    client = world.client(None)
    response = login(client, *EDITOR)
    assert response.status_code == 302 and response.headers["Location"] == "/queue"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = client.get("/queue")
    assert page.status_code == 200
    assert page.headers["Content-Security-Policy"].startswith("default-src 'self'")


def test_login_never_redirects_off_site(world: World) -> None:
    client = world.client(None)
    token = csrf_of(client)
    response = client.post(
        "/login?next=//evil.example/x",
        data={"username": EDITOR[0], "password": EDITOR[1], "csrf_token": token},
    )
    assert response.headers["Location"] == "/queue"


def test_a_post_without_a_csrf_token_is_refused(world: World) -> None:
    client = world.client()
    item_id = world.ids["neglect"]
    response = client.post(f"/items/{item_id}/review", data={"action": "approve"})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    wrong = client.post(
        f"/items/{item_id}/review", data={"action": "approve", "csrf_token": "forged"}
    )
    assert wrong.status_code == 400
    assert world.repo.stored_items([item_id])[item_id].status == "new"
    # the login form needs one too
    fresh = world.client(None)
    no_token = fresh.post("/login", data={"username": EDITOR[0], "password": EDITOR[1]})
    assert no_token.status_code == 400


def test_a_viewer_can_look_but_not_change_anything(world: World) -> None:
    client = world.client(VIEWER)
    item_id = world.ids["neglect"]
    assert client.get(f"/items/{item_id}").status_code == 200
    page = client.get("/queue").get_data(as_text=True)
    assert "Approve selected" not in page
    for path, data in (
        (f"/items/{item_id}/review", {"action": "approve"}),
        (f"/items/{item_id}/edit", {"title": "Changed"}),
        ("/queue/bulk", {"action": "approve", "ids": [item_id]}),
        ("/bulletins", {"start": "2024-06-03", "end": "2024-06-09"}),
    ):
        assert post(client, path, data).status_code == 403, path
    stored = world.repo.stored_items([item_id])[item_id]
    assert (stored.status, stored.title) == ("new", "Neglect: learning from case reviews")
    assert world.repo.events(item_id) == []


def test_disabling_or_a_new_password_ends_open_sessions(world: World) -> None:
    users = UserStore(world.repo.engine)
    client = world.client()
    assert client.get("/queue").status_code == 200
    users.set_password(EDITOR[0], "a-brand-new-password")
    assert client.get("/queue").status_code == 302
    assert login(world.client(None), *EDITOR).status_code == 401  # the old one is gone
    other = world.app.test_client()
    assert login(other, EDITOR[0], "a-brand-new-password").status_code == 302
    users.set_disabled(EDITOR[0])
    assert other.get("/queue").status_code == 302
    assert login(world.app.test_client(), EDITOR[0], "a-brand-new-password").status_code == 401


def test_passwords_are_stored_as_argon2id_hashes(world: World) -> None:
    with world.repo.engine.connect() as conn:
        hashes = list(conn.execute(select(USERS.c.password_hash)).scalars())
    assert hashes and all(h.startswith("$argon2id$") for h in hashes)
    assert not any(EDITOR[1] in h for h in hashes)


def test_logout_needs_a_post_with_the_token(world: World) -> None:
    client = world.client()
    assert client.get("/logout").status_code == 405
    assert post(client, "/logout").status_code == 302
    assert client.get("/queue").status_code == 302


def test_users_command(world: World) -> None:
    runner = CliRunner()
    db = ["--db", world.url]
    added = runner.invoke(
        main, ["users", "add", "carol", "--role", "viewer", *db], input="carol-password\n" * 2
    )
    assert added.exit_code == 0, added.output
    assert "created viewer 'carol'" in added.output
    listed = runner.invoke(main, ["users", "list", *db])
    assert listed.exit_code == 0
    lines = {line.split()[0]: line for line in listed.output.splitlines()}
    assert set(lines) == {"carol", "ed", "vi"}
    assert "viewer" in lines["carol"] and "active" in lines["carol"]
    short = runner.invoke(main, ["users", "add", "dave", "--password", "short", *db])
    assert short.exit_code == 1 and "at least 10 characters" in short.output
    again = runner.invoke(main, ["users", "add", "carol", "--password", "x" * 12, *db])
    assert again.exit_code == 1 and "already exists" in again.output
    assert (
        runner.invoke(
            main, ["users", "passwd", "carol", *db], input="another-password\n" * 2
        ).exit_code
        == 0
    )
    assert UserStore(world.repo.engine).authenticate("carol", "another-password") is not None
    assert runner.invoke(main, ["users", "disable", "carol", *db]).exit_code == 0
    assert UserStore(world.repo.engine).authenticate("carol", "another-password") is None
    missing = runner.invoke(main, ["users", "disable", "nobody", *db])
    assert missing.exit_code == 1 and "no user 'nobody'" in missing.output


def test_the_demo_makes_a_demo_editor_once_and_prints_its_login(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    from aggregator.cli.demo import demo_login
    from aggregator.services.demo import DEMO_USER

    demo_login(world.url)
    demo_login(world.url)
    out = capsys.readouterr().out
    assert out.count("Created the demo editor 'demo'.") == 1
    assert f"as {DEMO_USER[0]} / {DEMO_USER[1]}" in out
    user = UserStore(world.repo.engine).authenticate(*DEMO_USER)
    assert user is not None and user.role == "editor"
