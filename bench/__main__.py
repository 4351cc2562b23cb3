"""Run every benchmark: `python -m bench [--quick]`.

Each module listed in BENCHMARKS has `run(quick: bool) -> None`, prints its own figures, the
ratio against a baseline measured in the same run, and PASS/FAIL against its targets.
"""

from __future__ import annotations

import argparse
import importlib
import time

# Add a benchmark by appending its module name here.
BENCHMARKS: list[str] = [
    "bench.dedupe_bench",
    "bench.storage_bench",
]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="small sizes only (the smoke test uses this)"
    )
    parser.add_argument(
        "only", nargs="*", metavar="MODULE", help="run only these modules (e.g. dedupe_bench)"
    )
    args = parser.parse_args(argv)
    wanted = {name if "." in name else f"bench.{name}" for name in args.only}
    for name in BENCHMARKS:
        if wanted and name not in wanted:
            continue
        started = time.perf_counter()
        print(f"== {name}{' (quick)' if args.quick else ''}", flush=True)
        importlib.import_module(name).run(quick=args.quick)
        print(f"== {name} done in {time.perf_counter() - started:.1f} s\n", flush=True)


if __name__ == "__main__":
    main()
