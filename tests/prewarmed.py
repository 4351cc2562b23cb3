"""`python -m MODULE` and `python -c CODE` processes forked from an interpreter that has already
imported the heavy libraries: a fork server for the tests that run the CLI or a crawl as a
process of its own.

A fresh `python -m aggregator.cli crawl` of one small source spends about half its CPU importing
Scrapy, Twisted and SQLAlchemy, and the suite starts a few hundred such processes. So each test
process (a pytest-xdist worker) starts one server, on first use, that imports those libraries (never
the project's own modules, which read the environment), freezes them out of the garbage collector's
sight, and then forks a child per request. The child takes the request's arguments, environment,
working folder and standard streams, runs the module or code as `python -m`/`-c` would (as
`__main__`, its `SystemExit` and uncaught exceptions turned into the exit status the interpreter
gives), joins its threads, runs its exit handlers, and exits. It is a process of its own: its own
pid, exit status, signals, stdout and stderr, running the same code. Only the interpreter's start-up
is shared, so a test of start-up itself (the console script, `scrapy`, Scrapyd, a Ctrl-C test's
signal dispositions) starts a real interpreter.

`run` takes what `subprocess.run(args, capture_output=True, text=True, ...)` takes and returns
the same `CompletedProcess`; a request the server cannot honour exactly (other arguments, an
interpreter setting in the environment that differs from the server's) is run by
`subprocess.run` instead. `popen` does the same for `subprocess.Popen`, for a process a test
starts, watches and signals or kills: a `Forked` child with its own pid, pipes, `poll`, `wait`
and `communicate`. $TESTS_WITHOUT_FORK_SERVER=1 runs every request as a real process (the
product refuses unknown $AGGREGATOR_* variables, so the switch is named otherwise).

This module imports nothing of the project: run as a script, it is the server.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import io
import json
import os
import selectors
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import types
from pathlib import Path
from typing import IO, Any, TypeAlias

ROOT = Path(__file__).resolve().parents[1]
OFF_SWITCH = "TESTS_WITHOUT_FORK_SERVER"

# Imported once by the server: what a crawl, an export or a CLI command imports from outside the
# project. Importing them installs no Twisted reactor and opens nothing.
PRELOAD = (
    "alembic.command",
    "alembic.config",
    "sqlalchemy.orm",
    "sqlalchemy.dialects.sqlite",
    "sqlalchemy.dialects.postgresql",
    "psycopg",
    "scrapy.crawler",
    "scrapy.http",
    "scrapy.spiders",
    "scrapy.core.downloader.handlers.http11",
    "twisted.internet.asyncioreactor",
    "bs4",
    "lxml.html",
    "feedparser",
    "dateutil.parser",
    "dateparser",
    "htmldate",
    "click",
    "jinja2",
    "redis",
)
# Settings read when an interpreter starts: a request whose environment sets any of them
# differently from the server's goes to a real interpreter. (PYTHONUNBUFFERED and
# PYTHONDONTWRITEBYTECODE are applied per child.)
START_UP = (
    "PYTHONPATH",
    "PYTHONHOME",
    "PYTHONHASHSEED",
    "PYTHONWARNINGS",
    "PYTHONIOENCODING",
    "PYTHONUTF8",
    "PYTHONSAFEPATH",
    "PYTHONNOUSERSITE",
    "PYTHONOPTIMIZE",
    "PYTHONDEVMODE",
    "PYTHONMALLOC",
    "PYTHONFAULTHANDLER",
    "PYTHONTRACEMALLOC",
    "PYTHONINSPECT",
)
_HEADER = struct.Struct("!I")  # the length of a request's JSON, sent with its three streams


# -- the server ----------------------------------------------------------------------------------


def _preload() -> None:
    import importlib

    for name in PRELOAD:
        importlib.import_module(name)
    # Every component Scrapy's crawler loads by name (middlewares, extensions, handlers): its
    # base settings list them, and loading one runs only its module's imports.
    from scrapy.settings import default_settings
    from scrapy.utils.misc import load_object

    for setting in dir(default_settings):
        value = getattr(default_settings, setting)
        if setting.endswith("_BASE") and isinstance(value, dict):
            for path in value:
                if isinstance(path, str):
                    try:
                        load_object(path)
                    except Exception:  # noqa: S112 (an optional dependency missing: skip it)
                        continue
    assert "twisted.internet.reactor" not in sys.modules, "preloading installed a reactor"
    own = {"aggregator", "spiders", "pipelines", "tests", "bench"} & set(sys.modules)
    assert not own, f"preloading imported the project's own {sorted(own)}"


def _serve(path: str, parent: int) -> None:
    """Accept requests on the Unix socket `path`, fork a child for each, and answer each with
    the child's pid and then its exit status; end when the process that started it does."""
    _preload()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(64)
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    os.set_blocking(wake_read, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)  # only to wake the selector
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    selector.register(wake_read, selectors.EVENT_READ)
    waiting: dict[int, socket.socket] = {}
    while os.getppid() == parent:
        for key, _ in selector.select(timeout=1.0):
            if key.fileobj is listener:
                connection, _ = listener.accept()
                pid = _fork_one(connection, (listener, selector, wake_read, wake_write))
                if pid is not None:
                    waiting[pid] = connection
            else:
                with contextlib.suppress(BlockingIOError):
                    os.read(wake_read, 4096)
        while waiting:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            connection = waiting.pop(pid, None)
            if connection is not None:
                # OSError: the test gave up on it (a timeout), so nobody is listening
                with contextlib.suppress(OSError):
                    connection.sendall(f"{os.waitstatus_to_exitcode(status)}\n".encode())
                connection.close()


def _fork_one(connection: socket.socket, closing: tuple[Any, ...]) -> int | None:
    """Read one request and fork its child; the child's pid (sent to the client too)."""
    header, fds, _, _ = socket.recv_fds(connection, _HEADER.size, 3)
    try:
        (length,) = _HEADER.unpack(header)
        payload = b""
        while len(payload) < length:
            chunk = connection.recv(length - len(payload))
            if not chunk:
                raise ConnectionError("request cut short")
            payload += chunk
        request = json.loads(payload)
    except (struct.error, ConnectionError, ValueError):
        for fd in fds:
            os.close(fd)
        connection.close()
        return None
    # Everything the server holds is moved out of the collector's sight before forking, as
    # Python's gc documentation advises for servers that fork without exec. Otherwise each
    # child's collections, and the full one as it exits, walk the whole preloaded heap and
    # write to every page of it: measured here, 0.5 s of CPU per child (`-c pass` took 0.55 s
    # against 0.09 s frozen). The server's objects all stay alive, so nothing goes uncollected.
    gc.freeze()
    pid = os.fork()
    if pid == 0:
        try:
            for thing in closing:
                os.close(thing) if isinstance(thing, int) else thing.close()
            signal.set_wakeup_fd(-1)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            for target, fd in enumerate(fds):
                os.dup2(fd, target)
                os.close(fd)
            connection.close()
        except BaseException:
            import traceback

            os.write(2, traceback.format_exc().encode())
            os._exit(1)
        # Leave as the interpreter leaves: SystemExit unwinds this server's frames (none of
        # which catches it), then threads are joined, exit handlers run and objects finalised
        # (a SQLite connection folds its write-ahead log into the file as it closes).
        raise SystemExit(_child(request))
    for fd in fds:
        os.close(fd)
    connection.sendall(f"{pid}\n".encode())
    return pid


def _child(request: dict[str, Any]) -> int:
    """Run the request as the interpreter runs `-m`/`-c`, in this freshly forked process."""
    import runpy

    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.dont_write_bytecode = bool(os.environ.get("PYTHONDONTWRITEBYTECODE"))
    unbuffered = bool(os.environ.get("PYTHONUNBUFFERED"))
    # Standard streams as a fresh interpreter makes them on file descriptors 0-2.
    sys.stdin = sys.__stdin__ = _stream(0, "r", line_buffering=False, write_through=False)
    sys.stdout = sys.__stdout__ = _stream(
        1, "w", line_buffering=os.isatty(1) and not unbuffered, write_through=unbuffered
    )
    sys.stderr = sys.__stderr__ = _stream(
        2, "w", line_buffering=True, write_through=unbuffered, errors="backslashreplace"
    )
    status = 0
    try:
        if request["module"] is not None:
            sys.argv = ["-m", *request["args"]]
            sys.path[0] = request["cwd"]
            runpy.run_module(request["module"], run_name="__main__", alter_sys=True)
        else:
            sys.argv = ["-c", *request["args"]]
            sys.path[0] = ""
            main = types.ModuleType("__main__")  # `-c` runs in a module of its own
            sys.modules["__main__"] = main
            exec(compile(request["code"], "<string>", "exec"), main.__dict__)  # noqa: S102
    except SystemExit as leaving:
        status = _exit_status(leaving.code)
    except KeyboardInterrupt as interrupted:
        # the interpreter prints it, then dies of SIGINT, as the shell expects
        _print_uncaught(interrupted)
        sys.stderr.flush()
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
    except BaseException as uncaught:
        _print_uncaught(uncaught)
        status = 1
    return status


def _stream(
    fd: int, mode: str, *, line_buffering: bool, write_through: bool, errors: str = "strict"
) -> io.TextIOWrapper:
    """A standard stream on `fd`, as the interpreter opens it at start."""
    raw = io.FileIO(fd, mode, closefd=False)
    buffered = io.BufferedReader(raw) if mode == "r" else io.BufferedWriter(raw)
    return io.TextIOWrapper(
        buffered,
        encoding="utf-8",
        errors=errors,
        line_buffering=line_buffering,
        write_through=write_through,
    )


def _print_uncaught(error: BaseException) -> None:
    """The traceback the interpreter prints for an uncaught exception (this module's own
    frame left out)."""
    import traceback

    frames = error.__traceback__
    traceback.print_exception(type(error), error, frames.tb_next if frames else None)


def _exit_status(code: object) -> int:
    """The status `sys.exit(code)` gives: None is 0, an int is itself, anything else is
    printed to stderr and is 1."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


# -- the client ----------------------------------------------------------------------------------


class _Server:
    """This process's fork server: started on first use, stopped when this process exits."""

    def __init__(self) -> None:
        self.folder = tempfile.mkdtemp(prefix="aggregator-prewarm-")
        self.path = os.path.join(self.folder, "socket")
        self.env = dict(os.environ)
        self.process = subprocess.Popen(
            # run as a script, not `-m tests.prewarmed`: the server imports no package of
            # the project, not even `tests` (a child may run in a copy of the project)
            [sys.executable, __file__, self.path, str(os.getpid())],
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        atexit.register(self.stop)

    def connect(self, timeout: float = 120) -> socket.socket:
        """A connection to the server, waiting for it to be listening."""
        deadline = time.monotonic() + timeout
        while True:
            client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                client.connect(self.path)
                return client
            except (FileNotFoundError, ConnectionRefusedError):
                client.close()
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the fork server did not start") from None
                threading.Event().wait(0.02)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


_server: _Server | None = None
_server_lock = threading.Lock()


def _request(
    args: list[str], given_env: dict[str, str] | None, given_cwd: str | os.PathLike[str] | None
) -> dict[str, Any] | None:
    """The fork server's request for `args` with `subprocess`'s `env` and `cwd` (None: this
    process's own; the checkout's root), or None when only a real interpreter can run it."""
    if os.environ.get(OFF_SWITCH) or len(args) < 2 or args[0] != sys.executable:
        return None
    env, cwd = dict(os.environ if given_env is None else given_env), str(given_cwd or ROOT)
    server_env = _server.env if _server is not None else os.environ
    if any(env.get(name) != server_env.get(name) for name in START_UP):
        return None
    if args[1] == "-m" and len(args) >= 3:
        return {"module": args[2], "code": None, "args": args[3:], "env": env, "cwd": cwd}
    if args[1] == "-c" and len(args) >= 3:
        return {"module": None, "code": args[2], "args": args[3:], "env": env, "cwd": cwd}
    return None


def run(
    args: list[str],
    *,
    env: dict[str, str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
    timeout: float | None = None,
    input: str | None = None,  # noqa: A002 (subprocess.run's name)
    check: bool = False,
) -> subprocess.CompletedProcess[str]:
    """`subprocess.run(args, capture_output=True, text=True, env=env, cwd=cwd, timeout=timeout,
    input=input, check=check)`, forked from the fork server when `args` is
    `[sys.executable, "-m"|"-c", ...]`."""
    request = _request(list(args), env, cwd)
    if request is None:
        return subprocess.run(
            args,
            capture_output=True,
            text=True,
            env=env,
            cwd=cwd,
            timeout=timeout,
            input=input,
            check=check,
        )
    done = _forked(args, request, timeout, input)
    if check and done.returncode:
        raise subprocess.CalledProcessError(done.returncode, args, done.stdout, done.stderr)
    return done


def _forked(
    args: list[str],
    request: dict[str, Any],
    timeout: float | None,
    input: str | None,  # noqa: A002
) -> subprocess.CompletedProcess[str]:
    """Run `request` in a child of the fork server, as `run` describes."""
    with (
        tempfile.TemporaryFile() as stdin,
        tempfile.TemporaryFile() as stdout,
        tempfile.TemporaryFile() as stderr,
    ):
        if input is not None:
            stdin.write(input.encode("utf-8"))
            stdin.seek(0)
        client, answers, pid = _start(request, [stdin.fileno(), stdout.fileno(), stderr.fileno()])
        with client:
            try:
                status = answers.next(timeout)
                timed_out = False
            except TimeoutError:
                os.kill(pid, signal.SIGKILL)
                status = answers.next(60)
                timed_out = True
        out, err = (_text(stream) for stream in (stdout, stderr))
    if timed_out:
        raise subprocess.TimeoutExpired(args, timeout or 0, output=out, stderr=err)
    return subprocess.CompletedProcess(args, status, out, err)


def _start(request: dict[str, Any], streams: list[int]) -> tuple[socket.socket, _Lines, int]:
    """Send `request` to this process's fork server (started on first use), with `streams`
    as the child's standard input, output and error: the open connection, on which the
    child's exit status will come, and the child's pid."""
    global _server
    with _server_lock:
        if _server is None:
            _server = _Server()
        server = _server
    payload = json.dumps(request).encode()
    client = server.connect()
    try:
        socket.send_fds(client, [_HEADER.pack(len(payload))], streams)
        client.sendall(payload)
        answers = _Lines(client)
        return client, answers, answers.next(60)
    except BaseException:
        client.close()
        raise


def popen(
    args: list[str],
    *,
    env: dict[str, str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
    stdout: int | IO[Any] | None = None,
    stderr: int | IO[Any] | None = None,
    text: bool = False,
) -> Child:
    """`subprocess.Popen(args, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=stdout,
    stderr=stderr, text=text)`, forked from the fork server when `args` is
    `[sys.executable, "-m"|"-c", ...]` (a `Forked`: the child's own pid, its signals, its
    pipes, `poll`, `wait` and `communicate`), a real process otherwise."""
    request = _request(list(args), env, cwd)
    if request is None:
        return subprocess.Popen(args, env=env, cwd=cwd, stdin=subprocess.DEVNULL, text=text,
                                stdout=stdout, stderr=stderr)  # fmt: skip
    return Forked(args, request, stdout, stderr, text)


class Forked:
    """A child of the fork server started without waiting for it: the part of
    `subprocess.Popen` the tests use, with the same meanings (`returncode` is None while it
    runs, and minus the signal's number when a signal ended it)."""

    def __init__(
        self,
        args: list[str],
        request: dict[str, Any],
        stdout: int | IO[Any] | None,
        stderr: int | IO[Any] | None,
        text: bool,
    ) -> None:
        self.args = args
        self.returncode: int | None = None
        self.stdout: IO[Any] | None = None
        self.stderr: IO[Any] | None = None
        self._readers: list[_Reader] | None = None
        opened: list[int] = []  # this side's copies of the child's ends, closed once sent
        try:
            null = os.open(os.devnull, os.O_RDWR)
            opened.append(null)
            streams = [null]
            for target, given in ((1, stdout), (2, stderr)):
                if given is None:
                    streams.append(target)  # inherited, as a real child inherits it
                elif given == subprocess.DEVNULL:
                    streams.append(null)
                elif given == subprocess.STDOUT and target == 2:
                    streams.append(streams[1])
                elif given == subprocess.PIPE:
                    read, write = os.pipe()
                    opened.append(write)
                    streams.append(write)
                    pipe: IO[Any] = open(read, "rb")  # noqa: SIM115 (closed by its reader)
                    if text:  # as subprocess makes it: the locale's encoding, any newline
                        pipe = io.TextIOWrapper(pipe)
                    setattr(self, "stdout" if target == 1 else "stderr", pipe)
                elif isinstance(given, int):
                    streams.append(given)
                else:
                    streams.append(given.fileno())
            self._client, self._answers, self.pid = _start(request, streams)
        except BaseException:
            for pipe in (self.stdout, self.stderr):
                if pipe is not None:
                    pipe.close()
            raise
        finally:
            for fd in opened:
                os.close(fd)

    def poll(self) -> int | None:
        if self.returncode is None:
            with contextlib.suppress(BlockingIOError, TimeoutError):
                self._ended(self._answers.next(0))
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            try:
                status = self._answers.next(timeout)
            except TimeoutError:
                raise subprocess.TimeoutExpired(self.args, timeout or 0) from None
            self._ended(status)
        assert self.returncode is not None
        return self.returncode

    def communicate(self, timeout: float | None = None) -> tuple[Any, Any]:
        """Read the piped output to its end, then wait: (stdout, stderr), None where not
        piped. After a `TimeoutExpired` it may be called again, as with `subprocess`."""
        deadline = None if timeout is None else time.monotonic() + timeout
        if self._readers is None:
            self._readers = [_Reader(pipe) for pipe in (self.stdout, self.stderr)]
        for reader in self._readers:
            reader.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
            if reader.is_alive():
                raise subprocess.TimeoutExpired(self.args, timeout or 0)
        self.wait(None if deadline is None else max(0.0, deadline - time.monotonic()))
        out, err = (reader.data for reader in self._readers)
        return out, err

    def send_signal(self, number: int) -> None:
        # The server reaps a child as soon as it ends, so, unlike a real child, it leaves no
        # zombie to take a late signal: one that just ended is skipped, as subprocess does.
        if self.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, number)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def _ended(self, status: int) -> None:
        self.returncode = status
        self._client.close()


class _Reader(threading.Thread):
    """Reads one pipe to its end (None when there is no pipe), as `communicate` does."""

    def __init__(self, pipe: IO[Any] | None) -> None:
        super().__init__(daemon=True)
        self.pipe = pipe
        self.data: Any = None
        self.start()

    def run(self) -> None:
        if self.pipe is not None:
            with self.pipe:
                self.data = self.pipe.read()


# What `popen` starts: a child of the fork server, or a real process.
Child: TypeAlias = "subprocess.Popen[Any] | Forked"


class _Lines:
    """The server's answers on one connection, a number per line."""

    def __init__(self, client: socket.socket) -> None:
        self.client = client
        self.buffer = b""

    def next(self, timeout: float | None) -> int:
        self.client.settimeout(timeout)
        while b"\n" not in self.buffer:
            chunk = self.client.recv(64)
            if not chunk:
                raise RuntimeError("the fork server closed the connection")
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return int(line)


def stop() -> None:
    """Stop this process's fork server, if it started one."""
    global _server
    with _server_lock:
        if _server is not None:
            _server.stop()
            _server = None


def _text(stream: Any) -> str:
    """A captured stream as `subprocess.run(text=True)` gives it (universal newlines)."""
    stream.seek(0)
    data: bytes = stream.read()
    return data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")


if __name__ == "__main__":
    _serve(sys.argv[1], int(sys.argv[2]))
