"""The opening sentence of a draft: who published what, on which subject.

Built from the item's fields only, by document type ("has published its response to the
consultation on …", "is holding a free webinar on … on 16 May 2024", "has updated its guidance
on …"): the one sentence of a draft that is not the publisher's own words.
"""

from __future__ import annotations

import re
from datetime import datetime

from aggregator.drafting.casing import read_casing, sentence_case
from aggregator.drafting.subjects import ACRONYM, KIND_WORDS, title_subject
from aggregator.normalise.dates import LONDON
from aggregator.normalise.text import clean_title
from aggregator.schema import DocType, Item

__all__ = ["opening_sentence", "publisher_phrase"]

# Nouns with no "a": "has published guidance on …", "has published statistics on …".
_MASS_NOUNS = frozenset(
    {"guidance", "statistics", "research", "data", "news", "information", "advice", "analysis",
     "training", "learning", "evidence"}
)  # fmt: skip
_RESPONSE_LABEL = re.compile(
    r"^(?:consultation outcome|consultation response|government response|outcome|response)"
    r"(?:\s+to(?:\s+the)?(?:\s+consultation\s+on)?)?\s*:?\s*",
    re.IGNORECASE,
)
_EVENT_KIND = re.compile(
    r"\b(webinar|live session|online session|workshop|conference|seminar|masterclass|course"
    r"|training|event|session)s?\b",
    re.IGNORECASE,
)
_FREE_EVENT = re.compile(
    r"\bfree\b(?=[^.]{0,40}\b(?:webinar|session|event|place|ticket|workshop|course|attend))"
    r"|\bfree (?:of charge|to attend)\b",
    re.IGNORECASE,
)
# How a publisher names its own document ("Our new paper looks at …", "This guide is for …").
_TEXT_NOUN = re.compile(
    r"\b(?:[Oo]ur|[Tt]his|[Aa] new|[Tt]he new) (?:new |latest |short )?(paper|report|briefing"
    r"|guide|toolkit|factsheet|checklist|study|survey|index|handbook|leaflet|framework)\b",
    re.IGNORECASE,
)
# Which document nouns a publisher's own wording may substitute for the type's default.
_NOUN_CHOICES: dict[DocType, frozenset[str]] = {
    DocType.REPORT: frozenset({"paper", "report", "study", "survey", "index"}),
    DocType.GUIDANCE: frozenset({"guide", "toolkit", "checklist", "factsheet", "handbook",
                                 "leaflet", "framework"}),
    DocType.BRIEFING: frozenset({"briefing", "paper"}),
    DocType.RESOURCE: frozenset({"guide", "toolkit", "checklist", "factsheet", "handbook",
                                 "leaflet", "briefing", "paper"}),
    DocType.OTHER: frozenset({"paper", "report", "briefing", "guide", "toolkit", "factsheet",
                              "checklist", "study", "survey", "handbook", "leaflet"}),
}  # fmt: skip
_DEFAULT_NOUN: dict[DocType, str] = {
    DocType.NEWS: "news",
    DocType.REPORT: "report",
    DocType.GUIDANCE: "guidance",
    DocType.STATUTORY_GUIDANCE: "statutory guidance",
    DocType.CONSULTATION: "consultation",
    DocType.BRIEFING: "briefing",
    DocType.STATISTICS: "statistics",
    DocType.EVALUATION: "evaluation",
    DocType.EVENT: "event",
    DocType.PODCAST: "podcast episode",
    DocType.RESOURCE: "resource",
    DocType.POLICY_PAPER: "policy paper",
    DocType.CALL_FOR_EVIDENCE: "call for evidence",
    DocType.STATISTICS_ANNOUNCEMENT: "statistics release announcement",
    DocType.TRANSPARENCY: "transparency data",
    DocType.OTHER: "information",
}
# Acronyms and names said without "the" ("Ofsted has published …").
_NO_ARTICLE = frozenset({"UNICEF", "NICE", "CEOP", "Ofsted", "Ofcom"})
# Words naming an institution: a publisher's name with one takes "the" ("The Home Office").
_INSTITUTIONS = frozenset(
    {
        "Office", "Department", "Ministry", "Foundation", "Council", "Trust", "Society",
        "Agency", "Commission", "Commissioner", "Panel", "Government", "Service", "Board",
        "Centre", "Institute", "Association", "Alliance", "Network", "Partnership", "Unit",
        "Authority", "College", "Executive", "Inspectorate", "Ombudsman", "Coalition",
        "Consortium", "Forum", "Federation", "Children's", "Children’s", "Inspector",
        "Regulator", "Tribunal", "Court", "Police", "Constabulary", "Library",
    }
)  # fmt: skip
# A news headline that is a clause ("Helpline sees rise in calls", "Report published") does
# not fit "has published news on …": it is quoted instead.
_HEADLINE_VERB = re.compile(
    r"\b(?:announces?|announced|launch(?:es|ed)?|sees|saw|published|updated|confirmed|confirms"
    r"|expands?|urged|calls?|warns?|reveals?|shows?|finds|welcomes?|is|are|was|were|will|has"
    r"|have|comes?|come|receives?|recruits?|showcases?|marks|joins?|unveils?|opens?|says"
    r"|told|rises?|falls?|to be)\b",
    re.IGNORECASE,
)


def publisher_phrase(publisher: str) -> str:
    """The publisher as a sentence's subject: "The Home Office", "Internet Matters"."""
    name = " ".join(publisher.split()) or "The publisher"
    if name.lower().startswith("the ") or name in _NO_ARTICLE:
        return name[0].upper() + name[1:]
    words = name.split()
    if ACRONYM.match(name) or any(w in _INSTITUTIONS for w in words):
        return f"The {name}"
    return name


def _article(noun: str) -> str:
    """ "a" or "an" for a countable singular noun phrase; "" for mass and plural nouns."""
    head = noun.split()[-1].lower()
    if head in _MASS_NOUNS or (head.endswith("s") and not head.endswith(("ss", "us", "is"))):
        return ""
    first = noun.split()[0]
    if ACRONYM.match(first):
        return "an" if first[0] in "AEFHILMNORSX" else "a"
    lower = first.lower()
    vowel = lower[0] in "aeio" or (lower[0] == "u" and not lower.startswith(("uni", "use", "usu")))
    return "an" if vowel or lower.startswith(("hour", "honest")) else "a"


def _with_article(noun: str) -> str:
    article = _article(noun)
    return f"{article} {noun}" if article else noun


def _is_update(item: Item) -> bool:
    """A substantive change upstream: a change note, or a date well after first publication.

    A WordPress "modified" date a few days after publishing is usually a correction, and a
    GOV.UK "First published." note is no change at all.
    """
    if item.updated is None:
        return False
    note = (item.change_note or "").strip().lower()
    if note and not note.startswith("first published"):
        return True
    return item.published is not None and (item.updated - item.published).days >= 30


def _event_when(start: datetime, end: datetime | None) -> str:
    local = start.astimezone(LONDON)
    day = f"{local.day} {local:%B %Y}"
    if end is not None:
        local_end = end.astimezone(LONDON)
        if local_end.date() != local.date():
            return f"from {day} to {local_end.day} {local_end:%B %Y}"
        if (local.hour, local.minute) != (0, 0):
            return f"on {day} from {_clock(local)} to {_clock(local_end)}"
    if (local.hour, local.minute) != (0, 0):
        return f"on {day} at {_clock(local)}"
    return f"on {day}"


def _release_when(item: Item) -> str:
    """When statistics are due, as GOV.UK phrases it: "on" an exact day, "in" a month or year,
    "between" two months (alphagov/frontend, app/models/statistics_announcement.rb,
    `on_in_between_for_release_date`); "" when no date is known."""
    if item.event_start is None:
        return ""
    local = item.event_start.astimezone(LONDON)
    precision = item.event_precision.value
    if precision == "year":
        return f"in {local:%Y}"
    if precision == "month":
        end = item.event_end.astimezone(LONDON) if item.event_end else None
        if end is not None and (end.year, end.month) > (local.year, local.month):
            first = f"{local:%B}" if end.year == local.year else f"{local:%B %Y}"
            return f"between {first} and {end:%B %Y}"
        return f"in {local:%B %Y}"
    return f"on {local.day} {local:%B %Y}"


def _announcement_sentence(who: str, subject: str, item: Item) -> str:
    """Statistics not out yet: when they are due (and whether that date is provisional), or
    that their release was cancelled. Never "has published": nothing is out."""
    what = subject if re.search(r"\bstatistics\b", subject, re.I) else f"statistics on {subject}"
    when = _release_when(item)
    if item.release_state == "cancelled":
        was = f", which were due {when}" if when else ""
        return f"{who} has cancelled the planned release of {what}{was}."
    if not when:
        return f"{who} has announced a forthcoming release of {what}."
    state = f" (a {item.release_state} date)" if item.release_state else ""
    return f"{who} is due to release {what} {when}{state}."


def _clock(moment: datetime) -> str:
    hour = moment.hour % 12 or 12
    suffix = "am" if moment.hour < 12 else "pm"
    return f"{hour}{suffix}" if moment.minute == 0 else f"{hour}.{moment.minute:02d}{suffix}"


# Titles that are an instruction or a question, or speak as the publisher ("Our annual
# report"): they do not read as a topic after "has published a resource on".
_NOT_A_TOPIC = re.compile(
    r"^(?:our|your|my|we|how|what|why|when|where|who|which|is|are|can|should|do|does"
    r"|build|help|keep|talk|find|make|support|understand|spot|protect|get|learn|use|start"
    r"|stay|set|create|tackle|take|know|respond|recognise|recognize|prevent|work|check|ask"
    r"|listen|explore|discover|tell|share|join|be|give|look|try|let|meet|see|watch|read)\b",
    re.IGNORECASE,
)


def _not_a_topic(subject: str) -> bool:
    """`subject` is sentence-cased: a first word still capitalised is a name ("Start for
    Life"), not an instruction."""
    bare = subject.strip("\"'“”‘’ ")
    return bool(bare[:1].islower() and _NOT_A_TOPIC.match(bare))


def opening_sentence(item: Item, main_text: str = "") -> str:
    """The generated first sentence: who published what, on which subject.

    Chosen by document type ("has published its response to the consultation on …", "is
    holding a free webinar on … on 16 May 2024", "has updated its guidance on …"). The subject
    is the title without kind labels ("Free live webinar:", "…: CASPAR briefing"), in
    sentence case. "free" is said only when the publisher says it.
    """
    who = publisher_phrase(item.publisher)
    casing = read_casing([item.summary, main_text])
    parsed = title_subject(clean_title(item.title) or item.title)
    kind = DocType(item.doc_type)
    subject_text = parsed.subject
    if kind in (DocType.CONSULTATION_RESPONSE, DocType.CONSULTATION):
        subject_text = _RESPONSE_LABEL.sub("", subject_text) or subject_text
        subject_text = re.sub(r"\s+consultation$", "", subject_text, flags=re.I)
    subject = sentence_case(subject_text, casing) or "a new publication"
    update = _is_update(item)

    if kind is DocType.CONSULTATION_RESPONSE or (
        kind is DocType.CONSULTATION
        and update
        and re.search(r"\b(?:response|outcome)\b", item.change_note or "", re.I)
    ):
        return f"{who} has published its response to the consultation on {subject}."

    if kind is DocType.STATISTICS_ANNOUNCEMENT:
        return _announcement_sentence(who, subject, item)

    if kind is DocType.CALL_FOR_EVIDENCE:
        subject_text = re.sub(r"[\s:–-]*call for evidence$", "", parsed.subject, flags=re.I)
        subject = sentence_case(subject_text, casing) or subject
        return f"{who} is calling for evidence on {subject}."

    if kind is DocType.EVENT or item.event_start is not None:
        # The kind a title's label names ("Free live webinar:"), else the first one mentioned.
        found = _EVENT_KIND.search(parsed.noun or "") or _EVENT_KIND.search(
            " ".join([item.title, item.summary])
        )
        noun = found.group(1).lower() if found else "event"
        free = any(
            _FREE_EVENT.search(t) or re.search(r"\bfree\b", t, re.I)
            for t in (item.title, item.summary)
        ) or bool(_FREE_EVENT.search(main_text))
        noun = f"free {noun}" if free else noun
        sentence = f"{who} is holding {_with_article(noun)} on {subject}"
        if item.event_start is not None:
            past = item.first_seen is not None and (item.event_end or item.event_start) < (
                item.first_seen
            )
            if past:
                sentence = f"{who} held {_with_article(noun)} on {subject}"
            sentence += " " + _event_when(item.event_start, item.event_end)
        return sentence + "."

    if kind is DocType.NEWS and _HEADLINE_VERB.search(parsed.subject):
        headline = clean_title(item.title).rstrip(" .")
        return f"{who} has published a news story, ‘{headline}’."
    noun = _DEFAULT_NOUN.get(kind, "information")
    if _not_a_topic(subject):
        # "Build on a relationship with a trusted adult", "Our 2021/22 annual report": the
        # title does not read after "on", so it is quoted, as the bulletin quotes headlines.
        titled = clean_title(item.title).rstrip(" .")
        noun = sentence_case(parsed.noun, casing) if parsed.noun else noun
        if kind is DocType.NEWS:
            noun = "news story"
        verb = "has updated its" if update else f"has published {_article(noun)}".rstrip()
        return f"{who} {verb} {noun}, ‘{titled}’."
    if parsed.noun and kind not in (DocType.NEWS, DocType.STATISTICS):
        noun = sentence_case(parsed.noun, casing)
        # A series label with no document noun of its own ("learning from case reviews").
        if not any(w in KIND_WORDS - {"learning"} for w in noun.lower().split()):
            noun = f"{noun} {_DEFAULT_NOUN.get(kind, 'briefing')}"
    elif kind in _NOUN_CHOICES:
        said = _TEXT_NOUN.search(" ".join([item.title, item.summary, main_text[:400]]))
        if said and said.group(1).lower() in _NOUN_CHOICES[kind]:
            noun = said.group(1).lower()
    if parsed.audience:
        noun = f"{noun} {parsed.audience}"
    preposition = "on"
    lead = re.match(
        r"(?i)^(?:an?\s+|the\s+)?((?:independent\s+|rapid\s+|annual\s+)?"
        r"(?:evaluation|review|analysis|assessment))\s+of\s+(.+)$",
        subject,
    )
    if lead and kind in (DocType.EVALUATION, DocType.REPORT, DocType.OTHER):
        noun, subject, preposition = lead.group(1).lower(), lead.group(2), "of"
    elif kind is DocType.EVALUATION:
        preposition = "of"
    if re.match(r"^[a-z][\w-]*\s+of\s", subject) and preposition == "on":
        subject = f"the {subject}"  # "on the drivers of …" reads; "on drivers of …" does not
    subject = re.sub(r"^The (?=\S)", "the ", subject)  # an article, not a name's capital

    head = noun.split()[-1].lower()
    if (
        preposition == "on"
        and head in _MASS_NOUNS
        and re.search(rf"\b{re.escape(head)}\b", subject, re.IGNORECASE)
    ):
        # The subject already names the kind ("National Referral Mechanism statistics UK for
        # …"): "statistics on … statistics" would say it twice.
        return f"{who} has {'updated' if update else 'published'} {subject}."
    if update and head == "update":
        return f"{who} has published {_with_article(noun)} {preposition} {subject}."
    if update:
        return f"{who} has updated its {noun} {preposition} {subject}."
    return f"{who} has published {_with_article(noun)} {preposition} {subject}."
