"""No test asserts how long something took: this machine's speed varies with its load, so a
timed assertion fails CI for no fault of the code. Timing belongs in `make bench`; tests
assert results and operation counts.

The rule, checked on every Python file under tests/ (its syntax tree, not its text):

- A *clock reading* is a call to time.time, time.monotonic, time.perf_counter,
  time.process_time, time.thread_time (or their _ns forms), timeit.timeit, timeit.repeat or
  timeit.default_timer, however imported; a value computed from a clock reading (assigned to a
  name or attribute, anywhere in the module), and a call to a module function that returns one,
  are clock readings too, followed through arithmetic and numeric builtins (round, max...); a
  reading passed into any other call (a record, a message) is not followed.
- A *timing name* is a name, attribute or string key spelt as a duration: elapsed, seconds,
  secs, duration, millis, ms, took, runtime (alone or as a _-separated part, e.g. `ms_per_item`,
  `result["seconds"]`), so a duration that crossed a process boundary is still seen.
  UPPER_CASE constants are settings, not measurements, and are not timing names.
- Forbidden: an ordering comparison (<, <=, >, >=: a budget) involving a clock reading or a
  timing name inside an `assert` statement, or as the condition of an `if` that fails the test
  (pytest.fail, raise, assert) when that `if` is not inside a loop. (Equality is not a budget:
  a parsed Retry-After may equal its seconds.)
- Allowed: a clock reading that only steers control flow, such as a wait loop's deadline
  (`while time.monotonic() < deadline`), a hang guard inside a loop that then fails ("gave up
  waiting"), a kill at a chosen moment, a `timeout=` argument, or a duration printed for people.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
CLOCKS = {
    "time": {"time", "monotonic", "perf_counter", "process_time", "thread_time"},
    "timeit": {"timeit", "repeat", "default_timer"},
}
CLOCK_NAMES = {name for names in CLOCKS.values() for name in names} | {
    f"{name}_ns" for name in CLOCKS["time"]
}
TIMING_NAME = re.compile(
    r"(?:^|_)(?:elapsed|seconds|secs|duration|millis|ms|took|runtime)(?:$|_)", re.IGNORECASE
)
ORDERING = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)
NUMERIC = {"abs", "round", "float", "int", "min", "max", "sum"}


@dataclass(frozen=True)
class Finding:
    line: int
    code: str


class _Clocks:
    """What counts as a clock reading in one module."""

    def __init__(self, tree: ast.Module) -> None:
        self.modules = {"time": "time", "timeit": "timeit"}  # local name -> module
        self.functions: set[str] = set()  # local names bound to a clock function
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name in CLOCKS:
                        self.modules[alias.asname or alias.name] = alias.name
            elif isinstance(node, ast.ImportFrom) and node.module in CLOCKS:
                for alias in node.names:
                    if alias.name in CLOCK_NAMES:
                        self.functions.add(alias.asname or alias.name)
        self.derived: set[str] = set()  # unparsed names and attributes holding a reading
        self._propagate(tree)

    def _propagate(self, tree: ast.Module) -> None:
        """Follow readings through assignments and returns until nothing new is learnt."""
        while True:
            before = (len(self.derived), len(self.functions))
            for node in ast.walk(tree):
                value, targets = _assignment(node)
                if value is not None and self.reads(value):
                    for target in targets:
                        for part in ast.walk(target):
                            if isinstance(part, ast.Name | ast.Attribute):
                                self.derived.add(ast.unparse(part))
                if isinstance(node, ast.FunctionDef) and any(
                    isinstance(inner, ast.Return) and inner.value and self.reads(inner.value)
                    for inner in ast.walk(node)
                ):
                    self.functions.add(node.name)
            if (len(self.derived), len(self.functions)) == before:
                return

    def is_reading(self, node: ast.AST) -> bool:
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in self.functions:
                return True
            if (
                isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Name)
                and func.value.id in self.modules
                and func.attr in CLOCK_NAMES
            ):
                return True
        if isinstance(node, ast.Name | ast.Attribute):
            return ast.unparse(node) in self.derived
        return False

    def reads(self, node: ast.AST) -> bool:
        """`node` computes a duration or a time from a reading: arithmetic on it, or a numeric
        builtin of it; a reading passed into any other call (a record, a message) is not."""
        if self.is_reading(node):
            return True
        if isinstance(node, ast.Call):
            numeric = isinstance(node.func, ast.Name) and node.func.id in NUMERIC
            return numeric and any(self.reads(arg) for arg in node.args)
        if isinstance(node, ast.BinOp):
            return self.reads(node.left) or self.reads(node.right)
        if isinstance(node, ast.UnaryOp):
            return self.reads(node.operand)
        if isinstance(node, ast.IfExp):
            return self.reads(node.body) or self.reads(node.orelse)
        return False

    def timed(self, node: ast.AST) -> bool:
        """A clock reading or a timing name anywhere in `node`."""
        return any(self.is_reading(part) or _timing_name(part) for part in ast.walk(node))


def _assignment(node: ast.AST) -> tuple[ast.AST | None, list[ast.AST]]:
    if isinstance(node, ast.Assign):
        return node.value, list(node.targets)
    if isinstance(node, ast.AugAssign | ast.AnnAssign) and node.value is not None:
        return node.value, [node.target]
    if isinstance(node, ast.NamedExpr):
        return node.value, [node.target]
    return None, []


def _timing_name(node: ast.AST) -> bool:
    """A duration's name; an UPPER_CASE constant is a setting, never a measurement."""
    if isinstance(node, ast.Name):
        return not node.id.isupper() and bool(TIMING_NAME.search(node.id))
    if isinstance(node, ast.Attribute):
        return bool(TIMING_NAME.search(node.attr))
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        return isinstance(node.slice.value, str) and bool(TIMING_NAME.search(node.slice.value))
    return False


def _timed_comparison(clocks: _Clocks, test: ast.AST) -> bool:
    return any(
        isinstance(part, ast.Compare)
        and any(isinstance(op, ORDERING) for op in part.ops)
        and clocks.timed(part)
        for part in ast.walk(test)
    )


def _fails(body: list[ast.stmt]) -> bool:
    """The block fails the test: it raises, asserts, or calls pytest.fail."""
    for statement in body:
        for part in ast.walk(statement):
            if isinstance(part, ast.Raise | ast.Assert):
                return True
            if (
                isinstance(part, ast.Call)
                and isinstance(part.func, ast.Attribute)
                and part.func.attr == "fail"
            ):
                return True
    return False


def findings(source: str) -> list[Finding]:
    """Every wall-clock assertion in a module's source, by the rule in this module's doc."""
    tree = ast.parse(source)
    clocks = _Clocks(tree)
    found: list[Finding] = []

    def visit(node: ast.AST, in_loop: bool) -> None:
        if isinstance(node, ast.Assert) and _timed_comparison(clocks, node.test):
            found.append(Finding(node.lineno, ast.unparse(node)))
        elif (
            isinstance(node, ast.If)
            and not in_loop
            and _timed_comparison(clocks, node.test)
            and _fails(node.body)
        ):
            found.append(Finding(node.lineno, f"if {ast.unparse(node.test)}: <fails>"))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            in_loop = False  # a function defined in a loop is not the loop's own check
        for child in ast.iter_child_nodes(node):
            looping = in_loop or (
                isinstance(node, ast.While | ast.For | ast.AsyncFor) and child in node.body
            )
            visit(child, looping)

    visit(tree, False)
    return found


def test_no_test_asserts_a_duration() -> None:
    offenders = []
    for path in sorted(TESTS.rglob("*.py")):
        for finding in findings(path.read_text(encoding="utf-8")):
            where = path.relative_to(TESTS.parent)
            offenders.append(f"{where}:{finding.line}: {finding.code}")
    assert offenders == [], "wall-clock assertions (move them to `make bench`):\n" + "\n".join(
        offenders
    )


FORBIDDEN = {
    "a benchmark's wall time": (
        "import time\nt = time.perf_counter()\nrun()\nassert time.perf_counter() - t < 60\n"
    ),
    "a per-item budget from an imported clock": (
        "from time import monotonic as clock\nstart = clock()\ndraft_all()\n"
        "per_draft = (clock() - start) / n\nassert per_draft <= 0.025\n"
    ),
    "a duration through a helper": (
        "import time\ndef timed(f):\n    started = time.monotonic()\n    f()\n"
        "    return time.monotonic() - started\nassert timed(run) < 5\n"
    ),
    "a duration from another process": "result = run_child()\nassert result['seconds'] < 5\n",
    "a timing name": "assert elapsed_ms < 25\n",
    "an if that fails": (
        "import time\nt0 = time.time()\nrun()\nif time.time() - t0 > 60:\n"
        "    pytest.fail('too slow')\n"
    ),
}
ALLOWED = {
    "a wait loop's deadline": (
        "import time\ndeadline = time.monotonic() + 60\nwhile time.monotonic() < deadline:\n"
        "    if ready():\n        break\nelse:\n    pytest.fail('never became ready')\n"
    ),
    "a hang guard inside a loop": (
        "import time\ndeadline = time.monotonic() + 30\nfor line in stream():\n"
        "    if time.monotonic() > deadline:\n        pytest.fail('hung')\n"
    ),
    "an operation count": "assert index.scorer_calls < 2000 * 5\n",
    "a timeout argument": "done = subprocess.run(args, timeout=280)\nassert done.returncode == 0\n",
    "a duration printed": (
        "import time\nt = time.monotonic()\nrun()\nprint(f'{time.monotonic() - t:.1f} s')\n"
    ),
}


@pytest.mark.parametrize("source", FORBIDDEN.values(), ids=list(FORBIDDEN))
def test_the_rule_finds(source: str) -> None:
    assert len(findings(source)) == 1


@pytest.mark.parametrize("source", ALLOWED.values(), ids=list(ALLOWED))
def test_the_rule_allows(source: str) -> None:
    assert findings(source) == []
