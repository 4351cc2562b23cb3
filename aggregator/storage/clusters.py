"""Cross-source clusters: one publication found by several sources, with a publisher of record.

The matcher (`aggregator.dedupe`) decides which items are the same publication; this module
keeps its decisions (`clusters`, `cluster_members`, each member with why it matched) and the
editors' splits (`cluster_splits`), which the matcher never merges again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Engine, and_, insert, or_, select, update

from aggregator.dedupe.clusters import Candidate, Match
from aggregator.storage.bulk import dialect_insert
from aggregator.storage.db import StoreBase, write_transaction
from aggregator.storage.tables import (
    CLUSTER_MEMBERS,
    CLUSTER_SPLITS,
    CLUSTERS,
    ITEMS,
    REVIEW_EVENTS,
)
from aggregator.storage.values import Cluster, ClusterMember


class ClusterStore(StoreBase):
    """Clusters, their members and the pairs editors split apart."""

    def cluster_candidates(self) -> list[Candidate]:
        """Every stored item as the cluster matcher sees it (one query, no children)."""
        query = select(
            ITEMS.c.id,
            ITEMS.c.source,
            ITEMS.c.publisher,
            ITEMS.c.url,
            ITEMS.c.title,
            ITEMS.c.published,
            ITEMS.c.attachments,
            ITEMS.c.links,
        )
        with self.engine.connect() as conn:
            return [
                Candidate(
                    item_id=row.id,
                    source=row.source,
                    publisher=row.publisher,
                    url=row.url,
                    title=row.title,
                    published=row.published,
                    attachment_urls=tuple(a["url"] for a in row.attachments or []),
                    link_urls=tuple(link["url"] for link in row.links or []),
                )
                for row in conn.execute(query)
            ]

    def split_pairs(self) -> set[frozenset[int]]:
        """Pairs an editor split apart; the matcher never merges them again."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(CLUSTER_SPLITS.c.item_a, CLUSTER_SPLITS.c.item_b))
            return {frozenset((a, b)) for a, b in rows}

    def merge(self, item_id: int, match: Match, at: datetime) -> int:
        """Put `item_id` and `match.item_id` in one cluster, recording why; the cluster id.

        Joins an existing cluster of either item; two existing clusters become one.
        """
        with write_transaction(self.engine) as conn:
            owner = dict(
                conn.execute(
                    select(CLUSTER_MEMBERS.c.item_id, CLUSTER_MEMBERS.c.cluster_id).where(
                        CLUSTER_MEMBERS.c.item_id.in_([item_id, match.item_id])
                    )
                ).all()
            )
            mine, theirs = owner.get(item_id), owner.get(match.item_id)
            if mine is not None and mine == theirs:
                return mine
            if mine is None and theirs is None:
                cluster_id = conn.execute(
                    insert(CLUSTERS)
                    .values(publisher_item_id=match.item_id, created_at=at)
                    .returning(CLUSTERS.c.id)
                ).scalar_one()
                conn.execute(
                    insert(CLUSTER_MEMBERS).values(
                        item_id=match.item_id,
                        cluster_id=cluster_id,
                        matched_item_id=None,
                        kind="first",
                        reason="first member",
                        score=1.0,
                        added_at=at,
                    )
                )
            else:
                cluster_id = theirs if theirs is not None else cast(int, mine)
                if mine is not None and theirs is not None:
                    # Two clusters meet: the newer one's members join the older one.
                    cluster_id, other = min(mine, theirs), max(mine, theirs)
                    conn.execute(
                        update(CLUSTER_MEMBERS)
                        .where(CLUSTER_MEMBERS.c.cluster_id == other)
                        .values(cluster_id=cluster_id)
                    )
                    conn.execute(CLUSTERS.delete().where(CLUSTERS.c.id == other))
            if mine is None:
                conn.execute(
                    insert(CLUSTER_MEMBERS).values(
                        item_id=item_id,
                        cluster_id=cluster_id,
                        matched_item_id=match.item_id,
                        kind=match.kind,
                        reason=match.reason,
                        score=match.score,
                        added_at=at,
                    )
                )
            return cluster_id

    def set_publisher_of_record(self, cluster_id: int, item_id: int) -> None:
        with write_transaction(self.engine) as conn:
            conn.execute(
                update(CLUSTERS)
                .where(CLUSTERS.c.id == cluster_id)
                .values(publisher_item_id=item_id)
            )

    def clusters(self, item_id: int | None = None) -> list[Cluster]:
        """Clusters with their members (all, or the one holding `item_id`)."""
        with self.engine.connect() as conn:
            query = select(CLUSTERS).order_by(CLUSTERS.c.id)
            if item_id is not None:
                held = select(CLUSTER_MEMBERS.c.cluster_id).where(
                    CLUSTER_MEMBERS.c.item_id == item_id
                )
                query = query.where(CLUSTERS.c.id.in_(held))
            clusters = conn.execute(query).all()
            members = conn.execute(
                select(CLUSTER_MEMBERS, ITEMS.c.source, ITEMS.c.publisher, ITEMS.c.title)
                .join(ITEMS, ITEMS.c.id == CLUSTER_MEMBERS.c.item_id)
                .where(CLUSTER_MEMBERS.c.cluster_id.in_([c.id for c in clusters]))
                .order_by(CLUSTER_MEMBERS.c.added_at, CLUSTER_MEMBERS.c.item_id)
            ).all()
        return [
            Cluster(
                id=c.id,
                publisher_item_id=c.publisher_item_id,
                members=[
                    ClusterMember(
                        item_id=m.item_id,
                        source=m.source,
                        publisher=m.publisher,
                        title=m.title,
                        kind=m.kind,
                        reason=m.reason,
                        matched_item_id=m.matched_item_id,
                    )
                    for m in members
                    if m.cluster_id == c.id
                ],
            )
            for c in clusters
        ]

    def split(self, item_id: int, at: datetime, actor: str | None = None) -> None:
        """Take an item out of its cluster for good: every pair it formed there is recorded
        as split, so later crawls never merge it back."""
        with write_transaction(self.engine) as conn:
            cluster_id = conn.execute(
                select(CLUSTER_MEMBERS.c.cluster_id).where(CLUSTER_MEMBERS.c.item_id == item_id)
            ).scalar()
            if cluster_id is None:
                raise KeyError(f"item {item_id} is in no cluster")
            member = conn.execute(
                select(CLUSTER_MEMBERS).where(CLUSTER_MEMBERS.c.item_id == item_id)
            ).one()
            lead = conn.execute(
                select(CLUSTERS.c.publisher_item_id).where(CLUSTERS.c.id == cluster_id)
            ).scalar_one()
            others = list(
                conn.execute(
                    select(CLUSTER_MEMBERS.c.item_id).where(
                        CLUSTER_MEMBERS.c.cluster_id == cluster_id,
                        CLUSTER_MEMBERS.c.item_id != item_id,
                    )
                ).scalars()
            )
            # Recorded in the audit with what undo needs to put the item back.
            conn.execute(
                insert(REVIEW_EVENTS).values(
                    item_id=item_id,
                    at=at,
                    actor=actor,
                    action="split",
                    detail={
                        "cluster_id": cluster_id,
                        "publisher_item_id": lead,
                        "others": others,
                        "member": {
                            "kind": member.kind,
                            "reason": member.reason,
                            "score": member.score,
                            "matched_item_id": member.matched_item_id,
                        },
                    },
                )
            )
            conn.execute(
                dialect_insert(conn, CLUSTER_SPLITS).on_conflict_do_nothing(
                    index_elements=["item_a", "item_b"]
                ),
                [
                    {
                        "item_a": min(item_id, o),
                        "item_b": max(item_id, o),
                        "split_at": at,
                        "actor": actor,
                    }
                    for o in others
                ],
            )
            conn.execute(CLUSTER_MEMBERS.delete().where(CLUSTER_MEMBERS.c.item_id == item_id))
            if len(others) < 2:
                conn.execute(CLUSTERS.delete().where(CLUSTERS.c.id == cluster_id))
            else:
                conn.execute(
                    update(CLUSTERS)
                    .where(CLUSTERS.c.id == cluster_id, CLUSTERS.c.publisher_item_id == item_id)
                    .values(publisher_item_id=others[0])
                )


def undo_split(engine: Engine, event: Any, *, at: datetime, actor: str | None) -> int:
    """Undo a split (`event` is its `review_events` row): put the item back in the cluster it
    left (recreated if it had dissolved) and forget the split pairs, so the matcher may merge
    them again. Recorded as an "undo" event; its id."""
    detail = event.detail
    item_id, others = event.item_id, [int(o) for o in detail["others"]]
    member = detail["member"]
    with write_transaction(engine) as conn:
        conn.execute(
            CLUSTER_SPLITS.delete().where(
                or_(
                    *[
                        and_(
                            CLUSTER_SPLITS.c.item_a == min(item_id, o),
                            CLUSTER_SPLITS.c.item_b == max(item_id, o),
                        )
                        for o in others
                    ]
                )
            )
        )
        cluster_id = conn.execute(
            select(CLUSTER_MEMBERS.c.cluster_id).where(CLUSTER_MEMBERS.c.item_id.in_(others))
        ).scalar()
        if cluster_id is None:
            cluster_id = conn.execute(
                insert(CLUSTERS)
                .values(publisher_item_id=detail["publisher_item_id"], created_at=at)
                .returning(CLUSTERS.c.id)
            ).scalar_one()
            conn.execute(
                insert(CLUSTER_MEMBERS),
                [
                    {
                        "item_id": o,
                        "cluster_id": cluster_id,
                        "matched_item_id": None,
                        "kind": "first",
                        "reason": "first member",
                        "score": 1.0,
                        "added_at": at,
                    }
                    for o in others
                ],
            )
        conn.execute(
            dialect_insert(conn, CLUSTER_MEMBERS).on_conflict_do_nothing(
                index_elements=["item_id"]
            ),
            [{"item_id": item_id, "cluster_id": cluster_id, "added_at": at, **member}],
        )
        if detail["publisher_item_id"] == item_id:
            conn.execute(
                update(CLUSTERS)
                .where(CLUSTERS.c.id == cluster_id)
                .values(publisher_item_id=item_id)
            )
        return int(
            conn.execute(
                insert(REVIEW_EVENTS)
                .values(
                    item_id=item_id,
                    at=at,
                    actor=actor,
                    action="undo",
                    detail={"undid": event.id, "rejoined": cluster_id},
                )
                .returning(REVIEW_EVENTS.c.id)
            ).scalar_one()
        )
