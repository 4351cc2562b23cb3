"""Third person always: a publisher's "we", "our" and "us" in a draft become its name.

A draft quotes the publisher's own sentences inside a bulletin written in the third person, so
"Our new paper looks at …" must read "The Lucy Faithfull Foundation's new paper looks at …"
and "we found" "the NSPCC found" (issue 21). `third_person` rewrites one sentence:

- "we" becomes the publisher as a subject ("the NSPCC"), and its verb agrees: "we have" →
  "has", "we are" → "is", "we're" → "is", "we've" → "has", "we don't" → "doesn't", a present
  verb takes its -s ("we work" → "works", "we publish" → "publishes"); past verbs and modals
  stay ("we found", "we will"). A second verb joined by "and" agrees too when it is a common
  verb ("we work with schools and support families").
- "our" becomes the possessive ("the NSPCC's", "Internet Matters'"), "us" the name, and
  "ourselves" "itself". Once "we" has been named, later mentions in the same sentence are "it"
  and "its", which read back to that subject ("We have refreshed our checklist" → "The NSPCC
  has refreshed its checklist").
- At the start of the sentence the name is capitalised ("The NSPCC"), elsewhere not ("the
  NSPCC"); a name without "the" ("Internet Matters", "Ofsted") is never given one.
- Inside quotation marks nothing changes: that is a quoted person speaking.

Where a sentence cannot be rewritten safely it is refused (None) and the draft leaves it out:
the first person singular ("I", "my", "me"), "we" meaning people at large ("we all", "as a
society, we", "many of us"), "let's", or a word after "we" that is not a verb form this
module knows how to agree.

`first_person_words` finds what is left: the evaluation counts sentences that still speak as
the publisher (target none).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from aggregator.drafting.opening import publisher_phrase

__all__ = ["first_person_words", "possessive", "quoted_spans", "short_name", "third_person"]

_APOSTROPHES = "'’"
# A first person word outside a longer word: "we", "We", "we're", "our", "ourselves", "I",
# "my", "me", "let's". "US" (the country) and "ME" (the illness) are capitals, never matched.
_FIRST_PERSON = re.compile(
    r"(?<![\w'’-])(?:"
    r"(?P<we>[Ww]e)(?:[’'](?P<contraction>re|ve|ll|d))?"
    r"|(?P<our>[Oo]ur)|(?P<ours>[Oo]urs)|(?P<ourselves>[Oo]urselves)|(?P<us>[Uu]s)"
    r"|(?P<lets>[Ll]et[’']s)|(?P<singular>I|[Mm]y|[Mm]e|[Mm]yself|I[’'](?:m|ve|ll|d))"
    r")(?![\w-])"
)
# "I" as a numeral or a label, not a speaker: "Part I", "Key Stage I", "Annex I".
_NUMERAL_BEFORE = re.compile(
    r"(?:Part|Phase|Tier|Volume|Vol\.|Chapter|Section|Article|Schedule|Annex|Appendix|Stage"
    r"|Type|Class|Category|Level|Book|World War|Grade|Table|Figure|Article)\s+$"
)
# "We" meaning people at large, not the publisher: refused rather than guessed at.
_EVERYONE = re.compile(
    r"\b(?:we\s+(?:all|each|both|ourselves)\b|(?:all|many|most|some|each|both|none|those|any"
    r"|one|few|several|more|fewer)\s+of\s+us\b|as\s+(?:a\s+society|a\s+nation|a\s+country"
    r"|a\s+sector|parents|professionals|adults|a\s+community|communities|individuals)\b)",
    re.IGNORECASE,
)
_WORD = re.compile(r"[A-Za-z’']+")

# Words that may stand between "we" and its verb: "we also found", "we recently published".
_ADVERBS = frozenset(
    {
        "also", "often", "always", "never", "now", "still", "already", "then", "just",
        "soon", "once", "first", "again", "even", "only", "sometimes", "jointly", "together",
        "recently", "currently", "regularly", "particularly", "especially", "increasingly",
        "previously", "initially", "ultimately", "firmly", "strongly", "truly", "newly",
        "rarely", "usually", "generally", "actively", "continually", "constantly", "further",
        "therefore", "consequently", "subsequently", "finally", "additionally", "really",
    }
)  # fmt: skip
# Verbs ending in "ly" that are not adverbs.
_LY_VERBS = frozenset({"apply", "reply", "supply", "rely", "fly", "comply", "multiply", "imply"})
_MODALS = frozenset(
    {
        "can", "could", "will", "would", "should", "must", "may", "might", "shall", "cannot",
        "ought", "can’t", "can't", "won’t", "won't", "wouldn’t", "wouldn't", "couldn’t",
        "couldn't", "shouldn’t", "shouldn't", "mustn’t", "mustn't",
    }
)  # fmt: skip
# The verbs that change after "we" → a singular subject, and what they become.
_IRREGULAR_AGREEMENT = {
    "are": "is", "were": "was", "have": "has", "do": "does", "aren’t": "isn’t",
    "aren't": "isn't", "weren’t": "wasn’t", "weren't": "wasn't", "haven’t": "hasn’t",
    "haven't": "hasn't", "don’t": "doesn’t", "don't": "doesn't", "go": "goes",
}  # fmt: skip
_CONTRACTIONS = {"re": "is", "ve": "has", "ll": "will"}
# Past forms that never change (a regular past ends in -ed: "we published").
_PAST = frozenset(
    {
        "found", "made", "saw", "took", "gave", "held", "ran", "wrote", "spoke", "heard",
        "met", "began", "brought", "thought", "knew", "led", "sent", "spent", "built", "felt",
        "kept", "left", "lost", "paid", "said", "sold", "told", "understood", "won", "became",
        "came", "went", "got", "did", "had", "was", "fell", "chose", "drew", "grew", "rose",
        "stood", "taught", "caught", "fought", "sought", "bought", "meant", "showed", "shown",
        "undertook", "oversaw", "withdrew", "sat", "woke", "wore", "struck", "swore", "hung",
        "drove", "flew", "forgot", "forgave", "ate", "broke", "froze", "rode", "shook",
    }
)  # fmt: skip
# Base verbs ending in -ed that are present tense ("we need", "we exceed").
_ED_PRESENT = frozenset(
    {"need", "feed", "proceed", "succeed", "exceed", "heed", "seed", "speed", "breed", "shed",
     "embed", "bleed", "shred", "wed"}
)  # fmt: skip
# Past and present look the same: present unless the sentence says when ("in 2023 we set up").
_SAME_PAST = frozenset(
    {"set", "put", "read", "cut", "let", "hit", "spread", "cast", "cost", "quit", "shut",
     "hurt", "broadcast", "forecast", "upset", "bid", "split", "beat"}
)  # fmt: skip
_PAST_MARKER = re.compile(
    r"\b(?:(?:19|20)\d\d|last|ago|previously|in the past|yesterday|earlier this)\b", re.I
)
# Words that never follow a subject "we" as its verb: the sentence is not what it seems
# ("we, the undersigned", "we at the NSPCC"), so it is refused.
_NOT_VERBS = frozenset(
    {
        "at", "in", "on", "as", "and", "or", "but", "the", "a", "an", "of", "to", "for", "from",
        "with", "by", "who", "which", "that", "this", "these", "those", "it", "its", "our",
        "us", "we", "you", "they", "them", "their", "here", "there", "too", "so", "not",
        "than", "if", "when", "while", "because",
    }
)  # fmt: skip
# Common verbs a second, joined predicate may use ("we work with schools and support
# families"): only these agree after "and", so a noun after "and" is never given an -s.
_JOINED_VERBS = frozenset(
    {
        "support", "help", "provide", "work", "offer", "run", "campaign", "publish",
        "deliver", "train", "share", "protect", "develop", "advise", "research", "raise",
        "fund", "listen", "respond", "make", "give", "use", "bring", "build", "create",
        "ensure", "lead", "promote", "set", "keep", "take", "call", "urge", "aim", "seek",
        "hope", "believe", "want", "continue", "look", "explore", "recommend", "encourage",
        "know", "hear", "see", "have", "need", "commission", "produce", "collect", "review",
        "analyse", "inform", "empower", "challenge", "champion", "speak", "tell", "act",
    }
)  # fmt: skip


# Institution words a long name is shortened to after its first mention, as the example
# bulletin does ("The Lucy Faithfull Foundation has published …. The Foundation works …").
_SHORT_HEADS = frozenset(
    {"Foundation", "Department", "Council", "Trust", "Society", "Agency", "Commission",
     "Commissioner", "Panel", "Institute", "Association", "Alliance", "Network", "Centre",
     "Inspectorate", "Partnership", "Coalition", "Federation", "Charity"}
)  # fmt: skip


def short_name(phrase: str) -> str:
    """A long name's short form for later mentions: "The Lucy Faithfull Foundation" → "The
    Foundation", "The Department of Health and Social Care" → "The Department". A name of
    one or two words ("The Home Office", "The NSPCC", "Internet Matters") stays whole."""
    words = phrase.removeprefix("The ").split()
    if len(words) < 3:
        return phrase
    head = next((w for w in reversed(words) if w in _SHORT_HEADS), None)
    return f"The {head}" if head else phrase


@dataclass
class _Voice:
    """How the publisher is named in one sentence: by its name, then by its short name once
    named, and as "it" / "its" once "we" has been named (they read back to that subject)."""

    name: str  # "The NSPCC", "Internet Matters"
    subject_named: bool = False
    mentioned: bool = False
    apostrophe: str = "’"

    def _name(self) -> str:
        name = short_name(self.name) if self.mentioned else self.name
        self.mentioned = True
        return name

    def noun(self, at_start: bool) -> str:
        if self.subject_named:
            return "It" if at_start else "it"
        return _cased(self._name(), at_start)

    def possessive(self, at_start: bool) -> str:
        if self.subject_named:
            return "Its" if at_start else "its"
        return _cased(possessive(self._name(), self.apostrophe), at_start)


def _cased(name: str, at_start: bool) -> str:
    if name.startswith("The "):
        return name if at_start else "the " + name[4:]
    return name


def possessive(name: str, apostrophe: str = "’") -> str:
    """ "The NSPCC’s", "Internet Matters’" (a name ending in s takes the apostrophe alone)."""
    return name + (apostrophe if name.endswith("s") else apostrophe + "s")


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """The (start, end) of each quotation in `text`: “…”, ‘…’ (a ’ inside a word is an
    apostrophe, not a close) and "…". A quotation left open runs to the end; one closed
    without opening (it began in an earlier sentence) runs from the start."""
    spans: list[tuple[int, int]] = []
    for opener, closer in (("“", "”"), ("‘", "’")):
        start: int | None = None
        for i, char in enumerate(text):
            if char == opener and start is None:
                start = i
            elif char == closer:
                nxt = text[i + 1 : i + 2]
                if closer == "’" and nxt.isalpha():
                    continue  # an apostrophe: "children’s"
                if closer == "’" and start is None:
                    continue  # a plural possessive ("parents’ views"), not a quotation
                spans.append((start if start is not None else 0, i + 1))
                start = None
        if start is not None:
            spans.append((start, len(text)))
    straight = [i for i, char in enumerate(text) if char == '"']
    for n in range(0, len(straight) - 1, 2):
        spans.append((straight[n], straight[n + 1] + 1))
    if len(straight) % 2:
        spans.append((straight[-1], len(text)))
    return spans


def _inside(position: int, spans: list[tuple[int, int]]) -> bool:
    return any(start <= position < end for start, end in spans)


def first_person_words(text: str) -> list[str]:
    """The first person words of `text` outside quotations ("Our", "we", "I"), in order."""
    spans = quoted_spans(text)
    found: list[str] = []
    for match in _FIRST_PERSON.finditer(text):
        if _inside(match.start(), spans) or _is_numeral(text, match):
            continue
        found.append(match.group(0))
    return found


def _is_numeral(text: str, match: re.Match[str]) -> bool:
    return match.group(0) == "I" and bool(_NUMERAL_BEFORE.search(text[: match.start()]))


def _at_start(text: str, position: int) -> bool:
    """Nothing but opening punctuation before `position` in the sentence."""
    return not any(char.isalnum() for char in text[:position])


def _third_singular(verb: str) -> str:
    """A present verb after "he/she/it": works, publishes, goes, tries, has."""
    lower = verb.lower()
    if lower in _IRREGULAR_AGREEMENT:
        return _IRREGULAR_AGREEMENT[lower]
    if lower.endswith(("s", "sh", "ch", "x", "z", "o")):
        return verb + "es"
    if lower.endswith("y") and len(lower) > 1 and lower[-2] not in "aeiou":
        return verb[:-1] + "ies"
    return verb + "s"


def _is_past(verb: str, sentence: str) -> bool:
    lower = verb.lower()
    if lower in _PAST:
        return True
    if lower.endswith("ed") and lower not in _ED_PRESENT:
        return True
    return lower in _SAME_PAST and bool(_PAST_MARKER.search(sentence))


class _Refused(Exception):
    """The sentence cannot be put in the third person safely."""


def _agree_after_we(text: str, after: int) -> tuple[int, int, str] | None:
    """The verb after "we" (from offset `after`) and what it becomes, as (start, end,
    replacement), or None when it stays. _Refused when it is no verb this module knows."""
    for word in _WORD.finditer(text, after):
        between = text[after : word.start()]
        if between.strip():  # punctuation before the verb ("we, the undersigned")
            raise _Refused
        token = word.group(0)
        lower = token.lower().strip("’'")
        if lower in _ADVERBS or (lower.endswith("ly") and lower not in _LY_VERBS):
            after = word.end()
            continue
        if lower in _MODALS or _is_past(lower, text):
            return None
        if lower in _NOT_VERBS or not token.islower():
            raise _Refused
        if lower == "be":
            raise _Refused  # "we be" is no standard English to agree
        return word.start(), word.end(), _third_singular(token)
    raise _Refused  # "we" ends the sentence ("… than we.")


def _joined_verb(text: str, verb_end: int) -> tuple[int, int, str] | None:
    """A second present verb joined by "and" in the same clause ("… and support families")."""
    clause = re.compile(r"[^.;:!?]*?\band\s+([a-z]+)\b")
    match = clause.match(text, verb_end)
    if match is None or match.group(1) not in _JOINED_VERBS:
        return None
    return match.start(1), match.end(1), _third_singular(match.group(1))


def third_person(sentence: str, publisher: str, *, subject_named: bool = False) -> str | None:
    """`sentence` with the publisher's first person in the third person; None when it cannot
    be rewritten safely (the draft then leaves it out). A sentence without first person
    comes back unchanged.

    `subject_named`: the publisher is already the subject of the sentence (a draft's opening,
    "The NSPCC has published …"), so its mentions are "it" and "its".
    """
    spans = quoted_spans(sentence)
    matches = [
        m
        for m in _FIRST_PERSON.finditer(sentence)
        if not _inside(m.start(), spans) and not _is_numeral(sentence, m)
    ]
    if not matches:
        return sentence
    if any(m.group("singular") or m.group("lets") or m.group("ours") for m in matches):
        return None
    outside = "".join(char if not _inside(i, spans) else " " for i, char in enumerate(sentence))
    if _EVERYONE.search(outside):
        return None
    # The sentence's own apostrophe: a straight one where it uses only those.
    apostrophe = "'" if "'" in sentence and "’" not in sentence else "’"
    voice = _Voice(publisher_phrase(publisher), subject_named, subject_named, apostrophe)
    # (start, end, replacement), applied from the end so offsets stay right.
    edits: list[tuple[int, int, str]] = []
    try:
        for match in matches:
            start, end = match.span()
            at_start = _at_start(sentence, start)
            if match.group("we"):
                named = voice.noun(at_start)
                contraction = match.group("contraction")
                if contraction == "d":
                    return None  # "we'd": would or had, not told apart safely
                if contraction:
                    edits.append((start, end, f"{named} {_CONTRACTIONS[contraction]}"))
                else:
                    edits.append((start, end, named))
                    verb = _agree_after_we(sentence, end)
                    if verb is not None:
                        if _inside(verb[0], spans):
                            return None
                        edits.append(verb)
                        joined = _joined_verb(sentence, verb[1])
                        if joined is not None:
                            edits.append(joined)
                voice.subject_named = True
            elif match.group("our"):
                edits.append((start, end, voice.possessive(at_start)))
            elif match.group("ourselves"):
                if not voice.subject_named:
                    return None
                edits.append((start, end, "itself"))
            elif match.group("us"):
                edits.append((start, end, voice.noun(at_start)))
    except _Refused:
        return None
    rewritten = sentence
    for start, end, replacement in sorted(edits, reverse=True):
        rewritten = rewritten[:start] + replacement + rewritten[end:]
    return rewritten
