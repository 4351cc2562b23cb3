"""Run every benchmark: `python -m bench [--quick]`.

Each module listed in BENCHMARKS has `run(quick: bool)`, prints its own figures, the
ratio against a baseline measured in the same run, and PASS/FAIL against its targets. `run`
may return rows `(name, figure, baseline, ratio, target, passed)` (ratio a float or None,
passed True, False or None when there is no target): they make the one table printed at the
end, of every benchmark.
"""

from __future__ import annotations

import argparse
import importlib
import time

# Add a benchmark by appending its module name here.
BENCHMARKS: list[str] = [
    "bench.dedupe_bench",
    "bench.storage_bench",
    "bench.export_bench",
    "bench.review_bench",
    "bench.crawl_bench",
    "bench.html_bench",
    "bench.classify_eval",
    "bench.draft_eval",
    "bench.cpu_bench",
]

Row = tuple[str, str, str, float | None, str, bool | None]


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
    table: list[Row] = []
    for name in BENCHMARKS:
        if wanted and name not in wanted:
            continue
        started = time.perf_counter()
        print(f"== {name}{' (quick)' if args.quick else ''}", flush=True)
        rows = importlib.import_module(name).run(quick=args.quick)
        elapsed = time.perf_counter() - started
        short = name.removeprefix("bench.")
        placeholder: Row = (f"{short}: (figures above)", f"{elapsed:.0f} s", "", None, "", None)
        table.extend(rows or [placeholder])
        print(f"== {name} done in {elapsed:.1f} s\n", flush=True)
    print_table(table)


def print_table(rows: list[Row]) -> None:
    """Every benchmark's rows: figure, baseline, ratio, target and the verdict."""
    header = ("benchmark", "figure", "baseline", "ratio", "target", "result")
    cells = [header] + [
        (
            name,
            figure,
            baseline,
            "" if ratio is None else f"{ratio:.3g}×",
            target,
            "" if passed is None else ("PASS" if passed else "FAIL"),
        )
        for name, figure, baseline, ratio, target, passed in rows
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    print("== summary")
    for n, row in enumerate(cells):
        line = "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        print(line.rstrip())
        if n == 0:
            print("  ".join("-" * width for width in widths))


if __name__ == "__main__":
    main()
