"""Cross-source dedupe end to end: crawling NSPCC and the Home Office gives one cluster."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from aggregator.dedupe.merge import cluster_items
from aggregator.storage.repository import Repository
from tests.crawling import crawl

pytestmark = pytest.mark.slow  # scheduled first (tests/conftest.py)

MANDATORY = "gov.uk/government/consultations/child-sexual-abuse-mandatory-reporting"


def test_nspcc_write_up_and_home_office_response_are_one_publication(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/d.db"
    crawl(db, "home_office", "nspcc")
    repo = Repository.from_url(db)
    [cluster] = repo.clusters()
    lead = cluster.publisher
    assert (lead.source, lead.publisher) == ("home_office", "Home Office")
    via = [m for m in cluster.members if m.item_id != lead.item_id]
    assert [m.source for m in via] == ["nspcc"]
    # Whichever crawl finished first, the merge's reason names the link between the two.
    [joined] = [m for m in cluster.members if m.kind != "first"]
    assert joined.kind == "link"
    assert "learning.nspcc.org.uk" in joined.reason or MANDATORY in joined.reason

    # An editor splits it; a later crawl (both items seen again) does not merge it back.
    repo.split(via[0].item_id, datetime.now(UTC), actor="editor")
    crawl(db, "home_office", "nspcc")
    ids = [s.id for s in repo.list_items() if s.item.key == MANDATORY]
    ids += [via[0].item_id]
    assert cluster_items(repo, ids, datetime.now(UTC)) == []
    assert repo.clusters() == []
