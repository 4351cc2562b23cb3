"""Full-text search of the review app's queue: each word of a query matched by its start.

Items whose title or summary hold, for each word of the query, a word beginning with it after
English stemming ("mandat" finds "mandatory", "neglected" finds "neglect"). SQLite answers from
the FTS5 table `items_fts` (porter tokenizer) with prefix queries; PostgreSQL from the GIN index
`ix_items_fts` over `to_tsvector('english', title || ' ' || summary)` with `to_tsquery`
prefixes (both made by migration 0007; new SQLite rows enter the index through
`aggregator.storage.search_index`). `queries.queue_page` applies a `TextSearch` to each
statement of a page.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import datetime
from typing import cast

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    column,
    exists,
    false,
    func,
    literal_column,
    select,
    text,
    true,
)

from aggregator.storage.tables import ITEMS

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
MAX_SEARCH_TERMS = 12


def search_terms(q: str) -> list[str]:
    """The words of a search box entry (punctuation, underscores and query syntax dropped)."""
    return _WORD.findall(q)[:MAX_SEARCH_TERMS]


RARE_MATCHES = 1000
"""SQLite: a search matching at most this many items is applied as the list of their ids."""


def sqlite_match(terms: Sequence[str]) -> str:
    """An FTS5 query: every term as a quoted prefix ("mandat"* finds "mandatory"). The porter
    tokenizer stems a prefix query too, so "reporting"* still finds "reported"."""
    return " ".join('"' + term.replace('"', "") + '"*' for term in terms)


def postgres_tsquery(terms: Sequence[str]) -> str:
    """A `to_tsquery('english', …)` text: every term as a prefix of a stemmed word
    ("mandat:*" finds "mandatori", the stem of "mandatory"). Terms are letters and digits only
    (`search_terms`), so none carries tsquery syntax."""
    return " & ".join(f"{term}:*" for term in terms)


class TextSearch:
    """Items whose title or summary hold a word beginning with each word of a query (stemmed,
    English: "mandat" finds "mandatory", "neglected" finds "neglect").

    A prefix is matched against the index's stems, so a prefix that runs past the stem of the
    word it begins ("consultat", while "consultation" is indexed as "consult") finds nothing;
    the whole word, or a shorter start ("consult"), finds it.

    PostgreSQL: one condition, the expression of the GIN index ix_items_fts (migration 0007),
    which answers prefix queries from the index.

    SQLite: the FTS5 index is probed once (at most RARE_MATCHES + 1 row ids). A rare query is
    then the list of its ids in every statement of the page. A common one is, for finding the
    next day, a lookup of each candidate row in the index (`rowid = items.id`: matches are
    dense, so a few rows are read), and for reading a day, the index's matches within the id
    range of that day's items (ids are given in the order items are found, so a day's ids are
    a narrow range, and FTS5 seeks a rowid range directly). No statement ever materialises
    tens of thousands of matches.
    """

    def __init__(self, conn: Connection, q: str) -> None:
        self.terms = search_terms(q)
        self.postgres = conn.dialect.name == "postgresql"
        self.match = sqlite_match(self.terms)
        self.ids: list[int] | None = None
        if self.terms and not self.postgres:
            found = list(
                conn.execute(
                    text("SELECT rowid FROM items_fts WHERE items_fts MATCH :fts_q LIMIT :n"),
                    {"fts_q": self.match, "n": RARE_MATCHES + 1},
                ).scalars()
            )
            if len(found) <= RARE_MATCHES:
                self.ids = found

    def condition(self) -> ColumnElement[bool]:
        """For any statement of the page."""
        if not self.terms:
            return true()
        if self.postgres:
            clause = text(
                "to_tsvector('english', items.title || ' ' || items.summary)"
                " @@ to_tsquery('english', :fts_q)"
            ).bindparams(fts_q=postgres_tsquery(self.terms))
            return cast(ColumnElement[bool], clause)
        if self.ids is not None:
            return _listed(self.ids)
        seek = text("items_fts MATCH :fts_q AND items_fts.rowid = items.id").bindparams(
            fts_q=self.match
        )
        return exists(select(literal_column("1")).select_from(text("items_fts")).where(seek))

    def day_condition(
        self, conn: Connection, start: datetime, end: datetime
    ) -> ColumnElement[bool]:
        """For reading the items found between `start` and `end`."""
        if not self.terms or self.postgres or self.ids is not None:
            return self.condition()
        low, high = conn.execute(
            select(func.min(ITEMS.c.id), func.max(ITEMS.c.id)).where(
                ITEMS.c.first_seen >= start, ITEMS.c.first_seen < end
            )
        ).one()
        if low is None:
            return false()
        found = list(
            conn.execute(
                text(
                    "SELECT rowid FROM items_fts WHERE items_fts MATCH :fts_q"
                    " AND rowid BETWEEN :low AND :high LIMIT :n"
                ),
                {"fts_q": self.match, "low": low, "high": high, "n": 20 * RARE_MATCHES + 1},
            ).scalars()
        )
        if len(found) > 20 * RARE_MATCHES:  # the day's ids are spread wide: seek row by row
            return self.condition()
        return _listed(found)


def _listed(ids: Sequence[int]) -> ColumnElement[bool]:
    """`items.id` among `ids`, bound as one JSON parameter however many there are."""
    listed = (
        text("SELECT value FROM json_each(:listed_ids)")
        .bindparams(listed_ids=json.dumps(list(ids)))
        .columns(column("value", Integer))
        .subquery("listed_ids")
    )
    return ITEMS.c.id.in_(select(listed.c.value))
