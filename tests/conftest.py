"""Database and queue fixtures shared by every test folder, and the suite's own rules.

`db_url` runs a test on SQLite and on PostgreSQL; PostgreSQL tests get a database as new on
the server at 127.0.0.1:5432 (override the admin URL with $AGGREGATOR_TEST_POSTGRES_URL): a
fresh one, or one an earlier test left with its schema as it was, emptied
(tests/postgres_databases.py). `pg_url` is PostgreSQL only; `redis_queue` is a private Redis
key prefix ($AGGREGATOR_TEST_REDIS_URL, else 127.0.0.1:6379 db 0). A test is skipped only when
its server does not answer at all (nothing accepts a connection at its address); a server that
answers and then refuses (wrong database, password, scheme, db index) fails the test.

$AGGREGATOR_REQUIRE_ALL=1 (set by .ci/run) turns every skip into a failure, so CI cannot go
green having run none of the PostgreSQL, Redis, browser, example-bulletin or corpus tests; the
few skips that hold on every machine are listed in NOT_ENVIRONMENT. Under the same switch the
session fails when it modified a tracked file (tests write under their temporary folders only).
`--update-screenshots` (`make screenshots`) points the `screenshots` fixture at docs/screenshots/.
"""

from __future__ import annotations

import errno
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from aggregator.storage.db import upgrade
from aggregator.storage.repository import Repository
from tests import prewarmed
from tests.first_crawls import FirstCrawls
from tests.postgres_databases import PostgresDatabases

ROOT = Path(__file__).resolve().parents[1]
POSTGRES_ADMIN_URL = os.environ.get(
    "AGGREGATOR_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("AGGREGATOR_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
REQUIRE_ALL_ENV = "AGGREGATOR_REQUIRE_ALL"
DOCS_SCREENSHOTS = ROOT / "docs" / "screenshots"
CONNECT_SECONDS = 3  # how long a silent server is given before it counts as not running

# Skips that say something about the case, not the machine: they stay skips under the switch.
NOT_ENVIRONMENT = ("SQLite writers take the write lock at BEGIN IMMEDIATE",)


def require_all() -> bool:
    """True when every skip must fail ($AGGREGATOR_REQUIRE_ALL=1, as .ci/run sets)."""
    return os.environ.get(REQUIRE_ALL_ENV, "").strip().lower() in ("1", "true", "yes")


# -- the switch: skips become failures ---------------------------------------------------------


def _skip_reason(longrepr: Any) -> str:
    """The reason of a skip report (pytest keeps it as (path, line, "Skipped: reason"))."""
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


def _must_not_skip(reason: str) -> bool:
    return require_all() and not any(allowed in reason for allowed in NOT_ENVIRONMENT)


def _refusal(reason: str) -> str:
    return f"{REQUIRE_ALL_ENV}=1 turns this skip into a failure: {reason}"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """A skipped setup or call (pytest.skip, skipif, a fixture's skip) fails under the switch.

    An expected failure (xfail) is reported as a skip with `wasxfail` and is left alone."""
    report = yield
    if report.skipped and not hasattr(report, "wasxfail"):
        reason = _skip_reason(report.longrepr)
        if _must_not_skip(reason):
            report.outcome = "failed"
            report.longrepr = _refusal(reason)
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Any:
    """A module skipped while collected (importorskip, allow_module_level) fails the same way."""
    report = yield
    if report.outcome == "skipped":
        reason = _skip_reason(report.longrepr)
        if _must_not_skip(reason):
            report.outcome = "failed"
            report.longrepr = _refusal(reason)
    return report


# -- the slow tests first ----------------------------------------------------------------------


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked `slow` or `browser` run first (in their collected order), the rest after.
    Under `make test`'s workers (pytest-xdist hands tests out in this order) the minutes-long
    ones start at once and the short ones fill in around them, instead of one long test at the
    end keeping a core busy while the other waits.

    A browser test module's tests form one group (`xdist_group`, which `--dist loadgroup`
    sends to one worker), so its module-scoped Chromium and live app start once a run rather
    than once on each worker: a launch costs about a second of CPU."""
    for item in items:
        if item.get_closest_marker("browser") is not None and isinstance(item, pytest.Function):
            item.add_marker(pytest.mark.xdist_group(item.module.__name__))
    items.sort(
        key=lambda item: (
            item.get_closest_marker("slow") is None and item.get_closest_marker("browser") is None
        )
    )


# -- tests never write tracked files -------------------------------------------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-screenshots",
        action="store_true",
        help="write the browser tests' screenshots to docs/screenshots/ (make screenshots)",
    )


_TRACKED = pytest.StashKey[dict[str, tuple[int, int]]]()


def _tracked_files() -> dict[str, tuple[int, int]] | None:
    """(mtime_ns, size) of every tracked file; None outside a git checkout."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, timeout=60
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    found = {}
    for name in listed.decode("utf-8", "surrogateescape").split("\0"):
        path = ROOT / name
        if name and path.is_file():
            info = path.stat()
            found[name] = (info.st_mtime_ns, info.st_size)
    return found


def pytest_sessionstart(session: pytest.Session) -> None:
    """Under the switch (CI, a clean clone nobody edits meanwhile), note every tracked file."""
    if require_all():
        tracked = _tracked_files()
        if tracked is not None:
            session.config.stash[_TRACKED] = tracked


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Release what this process holds as soon as its tests are done (`_release`). Under
    xdist a worker reports itself finished only after this hook, and from then on has ten
    seconds (`WorkerManager.EXIT_TIMEOUT`) before it is killed: cleaning up in
    `pytest_unconfigure` alone, after that report, could be cut short and leave a database
    on the server. Then fail the session, naming them, when tests wrote to tracked files."""
    _release()
    before = session.config.stash.get(_TRACKED, None)
    after = _tracked_files() if before is not None else None
    if before is None or after is None:
        return
    allowed = "docs/screenshots/" if session.config.getoption("--update-screenshots") else None
    written = sorted(
        name
        for name, stamp in before.items()
        if after.get(name) != stamp and not (allowed and name.startswith(allowed))
    )
    if written:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        line = f"tests wrote {len(written)} tracked file(s): {', '.join(written[:20])}"
        if reporter is not None:
            reporter.ensure_newline()
            reporter.write_line(line, red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@dataclass(frozen=True)
class Screenshots:
    """The docs' screenshots, taken by the browser tests: into docs/screenshots/ when
    `--update-screenshots` is given (only `make screenshots` gives it), and not at all in other
    runs. They are pictures for the docs, not checks (the tests measure what they check), and
    each costs Chromium about a fifth of a second of CPU."""

    folder: Path | None

    def take(self, target: Any, name: str, **options: Any) -> None:
        """Screenshot `target` (a Playwright page or element) as `name`, with Playwright's
        screenshot `options`."""
        if self.folder is not None:
            target.screenshot(path=str(self.folder / name), **options)


@pytest.fixture(scope="session")
def screenshots(pytestconfig: pytest.Config) -> Screenshots:
    """The browser tests' screenshots (`Screenshots`)."""
    if pytestconfig.getoption("--update-screenshots"):
        DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        return Screenshots(DOCS_SCREENSHOTS)
    return Screenshots(None)


@pytest.fixture(scope="session")
def first_crawls(tmp_path_factory: pytest.TempPathFactory) -> FirstCrawls:
    """Each fixture folder's first crawl, once per run (tests/first_crawls.py). Under
    pytest-xdist a worker's temporary root sits in the run's own, which every worker shares."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    return FirstCrawls(root / "first-crawls")


# -- services ----------------------------------------------------------------------------------


_UNREACHABLE = {errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ECONNREFUSED, errno.ENOENT}


def _not_answering(address: tuple[str, int] | str) -> str | None:
    """Why nothing accepts a connection at `address` ((host, port), or a Unix socket's path),
    or None when something does. Only this counts as "not running": a name that does not
    resolve, and every error once connected, are failures of the test instead."""
    try:
        if isinstance(address, str):
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
                probe.settimeout(CONNECT_SECONDS)
                probe.connect(address)
        else:
            socket.create_connection(address, timeout=CONNECT_SECONDS).close()
    except TimeoutError:
        return f"no answer within {CONNECT_SECONDS} s"
    except OSError as error:
        if isinstance(error, socket.gaierror) or error.errno not in _UNREACHABLE:
            raise
        return error.strerror or str(error)
    return None


def _postgres_address(url: str) -> tuple[tuple[str, int] | str, str]:
    """Where libpq would connect for `url`, and how to say it."""
    parsed = make_url(url)
    port = parsed.port or 5432
    query_host = parsed.query.get("host")
    host = parsed.host or (query_host if isinstance(query_host, str) else None)
    if host is None or host.startswith("/"):  # libpq's Unix socket, as Debian places it
        path = f"{host or '/var/run/postgresql'}/.s.PGSQL.{port}"
        return path, path
    return (host, port), f"{host}:{port}"


# -- migrated databases, copied -------------------------------------------------------------------
#
# Migrating an empty database runs every Alembic revision: a sixth of a second on SQLite, more
# on PostgreSQL, and hundreds of tests need one. Each test process migrates one template per
# backend once, then copies it: the file on SQLite, `CREATE DATABASE ... TEMPLATE` on
# PostgreSQL. A copy is the same schema, byte for byte, as the migration gives.

_MIGRATED: set[str] = set()  # URLs created as copies of a template: already at the newest schema
_TEMPLATES: dict[str, str] = {}  # backend: its template (a SQLite path, a PostgreSQL name)
_DATABASES: list[PostgresDatabases] = []  # this process's test databases, once one is asked for


def _postgres_databases() -> PostgresDatabases:
    if not _DATABASES:
        _DATABASES.append(PostgresDatabases(POSTGRES_ADMIN_URL, CONNECT_SECONDS))
    return _DATABASES[0]


def migrated_sqlite(path: Path) -> str:
    """A migrated SQLite database at `path` (a copy of this process's template): its URL."""
    template = _TEMPLATES.get("sqlite")
    if template is None:
        folder = Path(tempfile.mkdtemp(prefix="aggregator-template-"))
        upgrade(f"sqlite:///{folder / 'template.db'}")
        template = _TEMPLATES["sqlite"] = str(folder / "template.db")
    shutil.copyfile(template, path)
    url = f"sqlite:///{path}"
    _MIGRATED.add(url)
    return url


def migrate(url: str) -> None:
    """Bring the database at `url` to the newest schema (nothing to do for a template copy)."""
    if url not in _MIGRATED:
        upgrade(url)


def _postgres_template(admin: Any) -> str:
    """This process's migrated PostgreSQL template database, created on first use."""
    name = _TEMPLATES.get("postgresql")
    if name is None:
        name = f"agg_template_{secrets.token_hex(6)}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        _TEMPLATES["postgresql"] = name
        url = make_url(POSTGRES_ADMIN_URL).set(database=name)
        upgrade(url.render_as_string(hide_password=False))  # disposes its engine: no one left
    return name


def pytest_unconfigure(config: pytest.Config) -> None:
    """The same, for a run that ended before its session did (a usage error)."""
    _release()


def _release() -> None:
    """Stop this process's fork server (tests/prewarmed.py); drop its PostgreSQL databases
    and template, and its SQLite template's folder. Safe to call twice."""
    prewarmed.stop()
    name = _TEMPLATES.pop("postgresql", None)
    if name is not None:
        _postgres_databases().drop(name)
    while _DATABASES:
        _DATABASES.pop().close()
    template = _TEMPLATES.pop("sqlite", None)
    if template is not None:
        shutil.rmtree(Path(template).parent, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database, on each backend in turn; already migrated (a template's
    copy) when the test asks for `repo` too, which would migrate it first thing anyway."""
    migrated = "repo" in request.fixturenames
    if request.param == "sqlite":
        path = tmp_path / "aggregator.db"
        yield migrated_sqlite(path) if migrated else f"sqlite:///{path}"
        return
    yield from _postgres_database(migrated=migrated)


def skip_without_postgres() -> None:
    """Skip the test when no PostgreSQL server answers at the admin URL's address."""
    address, where = _postgres_address(POSTGRES_ADMIN_URL)
    silent = _not_answering(address)
    if silent is not None:
        pytest.skip(
            f"PostgreSQL not running at {where} ({silent}): start it, or point "
            "$AGGREGATOR_TEST_POSTGRES_URL at one"
        )


def _postgres_database(migrated: bool = False) -> Iterator[str]:
    """A database on the test server, as new (empty, or `migrated`: a copy of the template),
    given back afterwards (tests/postgres_databases.py: reused only when the test left its
    catalog as new); skips only when no server answers at the admin URL's address."""
    skip_without_postgres()
    databases = _postgres_databases()

    def create(admin: Engine, name: str) -> None:
        template = f' TEMPLATE "{_postgres_template(admin)}"' if migrated else ""
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"{template}'))

    # a server that answers and then refuses fails the test
    name = databases.take("migrated" if migrated else "empty", create)
    url = databases.url(name)
    if migrated:
        _MIGRATED.add(url)
    try:
        yield url
    finally:
        _MIGRATED.discard(url)
        databases.give_back(name)


@pytest.fixture
def repo(db_url: str) -> Iterator[Repository]:
    """A repository on a freshly migrated database."""
    migrate(db_url)
    repository = Repository.from_url(db_url)
    try:
        yield repository
    finally:
        repository.close()


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database, migrated to the newest schema, dropped afterwards."""
    database = cast(Generator[str, None, None], _postgres_database(migrated=True))
    url = next(database)  # skips the test when no server answers
    try:
        yield url
    finally:
        database.close()  # drops it


def _redis_address(url: str) -> tuple[tuple[str, int] | str, str]:
    """Where redis-py would connect for `url`, and how to say it."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme == "unix":
        return parts.path, parts.path
    host, port = parts.hostname or "localhost", parts.port or 6379
    return (host, port), f"{host}:{port}"


@pytest.fixture
def redis_queue() -> Iterator[str]:
    """A key prefix (the queue's namespace) of its own; every key under it is deleted after.

    Skipped only when nothing answers at the Redis address; a server that answers with an
    error (a password, a db index out of range, not Redis at all) fails the test."""
    import redis

    from aggregator.ops.distributed import JobQueue

    address, where = _redis_address(REDIS_URL)
    silent = _not_answering(address)
    if silent is not None:
        pytest.skip(
            f"Redis not running at {where} ({silent}): start it, or point "
            "$AGGREGATOR_TEST_REDIS_URL at one"
        )
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=CONNECT_SECONDS)
    try:
        client.ping()
    finally:
        client.close()
    namespace = f"aggtest-{secrets.token_hex(6)}"
    try:
        yield namespace
    finally:
        queue = JobQueue(REDIS_URL, namespace)
        queue.delete_all()
        queue.close()
