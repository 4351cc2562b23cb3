"""Cross-source dedupe after a crawl is stored: the same publication reached through
different sources becomes one cluster, with a publisher of record and the reason it merged.

Candidates come from `aggregator.dedupe.clusters.ClusterIndex` (URL, link and attachment lookups and
MinHash LSH over titles, then exact verification), never from comparing every pair. A pair an
editor split is never merged again.

The store is whatever offers the `ClusterStore` methods (the storage layer's `Repository`):
this module names what it needs rather than importing storage, so dedupe stays below it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from aggregator.dedupe.clusters import Candidate, ClusterIndex, Match
from aggregator.dedupe.publisher import publisher_of_record

__all__ = ["ClusterStore", "Merge", "cluster_items"]


class StoredMember(Protocol):
    """A stored cluster member, as far as choosing the publisher needs it."""

    @property
    def item_id(self) -> int: ...


class StoredCluster(Protocol):
    """A stored cluster and its members."""

    @property
    def id(self) -> int: ...

    @property
    def members(self) -> Sequence[StoredMember]: ...


class ClusterStore(Protocol):
    """The stored items and clusters that dedupe reads and merges into."""

    def cluster_candidates(self) -> list[Candidate]: ...

    def split_pairs(self) -> set[frozenset[int]]: ...

    def merge(self, item_id: int, match: Match, at: datetime) -> int: ...

    def clusters(self) -> Sequence[StoredCluster]: ...

    def set_publisher_of_record(self, cluster_id: int, item_id: int) -> None: ...


@dataclass(frozen=True)
class Merge:
    """An item merged into a cluster, with the match that brought it in."""

    item_id: int
    match: Match
    cluster_id: int


def cluster_items(repo: ClusterStore, item_ids: Iterable[int], at: datetime) -> list[Merge]:
    """Match the given (new or changed) items against everything stored and merge them."""
    wanted = set(item_ids)
    if not wanted:
        return []
    candidates = repo.cluster_candidates()
    by_id = {c.item_id: c for c in candidates}
    index = ClusterIndex()
    for candidate in candidates:
        index.add(candidate)
    splits = repo.split_pairs()
    merges: list[Merge] = []
    for item_id in sorted(wanted & by_id.keys()):
        for match in index.matches(by_id[item_id]):
            if frozenset((item_id, match.item_id)) in splits:
                continue
            merges.append(Merge(item_id, match, repo.merge(item_id, match, at)))
    for cluster_id in {m.cluster_id for m in merges}:
        _choose_publisher(repo, cluster_id, by_id)
    return merges


def _choose_publisher(repo: ClusterStore, cluster_id: int, by_id: dict[int, Candidate]) -> None:
    found = [c for c in repo.clusters() if c.id == cluster_id]
    if not found:
        return
    members = [by_id[m.item_id] for m in found[0].members if m.item_id in by_id]
    if members:
        repo.set_publisher_of_record(cluster_id, publisher_of_record(members).item_id)
