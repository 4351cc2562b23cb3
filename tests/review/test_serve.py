"""`aggregator serve`: the review app behind waitress, started as an operator would start it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    env = {**os.environ, "AGGREGATOR_SECRET_KEY": "test-secret"}
    process = subprocess.Popen(
        [sys.executable, "-m", "aggregator.cli", "serve", "--port", str(port), "--threads", "4"],
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
                    raise AssertionError(f"serve did not start: {process.stdout.read()}") from None
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
