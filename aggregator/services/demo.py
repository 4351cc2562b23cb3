"""The demo: crawl the bundled fixtures offline, find what is new, and write a bulletin.

`aggregator demo` (and `make demo`) show the whole flow on a laptop with no network: the
loopback fixture server answers every request, every source with fixtures is crawled into the
database, the new and updated items are grouped by source with their safeguarding relevance,
every item gets a draft summary, a bulletin is written in HTML and Markdown, and a demo editor
account is made so the review app can be tried at once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from aggregator.devtools.fixtures import fixture_folders
from aggregator.exports.bulletin import render_html, render_markdown, shown_summary
from aggregator.services import crawl
from aggregator.storage.db import make_engine, upgrade
from aggregator.storage.draft_summaries import DraftStore
from aggregator.storage.repository import Repository
from aggregator.storage.users import UserStore
from aggregator.storage.values import RunStats, StoredItem

DEMO_USER = ("demo", "demo-editor-password")
"""The demo editor `make demo` creates (a fixed password, for a local demo only)."""


@dataclass(frozen=True)
class SourceGroup:
    """One source's new (or updated) items: the safeguarding ones by relevance, highest
    first, as (title, topics), and how many others were filed as probably not safeguarding."""

    source: str
    shown: list[tuple[str, list[str]]]
    hidden: int


@dataclass(frozen=True)
class ItemGroup:
    label: str  # "New" or "Updated"
    total: int
    relevant: int
    sources: list[SourceGroup]


@dataclass(frozen=True)
class DemoReport:
    runs: list[tuple[str, RunStats]]
    groups: list[ItemGroup]
    items: int  # stored after the crawl
    drafted: int
    drafted_late: int  # items stored before drafts existed, drafted by the demo itself
    flagged: int
    bulletin_html: Path
    bulletin_markdown: Path
    bulletin_items: int
    editor_created: bool
    username: str
    password: str

    @property
    def nothing_new(self) -> bool:
        return all(group.total == 0 for group in self.groups)


def run_demo(url: str, out_dir: Path, *, starting: Callable[[int], None]) -> DemoReport:
    """Crawl every source with fixtures into `url` and write bulletin.html and bulletin.md
    into `out_dir`; `starting(number of sources)` is called just before the crawl."""
    upgrade(url)
    repo = Repository.from_url(url)
    try:
        before = {(s.item.source, s.item.key): s.content_hash for s in repo.list_items()}
        folders = fixture_folders()
        starting(len(folders))
        crawl.run(sorted(folders), url, fixtures=True)
        runs = crawl.last_runs(url, sorted(folders))

        stored = repo.list_items()
        fresh = [s for s in stored if (s.item.source, s.item.key) not in before]
        changed = [
            s
            for s in stored
            if (s.item.source, s.item.key) in before
            and before[(s.item.source, s.item.key)] != s.content_hash
        ]
        classified = repo.relevance_of([s.id for s in stored])
        relevant = {s.id for s in stored if s.id in classified and classified[s.id].relevant}
        relevance = {item_id: classified[item_id].relevance for item_id in relevant}
        groups = [group_items("New", fresh, relevance), group_items("Updated", changed, relevance)]

        # Every item has a draft: items stored before drafts existed, whose pages a crawl does not
        # fetch again while unchanged, are drafted here.
        drafts = DraftStore(repo.engine)
        late = drafts.redraft_missing()
        drafted, flagged = drafts.counts()

        # The bulletin takes what is new or updated and about safeguarding (everything relevant
        # on a repeat run, so there is always a bulletin to look at).
        pool = fresh + changed or stored
        picked = [
            s
            for s in pool
            if s.id in relevant and (s.item.withdrawn is None or s.include_withdrawn)
        ]
        html, markdown = write_bulletin(picked, drafts, out_dir)
        created = ensure_demo_editor(url)
        return DemoReport(
            runs=runs,
            groups=groups,
            items=len(stored),
            drafted=drafted,
            drafted_late=late,
            flagged=flagged,
            bulletin_html=html,
            bulletin_markdown=markdown,
            bulletin_items=len(picked),
            editor_created=created,
            username=DEMO_USER[0],
            password=DEMO_USER[1],
        )
    finally:
        repo.close()


def group_items(
    label: str, members: Sequence[StoredItem], relevance: dict[int, float]
) -> ItemGroup:
    """`members` by source; `relevance` holds the safeguarding items' relevance by id."""
    sources = []
    for slug in sorted({s.item.source for s in members}):
        own = [s for s in members if s.item.source == slug]
        shown = sorted((s for s in own if s.id in relevance), key=lambda s: -relevance[s.id])
        titles = [(s.item.title, s.item.topics) for s in shown]
        sources.append(SourceGroup(slug, titles, len(own) - len(shown)))
    return ItemGroup(label, len(members), sum(s.id in relevance for s in members), sources)


def write_bulletin(
    picked: Sequence[StoredItem], drafts: DraftStore, out_dir: Path
) -> tuple[Path, Path]:
    """Write `picked` as bulletin.html and bulletin.md in `out_dir`; the two paths. Each
    entry's summary is the editor's text, else the draft labelled as one to check (the
    publisher's own when the draft is flagged sensitive), else the publisher's own."""
    stored_drafts = drafts.many([s.id for s in picked])
    chosen = []
    for s in picked:
        found = stored_drafts.get(s.id)
        summary = shown_summary(
            s.edited_summary,
            found.draft.text if found else None,
            s.item.summary,
            sensitive=found is not None and found.sensitivity.flagged,
        )
        chosen.append(dataclasses.replace(s.item, title=s.title, summary=summary))
    out_dir.mkdir(parents=True, exist_ok=True)
    markdown, html = out_dir / "bulletin.md", out_dir / "bulletin.html"
    markdown.write_text(render_markdown(chosen), encoding="utf-8")
    html.write_text(render_html(chosen), encoding="utf-8")
    return html, markdown


def ensure_demo_editor(url: str) -> bool:
    """Create the demo editor unless it exists; whether it was created now."""
    engine = make_engine(url)
    try:
        store = UserStore(engine)
        username, password = DEMO_USER
        if store.get(username) is not None:
            return False
        store.add(username, password, "editor", at=datetime.now(UTC))
        return True
    finally:
        engine.dispose()
