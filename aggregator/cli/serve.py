"""The review app: `serve`, and `users` (its accounts)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import click

from aggregator.cli.options import db_option, examples
from aggregator.fetch import logs
from aggregator.normalise.dates import LONDON
from aggregator.settings import database_url

if TYPE_CHECKING:
    from aggregator.storage.users import UserStore


@click.command(
    "serve",
    epilog=examples(
        "aggregator serve",
        "aggregator serve --host 0.0.0.0 --port 8080 --trusted-proxy 127.0.0.1",
    ),
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--threads",
    default=8,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Requests served at once.",
)
@click.option(
    "--trusted-proxy",
    metavar="ADDRESS",
    default=None,
    help="The reverse proxy in front (e.g. 127.0.0.1): its X-Forwarded-For names the client, "
    "so failed logins are counted per real client address, not all against the proxy.",
)
@click.option(
    "--session-idle-minutes",
    type=click.FloatRange(min=1),
    default=None,
    envvar="AGGREGATOR_SESSION_IDLE_MINUTES",
    show_envvar=True,
    help="End a session unused this long [default: 60].",
)
@click.option(
    "--session-max-hours",
    type=click.FloatRange(min=0.1),
    default=None,
    envvar="AGGREGATOR_SESSION_MAX_HOURS",
    show_envvar=True,
    help="End every session this long after login [default: 12].",
)
@db_option
def serve(
    host: str,
    port: int,
    threads: int,
    trusted_proxy: str | None,
    session_idle_minutes: float | None,
    session_max_hours: float | None,
    db_url: str | None,
) -> None:
    """Run the editors' review app (queue, item pages, bulletin composer, source health).

    Migrates the database first. Log in with an account made by `aggregator users add`.
    Sessions are kept in the database (the cookie holds only a random token) and end on
    logout, a new password, a disabled account, or their idle or absolute timeout. Failed
    logins make later attempts wait (429 with Retry-After). Set $AGGREGATOR_SECRET_KEY (it signs
    the login form's token) and AGGREGATOR_SECURE_COOKIES=1 behind HTTPS.
    """
    import waitress

    from aggregator.review.app import create_app
    from aggregator.storage.db import upgrade

    url = database_url(db_url)
    upgrade(url)
    config: dict[str, object] = {}
    if session_idle_minutes is not None:
        config["SESSION_IDLE_TIMEOUT"] = timedelta(minutes=session_idle_minutes)
    if session_max_hours is not None:
        config["SESSION_ABSOLUTE_TIMEOUT"] = timedelta(hours=session_max_hours)
    try:
        app = create_app(url, config=config)
    except ValueError as error:  # a malformed $AGGREGATOR_SESSION_* setting
        raise click.ClickException(str(error)) from None
    proxy: dict[str, object] = {}
    if trusted_proxy:
        proxy = {
            "trusted_proxy": trusted_proxy,
            "trusted_proxy_count": 1,
            "trusted_proxy_headers": {"x-forwarded-for"},
        }
    click.echo(f"Review app on http://{host}:{port}/ (database {url}); Ctrl-C stops it.")
    # waitress, not werkzeug's development server: a fixed pool of worker threads, request
    # bodies buffered before the app sees them (a slow client holds no thread), and limits on
    # header and body sizes
    logs.configure_service("%(name)s: %(message)s")
    waitress.serve(
        app,
        host=host,
        port=port,
        threads=threads,
        ident="aggregator",
        max_request_body_size=8 * 1024 * 1024,
        clear_untrusted_proxy_headers=True,
        **proxy,
    )


@click.group(
    "users",
    epilog=examples(
        "aggregator users add alice",
        "aggregator users list",
    ),
)
def users() -> None:
    """Accounts of the review app: editors change things, viewers only look."""


def user_store(db_url: str | None) -> UserStore:
    """The accounts of the database at `db_url` (migrated first)."""
    from aggregator.storage.db import make_engine, upgrade
    from aggregator.storage.users import UserStore

    url = database_url(db_url)
    upgrade(url)
    return UserStore(make_engine(url))


password_option = click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="The password (asked for when not given; at least 10 characters).",
)


@users.command(
    "add",
    epilog=examples(
        "aggregator users add alice",
        "aggregator users add bob --role viewer",
    ),
)
@click.argument("username")
@click.option(
    "--role", type=click.Choice(["editor", "viewer"]), default="editor", show_default=True
)
@password_option
@db_option
def users_add(username: str, role: str, password: str, db_url: str | None) -> None:
    """Create an account USERNAME with a role (editor or viewer) and a password.

    The password is stored only as an Argon2id hash.
    """
    user = user_store(db_url).add(username, password, role, at=datetime.now(UTC))
    click.echo(f"created {user.role} {user.username!r}")


@users.command(
    "list",
    epilog=examples(
        "aggregator users list",
    ),
)
@db_option
def users_list(db_url: str | None) -> None:
    """List the accounts: name, role, whether disabled, when created and last in the queue."""
    for user in user_store(db_url).all():
        seen = user.last_seen_queue_at
        state = "disabled" if user.disabled else "active"
        created = f"{user.created_at.astimezone(LONDON):%Y-%m-%d %H:%M}"
        queue = f"{seen.astimezone(LONDON):%Y-%m-%d %H:%M}" if seen else "never"
        click.echo(
            f"{user.username:<20} {user.role:<7} {state:<9} created {created}  queue {queue}"
        )


@users.command(
    "disable",
    epilog=examples(
        "aggregator users disable bob",
        "aggregator users disable bob --enable",
    ),
)
@click.argument("username")
@click.option("--enable", is_flag=True, help="Enable the account again instead.")
@db_option
def users_disable(username: str, enable: bool, db_url: str | None) -> None:
    """Disable USERNAME: it can no longer log in, and its open sessions end at once."""
    user_store(db_url).set_disabled(username, not enable)
    click.echo(f"{'enabled' if enable else 'disabled'} {username!r}")


@users.command(
    "passwd",
    epilog=examples(
        "aggregator users passwd alice",
    ),
)
@click.argument("username")
@password_option
@db_option
def users_passwd(username: str, password: str, db_url: str | None) -> None:
    """Set a new password for USERNAME; its open sessions end at once."""
    user_store(db_url).set_password(username, password)
    click.echo(f"password of {username!r} changed")
