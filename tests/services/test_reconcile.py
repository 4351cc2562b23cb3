"""Channel reconciliation reports what a fallback channel found and the primary missed."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from aggregator.devtools.fixtures import FIXTURES_DIR
from tests.crawling import aggregator_cli, crawl

pytestmark = pytest.mark.slow  # scheduled first (tests/conftest.py)

MANDATORY = "/government/consultations/child-sexual-abuse-mandatory-reporting"


def test_an_item_the_search_api_dropped_is_reported_from_the_atom_feed(tmp_path: Path) -> None:
    copy = tmp_path / "fixtures"
    shutil.copytree(FIXTURES_DIR / "home_office", copy / "home_office")
    search = copy / "home_office" / "search.json"
    data = json.loads(search.read_text())
    data["results"] = [r for r in data["results"] if r["link"] != MANDATORY]
    search.write_text(json.dumps(data))

    db = f"sqlite:///{tmp_path}/r.db"
    crawl(db, "home_office", fixtures_dir=copy)
    env = dict(os.environ, AGGREGATOR_DATABASE_URL=db, AGGREGATOR_FIXTURES_DIR=str(copy))
    result = aggregator_cli("reconcile", "home_office", "--fixtures", env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    lines = result.stdout.splitlines()
    assert lines[0] == "home_office: 1 item(s) only the fallback channels found"
    assert lines[1].strip().startswith("Child sexual abuse: mandatory reporting")
    assert lines[1].endswith("https://www.gov.uk" + MANDATORY)
