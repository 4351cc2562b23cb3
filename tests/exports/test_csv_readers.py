"""The mail-merge CSV read back by readers nobody here wrote: Python's csv module, pandas and
LibreOffice Calc (headless, from Debian). Each must see the same rows, cell for cell: the
multi-line summary, the defused formula title, commas, quotes, non-ASCII text and all five
attachments."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pandas
import pytest

from aggregator.exports.files import CSV_FIELDS
from aggregator.storage.repository import Repository
from tests.exports.conftest import export_text, store_corpus
from tests.exports.test_files import (
    FORMULA_TITLES,
    MERGE_ATTACHMENTS_CELL,
    MERGE_SUMMARY_CELL,
    MERGE_TITLE,
    _with_formula_titles,
    store_merge_item,
)

LIBREOFFICE_INSTALL = "apt-get install -y --no-install-recommends libreoffice-calc-nogui"

# LibreOffice's CSV filter options (help.libreoffice.org, "CSV Filter Options"), by token:
# separator 44 (","), text delimiter 34 ('"'), character set 76 (UTF-8), start at line 1,
# no column formats, language 1033; import: quoted fields not forced to text, special
# numbers not detected, ..., sheet -1, and token 13 "evaluate formulas" on, as a person
# opening the file may have it (with it off, Calc 7.4 keeps "=1+1" as text). Export: the
# same separators, token 9 cell contents as shown and token 10 formulas not written (a
# formula's result, not its text), so a cell Calc ran as a formula shows up changed.
_IMPORT = "CSV:44,34,76,1,,1033,false,false,false,false,false,-1,true"
_EXPORT = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false"


def _csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _pandas_rows(path: Path) -> list[list[str]]:
    frame = pandas.read_csv(path, keep_default_na=False, dtype=str, encoding="utf-8-sig")
    return [list(frame.columns), *frame.values.tolist()]


@pytest.fixture
def exported(sqlite_repo: Repository, tmp_path: Path) -> dict[str, Path]:
    """The corpus, the mail-merge item and the formula titles, exported three ways: as
    `aggregator export --format csv` writes it, with `--excel` and with `--raw`."""
    store_corpus(sqlite_repo)
    store_merge_item(sqlite_repo)
    _with_formula_titles(sqlite_repo)
    options: dict[str, dict[str, Any]] = {
        "plain": {},
        "excel": {"excel": True},
        "raw": {"raw_csv": True},
    }
    paths: dict[str, Path] = {}
    for name, chosen in options.items():
        export_text(sqlite_repo, "csv", tmp_path, **chosen)
        paths[name] = (tmp_path / "out.csv").rename(tmp_path / f"{name}.csv")
    return paths


def _merge_row(rows: list[list[str]]) -> dict[str, str]:
    records = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    return next(record for record in records if record["title"] == "'" + MERGE_TITLE)


@pytest.mark.parametrize("name", ["plain", "excel"])
def test_python_csv_and_pandas_read_the_same_rows(exported: dict[str, Path], name: str) -> None:
    path = exported[name]
    rows = _csv_rows(path.read_bytes())
    assert tuple(rows[0]) == CSV_FIELDS
    assert _pandas_rows(path) == rows
    merge = _merge_row(rows)
    assert merge["summary"] == MERGE_SUMMARY_CELL
    assert merge["attachments"] == MERGE_ATTACHMENTS_CELL
    assert merge["attachment_count"] == "5"
    assert merge["publisher"] == "Comisiynydd Plant Cymru, Children’s Commissioner"
    titles = {row[CSV_FIELDS.index("title")] for row in rows[1:]}
    assert {"'" + title for title in FORMULA_TITLES} <= titles


def _libreoffice_rows(sources: list[Path], tmp_path: Path) -> dict[str, list[list[str]]]:
    """Each CSV opened in LibreOffice Calc and saved again as CSV, read back by name."""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip(f"LibreOffice is not installed: {LIBREOFFICE_INSTALL}")
    out = tmp_path / "libreoffice"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            f"--infilter={_IMPORT}",
            "--convert-to",
            _EXPORT,
            "--outdir",
            str(out),
            *map(str, sources),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return {path.stem: _csv_rows((out / path.name).read_bytes()) for path in sources}


def test_libreoffice_reads_the_same_rows_and_runs_no_formula(
    exported: dict[str, Path], tmp_path: Path
) -> None:
    probe = tmp_path / "probe.csv"
    probe.write_bytes(b'start,later line,first line,defused\r\n=1+1,"x\n=1+1","\n=1+1",\'=1+1\r\n')
    read = _libreoffice_rows(
        [exported["plain"], exported["excel"], exported["raw"], probe], tmp_path
    )

    # Calc runs a formula only at the start of a cell: what files.py's defusing relies on
    assert read["probe"][1] == ["2", "x\n=1+1", "\n=1+1", "'=1+1"]

    expected = _csv_rows(exported["plain"].read_bytes())
    assert read["plain"] == expected
    assert read["excel"] == expected  # the byte-order mark is not read as text
    assert _merge_row(read["plain"])["summary"] == MERGE_SUMMARY_CELL

    # the same items written raw: Calc runs the title formulas, so the check above has teeth
    raw = read["raw"]
    raw_titles = [row[CSV_FIELDS.index("title")] for row in raw[1:]]
    assert "http://x" in raw_titles  # =HYPERLINK("http://x") shown as its result
    assert '=HYPERLINK("http://x")' not in raw_titles
