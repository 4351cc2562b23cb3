"""Topics and safeguarding relevance: vocabulary phrases matched in the title, summary and body.

Each phrase counts once, in the field where it weighs most (title > summary > body); negative
cues subtract; the body adds and subtracts at most `body_cap`. Below the vocabulary's
threshold an item is "probably not safeguarding": kept, searchable, shown on request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aggregator.classify.vocabulary import FIELDS, Phrase, Vocabulary, normalise_quotes


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


def score_relevance(vocab: Vocabulary, hits: list[Hit]) -> tuple[float, list[dict[str, Any]]]:
    """net = positive − negative (body capped each way); relevance = net / (net + 1)."""
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
    net = positive - negative
    relevance = round(net / (net + 1.0), 3) if net > 0 else 0.0
    evidence.sort(key=lambda e: (-abs(e["weight"]), FIELDS.index(e["field"]), e["phrase"]))
    return relevance, evidence


def choose_topics(vocab: Vocabulary, hits: list[Hit]) -> tuple[list[str], list[dict[str, str]]]:
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
