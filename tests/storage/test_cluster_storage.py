"""Clusters in storage, on both engines: merges record why, splits hold, publisher of record."""

from __future__ import annotations

from datetime import UTC, datetime

from aggregator.dedupe.merge import cluster_items
from aggregator.schema import Attachment, Item, Link, Sighting
from aggregator.storage.repository import Repository

AT = datetime(2024, 5, 31, 8, tzinfo=UTC)
HO_URL = "https://www.gov.uk/government/consultations/child-sexual-abuse-mandatory-reporting"


def item(source: str, publisher: str, url: str, title: str, **fields: object) -> Item:
    return Item(
        key=url.split("://", 1)[1],
        source=source,
        publisher=publisher,
        title=title,
        url=url,
        provenance=[Sighting(source, url, AT)],
        **fields,  # type: ignore[arg-type]
    )


def stored_ids(repo: Repository, *items: Item) -> list[int]:
    return [r.item_id for r in repo.upsert_items(list(items), AT)]


def test_a_write_up_linking_the_original_is_one_cluster_with_the_original_as_publisher(
    repo: Repository,
) -> None:
    nspcc = item(
        "nspcc",
        "NSPCC",
        "https://learning.nspcc.org.uk/news/2024/may/mandatory",
        "Mandatory reporting: government response published",
        links=[
            Link(
                "Read the government response",
                "http://gov.uk/government/consultations/"
                "child-sexual-abuse-mandatory-reporting/?utm_source=nspcc",
            )
        ],
    )
    home_office = item(
        "home_office", "Home Office", HO_URL, "Child sexual abuse: mandatory reporting"
    )
    unrelated = item("dhsc", "DHSC", "https://www.gov.uk/government/news/x", "NHS dental contract")
    nspcc_id, ho_id, _ = stored_ids(repo, nspcc, home_office, unrelated)

    merges = cluster_items(repo, [nspcc_id, ho_id], AT)
    assert merges, "the link should merge the pair"
    [cluster] = repo.clusters()
    assert {m.item_id for m in cluster.members} == {nspcc_id, ho_id}
    assert cluster.publisher.item_id == ho_id
    joined = [m for m in cluster.members if m.kind != "first"]
    assert [m.kind for m in joined] == ["link"]
    # Whichever of the two was matched first, the reason names the link between them.
    assert joined[0].reason in (
        f"links to {HO_URL}",
        "linked from https://learning.nspcc.org.uk/news/2024/may/mandatory",
    )


def test_same_pdf_on_two_sites_merges_and_a_split_holds(repo: Repository) -> None:
    pdf = Attachment("Report", "https://assets.publishing.service.gov.uk/media/abc/report.pdf")
    a = item(
        "home_office",
        "Home Office",
        "https://www.gov.uk/government/publications/r",
        "R",
        attachments=[pdf],
    )
    b = item(
        "internet_matters",
        "Internet Matters",
        "https://www.internetmatters.org/hub/r/",
        "Our take on the report",
        attachments=[pdf],
    )
    a_id, b_id = stored_ids(repo, a, b)
    cluster_items(repo, [b_id], AT)
    [cluster] = repo.clusters()
    assert {m.kind for m in cluster.members} >= {"attachment"}

    repo.split(b_id, AT, actor="editor@example.org")
    assert repo.clusters() == []
    # A later crawl sees both again (say, updated): the split pair is not merged back.
    assert cluster_items(repo, [a_id, b_id], AT) == []
    assert repo.clusters() == []


def test_same_source_items_never_cluster(repo: Repository) -> None:
    a = item("nspcc", "NSPCC", "https://learning.nspcc.org.uk/a", "Neglect in adolescence: podcast")
    b = item("nspcc", "NSPCC", "https://learning.nspcc.org.uk/b", "Neglect in adolescence: podcast")
    ids = stored_ids(repo, a, b)
    assert cluster_items(repo, ids, AT) == []


def test_a_split_is_audited_and_can_be_undone(repo: Repository) -> None:
    pdf = Attachment("Report", "https://assets.publishing.service.gov.uk/media/abc/r.pdf")
    a = item(
        "home_office",
        "Home Office",
        "https://www.gov.uk/government/publications/r",
        "R",
        attachments=[pdf],
    )
    b = item(
        "internet_matters",
        "Internet Matters",
        "https://www.internetmatters.org/hub/r/",
        "Our take",
        attachments=[pdf],
    )
    a_id, b_id = stored_ids(repo, a, b)
    cluster_items(repo, [b_id], AT)
    [before] = repo.clusters()

    repo.split(b_id, AT, actor="ed")
    [event] = [e for e in repo.events(b_id) if e.action == "split"]
    assert event.actor == "ed" and event.detail["others"] == [a_id]
    assert repo.clusters() == []

    repo.undo(event.id, at=AT, actor="ed")
    [after] = repo.clusters()
    assert {m.item_id for m in after.members} == {a_id, b_id}
    assert after.publisher_item_id == before.publisher_item_id
    assert repo.split_pairs() == set()
    assert repo.events(b_id)[-1].action == "undo"
