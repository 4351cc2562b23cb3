"""`aggregator serve`: the review app behind waitress, started as an operator would start it."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urlencode

import pytest

from aggregator.storage.db import make_engine
from aggregator.storage.login_throttle import ADDRESS, LoginThrottle
from tests.prewarmed import popen

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    with serving(tmp_path) as base:
        yield base


@contextmanager
def serving(tmp_path: Path, *options: str) -> Iterator[str]:
    """`aggregator serve` with `options` on a free port, over tmp_path/review.db."""
    port = _free_port()
    env = {**os.environ, "AGGREGATOR_SECRET_KEY": "test-secret"}
    command = [sys.executable, "-m", "aggregator.cli", "serve", "--port", str(port)]
    process = popen(
        [*command, "--threads", "4", *options],
        cwd=ROOT,
        env={**env, "AGGREGATOR_DATABASE_URL": f"sqlite:///{tmp_path / 'review.db'}"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2).read()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    output = process.stdout.read() if process.stdout else ""
                    raise AssertionError(f"serve did not start: {output}") from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_serve_answers_through_waitress(served: str) -> None:
    with urllib.request.urlopen(f"{served}/healthz", timeout=5) as response:
        assert response.status == 200
        assert response.headers["Server"] == "aggregator"
        assert response.read() == b'{"ok":true}\n'
    # every other page needs a login
    with urllib.request.urlopen(f"{served}/queue", timeout=5) as response:
        assert response.url.startswith(f"{served}/login")


def test_serve_refuses_an_oversized_body_before_the_app_reads_it(served: str) -> None:
    host, port = served.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        # the declared length alone is refused: nothing of the body is read or buffered
        sock.sendall(
            b"POST /login HTTP/1.1\r\nHost: localhost\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n"
            + f"Content-Length: {9 * 1024 * 1024}\r\n\r\n".encode()
        )
        status_line = sock.makefile("rb").readline()
    assert status_line.startswith(b"HTTP/1.1 413")


def test_serve_behind_a_proxy_counts_failed_logins_per_forwarded_client(tmp_path: Path) -> None:
    """With --trusted-proxy, waitress takes the client from X-Forwarded-For: each client's
    failures count against its own address, not all against the proxy's."""
    with serving(tmp_path, "--trusted-proxy", "127.0.0.1") as base:
        for client in ("192.0.2.1", "192.0.2.2", "192.0.2.2"):
            opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
            forwarded = {"X-Forwarded-For": client}
            request = urllib.request.Request(f"{base}/login", headers=forwarded)
            page = opener.open(request, timeout=10).read().decode()
            found = re.search(r'name="csrf-token" content="([^"]+)"', page)
            assert found is not None
            form = {"username": "nobody", "password": "a-wrong-password", "csrf_token": found[1]}
            attempt = urllib.request.Request(
                f"{base}/login", data=urlencode(form).encode(), headers=forwarded
            )
            with pytest.raises(HTTPError) as refused:
                opener.open(attempt, timeout=10)
            assert refused.value.code == 401
    engine = make_engine(f"sqlite:///{tmp_path / 'review.db'}")
    try:
        throttle = LoginThrottle(engine)
        counts = {a: throttle.failures(ADDRESS, a) for a in ("192.0.2.1", "192.0.2.2", "127.0.0.1")}
    finally:
        engine.dispose()
    assert counts == {"192.0.2.1": 1, "192.0.2.2": 2, "127.0.0.1": 0}
