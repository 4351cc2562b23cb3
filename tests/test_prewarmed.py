"""The fork server (tests/prewarmed.py) gives what a real interpreter gives: the same exit
status, stdout and stderr, environment, working folder, exit handlers and threads."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests import prewarmed

SCRIPTS = {
    "exit status": "import sys; print('out'); print('err', file=sys.stderr); sys.exit(4)",
    "exit with a message": "import sys; sys.exit('stopped: a reason')",
    "uncaught exception": "raise ValueError('broken')",
    "uncaught Ctrl-C": "raise KeyboardInterrupt",
    "exit handlers and threads": (
        "import atexit, threading, time\n"
        "atexit.register(lambda: print('exit handler'))\n"
        "threading.Thread(target=lambda: (time.sleep(0.2), print('thread'))).start()\n"
        "print('main')"
    ),
    "environment, folder and arguments": (
        "import os, sys; print(os.environ['PROBE'], os.getcwd(), sys.argv[1:], sys.path[0])"
    ),
    "standard input": "import sys; print(sys.stdin.read().upper())",
    "unicode": "print('Children’s Commissioner — £5')",
}


@pytest.fixture
def fork_server(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fork server on, for a test of the server itself, even in a run that switched it off
    for every other test ($TESTS_WITHOUT_FORK_SERVER)."""
    monkeypatch.delenv(prewarmed.OFF_SWITCH, raising=False)


def _last_lines(text: str) -> str:
    """A traceback's last line (the frames above it differ in the server's own)."""
    return text.strip().splitlines()[-1] if text.strip() else ""


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_a_forked_child_gives_what_a_fresh_interpreter_gives(name: str, tmp_path: Path) -> None:
    args = [sys.executable, "-c", SCRIPTS[name], "one", "two"]
    env = dict(os.environ, PROBE="probe")
    given = {"env": env, "cwd": tmp_path, "timeout": 60, "input": "typed\n"}
    fresh = subprocess.run(args, capture_output=True, text=True, **given)  # type: ignore[call-overload]
    forked = prewarmed.run(args, **given)
    assert forked.returncode == fresh.returncode
    assert forked.stdout == fresh.stdout
    assert _last_lines(forked.stderr) == _last_lines(fresh.stderr)


def test_a_module_runs_as_main_and_a_timeout_kills_the_child(tmp_path: Path) -> None:
    done = prewarmed.run([sys.executable, "-m", "aggregator.cli", "--help"], timeout=60)
    assert done.returncode == 0 and "Usage:" in done.stdout
    with pytest.raises(subprocess.TimeoutExpired):
        prewarmed.run([sys.executable, "-c", "import time; time.sleep(60)"], timeout=1)


def test_an_interpreter_setting_in_the_environment_gets_a_real_interpreter() -> None:
    env = dict(os.environ, PYTHONHASHSEED="0")
    code = "import sys; print(sys.flags.hash_randomization)"
    assert prewarmed.run([sys.executable, "-c", code], env=env).stdout == "0\n"


@pytest.mark.usefixtures("fork_server")
def test_the_servers_heap_is_frozen_and_the_childs_own_garbage_is_collected() -> None:
    """The preloaded libraries' objects are out of the collector's sight in a child (so its
    collections and its exit do not walk them); a cycle the child makes is still freed."""
    code = (
        "import gc, weakref\n"
        "class Node: pass\n"
        "node = Node(); node.itself = node; alive = weakref.ref(node); del node\n"
        "gc.collect()\n"
        "print(alive() is None, gc.get_freeze_count())"
    )
    done = prewarmed.run([sys.executable, "-c", code], timeout=60)
    assert done.returncode == 0, done.stderr
    freed, frozen = done.stdout.split()
    assert freed == "True"
    assert int(frozen) > 100_000  # Scrapy, Twisted, SQLAlchemy and the rest, preloaded


@pytest.mark.usefixtures("fork_server")
@pytest.mark.parametrize("text", [True, False])
def test_a_started_child_pipes_and_ends_as_a_real_one_does(text: bool, tmp_path: Path) -> None:
    code = "import sys; print('out'); print('err\\r\\nline', file=sys.stderr); sys.exit(3)"
    args = [sys.executable, "-c", code]
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": text}
    real = subprocess.Popen(args, stdin=subprocess.DEVNULL, **pipes)  # type: ignore[call-overload]
    forked = prewarmed.popen(args, cwd=tmp_path, **pipes)
    assert isinstance(forked, prewarmed.Forked) and forked.pid != os.getpid()
    assert forked.communicate(timeout=60) == real.communicate(timeout=60)
    assert forked.returncode == real.returncode == 3
    assert forked.wait() == 3 and forked.poll() == 3


@pytest.mark.usefixtures("fork_server")
def test_a_started_child_runs_until_killed_by_its_pid(tmp_path: Path) -> None:
    log = tmp_path / "log"
    code = "import sys, time; print('started', flush=True); print('also', file=sys.stderr)\n"
    code += "time.sleep(60)"
    with log.open("w") as out:
        forked = prewarmed.popen(
            [sys.executable, "-c", code], stdout=out, stderr=subprocess.STDOUT, text=True
        )
    with pytest.raises(subprocess.TimeoutExpired):
        forked.wait(timeout=0.2)
    assert forked.poll() is None
    os.kill(forked.pid, signal.SIGKILL)
    assert forked.wait(timeout=60) == -signal.SIGKILL
    assert forked.communicate(timeout=60) == (None, None)
    assert log.read_text().splitlines() == ["started", "also"]


def test_a_start_the_server_cannot_honour_is_a_real_process() -> None:
    started = prewarmed.popen([sys.executable, "-S", "-c", "pass"])
    assert isinstance(started, subprocess.Popen)
    assert started.wait(timeout=60) == 0
