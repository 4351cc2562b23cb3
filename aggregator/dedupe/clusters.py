"""Cross-source clusters: the same publication reached through different sources.

ARCHITECTURE 1, "Identify & dedupe": an item whose key is new to its source may still be a
publication another source already has (NSPCC writing up a Home Office response and linking to
it, the same PDF on two sites, near-identical titles on the same day). ``ClusterIndex`` finds
those items; ``publisher_of_record`` picks the member that published it. Pure: no database, no
clock, no network.

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

2. Title near-duplicates. The title is normalised (``normalise_title``, ``title_tokens``),
   cut into shingles of ``shingle`` consecutive words (default 1: a set of words, robust to
   reordering and to one edited word in a long title; several times cheaper to sign
   than character shingles) and summarised by a MinHash signature of ``num_perm`` values. Value
   ``i`` is the minimum over the shingles of ``h_i(blake2b_64(shingle))`` with
   ``h_i(x) = ((a_i·x + b_i) mod 2**128) >> 96``, the multiply-add-shift family, ``a_i`` and
   ``b_i`` drawn from ``random.Random(seed)``. The signature is cut into ``bands`` bands of
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

import hashlib
import random
import re
import struct
import sys
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from urllib.parse import urlsplit

from aggregator.normalise.text import clean_title
from aggregator.normalise.urls import canonical_url, url_key

__all__ = [
    "Candidate",
    "ClusterIndex",
    "MIN_TITLE_SHINGLES",
    "Match",
    "UNDATED_MIN_SIMILARITY",
    "normalise_title",
    "publisher_of_record",
    "title_tokens",
]

# A title match where either side has no publication date needs this much similarity.
UNDATED_MIN_SIMILARITY = 0.95
# Fewer distinct shingles than this and a title is too generic to match by title alone.
MIN_TITLE_SHINGLES = 3
# Rows cached per index (word → its num_perm hash values); cleared when it grows past this.
_ROW_CACHE_LIMIT = 50_000

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


# --- title normalisation -------------------------------------------------------------------

# Labels some sites put before the title ("Guidance: ", "News story: "); GOV.UK's document
# types and the generic labels our sources use. Only stripped when followed by a colon or a
# spaced dash or bar, so "Consultation responses to…" keeps its first word.
_TITLE_PREFIXES = (
    "accredited official statistics", "blog", "blog post", "briefing", "case study",
    "closed consultation", "collection", "consultation", "consultation outcome",
    "corporate report", "correspondence", "decision", "event", "form", "guidance",
    "impact assessment", "independent report", "national statistics", "news", "news story",
    "notice", "official statistics", "open consultation", "podcast", "policy paper",
    "press release", "promotional material", "regulation", "report", "research",
    "research and analysis", "speech", "statistical data set", "statistics",
    "statutory guidance", "transparency data", "webinar",
)  # fmt: skip
_PREFIX_RE = re.compile(
    r"^(?:"
    + "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in sorted(_TITLE_PREFIXES, key=len)[::-1])
    + r")\s*(?::|\s[-–—|])\s*",
    re.IGNORECASE,
)
_APOSTROPHE_S_RE = re.compile(r"['’]s\b")
_APOSTROPHE_RE = re.compile(r"['’]")
_NON_WORD_RE = re.compile(r"[^0-9a-z]+")

_STOP_WORDS = frozenset(
    {
        "a", "about", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has",
        "have", "how", "in", "into", "is", "it", "its", "of", "on", "or", "our", "that",
        "the", "their", "this", "to", "was", "we", "were", "what", "when", "which", "who",
        "why", "with", "you", "your",
    }
)  # fmt: skip
# US spellings fold to the British ones our publishers use.
_SPELLING = {
    "behavior": "behaviour", "behaviors": "behaviours", "behavioral": "behavioural",
    "center": "centre", "centers": "centres", "program": "programme",
    "programs": "programmes", "pediatric": "paediatric", "color": "colour",
    "counseling": "counselling", "counselor": "counsellor", "enrollment": "enrolment",
    "judgement": "judgment", "labor": "labour", "practise": "practice", "defense": "defence",
    "offense": "offence", "offenses": "offences", "license": "licence",
}  # fmt: skip
_IZE_RE = re.compile(r"(?<=[a-z]{3})iz(e|es|ed|ing|ation|ations|er|ers)$")


@lru_cache(maxsize=65536)
def _fold(word: str) -> str:
    """One word as a matching token: British spelling, no plural 's' (a key, never shown)."""
    word = _SPELLING.get(word, word)
    word = _IZE_RE.sub(r"is\1", word)
    if len(word) > 4:
        if word.endswith("ies"):
            return word[:-3] + "y"
        if word.endswith("s") and not word.endswith(("ss", "us", "is")):
            return word[:-1]
    return word


def normalise_title(title: str) -> str:
    """The title as compared: site prefixes and suffixes removed, accents and case folded,
    "&" read as "and", punctuation dropped, whitespace collapsed.

    ``"Guidance: Child Sexual Abuse – Mandatory Reporting - GOV.UK"`` gives
    ``"child sexual abuse mandatory reporting"``.
    """
    text = clean_title(title)
    for _ in range(2):  # "News story: Consultation outcome: …"
        stripped = _PREFIX_RE.sub("", text, count=1)
        if stripped == text or not stripped.strip():
            break
        text = stripped
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.casefold()
    text = text.replace("&", " and ")
    text = _APOSTROPHE_S_RE.sub("", text)
    text = _APOSTROPHE_RE.sub("", text)
    return " ".join(_NON_WORD_RE.sub(" ", text).split())


def title_tokens(title: str) -> list[str]:
    """The matching tokens of a title, in order: normalised words without stop words, with
    US spellings and plural endings folded."""
    return [_fold(w) for w in normalise_title(title).split() if w not in _STOP_WORDS]


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


# URLs already in canonical shape apart from scheme, host case, "www." and a trailing slash:
# ASCII, no port, user, query, fragment, escape or dot segment. Their url_key is computed here
# directly (a tenth of the time); everything else goes through url_key. A test checks both
# agree.
_SIMPLE_URL_RE = re.compile(
    r"https?://([a-z0-9-]+(?:\.[a-z0-9-]+)*)(/[a-z0-9._~!$'()*,;=:@/+-]*)?", re.IGNORECASE
)


def _url_key_or_none(url: str) -> str | None:
    m = _SIMPLE_URL_RE.fullmatch(url)
    if m is not None:
        host, path = m.group(1).lower(), m.group(2) or ""
        if "//" not in path and "/." not in path:
            host = host.removeprefix("www.")
            return host + path.rstrip("/") if path.strip("/") else host
    try:
        return url_key(url)
    except ValueError:
        return None


def _keys(urls: Iterable[str]) -> Iterator[tuple[str, str]]:
    """(url_key, url) for each http(s) URL; anything else (mailto:, junk) is skipped."""
    for url in urls:
        key = _url_key_or_none(url)
        if key is not None:
            yield key, url


def _utc(moment: datetime) -> datetime:
    """Aware datetimes converted to UTC; naive ones taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _shown(url: str) -> str:
    """A URL as shown in a reason: canonical (the raw form when it cannot be)."""
    try:
        return canonical_url(url)
    except ValueError:
        return url


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

        rng = random.Random(seed)
        # Multiply-add-shift on 64-bit inputs: h(x) = ((a·x + b) mod 2**128) >> 96. All
        # num_perm values are computed with one big-integer multiplication by packing the
        # a_i (and b_i) into 192-bit slots: a·x + b < 2**192, so slots never carry.
        a = [rng.getrandbits(128) | 1 for _ in range(num_perm)]
        b = [rng.getrandbits(128) for _ in range(num_perm)]
        self._packed_a = sum(v << (192 * i) for i, v in enumerate(a))
        self._packed_b = sum(v << (192 * i) for i, v in enumerate(b))
        self._nbytes = 24 * num_perm
        self._unpack = struct.Struct("<" + "12xI8x" * num_perm).unpack  # bits 96..127 of a slot
        self._row_cache: dict[str, tuple[int, ...]] = {}

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

    # --- MinHash ---------------------------------------------------------------------------

    def _shingles(self, norm: str) -> frozenset[str]:
        words = norm.split()
        k = self.shingle
        if k == 1:
            return frozenset(words)
        return frozenset(" ".join(words[i : i + k]) for i in range(len(words) - k + 1))

    def _row(self, shingle: str) -> tuple[int, ...]:
        row = self._row_cache.get(shingle)
        if row is None:
            x = int.from_bytes(
                hashlib.blake2b(shingle.encode("utf-8"), digest_size=8).digest(), "little"
            )
            packed = x * self._packed_a + self._packed_b
            row = self._unpack(packed.to_bytes(self._nbytes, "little"))
            if len(self._row_cache) >= _ROW_CACHE_LIMIT:
                self._row_cache.clear()
            self._row_cache[shingle] = row
        return row

    def signature(self, title: str) -> list[int]:
        """The MinHash signature of a title (empty when it has too few shingles)."""
        return self._signature(self._shingles(" ".join(title_tokens(title))))

    def _signature(self, shingles: frozenset[str]) -> list[int]:
        if len(shingles) < MIN_TITLE_SHINGLES:
            return []
        return list(map(min, zip(*[self._row(s) for s in shingles], strict=True)))

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
            url_key=_url_key_or_none(c.url),
            atts=list(_keys(c.attachment_urls)),
            links=list(_keys(c.link_urls)),
            norm=norm,
            shingles=shingles,
            bands=loose,
            strict=strict,
            day=_utc(c.published).toordinal() if c.published is not None else None,
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
        if p.url_key is not None:
            _put(self._by_url, p.url_key, iid)
        for k in entry.att_keys:
            _put(self._by_attachment, k, iid)
        for k in entry.link_keys:
            _put(self._by_link, k, iid)
        window, strict = self._bucket_keys(p.bands, p.strict, p.day)
        for buckets, key in zip(self._window, window, strict=False):
            _put(buckets, key, iid)
        for buckets, key in zip(self._strict, strict, strict=False):
            _put(buckets, key, iid)

    def remove(self, item_id: int) -> None:
        """Forget an item; unknown ids are ignored."""
        entry = self._entries.pop(item_id, None)
        if entry is None:
            return
        if entry.url_key is not None:
            _drop(self._by_url, entry.url_key, item_id)
        for k in entry.att_keys:
            _drop(self._by_attachment, k, item_id)
        for k in entry.link_keys:
            _drop(self._by_link, k, item_id)
        loose, strict_hashes = self._band_hashes(self._shingles(entry.norm))
        window, strict = self._bucket_keys(loose, strict_hashes, entry.day)
        for buckets, key in zip(self._window, window, strict=False):
            _drop(buckets, key, item_id)
        for buckets, key in zip(self._strict, strict, strict=False):
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
                offer(iid, "attachment", f"links to attachment {_shown(url)}")
        for key, url in p.atts:
            for iid in _get(self._by_attachment, key):
                offer(iid, "attachment", f"same attachment {_shown(url)}")
            for iid in _get(self._by_link, key):
                reason = f"attachment {_shown(url)} is linked from {entries[iid].url}"
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


# --- publisher of record ---------------------------------------------------------------------


def _site(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def _is_gov_uk(url: str) -> bool:
    site = _site(url)
    return site == "gov.uk" or site.endswith(".gov.uk")


def publisher_of_record(members: Sequence[Candidate]) -> Candidate:
    """The member of a cluster whose publisher actually published it.

    The rule, in order:

    1. the original: the member most pointed at by the others, counting another member's
       link to its URL, its URL being another member's attachment, and another member's link
       to one of its attachments (the NSPCC write-up links to the Home Office page, so the
       Home Office page is the original);
    2. then a member sharing an attachment with another member while hosting that file on
       its own site (``assets.publishing.service.gov.uk`` counts as ``gov.uk``);
    3. then a GOV.UK page (``gov.uk`` or a ``*.gov.uk`` site);
    4. then the earliest published (undated members last);
    5. then the lowest ``item_id``.
    """
    if not members:
        raise ValueError("publisher_of_record needs at least one member")

    def keys(urls: Iterable[str]) -> set[str]:
        return {k for k, _ in _keys(urls)}

    own = {m.item_id: keys([m.url]) for m in members}
    atts = {m.item_id: keys(m.attachment_urls) for m in members}
    links = {m.item_id: keys(m.link_urls) for m in members}

    def pointed_at(m: Candidate) -> int:
        count = 0
        for other in members:
            if other.item_id == m.item_id:
                continue
            if own[m.item_id] & (links[other.item_id] | atts[other.item_id]) or (
                atts[m.item_id] & links[other.item_id]
            ):
                count += 1
        return count

    def hosts_shared_attachment(m: Candidate) -> bool:
        site = _site(m.url)
        shared = set().union(
            *(atts[m.item_id] & atts[o.item_id] for o in members if o.item_id != m.item_id)
        )
        for key in shared:
            host = key.split("/", 1)[0].split("@")[-1].split(":")[0]
            if host == site or host.endswith("." + site):
                return True
        return False

    def rank(m: Candidate) -> tuple[int, int, int, int, float, int]:
        published = _utc(m.published).timestamp() if m.published is not None else float("inf")
        return (
            -pointed_at(m),
            0 if hosts_shared_attachment(m) else 1,
            0 if _is_gov_uk(m.url) else 1,
            0 if m.published is not None else 1,
            published,
            m.item_id,
        )

    return min(members, key=rank)
