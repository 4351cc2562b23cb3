"""The suite's own rules (tests/conftest.py), run on small test files in a pytest subprocess.

- $AGGREGATOR_REQUIRE_ALL=1 turns a skip (in a test, a skipif mark, a module skipped while
  collected) into a failure, leaves an expected failure alone, and keeps the skips listed as
  not environmental.
- A service skips only when nothing accepts a connection at its address: a server that answers
  but is not what the URL says fails the test.
"""

from __future__ import annotations

import os
import socket
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import NOT_ENVIRONMENT, REQUIRE_ALL_ENV, _not_answering
from tests.inner_pytest import run_pytest

pytestmark = pytest.mark.slow  # scheduled first (tests/conftest.py)


CASES = f'''
import pytest

def test_skipped_in_the_call():
    pytest.skip("the service is gone")

@pytest.mark.skipif(True, reason="no example bulletin here")
def test_skipped_by_a_mark():
    pass

@pytest.mark.xfail(reason="known", strict=True)
def test_expected_to_fail():
    assert False

def test_skipped_by_design():
    pytest.skip("{NOT_ENVIRONMENT[0]}: this case cannot occur")

def test_runs():
    assert True
'''
MODULE_SKIP = """
import pytest
pytest.skip("no browser at /nowhere", allow_module_level=True)

def test_never_collected():
    pass
"""
SERVICES = """
def test_postgres(pg_url):
    pass

def test_redis(redis_queue):
    pass
"""


def outcomes(folder: Path, files: list[str], **env: str) -> dict[str, str]:
    """Run pytest on `files` with tests/conftest.py as a plugin: each test's outcome."""
    report = folder / "report.xml"
    clean = {k: v for k, v in os.environ.items() if k != REQUIRE_ALL_ENV}
    run_pytest(folder, [f"--junit-xml={report}", *files], {**clean, **env})
    found = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        kinds = [child.tag for child in case if child.tag in ("skipped", "failure", "error")]
        name = case.get("name") or ""
        found[name] = kinds[0] if kinds else "passed"
    return found


@pytest.fixture
def cases(tmp_path: Path) -> Path:
    (tmp_path / "test_cases.py").write_text(CASES, encoding="utf-8")
    (tmp_path / "test_module_skip.py").write_text(MODULE_SKIP, encoding="utf-8")
    return tmp_path


def test_without_the_switch_skips_stay_skips(cases: Path) -> None:
    found = outcomes(cases, ["test_cases.py"]) | outcomes(cases, ["test_module_skip.py"])
    assert found == {
        "test_skipped_in_the_call": "skipped",
        "test_skipped_by_a_mark": "skipped",
        "test_expected_to_fail": "skipped",  # junit's word for xfailed
        "test_skipped_by_design": "skipped",
        "test_runs": "passed",
        "test_module_skip": "skipped",  # the module, skipped while collected
    }


def test_the_switch_turns_environment_skips_into_failures(cases: Path) -> None:
    switch = {REQUIRE_ALL_ENV: "1"}
    # a collection error stops the session before any test runs: each file in a run of its own
    found = outcomes(cases, ["test_cases.py"], **switch)
    found |= outcomes(cases, ["test_module_skip.py"], **switch)
    assert found == {
        "test_skipped_in_the_call": "failure",
        "test_skipped_by_a_mark": "error",  # a skipif mark acts in setup
        "test_expected_to_fail": "skipped",
        "test_skipped_by_design": "skipped",
        "test_runs": "passed",
        "test_module_skip": "error",  # a collection error
    }


@pytest.fixture
def mute_server() -> Iterator[int]:
    """A loopback port that accepts connections and closes them: something that is neither
    PostgreSQL nor Redis."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            connection.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        listener.close()


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port: int = free.getsockname()[1]
    return port


def test_only_a_silent_address_counts_as_not_running(mute_server: int) -> None:
    assert _not_answering(("127.0.0.1", mute_server)) is None
    assert _not_answering(("127.0.0.1", closed_port())) is not None
    assert _not_answering("/nonexistent/.s.PGSQL.5432") is not None
    with pytest.raises(socket.gaierror):  # a wrong host name is a wrong URL, not a stopped server
        _not_answering(("no-such-host.invalid", 5432))


def services(folder: Path, port: int) -> dict[str, str]:
    (folder / "test_services.py").write_text(SERVICES, encoding="utf-8")
    return outcomes(
        folder,
        ["test_services.py"],
        AGGREGATOR_TEST_POSTGRES_URL=f"postgresql+psycopg://postgres@127.0.0.1:{port}/test",
        AGGREGATOR_TEST_REDIS_URL=f"redis://127.0.0.1:{port}/0",
    )


def test_services_skip_when_nothing_answers(tmp_path: Path) -> None:
    assert services(tmp_path, closed_port()) == {
        "test_postgres": "skipped",
        "test_redis": "skipped",
    }


def test_a_server_that_answers_wrongly_fails_rather_than_skips(
    tmp_path: Path, mute_server: int
) -> None:
    assert services(tmp_path, mute_server) == {"test_postgres": "error", "test_redis": "error"}
