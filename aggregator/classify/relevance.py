"""Topics and safeguarding relevance: vocabulary phrases matched in the title, summary and body.

Each phrase counts once, in the field where it weighs most (title > summary > body); negative
cues subtract; the body adds and subtracts at most `body_cap`. Three rules keep one word from
deciding alone:
- a weak phrase ("children", "babies", "school") supports but never decides: weak phrases
  alone score at most just under the borderline band, and give no topic;
- a phrase that needs context (an acronym: CSA is also the Child Support Agency) counts only
  beside another safeguarding phrase;
- negative cues lower only items that name no central safeguarding term (safeguarding, child
  protection, abuse) in their title or summary: "Safeguarding policy on children held in
  detention" is never cancelled by "immigration" and "border".
A publisher whose name says its remit is children's safeguarding (a safeguarding children
partnership or board, a child protection committee: `safeguarding_publishers`) gives every
item it publishes safeguarding context: its name adds its weight, and weak words and acronyms
may then decide, and an item of theirs with no negative cue is at least borderline. That is
how a bulletin editor reads a partnership's own channel: "Babies born during lockdown" from a
safeguarding partnership is a safeguarding briefing.
An item about children with no safeguarding term, no negative cue and a positive phrase in
its title or summary is lifted into the borderline band when it is research about children
(its title or summary names children and research: "a survey of 846 young people") or its
publisher's name says a children's or young people's remit ("Young Scot", "EU Kids Online")
and the item names a phrase that could decide (a youth charity's values statement, naming only
"young people", is its own business): `children_focus`. Bulletins carry both without a
safeguarding word; the editor judges them.
Below the vocabulary's threshold an item is "probably not safeguarding" (kept, searchable,
shown on request), except in the borderline band just under it: shown, marked borderline.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aggregator.classify.spans import first_accepted
from aggregator.classify.vocabulary import FIELDS, Phrase, Vocabulary, fold, normalise_quotes


@dataclass(frozen=True)
class Hit:
    """A phrase found in a field, at a span, with its weighted contribution."""

    phrase: Phrase
    field: str
    span: tuple[int, int]
    contribution: float


def find_hits(vocab: Vocabulary, texts: dict[str, str]) -> list[Hit]:
    """Each phrase once, in the best field it occurs in, after overlap resolution.

    Within a field, the longest match wins where matches overlap ("asylum-seeking children"
    beats the negative cue "asylum"); the same span matched by phrases of several topics
    credits each of them.
    """
    best: dict[int, Hit] = {}
    for field_name in FIELDS:
        text = normalise_quotes(texts.get(field_name) or "")
        if not text.strip():
            continue
        weight = vocab.field_weights[field_name]
        for index, phrase, span in _accepted(vocab.phrases, text):
            if index not in best:
                best[index] = Hit(phrase, field_name, span, phrase.weight * weight)
    return [best[i] for i in sorted(best)]


def _accepted(phrases: list[Phrase], text: str) -> list[tuple[int, Phrase, tuple[int, int]]]:
    """Each phrase's first match that no longer, overlapping match swallows (`spans.py`)."""
    folded = fold(text)
    found = [
        (match.start(), match.end(), index)
        for index, phrase in enumerate(phrases)
        if phrase.literal in folded
        for match in phrase.pattern.finditer(text)
    ]
    accepted = first_accepted(found)
    return [(index, phrases[index], accepted[index]) for index in sorted(accepted)]


def strong_hits(hits: list[Hit], publisher_context: bool = False) -> list[Hit]:
    """The positive hits that can make a decision: not weak, and not an acronym alone (two
    different safeguarding acronyms, "CSE and CCE", are each other's context; so is a
    safeguarding publisher)."""
    positive = [h for h in hits if h.phrase.kind in ("topic", "cue")]
    acronyms = {h.phrase.text for h in positive if h.phrase.needs_context}
    return [
        h
        for h in positive
        if not h.phrase.weak
        and (not h.phrase.needs_context or len(acronyms) > 1 or publisher_context)
    ]


def in_context(
    hits: list[Hit], publisher_context: bool = False
) -> tuple[list[Hit], list[tuple[Hit, str]]]:
    """The hits that count, and those left out with why: phrases needing context without
    another safeguarding phrase or a safeguarding publisher, and negative cues on an item
    whose title or summary names a central safeguarding term. Weak phrases count (their score
    is capped when alone)."""
    has_context = publisher_context or bool(strong_hits(hits))
    central = any(h.phrase.kind == "central" and h.field != "body" for h in hits)
    kept: list[Hit] = []
    left: list[tuple[Hit, str]] = []
    for hit in hits:
        if hit.phrase.kind == "central":
            continue
        if hit.phrase.needs_context and not has_context:
            left.append((hit, "acronym without a safeguarding context"))
        elif hit.phrase.kind == "negative" and central:
            left.append((hit, "central safeguarding term named"))
        else:
            kept.append(hit)
    return kept, left


def safeguarding_publisher(vocab: Vocabulary, publisher: str) -> str | None:
    """The phrase of `safeguarding_publishers` the publisher's name matches, unless the name
    also matches one of its exceptions (a safeguarding adults board)."""
    name = normalise_quotes(publisher or "")
    folded = fold(name)
    if any(cue.found_in(name, folded) for cue in vocab.publisher_exceptions):
        return None
    return next((cue.text for cue in vocab.publisher_phrases if cue.found_in(name, folded)), None)


def names_a_deciding_phrase(hits: list[Hit], publisher_context: bool = False) -> bool:
    """Whether the title or summary names a phrase that could decide on its own: not weak,
    not generic, and not an acronym without context (`strong_hits`)."""
    return any(
        hit.field != "body" and not hit.phrase.generic
        for hit in strong_hits(hits, publisher_context)
    )


def children_focus(
    vocab: Vocabulary, publisher: str, texts: dict[str, str], deciding_phrase: bool
) -> dict[str, Any] | None:
    """The evidence that an item is about children's lives, for `score_relevance` to lift it
    into the borderline band: its publisher's name says a children's or young people's remit
    and its title or summary names a deciding phrase (`names_a_deciding_phrase`: a youth
    charity's new values statement names only weak words), or its title or summary names
    children (`children_subjects`) and research (`research_words`). None when neither."""
    name = normalise_quotes(publisher or "")
    if deciding_phrase and any(cue.found_in(name, fold(name)) for cue in vocab.children_publishers):
        return {
            "phrase": name,
            "field": "publisher",
            "weight": 0.0,
            "lifts": "a children's organisation",
        }
    found: dict[str, tuple[str, str]] = {}
    for field_name in ("title", "summary"):
        text = normalise_quotes(texts.get(field_name) or "")
        folded = fold(text)
        for role, cues in (
            ("subject", vocab.children_subjects),
            ("research", vocab.research_words),
        ):
            if role not in found:
                cue = next((c for c in cues if c.found_in(text, folded)), None)
                if cue is not None:
                    found[role] = (cue.text, field_name)
    if len(found) < 2:
        return None
    (subject, subject_field), (word, word_field) = found["subject"], found["research"]
    return {
        "phrase": f"{subject} + {word}",
        "field": subject_field if subject_field == word_field else "title and summary",
        "weight": 0.0,
        "lifts": "research about children",
    }


# Why an item's score was held under the borderline band (in its positive evidence entries).
WEAK_ONLY = "weak words alone never decide"
GENERIC_ONLY = "a generic word needs another phrase beside it"


def score_relevance(
    vocab: Vocabulary,
    hits: list[Hit],
    publisher_cue: str | None = None,
    focus: dict[str, Any] | None = None,
) -> tuple[float, list[dict[str, Any]]]:
    """net = positive − negative (body capped each way) + the safeguarding publisher's weight
    (`publisher_cue`: what `safeguarding_publisher` found in the publisher's name); relevance
    = net / (net + 1), over the hits that count (`in_context`); the others are listed with
    weight 0 and why. `focus` (`children_focus`) lifts an item with a positive phrase in its
    title or summary and no negative cue into the borderline band, and is then evidence.
    An item held under the band (weak words only, or generic words only) says so in its
    positive entries' `capped`."""
    context = publisher_cue is not None
    weak_only = not strong_hits(hits, context) and not context
    hits, left = in_context(hits, context)
    positive_hits = [h for h in hits if h.phrase.kind in ("topic", "cue")]
    generic_only = (
        not context and bool(positive_hits) and all(h.phrase.generic for h in positive_hits)
    )
    # The same text matched by several phrases (a phrase listed under two topics) counts once
    # towards relevance, at its strongest.
    strongest: dict[tuple[str, tuple[int, int], bool], Hit] = {}
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
    if publisher_cue is not None:
        positive += vocab.publisher_weight
        evidence.append(
            {"phrase": publisher_cue, "field": "publisher", "weight": vocab.publisher_weight}
        )
    net = positive - negative
    relevance = round(net / (net + 1.0), 3) if net > 0 else 0.0
    if publisher_cue is not None and negative == 0 and relevance < vocab.borderline:
        # What a safeguarding partnership publishes is at least borderline: shown, for the
        # editor to judge ("Someone that sticks: a challenge to services"). Its own business
        # (a vacancy, a cookie notice) carries a negative cue and stays where it scores.
        relevance = vocab.borderline
    if (weak_only or generic_only) and relevance >= vocab.borderline:
        # Weak words support a decision but never make it, not even a borderline one; a
        # generic word ("vulnerabilities", "bereavement") needs another phrase beside it.
        relevance = round(vocab.borderline - 0.001, 3)
        why = WEAK_ONLY if weak_only else GENERIC_ONLY
        for entry in evidence:
            if entry["weight"] > 0 and entry["field"] != "publisher":
                entry["capped"] = why
    for hit, why in left:
        evidence.append(
            {"phrase": hit.phrase.text, "field": hit.field, "weight": 0.0, "ignored": why}
        )
    order = {name: i for i, name in enumerate((*FIELDS, "publisher"))}
    evidence.sort(key=lambda e: (-abs(e["weight"]), order[e["field"]], e["phrase"]))
    named = totals[("pos", "title")] + totals[("pos", "summary")] > 0
    if focus is not None and named and negative == 0 and relevance < vocab.borderline:
        # Shown for the editor to judge, never "safeguarding" on this alone; what lifted it
        # replaces why it was held under the band.
        relevance = vocab.borderline
        for entry in evidence:
            entry.pop("capped", None)
        evidence.append(focus)
    return relevance, evidence


def choose_topics(
    vocab: Vocabulary, hits: list[Hit], context: bool = False
) -> tuple[list[str], list[dict[str, str]]]:
    """Topics whose phrases add up to the topic threshold, strongest first; `context` when
    the publisher is a safeguarding publisher (acronyms then count)."""
    scores: dict[str, float] = {}
    evidence: dict[str, list[dict[str, str]]] = {}
    counted = in_context(hits, context)[0] if strong_hits(hits, context) else []
    for hit in counted:
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
