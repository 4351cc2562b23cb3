"""Golden cases: every fixture response parsed offline, and every fixture folder crawled.

Shared by tests/spiders/test_goldens.py (which compares) and `aggregator fixture refresh` /
`make goldens` (which write). Tests never write goldens.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aggregator.devtools.fixtures import FIXTURES_DIR, read_meta
from aggregator.parse.offline import parse_saved

NOT_PARSED = ("robots.txt",)


@dataclass(frozen=True)
class ParseCase:
    slug: str
    folder: Path
    file: Path
    url: str
    content_type: str
    fetched_at: str

    @property
    def id(self) -> str:
        return f"{self.slug}:{self.file.relative_to(FIXTURES_DIR / self.slug)}"

    @property
    def expected_path(self) -> Path:
        return self.file.with_name(self.file.stem + ".expected.json")

    def run(self) -> list[dict[str, Any]]:
        from datetime import datetime

        result = parse_saved(
            self.slug,
            self.file.read_bytes(),
            self.url,
            datetime.fromisoformat(self.fetched_at),
            self.content_type,
        )
        return [item.to_json() for item in result.items]


def snapshot_folders() -> list[tuple[str, Path]]:
    """(slug, folder) for every folder holding a meta.json, snapshots included."""
    found = []
    for meta in sorted(FIXTURES_DIR.glob("*/meta.json")) + sorted(
        FIXTURES_DIR.glob("*/*/meta.json")
    ):
        slug = meta.relative_to(FIXTURES_DIR).parts[0]
        found.append((slug, meta.parent))
    return found


def parse_cases() -> list[ParseCase]:
    cases = []
    for slug, folder in snapshot_folders():
        for response in read_meta(folder):
            if response.status != 200 or response.file.name in NOT_PARSED:
                continue
            cases.append(
                ParseCase(
                    slug,
                    folder,
                    response.file,
                    response.url,
                    response.content_type,
                    response.fetched_at.isoformat(),
                )
            )
    return cases


def crawl_folder(slug: str, folder: Path) -> list[dict[str, Any]]:
    """Crawl one fixture folder into a fresh SQLite file; the stored items as JSON, sorted."""
    snapshot = None if folder.parent == FIXTURES_DIR else folder.name
    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{tmp}/crawl.db"
        env = dict(os.environ, AGGREGATOR_DATABASE_URL=db)
        args = [sys.executable, "-m", "aggregator.cli", "crawl", slug, "--fixtures"]
        if snapshot:
            args += ["--snapshot", snapshot]
        subprocess.run(args, check=True, env=env, capture_output=True)
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "aggregator.cli",
                "items",
                "--source",
                slug,
                "--json",
                "--include-irrelevant",  # every stored item, with its classification
            ],
            check=True,
            env=env,
            capture_output=True,
            text=True,
        ).stdout
    items = [json.loads(line) for line in out.splitlines() if line.strip()]
    for item in items:
        item.pop("id", None)
    return sorted(items, key=lambda i: i["key"])


def refresh(only: list[str]) -> list[Path]:
    """Rewrite the goldens of the named sources (all when empty); the files written."""
    written = []
    for case in parse_cases():
        if not only or case.slug in only:
            dump(case.expected_path, case.run())
            written.append(case.expected_path)
    for slug, folder in snapshot_folders():
        if not only or slug in only:
            dump(folder / "crawl.expected.json", crawl_folder(slug, folder))
            written.append(folder / "crawl.expected.json")
    return written


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def dump(path: Path, data: Any) -> None:
    path.write_text(
        json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n", encoding="utf-8"
    )
