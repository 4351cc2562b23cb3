"""Export fixtures: a small corpus in the shape of the example bulletin, stored and reviewed.

The summaries are written for these tests (never copied from the example bulletin). Every
time is fixed, so goldens are byte-for-byte reproducible on SQLite and PostgreSQL.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from aggregator.exports.run import ExportOptions, export, selection_for
from aggregator.exports.syndication import FeedInfo
from aggregator.schema import Attachment, DocType, Item, Link, Precision, Sighting
from aggregator.storage.db import upgrade
from aggregator.storage.exports import ExportSelection
from aggregator.storage.repository import Repository
from tests.conftest import db_url, repo  # noqa: F401  (re-exported fixtures)

__all__ = ["db_url", "repo"]

GOLDEN = Path(__file__).resolve().parent / "golden"

SEEN = datetime(2024, 5, 31, 8, 0, tzinfo=UTC)
APPROVED_AT = datetime(2024, 5, 31, 9, 30, tzinfo=UTC)
EDITOR = "editor@example.org"

# A BST date (April: UTC+1) and a GMT one (January: UTC+0), both midnight in London.
BST_PUBLISHED = datetime(2024, 3, 31, 23, 0, tzinfo=UTC)  # 1 April 2024, 00:00 BST
GMT_PUBLISHED = datetime(2024, 1, 15, 0, 0, tzinfo=UTC)  # 15 January 2024, 00:00 GMT
BST_UPDATED = datetime(2024, 5, 9, 9, 15, tzinfo=UTC)  # 9 May 2024, 10:15 BST

HOSTILE_TITLE = 'Apps & "games" <script>alert(1)</script> ]]> \x01 *not* [emphasis]'


def _sighting(source: str, url: str) -> list[Sighting]:
    return [Sighting(source, url, SEEN)]


def corpus() -> list[Item]:
    """Items 1-7 are approved and exported; 8 is withdrawn; 9 is new; 10 is rejected."""
    mandatory = "https://www.gov.uk/government/consultations/child-sexual-abuse-mandatory-reporting"
    return [
        Item(
            key="gov.uk/government/consultations/child-sexual-abuse-mandatory-reporting",
            source="home_office",
            publisher="Home Office",
            title="Child sexual abuse: mandatory reporting",
            url=mandatory,
            summary=(
                "Ministers set out how a new legal duty to report known abuse would work,\n"
                "  who it would cover and what happens next, after weighing the replies."
            ),
            doc_type=DocType.CONSULTATION_RESPONSE,
            topics=["child sexual abuse"],
            nations=["England"],
            published=BST_PUBLISHED,
            published_precision=Precision.MONTH,
            updated=BST_UPDATED,
            change_note="Government response published.",
            attachments=[
                Attachment(
                    "Government response (PDF)",
                    "https://assets.publishing.service.gov.uk/media/response.pdf",
                    "application/pdf",
                    245760,
                )
            ],
            provenance=_sighting("home_office", "https://www.gov.uk/api/search.json"),
        ),
        Item(
            key="lucyfaithfull.org.uk/featured-news/talking-about-pornography",
            source="lucy_faithfull",
            publisher="Lucy Faithfull Foundation",
            title="Time to talk about pornography",
            url="https://www.lucyfaithfull.org.uk/featured-news/talking-about-pornography",
            summary="A paper drawing on casework about how adult material can lead some men "
            "towards illegal images, and what would help stop that happening.",
            doc_type=DocType.REPORT,
            topics=["online safety", "child sexual abuse"],
            nations=["UK"],
            published=datetime(2024, 5, 29, 23, 0, tzinfo=UTC),
            published_precision=Precision.DAY,
            provenance=_sighting("lucy_faithfull", "https://www.lucyfaithfull.org.uk/news"),
        ),
        Item(
            key="internetmatters.org/resources/self-generated-images-research",
            source="internet_matters",
            publisher="Internet Matters",
            title="Preventing ‘self-generated’ sexual imagery among younger children",
            url="https://www.internetmatters.org/resources/self-generated-images-research/",
            summary="Research with pupils aged 11 to 13 on which messages would put them off "
            "making or sharing images, and how schools could teach it better.",
            doc_type=DocType.REPORT,
            topics=["online safety"],
            nations=["UK"],
            published=datetime(2024, 5, 2, 23, 0, tzinfo=UTC),
            published_precision=Precision.DAY,
            attachments=[
                Attachment(
                    "Full report",
                    "https://www.internetmatters.org/wp-content/uploads/report.pdf",
                )
            ],
            provenance=_sighting("internet_matters", "https://www.internetmatters.org/feed/"),
        ),
        Item(
            key="uktraumacouncil.org/event/complex-trauma-webinar",
            source="uk_trauma_council",
            publisher="UK Trauma Council",
            title="Free live webinar: Unpacking complex trauma",
            url="https://uktraumacouncil.org/event/complex-trauma-webinar",
            summary="Speakers look at what complex trauma is and how it affects young people, "
            "followed by a panel and questions.",
            doc_type=DocType.EVENT,
            topics=["trauma"],
            nations=["UK"],
            published=datetime(2024, 4, 21, 23, 0, tzinfo=UTC),
            published_precision=Precision.DAY,
            event_start=datetime(2024, 5, 16, 16, 0, tzinfo=UTC),
            event_end=datetime(2024, 5, 16, 17, 30, tzinfo=UTC),
            links=[
                Link("Book a free place", "https://uktraumacouncil.org/event/book?id=42&ref=mail")
            ],
            provenance=_sighting("uk_trauma_council", "https://uktraumacouncil.org/resources"),
        ),
        Item(
            key="gov.uk/government/publications/parent-infant-relationships",
            source="dhsc",
            publisher="Department of Health and Social Care",
            title="Parent-infant relationships: starting conversations",
            url="https://www.gov.uk/government/publications/parent-infant-relationships",
            summary="Prompts for health visitors and social workers.",
            doc_type=DocType.GUIDANCE,
            topics=["early years"],
            nations=["England"],
            published=datetime(2024, 5, 13, 23, 0, tzinfo=UTC),
            published_precision=Precision.DAY,
            provenance=_sighting("dhsc", "https://www.gov.uk/api/search.json"),
        ),
        Item(
            key="learning.nspcc.org.uk/research-resources/2024/multi-agency-working",
            source="nspcc",
            publisher="NSPCC",
            title="Multi-agency working and information sharing: learning from case reviews",
            url="https://learning.nspcc.org.uk/research-resources/2024/multi-agency-working",
            summary="What case reviews show about agencies sharing what they know, and the "
            "practice that helped.",
            doc_type=DocType.BRIEFING,
            topics=["multi-agency working"],
            nations=["UK"],
            published=GMT_PUBLISHED,
            published_precision=Precision.DAY,
            attachments=[
                Attachment(
                    "Learning from case reviews briefing",
                    "https://learning.nspcc.org.uk/media/briefing.pdf",
                    "application/pdf",
                )
            ],
            provenance=_sighting("nspcc", "https://learning.nspcc.org.uk/research-resources"),
        ),
        Item(
            key="internetmatters.org/hub/news/apps-and-games",
            source="internet_matters",
            publisher="Internet Matters",
            title=HOSTILE_TITLE,
            url="https://www.internetmatters.org/hub/news/apps-and-games/?a=1&b=2",
            summary='Commas, "quotes", a line\nbreak, [a link](javascript:alert(1)) & &amp; '
            "# and a_b_c.",
            doc_type=DocType.NEWS,
            topics=["online safety"],
            nations=["UK"],
            published=datetime(2024, 5, 19, 23, 0, tzinfo=UTC),
            published_precision=Precision.DAY,
            links=[Link("Unsafe", "javascript:alert(1)")],
            provenance=_sighting("internet_matters", "https://www.internetmatters.org/feed/"),
        ),
        Item(
            key="gov.uk/government/publications/withdrawn-guidance",
            source="home_office",
            publisher="Home Office",
            title="Withdrawn guidance",
            url="https://www.gov.uk/government/publications/withdrawn-guidance",
            doc_type=DocType.GUIDANCE,
            published=datetime(2023, 5, 1, tzinfo=UTC),
            published_precision=Precision.DAY,
            withdrawn=datetime(2024, 5, 20, tzinfo=UTC),
            withdrawn_reason="withdrawn on GOV.UK",
        ),
        Item(
            key="nspcc.org.uk/news/unreviewed",
            source="nspcc",
            publisher="NSPCC",
            title="Not yet reviewed",
            url="https://www.nspcc.org.uk/news/unreviewed",
            doc_type=DocType.NEWS,
        ),
        Item(
            key="nspcc.org.uk/news/rejected",
            source="nspcc",
            publisher="NSPCC",
            title="Rejected: fundraising appeal",
            url="https://www.nspcc.org.uk/news/rejected",
            doc_type=DocType.NEWS,
        ),
    ]


def store_corpus(repository: Repository) -> list[int]:
    """Store and review the corpus; the ids of items 1-10 in order."""
    results = repository.upsert_items(corpus(), SEEN)
    ids = [result.item_id for result in results]
    for item_id in ids[:8]:
        repository.review(item_id, "approve", at=APPROVED_AT, actor=EDITOR)
    repository.review(ids[9], "reject", at=APPROVED_AT, actor=EDITOR, reason="not safeguarding")
    repository.edit(
        ids[4],
        at=APPROVED_AT,
        actor=EDITOR,
        title="Parent-infant relationships: starting conversations (practitioner guide)",
        summary="Guidance to help frontline practitioners talk with parents about their "
        "relationship with their baby and spot early difficulties.",
        section="Parent-infant relationships",
    )
    return ids


@pytest.fixture
def stored(repo: Repository) -> tuple[Repository, list[int]]:
    """A migrated repository holding the reviewed corpus, on each backend."""
    return repo, store_corpus(repo)


@pytest.fixture
def sqlite_repo(tmp_path: Path) -> Iterator[Repository]:
    url = f"sqlite:///{tmp_path / 'export.db'}"
    upgrade(url)
    repository = Repository.from_url(url)
    try:
        yield repository
    finally:
        repository.close()


def check_golden(name: str, actual: str | bytes) -> None:
    """Compare with tests/exports/golden/NAME; never writes it (only `make goldens` does)."""
    path = GOLDEN / name
    text = actual.decode("utf-8") if isinstance(actual, bytes) else actual
    if not path.exists():
        pytest.fail(f"no golden {path.name}: run `make goldens`, then read it before committing")
    expected = path.read_bytes().decode("utf-8")
    if text != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                text.splitlines(keepends=True),
                f"golden/{name}",
                "this export",
                n=2,
            )
        )
        pytest.fail(
            f"golden {name} differs (when the change is intended, run `make goldens` and read "
            f"the diff before committing):\n{diff[:6000]}",
            pytrace=False,
        )


FEED = FeedInfo(
    base_url="https://safeguarding.example.org", authority="safeguarding.example.org,2024"
)


def export_text(
    repository: Repository,
    fmt: str,
    tmp_path: Path,
    selection: ExportSelection | None = None,
    **options: Any,
) -> str:
    """Run one export to a file, as `aggregator export` does, and return what it wrote."""
    selection = selection_for(repository, selection or ExportSelection(), fmt, None)
    feed = options.pop("feed", FEED)
    out = tmp_path / f"out.{fmt}"
    export(repository, selection, ExportOptions(format=fmt, feed=feed, **options), out)
    return out.read_bytes().decode("utf-8")


def page(**changes: Any) -> Item:
    """A plain GOV.UK guidance page, with `changes` applied."""
    item = Item(
        key="gov.uk/government/publications/keeping-children-safe",
        source="home_office",
        publisher="Home Office",
        title="Keeping children safe",
        url="https://www.gov.uk/government/publications/keeping-children-safe",
        summary="Statutory guidance.",
        published=datetime(2024, 1, 10, tzinfo=UTC),
        published_precision=Precision.DAY,
    )
    return dataclasses.replace(item, **changes)
