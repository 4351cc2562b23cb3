"""A pytest session of its own, on small test files, for tests of the suite's own rules
(tests/conftest.py): the cases run as a real session would run them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests import prewarmed

ROOT = Path(__file__).resolve().parents[1]


def run_pytest(
    folder: Path, args: list[str], env: dict[str, str], timeout: float = 240
) -> subprocess.CompletedProcess[str]:
    """`python -m pytest -q -p tests.conftest ARGS` in `folder` (its root dir), with the
    checkout on the path where $PYTHONPATH would put it, forked from the fork server
    (tests/prewarmed.py; $PYTHONPATH itself needs a real interpreter)."""
    main = f"import sys; sys.path.insert(1, {str(ROOT)!r}); import pytest\n"
    main += "sys.exit(pytest.console_main())"
    return prewarmed.run(
        [
            sys.executable, "-c", main, "-q", "-p", "tests.conftest", "-p", "no:cacheprovider",
            f"--rootdir={folder}", *args,
        ],
        cwd=folder, env=env, timeout=timeout,
    )  # fmt: skip
