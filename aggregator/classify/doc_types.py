"""Document type: the parser's type hint, refined by title cues, with the evidence for it.

Source-agnostic. What a publisher's own labels and URL series mean is known only to its parser
(spiders/): the parser hands over a resolved hint, a controlled `DocType` and the evidence in
its words ("<publisher> Topics: Podcast"), on the raw item. Here:

1. that hint, else a plain label word that means the same everywhere ("guidance", "report",
   "news": `GENERIC_TYPE_LABELS`), with the evidence "publisher label '<label>'";
2. refined by a title cue where the hint is known to be coarse (`TitleCue.refines`);
3. else a title cue alone; else OTHER.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from aggregator.schema import DocType

# Label words that name a document type on any site, lower-cased. A parser looks its own
# labels up first, then these (in its own evidence wording); a label no parser resolved (an
# item classified again from its stored label) is looked up here.
GENERIC_TYPE_LABELS: dict[str, DocType] = {
    "news": DocType.NEWS,
    "blog": DocType.NEWS,
    "statement": DocType.NEWS,
    "press release": DocType.NEWS,
    "press-release": DocType.NEWS,
    "podcast": DocType.PODCAST,
    "guidance": DocType.GUIDANCE,
    "consultation": DocType.CONSULTATION,
    "research": DocType.REPORT,
    "report": DocType.REPORT,
    "evaluation": DocType.EVALUATION,
    "statistics": DocType.STATISTICS,
    "resource": DocType.RESOURCE,
    "event": DocType.EVENT,
    "webinar": DocType.EVENT,
    "briefing": DocType.BRIEFING,
    "guide": DocType.GUIDANCE,
    "advice": DocType.GUIDANCE,
    "call for evidence": DocType.CALL_FOR_EVIDENCE,
    "statistics announcement": DocType.STATISTICS_ANNOUNCEMENT,
    "transparency": DocType.TRANSPARENCY,
    "transparency data": DocType.TRANSPARENCY,
    "foi release": DocType.TRANSPARENCY,
}


def generic_label(label: str) -> DocType | None:
    """The controlled type of a plain label word, or None. A site section's name counts as
    its words: "press-release" and "Press releases" as "press release", "briefings" as
    "briefing", and a compound as its last word, its head: "Helplines insight briefing" is a
    briefing, "news-blogs" news ("consultation outcome" names none: "outcome" is no type)."""
    words = re.sub(r"[^a-z0-9]+", " ", label.lower()).split()
    if not words:
        return None
    phrase = " ".join(words)
    for candidate in (phrase, phrase.removesuffix("s")):
        if candidate in GENERIC_TYPE_LABELS:
            return GENERIC_TYPE_LABELS[candidate]
    # The last word is the head of a compound ("insight briefing", "news-blogs").
    head = words[-1]
    return GENERIC_TYPE_LABELS.get(head) or GENERIC_TYPE_LABELS.get(head.removesuffix("s"))


def label_evidence(label: str) -> str:
    """The evidence for a label resolved without its parser's own wording."""
    return f"publisher label '{label.strip()}'"


@dataclass(frozen=True)
class TitleCue:
    pattern: re.Pattern[str]
    kind: DocType
    label: str  # as shown in evidence
    refines: frozenset[DocType] = frozenset()  # hinted types this cue may override


ANY_TYPE: frozenset[DocType] = frozenset(DocType)

# A cue overrides a hint only where the hint is known to be coarse (`refines`): briefings are
# filed in dated research series, evaluations as "research", webinars announced in news posts.
# Without any hint, every cue applies.
TITLE_CUES: tuple[TitleCue, ...] = (
    TitleCue(
        re.compile(r":\s*CASPAR briefing\s*$", re.I),
        DocType.BRIEFING,
        ": CASPAR briefing",
        ANY_TYPE,
    ),
    TitleCue(
        re.compile(r"learning from case reviews", re.I),
        DocType.BRIEFING,
        "learning from case reviews",
        frozenset({DocType.REPORT, DocType.NEWS}),
    ),
    TitleCue(
        re.compile(r"^podcast:", re.I), DocType.PODCAST, "Podcast:", frozenset({DocType.NEWS})
    ),
    TitleCue(
        re.compile(r"\b(webinars?|live sessions?|workshops?)\b", re.I),
        DocType.EVENT,
        "webinar / live session / workshop",
        frozenset({DocType.NEWS}),
    ),
    TitleCue(
        re.compile(r"\bevaluation\b", re.I),
        DocType.EVALUATION,
        "evaluation",
        frozenset({DocType.REPORT}),
    ),
    TitleCue(
        re.compile(r"^statistics\b|\bstatistics briefing\b", re.I),
        DocType.STATISTICS,
        "statistics",
        frozenset({DocType.REPORT}),
    ),
    TitleCue(
        re.compile(r"\bconsultation response\b|\bgovernment response\b", re.I),
        DocType.CONSULTATION_RESPONSE,
        "government response",
    ),
    TitleCue(re.compile(r"\bconsultation\b", re.I), DocType.CONSULTATION, "consultation"),
    TitleCue(
        re.compile(r"\bstatutory guidance\b", re.I),
        DocType.STATUTORY_GUIDANCE,
        "statutory guidance",
    ),
    TitleCue(
        re.compile(r"\b(guidance|guide)$", re.I),
        DocType.GUIDANCE,
        "ends: guidance / guide",
        frozenset({DocType.BRIEFING, DocType.RESOURCE}),
    ),
    TitleCue(re.compile(r"\b(guidance|guide)\b", re.I), DocType.GUIDANCE, "guidance"),
    TitleCue(re.compile(r"\b(report|research)\b", re.I), DocType.REPORT, "report"),
)


def decide_doc_type(
    title: str,
    doc_type_hint: DocType | None = None,
    type_evidence: str = "",
    label: str | None = None,
) -> tuple[DocType, str]:
    """The controlled document type and the evidence for it.

    `doc_type_hint` and `type_evidence` are the parser's resolution of the publisher's label or
    URL series; without one, a plain `label` word may stand in. That base is refined by a
    title cue where it is coarse; with no base, a title cue alone decides; else OTHER.
    """
    base: tuple[DocType, str] | None = None
    if doc_type_hint is not None:
        base = (doc_type_hint, type_evidence)
    elif label:
        found = generic_label(label)
        if found:
            base = (found, label_evidence(label))
    for cue in TITLE_CUES:
        if not cue.pattern.search(title):
            continue
        if base is None or (cue.refines is ANY_TYPE and base[0] == cue.kind):
            return cue.kind, f"title cue '{cue.label}'"
        if base[0] in cue.refines and base[0] != cue.kind:
            return cue.kind, f"title cue '{cue.label}' (publisher says: {base[1]})"
    if base is not None:
        return base
    return DocType.OTHER, "no publisher label, URL series or title cue"
