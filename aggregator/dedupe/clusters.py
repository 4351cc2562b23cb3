"""Cross-source clusters: the same publication reached through different sources.

ARCHITECTURE 1, "Identify & dedupe": an item whose key is new to its source may still be a
publication another source already has (NSPCC writing up a Home Office response and linking to
it, the same PDF on two sites, near-identical titles on the same day). ``ClusterIndex`` finds
those items; ``publisher_of_record`` (publisher.py) picks the member that published it. Pure:
no database, no clock, no network.

Matching, for a candidate ``c`` against the indexed items of *other* sources (same-source
identity is the job of keys and aliases, so items of one source never match here):

1. Exact signals, by dictionary look-up on ``url_key`` forms (scheme, ``www.``, trailing slash,
   tracking parameters and fragments never matter):

   - ``url``: both have the same URL;
   - ``link``: ``c`` links to the indexed item's URL, or the indexed item links to ``c``'s URL;
   - ``attachment``: a shared attachment, one item links to the other's attachment, or one's
     attachment is the other's URL.

   Two items that merely link to the same third page are *not* matched: hub pages (a
   statutory guidance page, a donation page) are linked from hundreds of unrelated items.

2. Title near-duplicates. The title is normalised (``normalise_title``, ``title_tokens``:
   titles.py),
   cut into shingles of ``shingle`` consecutive words (default 1: a set of words, robust to
   reordering and to one edited word in a long title; several times cheaper to sign
   than character shingles) and summarised by a MinHash signature of ``num_perm`` values
   (minhash.py). The signature is cut into ``bands`` bands of
   ``num_perm // bands`` rows and each band is hashed to a bucket (see ``ClusterIndex`` for how
   dates enter the bucket key). Only items sharing a bucket are candidates: nothing compares
   every pair. Each candidate from another source is then verified exactly: the true Jaccard
   similarity of the two shingle sets must be at least ``title_threshold`` and the dates
   compatible (both dated and at most ``max_date_gap_days`` apart, or either undated and a
   Jaccard of at least ``UNDATED_MIN_SIMILARITY``). Titles with fewer than
   ``MIN_TITLE_SHINGLES`` shingles ("Annual report") are too generic to match by title.

With the defaults (128 values, 16 bands of 8 rows) a pair at Jaccard 0.8 shares a bucket with
probability 1 - (1 - 0.8**8)**16 ≈ 0.95, at 0.9 ≈ 1.0, at 0.5 ≈ 0.06 and at 0.3 ≈ 0.001. Fewer
rows (64 values in 16 bands of 4) let through so many pairs of merely related titles (0.3–0.6:
"Leeds safeguarding children partnership: evidence review on …") that candidates per item
grow with the index (4.2× from 10k to 100k in the benchmark corpus); ``bench/dedupe_bench.py``
measures the defaults to 1M items (docs/benchmarks.md).

Known limit: titles that differ in one word of ten are matched when published within the gap,
even when that word is the place ("Leeds …" / "Bradford … partnership annual report"); the
reason gives the similarity and the date gap so that an editor can judge.

``ClusterIndex.scorer_calls`` counts exact verifications and ``candidate_count`` the LSH
candidates examined, so a test can prove that no all-pairs comparison has crept back.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from aggregator.dedupe.minhash import MinHash
from aggregator.dedupe.titles import title_tokens
from aggregator.dedupe.url_keys import shown_url, url_key_or_none, url_keys

__all__ = [
    "Candidate",
    "ClusterIndex",
    "MIN_TITLE_SHINGLES",
    "Match",
    "UNDATED_MIN_SIMILARITY",
    "as_utc",
]

# A title match where either side has no publication date needs this much similarity.
UNDATED_MIN_SIMILARITY = 0.95
# Fewer distinct shingles than this and a title is too generic to match by title alone.
MIN_TITLE_SHINGLES = 3
# Match kinds, strongest first: an exact URL signal outranks title similarity.
_KIND_RANK = {"url": 0, "attachment": 1, "link": 2, "title": 3}


@dataclass(frozen=True, slots=True)
class Candidate:
    """What the cluster index needs to know about one item."""

    item_id: int
    source: str
    publisher: str
    url: str  # canonical
    title: str
    published: datetime | None  # UTC
    attachment_urls: tuple[str, ...] = ()
    link_urls: tuple[str, ...] = ()  # outbound links found on the page


@dataclass(frozen=True, slots=True)
class Match:
    """An already-indexed item that is the same publication, and why."""

    item_id: int  # the already-indexed item matched
    reason: str  # human readable, e.g. "links to https://www.gov.uk/…"
    kind: str  # "url" | "attachment" | "link" | "title"
    score: float


def as_utc(moment: datetime) -> datetime:
    """Aware datetimes converted to UTC; naive ones taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


# --- helpers for int-or-list dictionaries (most keys have one item: store the int) -----------

_Bucket = dict[object, "int | list[int]"]


def _put(d: _Bucket, key: object, item_id: int) -> None:
    # Callers never put the same (key, id) twice (add() removes an id first and de-duplicates
    # its keys), so no membership scan: a hub URL can be linked from 100,000 items.
    cur = d.get(key)
    if cur is None:
        d[key] = item_id
    elif isinstance(cur, int):
        d[key] = [cur, item_id]
    else:
        cur.append(item_id)


def _drop(d: _Bucket, key: object, item_id: int) -> None:
    cur = d.get(key)
    if cur is None:
        return
    if isinstance(cur, int):
        if cur == item_id:
            del d[key]
        return
    if item_id in cur:
        cur.remove(item_id)
    if len(cur) == 1:
        d[key] = cur[0]
    elif not cur:
        del d[key]


def _get(d: _Bucket, key: object) -> tuple[int, ...] | list[int]:
    cur = d.get(key)
    if cur is None:
        return ()
    if isinstance(cur, int):
        return (cur,)
    return cur


class _Entry:
    """What the index keeps per item: ints and short strings, no signatures or shingle sets."""

    __slots__ = ("source", "url", "norm", "day", "att_keys", "link_keys", "url_key")

    def __init__(
        self,
        source: str,
        url: str,
        url_key: str | None,
        norm: str,
        day: int | None,
        att_keys: tuple[str, ...],
        link_keys: tuple[str, ...],
    ) -> None:
        self.source = source
        self.url = url
        self.url_key = url_key
        self.norm = norm  # matching tokens joined by spaces (shingles are recomputed from it)
        self.day = day  # proleptic ordinal of the UTC publication date
        self.att_keys = att_keys
        self.link_keys = link_keys


class _Prepared:
    """A candidate's derived forms, computed once per call (and memoised for match-then-add)."""

    __slots__ = ("url_key", "atts", "links", "norm", "shingles", "bands", "strict", "day")

    def __init__(
        self,
        url_key: str | None,
        atts: list[tuple[str, str]],
        links: list[tuple[str, str]],
        norm: str,
        shingles: frozenset[str],
        bands: list[int],
        strict: list[int],
        day: int | None,
    ) -> None:
        self.url_key = url_key
        self.atts = atts
        self.links = links
        self.norm = norm
        self.shingles = shingles
        self.bands = bands
        self.strict = strict
        self.day = day


class ClusterIndex:
    """An in-memory index of items, answering "which indexed items are this publication?".

    ``add`` indexes an item (re-adding an id replaces it), ``remove`` forgets it, ``matches``
    lists the indexed items of other sources that are the same publication, best first
    (exact URL signals before title similarity), each with the reason. ``matches`` never
    returns the candidate's own id and does not change the index.

    Title buckets. A title match between dated items needs their dates within
    ``max_date_gap_days``, so the ``bands`` buckets of a dated item are keyed by the band and a
    date bin of ``2·gap + 1`` days, and a dated query looks in the (at most two) bins its
    window overlaps: candidates come from a fortnight, not from the whole history. A match
    with an undated item needs a similarity of at least ``UNDATED_MIN_SIMILARITY``, so every
    item is also banded, without dates, into ``bands // 2`` stricter bands of twice the rows
    (16 with the defaults: a pair at 0.95 collides with probability 0.99, at 0.6 with 0.002);
    an undated query looks there for everything, a dated query for undated items only.
    """

    def __init__(
        self,
        *,
        num_perm: int = 128,
        bands: int = 16,
        shingle: int = 1,
        seed: int = 1,
        title_threshold: float = 0.8,
        max_date_gap_days: int = 3,
    ) -> None:
        if num_perm <= 0 or bands <= 0 or num_perm % bands:
            raise ValueError(f"num_perm ({num_perm}) must be a positive multiple of bands")
        if shingle < 1:
            raise ValueError(f"shingle must be at least 1: {shingle}")
        if max_date_gap_days < 0:
            raise ValueError(f"max_date_gap_days must not be negative: {max_date_gap_days}")
        self.num_perm = num_perm
        self.bands = bands
        self.rows = num_perm // bands
        self.strict_bands = max(1, bands // 2)
        self.strict_rows = num_perm // self.strict_bands
        self.shingle = shingle
        self.seed = seed
        self.title_threshold = title_threshold
        self.max_date_gap_days = max_date_gap_days
        self._bin_days = 2 * max_date_gap_days + 1
        self.scorer_calls = 0
        self.candidate_count = 0

        self._minhash = MinHash(num_perm, seed)

        self._entries: dict[int, _Entry] = {}
        self._by_url: _Bucket = {}
        self._by_attachment: _Bucket = {}
        self._by_link: _Bucket = {}
        self._window: list[_Bucket] = [{} for _ in range(bands)]  # (band, date bin) → ids
        self._strict: list[_Bucket] = [{} for _ in range(self.strict_bands)]  # (band, dated)
        self._memo: tuple[Candidate, _Prepared] | None = None

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._entries

    # --- MinHash LSH -----------------------------------------------------------------------

    def _shingles(self, norm: str) -> frozenset[str]:
        words = norm.split()
        k = self.shingle
        if k == 1:
            return frozenset(words)
        return frozenset(" ".join(words[i : i + k]) for i in range(len(words) - k + 1))

    def signature(self, title: str) -> list[int]:
        """The MinHash signature of a title (empty when it has too few shingles)."""
        return self._signature(self._shingles(" ".join(title_tokens(title))))

    def _signature(self, shingles: frozenset[str]) -> list[int]:
        if len(shingles) < MIN_TITLE_SHINGLES:
            return []
        return self._minhash.signature(shingles)

    def _band_hashes(self, shingles: frozenset[str]) -> tuple[list[int], list[int]]:
        """The loose band hashes (``bands`` of ``rows``) and the strict ones."""
        sig = self._signature(shingles)
        if not sig:
            return [], []
        r, sr = self.rows, self.strict_rows
        loose = [hash(tuple(sig[i : i + r])) for i in range(0, self.num_perm, r)]
        strict = [hash(tuple(sig[i * sr : (i + 1) * sr])) for i in range(self.strict_bands)]
        return loose, strict

    # --- indexing --------------------------------------------------------------------------

    def _prepare(self, c: Candidate) -> _Prepared:
        memo = self._memo
        if memo is not None and memo[0] is c:
            return memo[1]
        norm = " ".join(title_tokens(c.title))
        shingles = self._shingles(norm)
        loose, strict = self._band_hashes(shingles)
        prepared = _Prepared(
            url_key=url_key_or_none(c.url),
            atts=list(url_keys(c.attachment_urls)),
            links=list(url_keys(c.link_urls)),
            norm=norm,
            shingles=shingles,
            bands=loose,
            strict=strict,
            day=as_utc(c.published).toordinal() if c.published is not None else None,
        )
        self._memo = (c, prepared)
        return prepared

    def _bucket_keys(
        self, loose: list[int], strict: list[int], day: int | None
    ) -> tuple[list[int], list[int]]:
        """Where an item with these band hashes and date is stored."""
        window = [] if day is None else [hash((h, day // self._bin_days)) for h in loose]
        dated = 0 if day is None else 1
        return window, [hash((h, dated)) for h in strict]

    def _places(
        self, entry: _Entry, loose: list[int], strict: list[int]
    ) -> Iterator[tuple[_Bucket, object]]:
        """Every (dictionary, key) an entry is filed under: ``add`` and ``remove`` walk the
        same places, so nothing is left behind."""
        if entry.url_key is not None:
            yield self._by_url, entry.url_key
        for k in entry.att_keys:
            yield self._by_attachment, k
        for k in entry.link_keys:
            yield self._by_link, k
        window, strict_keys = self._bucket_keys(loose, strict, entry.day)
        yield from zip(self._window, window, strict=False)
        yield from zip(self._strict, strict_keys, strict=False)

    def add(self, c: Candidate) -> None:
        """Index ``c``; an item already indexed under ``c.item_id`` is replaced."""
        if c.item_id in self._entries:
            self.remove(c.item_id)
        p = self._prepare(c)
        iid = c.item_id
        entry = _Entry(
            source=sys.intern(c.source),
            url=c.url,
            url_key=p.url_key,
            norm=p.norm,
            day=p.day,
            att_keys=tuple(dict.fromkeys(k for k, _ in p.atts)),
            link_keys=tuple(dict.fromkeys(k for k, _ in p.links)),
        )
        self._entries[iid] = entry
        for buckets, key in self._places(entry, p.bands, p.strict):
            _put(buckets, key, iid)

    def remove(self, item_id: int) -> None:
        """Forget an item; unknown ids are ignored."""
        entry = self._entries.pop(item_id, None)
        if entry is None:
            return
        loose, strict = self._band_hashes(self._shingles(entry.norm))
        for buckets, key in self._places(entry, loose, strict):
            _drop(buckets, key, item_id)
        self._memo = None

    # --- matching --------------------------------------------------------------------------

    def _title_candidates(self, p: _Prepared) -> set[int]:
        """Ids sharing a bucket with ``p``: its date window's loose buckets and the strict
        buckets of undated items (of every item, when ``p`` is undated)."""
        found: set[int] = set()

        def collect(cur: int | list[int] | None) -> None:
            if cur is None:
                return
            if isinstance(cur, int):
                found.add(cur)
            else:
                found.update(cur)

        if p.day is not None:
            gap, width = self.max_date_gap_days, self._bin_days
            bins = {(p.day - gap) // width, (p.day + gap) // width}
            for buckets, h in zip(self._window, p.bands, strict=True):
                for date_bin in bins:
                    collect(buckets.get(hash((h, date_bin))))
            flags: tuple[int, ...] = (0,)
        else:
            flags = (0, 1)
        for buckets, h in zip(self._strict, p.strict, strict=True):
            for dated in flags:
                collect(buckets.get(hash((h, dated))))
        return found

    def matches(self, c: Candidate) -> list[Match]:
        """The indexed items of other sources that are the same publication as ``c``, best
        first: exact URL signals (url, attachment, link) before title similarity, then by
        score, then by id. One match per indexed item, carrying its strongest reason."""
        p = self._prepare(c)
        found: dict[int, Match] = {}
        entries = self._entries

        def offer(iid: int, kind: str, reason: str, score: float = 1.0) -> None:
            if iid == c.item_id:
                return
            entry = entries[iid]
            if entry.source == c.source:
                return
            best = found.get(iid)
            if best is None or (_KIND_RANK[kind], -score) < (_KIND_RANK[best.kind], -best.score):
                found[iid] = Match(item_id=iid, reason=reason, kind=kind, score=score)

        if p.url_key is not None:
            for iid in _get(self._by_url, p.url_key):
                offer(iid, "url", "same canonical URL")
            for iid in _get(self._by_link, p.url_key):
                offer(iid, "link", f"linked from {entries[iid].url}")
            for iid in _get(self._by_attachment, p.url_key):
                offer(iid, "attachment", f"its URL is an attachment of {entries[iid].url}")
        for key, url in p.links:
            for iid in _get(self._by_url, key):
                offer(iid, "link", f"links to {entries[iid].url}")
            for iid in _get(self._by_attachment, key):
                offer(iid, "attachment", f"links to attachment {shown_url(url)}")
        for key, url in p.atts:
            for iid in _get(self._by_attachment, key):
                offer(iid, "attachment", f"same attachment {shown_url(url)}")
            for iid in _get(self._by_link, key):
                reason = f"attachment {shown_url(url)} is linked from {entries[iid].url}"
                offer(iid, "attachment", reason)
            for iid in _get(self._by_url, key):
                offer(iid, "attachment", f"has attachment {entries[iid].url}, the matched item")

        if p.bands:
            candidates = self._title_candidates(p)
            candidates.discard(c.item_id)
            self.candidate_count += len(candidates)
            for iid in candidates:
                entry = entries[iid]
                if iid in found or entry.source == c.source:
                    continue
                verdict = self._verify(p, entry)
                if verdict is not None:
                    score, reason = verdict
                    offer(iid, "title", reason, score)

        return sorted(found.values(), key=lambda m: (_KIND_RANK[m.kind], -m.score, m.item_id))

    def _verify(self, p: _Prepared, entry: _Entry) -> tuple[float, str] | None:
        """The exact pairwise scorer: true Jaccard of the shingle sets and the date rule."""
        self.scorer_calls += 1
        theirs = self._shingles(entry.norm)
        common = len(p.shingles & theirs)
        if not common:
            return None
        similarity = common / (len(p.shingles) + len(theirs) - common)
        if similarity < self.title_threshold:
            return None
        if p.day is None or entry.day is None:
            if similarity < UNDATED_MIN_SIMILARITY:
                return None
            when = "undated"
        else:
            gap = abs(p.day - entry.day)
            if gap > self.max_date_gap_days:
                return None
            when = (
                "published the same day"
                if gap == 0
                else f"published {gap} day{'s' if gap > 1 else ''} apart"
            )
        return similarity, f"title similarity {similarity:.2f}, {when}"
