"""Classification: document type, topics, UK nations and safeguarding relevance, with evidence.

Every decision says why (docs/classification.md):
- **Document type** from the publisher's own label (a GOV.UK `content_store_document_type` or
  display type, an NSPCC "Topics:" value or URL series, an Internet Matters hub section, a UK
  Trauma Council page kind), refined by title cues (": CASPAR briefing", "Evaluation of…",
  "Webinar:"), else from the URL series, else from title cues alone.
- **Nations** from GOV.UK applicability ("Applies to England"), else from text cues in the
  title and summary ("in England", "Welsh Government", "across the UK").
- **Topics and relevance** from the vocabulary in `aggregator/data/vocabulary.json`: phrases
  matched in the title, summary and body, weighted by field (title > summary > body); negative
  cues (immigration, police pay, NHS workforce…) subtract. Below the threshold an item is
  "probably not safeguarding": kept, searchable, shown on request.

Everything here is a pure function of its inputs: no network, no clock, no database.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from aggregator.schema import DocType, Item

# --- document type --------------------------------------------------------------------------

# Publisher labels, lower-cased, to the controlled list. GOV.UK groupings follow
# alphagov/govuk_document_types supertypes (sources.md 8.2).
TYPE_LABELS: dict[str, DocType] = {
    # GOV.UK content_store_document_type
    "consultation_outcome": DocType.CONSULTATION_RESPONSE,
    "open_consultation": DocType.CONSULTATION,
    "closed_consultation": DocType.CONSULTATION,
    "consultation": DocType.CONSULTATION,
    "guidance": DocType.GUIDANCE,
    "detailed_guide": DocType.GUIDANCE,
    "manual": DocType.GUIDANCE,
    "statutory_guidance": DocType.STATUTORY_GUIDANCE,
    "research": DocType.REPORT,
    "independent_report": DocType.REPORT,
    "corporate_report": DocType.REPORT,
    "policy_paper": DocType.POLICY_PAPER,
    "impact_assessment": DocType.POLICY_PAPER,
    "news_story": DocType.NEWS,
    "press_release": DocType.NEWS,
    "speech": DocType.NEWS,
    "written_statement": DocType.NEWS,
    "oral_statement": DocType.NEWS,
    "correspondence": DocType.NEWS,
    "government_response": DocType.CONSULTATION_RESPONSE,
    "official_statistics": DocType.STATISTICS,
    "national_statistics": DocType.STATISTICS,
    "statistical_data_set": DocType.STATISTICS,
    "statistics_announcement": DocType.STATISTICS,
    "transparency": DocType.STATISTICS,
    "form": DocType.RESOURCE,
    # GOV.UK display types (organisation Atom feed categories)
    "consultation outcome": DocType.CONSULTATION_RESPONSE,
    "open consultation": DocType.CONSULTATION,
    "closed consultation": DocType.CONSULTATION,
    "statutory guidance": DocType.STATUTORY_GUIDANCE,
    "research and analysis": DocType.REPORT,
    "independent report": DocType.REPORT,
    "corporate report": DocType.REPORT,
    "policy paper": DocType.POLICY_PAPER,
    "news story": DocType.NEWS,
    "press release": DocType.NEWS,
    "official statistics": DocType.STATISTICS,
    "national statistics": DocType.STATISTICS,
    "transparency data": DocType.STATISTICS,
    "detailed guide": DocType.GUIDANCE,
    # NSPCC "Topics:" values and series
    "news": DocType.NEWS,
    "blog": DocType.NEWS,
    "podcast": DocType.PODCAST,
    "learning-from-case-reviews": DocType.BRIEFING,
    "practice-points-series": DocType.BRIEFING,
    "schools": DocType.BRIEFING,
    "research-resources": DocType.REPORT,
    # Internet Matters hub sections
    "hub-research": DocType.REPORT,
    "hub-guidance": DocType.GUIDANCE,
    "hub-news-blogs": DocType.NEWS,
    "hub-esafety-news": DocType.NEWS,
    # UK Trauma Council
    "resource": DocType.RESOURCE,
    "event": DocType.EVENT,
    "webinar": DocType.EVENT,
    # Generic
    "report": DocType.REPORT,
    "evaluation": DocType.EVALUATION,
    "statistics": DocType.STATISTICS,
}

_NSPCC_TOPICS = {"news", "blog", "podcast"}


@dataclass(frozen=True)
class _TitleCue:
    pattern: re.Pattern[str]
    kind: DocType
    label: str  # as shown in evidence
    refines: frozenset[DocType] = frozenset()  # publisher types this cue may override


_ANY: frozenset[DocType] = frozenset(DocType)

# A cue overrides a publisher's label only where the label is known to be coarse (`refines`):
# NSPCC files CASPAR briefings in dated research paths, GOV.UK files evaluations as "research",
# news posts announce webinars. Without any label or URL series, every cue applies.
TITLE_CUES: tuple[_TitleCue, ...] = (
    _TitleCue(
        re.compile(r":\s*CASPAR briefing\s*$", re.I), DocType.BRIEFING, ": CASPAR briefing", _ANY
    ),
    _TitleCue(
        re.compile(r"learning from case reviews", re.I),
        DocType.BRIEFING,
        "learning from case reviews",
        frozenset({DocType.REPORT, DocType.NEWS}),
    ),
    _TitleCue(
        re.compile(r"^podcast:", re.I), DocType.PODCAST, "Podcast:", frozenset({DocType.NEWS})
    ),
    _TitleCue(
        re.compile(r"\b(webinars?|live sessions?|workshops?)\b", re.I),
        DocType.EVENT,
        "webinar / live session / workshop",
        frozenset({DocType.NEWS}),
    ),
    _TitleCue(
        re.compile(r"\bevaluation\b", re.I),
        DocType.EVALUATION,
        "evaluation",
        frozenset({DocType.REPORT}),
    ),
    _TitleCue(
        re.compile(r"^statistics\b|\bstatistics briefing\b", re.I),
        DocType.STATISTICS,
        "statistics",
        frozenset({DocType.REPORT}),
    ),
    _TitleCue(
        re.compile(r"\bconsultation response\b|\bgovernment response\b", re.I),
        DocType.CONSULTATION_RESPONSE,
        "government response",
    ),
    _TitleCue(re.compile(r"\bconsultation\b", re.I), DocType.CONSULTATION, "consultation"),
    _TitleCue(
        re.compile(r"\bstatutory guidance\b", re.I),
        DocType.STATUTORY_GUIDANCE,
        "statutory guidance",
    ),
    _TitleCue(re.compile(r"\b(guidance|guide)\b", re.I), DocType.GUIDANCE, "guidance"),
    _TitleCue(re.compile(r"\b(report|research)\b", re.I), DocType.REPORT, "report"),
)

# URL series: (host suffix, path pattern, type, label). Used when there is no known label.
URL_SERIES: tuple[tuple[str, re.Pattern[str], DocType], ...] = (
    (
        "learning.nspcc.org.uk",
        re.compile(r"^/research-resources/learning-from-case-reviews/"),
        DocType.BRIEFING,
    ),
    (
        "learning.nspcc.org.uk",
        re.compile(r"^/research-resources/practice-points-series/"),
        DocType.BRIEFING,
    ),
    ("learning.nspcc.org.uk", re.compile(r"^/research-resources/schools/"), DocType.BRIEFING),
    ("learning.nspcc.org.uk", re.compile(r"^/research-resources/\d{4}/"), DocType.REPORT),
    ("learning.nspcc.org.uk", re.compile(r"^/news/"), DocType.NEWS),
    ("internetmatters.org", re.compile(r"^/hub/research/"), DocType.REPORT),
    ("internetmatters.org", re.compile(r"^/hub/guidance/"), DocType.GUIDANCE),
    ("internetmatters.org", re.compile(r"^/hub/(news-blogs|esafety-news)/"), DocType.NEWS),
    ("internetmatters.org", re.compile(r"^/advice/"), DocType.GUIDANCE),
    ("uktraumacouncil.org", re.compile(r"^/resource/"), DocType.RESOURCE),
    ("uktraumacouncil.org", re.compile(r"^/events?/"), DocType.EVENT),
    ("uktraumacouncil.org", re.compile(r"^/news/"), DocType.NEWS),
    ("gov.uk", re.compile(r"^/government/consultations/"), DocType.CONSULTATION),
    ("gov.uk", re.compile(r"^/government/statistics/"), DocType.STATISTICS),
    ("gov.uk", re.compile(r"^/government/(news|speeches)/"), DocType.NEWS),
    ("gov.uk", re.compile(r"^/guidance/"), DocType.GUIDANCE),
    ("lucyfaithfull.org.uk", re.compile(r"^/featured-news/"), DocType.NEWS),
)


def _label_evidence(source: str, url: str, hint: str) -> str:
    host = urlsplit(url).hostname or ""
    if source in ("home_office", "dhsc") or host.endswith("gov.uk"):
        if re.fullmatch(r"[a-z_]+", hint):
            return f"GOV.UK content_store_document_type={hint}"
        return f"GOV.UK display type '{hint}'"
    if source == "nspcc" or host.endswith("nspcc.org.uk"):
        if hint.lower() in _NSPCC_TOPICS:
            return f"NSPCC Topics: {hint}"
        return f"NSPCC URL series {hint}"
    if source == "internet_matters" or host.endswith("internetmatters.org"):
        return f"Internet Matters hub section {hint}"
    if source == "uk_trauma_council" or host.endswith("uktraumacouncil.org"):
        return f"UK Trauma Council page kind '{hint}'"
    return f"publisher label '{hint}'"


def _url_series(url: str) -> tuple[DocType, str] | None:
    parts = urlsplit(url)
    host, path = parts.hostname or "", parts.path
    for suffix, pattern, kind in URL_SERIES:
        if (host == suffix or host.endswith("." + suffix)) and pattern.search(path):
            return kind, f"URL series '{pattern.pattern.lstrip('^')}'"
    return None


def decide_doc_type(
    type_hint: str | None, title: str = "", url: str = "", source: str = ""
) -> tuple[DocType, str]:
    """The controlled document type and the evidence for it.

    Order: the publisher's label (refined by a title cue where the label is coarse), else the
    URL series (refined the same way), else a title cue, else OTHER.
    """
    base: tuple[DocType, str] | None = None
    if type_hint:
        found = TYPE_LABELS.get(type_hint.strip().lower())
        if found:
            base = (found, _label_evidence(source, url, type_hint.strip()))
    if base is None and url:
        base = _url_series(url)
    for cue in TITLE_CUES:
        if not cue.pattern.search(title):
            continue
        if base is None or (cue.refines is _ANY and base[0] == cue.kind):
            return cue.kind, f"title cue '{cue.label}'"
        if base[0] in cue.refines and base[0] != cue.kind:
            return cue.kind, f"title cue '{cue.label}' (publisher says: {base[1]})"
    if base is not None:
        return base
    return DocType.OTHER, "no publisher label, URL series or title cue"


def doc_type(type_hint: str | None, title: str = "", url: str = "") -> DocType:
    """The controlled document type for a publisher's label, URL and title (see decide_doc_type)."""
    return decide_doc_type(type_hint, title, url)[0]


# --- nations --------------------------------------------------------------------------------

NATIONS = ("England", "Wales", "Scotland", "Northern Ireland")
UK_WIDE = "UK-wide"


def nations(hints: list[str]) -> list[str]:
    """The UK nations the publisher says an item applies to, in a fixed order.

    All four nations together are reported as UK-wide.
    """
    wanted = {h.strip().lower() for h in hints}
    found = [n for n in NATIONS if n.lower() in wanted]
    if len(found) == len(NATIONS) or "uk-wide" in wanted or "united kingdom" in wanted:
        return [UK_WIDE]
    return found


NATION_CUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("England", re.compile(r"\bEngland\b")),
    ("Wales", re.compile(r"(?<!New South )\bWales\b|\bWelsh Government\b|\bSenedd\b")),
    ("Scotland", re.compile(r"\bScotland\b|\bScottish\b")),
    ("Northern Ireland", re.compile(r"\bNorthern Ireland\b|\bNorthern Irish\b")),
    (
        UK_WIDE,
        re.compile(
            r"\bUK-wide\b|\b(across|throughout) the (UK|United Kingdom)\b|\ball four nations\b"
            r"|\bfour (UK )?nations\b|\beach nation of the UK\b|\bfor the UK\b",
            re.I,
        ),
    ),
)


def decide_nations(
    hints: list[str], title: str, summary: str
) -> tuple[list[str], list[dict[str, str]]]:
    """Nations from the publisher's applicability, else from text cues in title and summary."""
    from_hints = nations(hints)
    if from_hints:
        return from_hints, [
            {"nation": n, "field": "applicability", "cue": ", ".join(h.strip() for h in hints)}
            for n in from_hints
        ]
    found: dict[str, dict[str, str]] = {}
    for field_name, text in (("title", title), ("summary", summary)):
        for nation, pattern in NATION_CUES:
            match = pattern.search(text)
            if match and nation not in found:
                found[nation] = {"nation": nation, "field": field_name, "cue": match.group(0)}
    if UK_WIDE in found or all(n in found for n in NATIONS):
        evidence = found.get(UK_WIDE) or {
            "nation": UK_WIDE,
            "field": "title+summary",
            "cue": "all four nations named",
        }
        return [UK_WIDE], [evidence]
    chosen = [n for n in NATIONS if n in found]
    return chosen, [found[n] for n in chosen]


# --- vocabulary -----------------------------------------------------------------------------

FIELDS = ("title", "summary", "body")
PhraseKind = Literal["topic", "cue", "negative"]

_ACRONYM = re.compile(r"^[A-Z]{2,7}s?$")
_SEPARATOR = re.compile(r"([\s\-‐‑]+)")


@dataclass(frozen=True)
class Phrase:
    """One vocabulary phrase, compiled."""

    text: str
    weight: float
    kind: PhraseKind
    topic: str | None
    pattern: re.Pattern[str]


def compile_phrase(
    text: str, variants: list[tuple[str, str]], case_sensitive: bool | None = None
) -> re.Pattern[str]:
    """The regex for a vocabulary phrase (whole words; see docs/classification.md).

    Acronyms written in capitals match case-sensitively ("CSE", not "cse"); a trailing `*`
    matches any word ending; a plural s/es is allowed; a space or hyphen matches either (or
    none, for a hyphen); an apostrophe is optional; UK/US spelling pairs are interchangeable.
    """
    phrase = normalise_quotes(text.strip())
    if case_sensitive is None:
        case_sensitive = bool(_ACRONYM.match(phrase))
    prefix = phrase.endswith("*")
    if prefix:
        phrase = phrase[:-1]
    pieces: list[str] = []
    for part in _SEPARATOR.split(phrase):
        if not part:
            continue
        if _SEPARATOR.fullmatch(part):
            pieces.append(r"[\s\-‐‑]+" if part.strip() == "" else r"[\s\-‐‑]?")
            continue
        pieces.append(_word_pattern(part, variants))
    ending = r"\w*" if prefix else r"(?:s|es)?"
    flags = 0 if case_sensitive else re.IGNORECASE
    return re.compile(r"(?<!\w)" + "".join(pieces) + ending + r"(?!\w)", flags)


def _word_pattern(word: str, variants: list[tuple[str, str]]) -> str:
    out: list[str] = []
    i = 0
    lower = word.lower()
    while i < len(word):
        for uk, us in variants:
            if lower.startswith(uk, i):
                out.append(f"(?:{re.escape(uk)}|{re.escape(us)})")
                i += len(uk)
                break
        else:
            char = word[i]
            out.append("'?" if char == "'" else re.escape(char))
            i += 1
    return "".join(out)


_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "\u00a0": " "})


def normalise_quotes(text: str) -> str:
    """Curly quotes as straight ones and no-break spaces as spaces, so a phrase matches
    however the publisher typed it."""
    return text.translate(_QUOTES)


class Vocabulary:
    """The topics, cues, negative cues, weights and threshold of `vocabulary.json`."""

    def __init__(self, data: dict[str, Any], version: str | None = None) -> None:
        self.data = data
        self.version = version or _digest(
            json.dumps(data, sort_keys=True, ensure_ascii=False).encode("utf-8")
        )
        self.threshold = float(data["threshold"])
        self.topic_threshold = float(data.get("topic_threshold", 0.5))
        self.field_weights = {f: float(data["field_weights"][f]) for f in FIELDS}
        self.body_cap = float(data.get("body_cap", 0.5))
        variants = [(uk.lower(), us.lower()) for uk, us in data.get("spelling_variants", [])]
        self.topics: list[str] = [t["label"] for t in data["topics"]]
        self.descriptions = {t["label"]: t.get("description", "") for t in data["topics"]}
        phrases: list[Phrase] = []
        for topic in data["topics"]:
            for entry in topic["phrases"]:
                phrases.append(
                    _phrase(entry, "topic", topic["label"], float(topic["weight"]), variants)
                )
        for entry in data.get("relevance_cues", {}).get("phrases", []):
            phrases.append(_phrase(entry, "cue", None, 0.3, variants))
        for entry in data.get("negative_cues", {}).get("phrases", []):
            phrases.append(_phrase(entry, "negative", None, 1.0, variants))
        self.phrases = phrases

    @classmethod
    def load(cls, path: Path | str | None = None) -> Vocabulary:
        """The vocabulary at `path`, or the packaged one (cached) when None."""
        if path is None:
            return _packaged()
        raw = Path(path).read_bytes()
        return cls(json.loads(raw), _digest(raw))


def _phrase(
    entry: str | dict[str, Any],
    kind: PhraseKind,
    topic: str | None,
    default_weight: float,
    variants: list[tuple[str, str]],
) -> Phrase:
    if isinstance(entry, str):
        text, weight, case_sensitive = entry, default_weight, None
    else:
        text = entry["phrase"]
        weight = float(entry.get("weight", default_weight))
        case_sensitive = entry.get("case_sensitive")
    return Phrase(text, weight, kind, topic, compile_phrase(text, variants, case_sensitive))


def _digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()[:12]


VOCABULARY_RESOURCE = "data/vocabulary.json"


@lru_cache(maxsize=1)
def _packaged() -> Vocabulary:
    raw = resources.files("aggregator").joinpath(VOCABULARY_RESOURCE).read_bytes()
    return Vocabulary(json.loads(raw), _digest(raw))


# --- classification -------------------------------------------------------------------------


@dataclass(frozen=True)
class Classification:
    """What the rules decided about one item, and why.

    `topic_evidence` entries are {topic, phrase, field}; `relevance_evidence` entries are
    {phrase, field, weight} (weight signed: negative cues subtract), strongest first;
    `nation_evidence` entries are {nation, field, cue}. `text`, `type_hint` and `nation_hints`
    are the inputs beyond the item that the rules read, kept so they can be re-run.
    """

    doc_type: DocType
    doc_type_evidence: str
    topics: list[str] = field(default_factory=list)
    topic_evidence: list[dict[str, str]] = field(default_factory=list)
    nations: list[str] = field(default_factory=list)
    nation_evidence: list[dict[str, str]] = field(default_factory=list)
    relevance: float = 0.0
    relevant: bool = False
    relevance_evidence: list[dict[str, Any]] = field(default_factory=list)
    vocabulary_version: str = ""
    text: str = ""
    type_hint: str | None = None
    nation_hints: list[str] = field(default_factory=list)
    classified_at: datetime | None = None

    @property
    def label(self) -> str:
        """How an editor sees the verdict."""
        return "safeguarding" if self.relevant else "probably not safeguarding"

    def evidence(self) -> dict[str, Any]:
        """All the evidence, as stored in one JSON column."""
        return {
            "doc_type": self.doc_type_evidence,
            "topics": self.topic_evidence,
            "nations": self.nation_evidence,
            "relevance": self.relevance_evidence,
        }

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready summary for the CLI, the review app and exports (inputs left out)."""
        return {
            "doc_type": self.doc_type.value,
            "topics": list(self.topics),
            "nations": list(self.nations),
            "relevance": self.relevance,
            "relevant": self.relevant,
            "label": self.label,
            "evidence": self.evidence(),
            "vocabulary_version": self.vocabulary_version,
            "classified_at": (
                self.classified_at.isoformat().replace("+00:00", "Z")
                if self.classified_at
                else None
            ),
        }


@dataclass(frozen=True)
class _Hit:
    phrase: Phrase
    field: str
    span: tuple[int, int]
    contribution: float


def classify_item(
    item: Item,
    *,
    body_text: str = "",
    type_hint: str | None = None,
    nation_hints: list[str] | None = None,
    vocabulary: Vocabulary | None = None,
) -> Classification:
    """Classify an item from its title, summary and URL plus what only the crawl saw.

    `body_text` is the detail page's main text; `type_hint` the publisher's type label;
    `nation_hints` GOV.UK's applicability labels. With no label, URL series or title cue, an
    item's existing non-OTHER `doc_type` is kept (a stored item re-classified).
    """
    vocab = vocabulary or Vocabulary.load()
    kind, kind_evidence = decide_doc_type(type_hint, item.title, item.url, item.source)
    if kind is DocType.OTHER and item.doc_type != DocType.OTHER and not type_hint:
        kind, kind_evidence = DocType(item.doc_type), f"stored doc_type={item.doc_type}"
    hints = list(nation_hints or [])
    found_nations, nation_evidence = decide_nations(hints, item.title, item.summary)

    hits = _hits(vocab, {"title": item.title, "summary": item.summary, "body": body_text})
    relevance, relevance_evidence = _relevance(vocab, hits)
    topics, topic_evidence = _topics(vocab, hits)
    return Classification(
        doc_type=kind,
        doc_type_evidence=kind_evidence,
        topics=topics,
        topic_evidence=topic_evidence,
        nations=found_nations,
        nation_evidence=nation_evidence,
        relevance=relevance,
        relevant=relevance >= vocab.threshold,
        relevance_evidence=relevance_evidence,
        vocabulary_version=vocab.version,
        text=body_text,
        type_hint=type_hint,
        nation_hints=hints,
    )


def _hits(vocab: Vocabulary, texts: dict[str, str]) -> list[_Hit]:
    """Each phrase once, in the best field it occurs in, after overlap resolution.

    Within a field, the longest match wins where matches overlap ("asylum-seeking children"
    beats the negative cue "asylum"); the same span matched by phrases of several topics
    credits each of them.
    """
    best: dict[int, _Hit] = {}
    for field_name in FIELDS:
        text = normalise_quotes(texts.get(field_name) or "")
        if not text.strip():
            continue
        weight = vocab.field_weights[field_name]
        for index, phrase, span in _accepted(vocab.phrases, text):
            if index not in best:
                best[index] = _Hit(phrase, field_name, span, phrase.weight * weight)
    return [best[i] for i in sorted(best)]


def _accepted(phrases: list[Phrase], text: str) -> list[tuple[int, Phrase, tuple[int, int]]]:
    found: list[tuple[int, int, int, Phrase]] = []
    for index, phrase in enumerate(phrases):
        for match in phrase.pattern.finditer(text):
            if match.end() > match.start():
                found.append((match.start(), match.end(), index, phrase))
    found.sort(key=lambda m: (-(m[1] - m[0]), m[0], m[2]))
    spans: list[tuple[int, int]] = []
    accepted: dict[int, tuple[Phrase, tuple[int, int]]] = {}
    for start, end, index, phrase in found:
        clash = any(s < end and start < e and (s, e) != (start, end) for s, e in spans)
        if clash:
            continue
        spans.append((start, end))
        accepted.setdefault(index, (phrase, (start, end)))
    return [(index, phrase, span) for index, (phrase, span) in sorted(accepted.items())]


def _relevance(vocab: Vocabulary, hits: list[_Hit]) -> tuple[float, list[dict[str, Any]]]:
    """net = positive − negative (body capped each way); relevance = net / (net + 1)."""
    # The same text matched by several phrases (a phrase listed under two topics) counts once
    # towards relevance, at its strongest.
    strongest: dict[tuple[str, tuple[int, int], bool], _Hit] = {}
    for hit in hits:
        key = (hit.field, hit.span, hit.phrase.kind == "negative")
        if key not in strongest or hit.contribution > strongest[key].contribution:
            strongest[key] = hit
    totals = {("pos", f): 0.0 for f in FIELDS} | {("neg", f): 0.0 for f in FIELDS}
    evidence: list[dict[str, Any]] = []
    for hit in strongest.values():
        sign = "neg" if hit.phrase.kind == "negative" else "pos"
        totals[(sign, hit.field)] += hit.contribution
        evidence.append(
            {
                "phrase": hit.phrase.text,
                "field": hit.field,
                "weight": round(-hit.contribution if sign == "neg" else hit.contribution, 3),
            }
        )
    positive = totals[("pos", "title")] + totals[("pos", "summary")]
    positive += min(totals[("pos", "body")], vocab.body_cap)
    negative = totals[("neg", "title")] + totals[("neg", "summary")]
    negative += min(totals[("neg", "body")], vocab.body_cap)
    net = positive - negative
    relevance = round(net / (net + 1.0), 3) if net > 0 else 0.0
    evidence.sort(key=lambda e: (-abs(e["weight"]), FIELDS.index(e["field"]), e["phrase"]))
    return relevance, evidence


def _topics(vocab: Vocabulary, hits: list[_Hit]) -> tuple[list[str], list[dict[str, str]]]:
    """Topics whose phrases add up to the topic threshold, strongest first."""
    scores: dict[str, float] = {}
    evidence: dict[str, list[dict[str, str]]] = {}
    for hit in hits:
        topic = hit.phrase.topic
        if hit.phrase.kind != "topic" or topic is None:
            continue
        scores[topic] = scores.get(topic, 0.0) + hit.contribution
        evidence.setdefault(topic, []).append(
            {"topic": topic, "phrase": hit.phrase.text, "field": hit.field}
        )
    order = {label: i for i, label in enumerate(vocab.topics)}
    chosen = sorted(
        (t for t, score in scores.items() if score >= vocab.topic_threshold - 1e-9),
        key=lambda t: (-round(scores[t], 6), order[t]),
    )
    return chosen, [e for t in chosen for e in evidence[t]]
