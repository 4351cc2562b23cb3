"""The synthetic corpus of the dedupe benchmark (bench/dedupe_bench.py), with its ground truth.

Fixed by its seed: safeguarding-style titles built from word lists by a handful of
templates, spread over 16 sources and 2012–2025, with attachments and outbound links (many to
hub pages that are not items). About 5% of the items are planted near-duplicates of another
item, always from a different source, with the ground truth kept:

- ``prefix``: a site prefix or suffix added ("Guidance: …", "… - GOV.UK"), 0–3 days apart;
- ``punct_case``: case and punctuation changed ("A: b, c" → "A - B C."), 0–3 days apart;
- ``one_word``: one word replaced, planted only where the two titles keep a word Jaccard of at
  least 0.8 (titles of 9 or more distinct words: a one-word change to a short title usually
  *is* another publication), 0–3 days apart, both dated;
- ``attachment``: an unrelated-looking title sharing the original's PDF;
- ``link``: a write-up linking to the original's page through http/``www.``/slash/tracking
  parameter/fragment variants;
- ``link_to_attachment``: a write-up linking to the original's PDF.

Decoys that must *not* match: the same title from another source 60–400 days later (an
annual series), and the same title from the same source on the same day (same-source identity
is the key/alias job).
"""

from __future__ import annotations

import dataclasses
import random
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from aggregator.dedupe.clusters import Candidate
from aggregator.dedupe.titles import title_tokens

__all__ = ["TITLE_KINDS", "Corpus", "Generator"]

# Shares of the items planted as duplicates of another item, and as decoys.
PLANTED_FRACTION = 0.05
DECOY_FRACTION = 0.01

# (slug, publisher, page host, path, attachment host)
SOURCES = (
    ("home_office", "Home Office", "www.gov.uk", "government/publications",
     "assets.publishing.service.gov.uk"),
    ("dfe", "Department for Education", "www.gov.uk", "government/publications",
     "assets.publishing.service.gov.uk"),
    ("dhsc", "Department of Health and Social Care", "www.gov.uk", "government/publications",
     "assets.publishing.service.gov.uk"),
    ("ofsted", "Ofsted", "www.gov.uk", "government/publications",
     "assets.publishing.service.gov.uk"),
    ("nspcc", "NSPCC", "learning.nspcc.org.uk", "research-resources", "learning.nspcc.org.uk"),
    ("barnardos", "Barnardo's", "www.barnardos.org.uk", "research", "www.barnardos.org.uk"),
    ("childrens_commissioner", "Children's Commissioner for England",
     "www.childrenscommissioner.gov.uk", "resource", "assets.childrenscommissioner.gov.uk"),
    ("csa_centre", "Centre of expertise on child sexual abuse", "www.csacentre.org.uk",
     "research-resources", "www.csacentre.org.uk"),
    ("lucy_faithfull", "Lucy Faithfull Foundation", "www.lucyfaithfull.org.uk", "news",
     "www.lucyfaithfull.org.uk"),
    ("internet_matters", "Internet Matters", "www.internetmatters.org", "hub/research",
     "www.internetmatters.org"),
    ("uk_trauma_council", "UK Trauma Council", "uktraumacouncil.org", "resource",
     "uktraumacouncil.org"),
    ("anna_freud", "Anna Freud", "www.annafreud.org", "resources", "www.annafreud.org"),
    ("research_in_practice", "Research in Practice", "www.researchinpractice.org.uk",
     "children/publications", "www.researchinpractice.org.uk"),
    ("iwf", "Internet Watch Foundation", "www.iwf.org.uk", "news-media", "www.iwf.org.uk"),
    ("ncb", "National Children's Bureau", "www.ncb.org.uk", "resources-publications",
     "www.ncb.org.uk"),
    ("scie", "SCIE", "www.scie.org.uk", "safeguarding/children", "www.scie.org.uk"),
)  # fmt: skip

TOPICS = (
    "child sexual abuse", "child sexual exploitation", "child criminal exploitation",
    "county lines", "neglect", "emotional abuse", "physical abuse", "domestic abuse",
    "online safety", "online grooming", "sextortion", "image-based abuse", "cyberbullying",
    "bullying", "harmful sexual behaviour", "female genital mutilation", "forced marriage",
    "honour-based abuse", "radicalisation", "extremism", "self-harm", "suicide prevention",
    "child trafficking", "modern slavery", "children missing from home",
    "children missing education", "private fostering", "elective home education",
    "parental substance misuse", "parental mental health", "peer-on-peer abuse",
    "serious youth violence", "knife crime", "gang involvement", "sudden unexpected death",
    "abusive head trauma", "fabricated or induced illness", "child deaths", "coercive control",
    "youth homelessness", "school exclusion", "youth justice", "strip searches",
    "restraint in secure settings", "unregulated placements", "contextual safeguarding",
    "relationship abuse", "sexting", "pornography exposure", "gaming harms",
    "livestreaming risks", "deepfake imagery", "financial exploitation", "child poverty",
    "bereavement", "childhood trauma", "adverse childhood experiences", "attachment difficulties",
    "speech and language delay", "perinatal mental health", "infant safety",
    "safer sleep", "non-accidental injury", "faith-based abuse", "witchcraft accusations",
    "sports safeguarding", "organised abuse", "institutional abuse", "allegations against staff",
    "safer recruitment", "disclosure and barring", "mandatory reporting",
)  # fmt: skip
KINDS = (
    "annual report", "rapid review", "thematic inspection", "practice guidance", "briefing",
    "consultation response", "evaluation", "research summary", "learning review",
    "serious case review", "local child safeguarding practice review", "policy paper",
    "toolkit", "factsheet", "statistical release", "evidence review", "position statement",
    "audit findings", "joint targeted area inspection", "impact report", "scoping study",
    "literature review", "training framework", "data briefing", "insight report",
    "survey findings", "options appraisal", "call for evidence", "implementation plan",
    "action plan", "progress update", "good practice guide", "national panel review",
    "commissioning guide", "cost analysis",
)  # fmt: skip
GROUPS = (
    "disabled children", "babies under one", "adolescents", "teenage girls", "teenage boys",
    "looked after children", "care leavers", "young carers", "unaccompanied asylum-seeking "
    "children", "black and minoritised children", "LGBTQ+ young people", "siblings",
    "children in custody", "children in secure homes", "children with SEND",
    "children in kinship care", "children of prisoners", "traveller and gypsy children",
    "children in temporary accommodation", "young parents", "infants", "toddlers",
    "primary school pupils", "secondary school pupils", "college students",
    "children in residential care", "foster children", "adopted children",
    "deaf children", "autistic children", "children with learning disabilities",
    "children in rural areas", "children in coastal towns", "refugee families",
    "military families", "children in faith settings", "children in sport",
    "children on child protection plans", "children in need", "missing children",
    "young people leaving custody", "young women", "young men", "pre-school children",
    "children excluded from school",
)  # fmt: skip
AUDIENCES = (
    "schools", "social workers", "health visitors", "foster carers", "police officers",
    "youth workers", "GPs", "early years practitioners", "residential care staff",
    "designated safeguarding leads", "school nurses", "midwives", "paediatricians",
    "children's home managers", "sports coaches", "faith leaders", "local authorities",
    "safeguarding partners", "magistrates", "youth offending teams", "probation officers",
    "housing officers", "A&E staff", "mental health practitioners", "independent reviewing "
    "officers", "family support workers", "teachers", "governors", "commissioners",
    "voluntary sector organisations", "parents and carers", "kinship carers",
    "online platforms", "app developers", "researchers",
)  # fmt: skip
PLACES = (
    "England", "Wales", "Scotland", "Northern Ireland", "London", "Birmingham", "Leeds",
    "Sheffield", "Bradford", "Manchester", "Liverpool", "Bristol", "Kirklees", "Wakefield",
    "Wirral", "Coventry", "Leicester", "Sunderland", "Doncaster", "Sandwell", "Dudley",
    "Wolverhampton", "Walsall", "Stockport", "Bolton", "Wigan", "Salford", "Oldham",
    "Rochdale", "Tameside", "Trafford", "Bury", "Sefton", "Knowsley", "St Helens",
    "Gateshead", "Newcastle", "North Tyneside", "South Tyneside", "Durham", "Northumberland",
    "Cumbria", "Lancashire", "Blackpool", "Blackburn with Darwen", "Cheshire East",
    "Cheshire West", "Warrington", "Halton", "Derbyshire", "Derby", "Nottingham",
    "Nottinghamshire", "Lincolnshire", "North Lincolnshire", "Hull", "East Riding", "York",
    "North Yorkshire", "Calderdale", "Barnsley", "Rotherham", "Middlesbrough",
    "Redcar and Cleveland", "Stockton-on-Tees", "Hartlepool", "Darlington", "Staffordshire",
    "Stoke-on-Trent", "Shropshire", "Telford and Wrekin", "Herefordshire", "Worcestershire",
    "Warwickshire", "Solihull", "Northamptonshire", "Rutland", "Leicestershire",
    "Cambridgeshire", "Peterborough", "Norfolk", "Suffolk", "Essex", "Southend", "Thurrock",
    "Hertfordshire", "Bedford", "Luton", "Central Bedfordshire", "Milton Keynes",
    "Buckinghamshire", "Oxfordshire", "Reading", "Slough", "Wokingham", "West Berkshire",
    "Bracknell Forest", "Windsor and Maidenhead", "Surrey", "Kent", "Medway", "East Sussex",
    "West Sussex", "Brighton and Hove", "Hampshire", "Southampton", "Portsmouth",
    "Isle of Wight", "Dorset", "Bournemouth", "Poole", "Wiltshire", "Swindon", "Somerset",
    "Devon", "Plymouth", "Torbay", "Cornwall", "Gloucestershire", "South Gloucestershire",
    "Bath and North East Somerset", "Croydon", "Lambeth", "Southwark", "Lewisham",
    "Greenwich", "Hackney", "Tower Hamlets", "Newham", "Haringey", "Islington", "Camden",
    "Westminster", "Brent", "Ealing", "Hounslow", "Hillingdon", "Harrow", "Barnet",
    "Enfield", "Waltham Forest", "Redbridge", "Havering", "Bexley", "Bromley", "Sutton",
    "Merton", "Kingston", "Richmond", "Wandsworth", "Hammersmith and Fulham",
    "Kensington and Chelsea", "Cardiff", "Swansea", "Newport", "Wrexham", "Gwynedd",
    "Powys", "Ceredigion", "Pembrokeshire", "Carmarthenshire", "Glasgow", "Edinburgh",
    "Aberdeen", "Dundee", "Fife", "Highland", "Belfast", "Derry and Strabane",
)  # fmt: skip
LENSES = (
    "multi-agency working", "information sharing", "early help", "trauma-informed practice",
    "risk assessment", "the voice of the child", "professional curiosity", "escalation",
    "supervision", "threshold decisions", "strategy meetings", "child protection conferences",
    "return home interviews", "health assessments", "disclosure", "recording practice",
    "workforce stability", "agency social workers", "caseloads", "family group conferences",
    "relationship-based practice", "transitional safeguarding", "place-based working",
    "data linkage", "case audits", "peer review", "inspection outcomes", "funding pressures",
    "digital resilience", "age verification", "content moderation", "reporting routes",
    "helpline contacts", "therapeutic support", "advocacy", "independent visitors",
    "restorative approaches", "parenting programmes", "home visiting", "community outreach",
    "school attendance", "the Children Act 1989", "Working Together", "the Online Safety Act",
    "lived experience",
)  # fmt: skip
VERBS = (
    "Improving", "Understanding", "Responding to", "Preventing", "Identifying", "Tackling",
    "Recognising", "Reducing", "Addressing", "Disrupting", "Measuring", "Investigating",
    "Challenging", "Rethinking", "Strengthening", "Evaluating", "Mapping", "Reviewing",
    "Learning from", "Supporting recovery from", "Talking about", "Spotting the signs of",
    "Breaking the cycle of", "Ending", "Confronting",
)  # fmt: skip
# Words a "one word changed" duplicate swaps in.
SWAP_WORDS = (
    "updated", "interim", "final", "revised", "summary", "national", "regional", "local",
    "independent", "joint", "new", "second", "full", "short", "initial", "further",
)  # fmt: skip
HUB_LINKS = (
    "https://www.nspcc.org.uk/donate", "https://www.gov.uk/search/news-and-communications",
    "https://www.gov.uk/government/organisations/home-office",
    "https://learning.nspcc.org.uk/newsletter", "https://www.barnardos.org.uk/contact",
    "https://www.childline.org.uk", "https://www.iwf.org.uk/report",
    "https://www.internetmatters.org/parental-controls", "https://www.ceop.police.uk/report",
    "https://www.gov.uk/report-child-abuse",
)  # fmt: skip
TITLE_PREFIXES = ("Guidance: ", "Research and analysis: ", "News story: ", "Policy paper: ",
                  "Press release: ", "Consultation outcome: ", "Independent report: ")  # fmt: skip
TITLE_SUFFIXES = (" - GOV.UK", " | NSPCC Learning", " – NSPCC", " | Internet Matters",
                  " - UK Trauma Council")  # fmt: skip

_TEMPLATES: tuple[Callable[[random.Random], str], ...] = (
    lambda r: (
        f"{r.choice(VERBS)} {r.choice(TOPICS)} among {r.choice(GROUPS)} in "
        f"{r.choice(PLACES)}: {r.choice(KINDS)} {r.randint(2010, 2025)}"
    ),
    lambda r: (
        f"{r.choice(KINDS).capitalize()}: {r.choice(TOPICS)} and {r.choice(LENSES)} "
        f"for {r.choice(AUDIENCES)} in {r.choice(PLACES)}"
    ),
    lambda r: (
        f"{r.choice(PLACES)} safeguarding children partnership: {r.choice(KINDS)} on "
        f"{r.choice(TOPICS)} and {r.choice(GROUPS)}"
    ),
    lambda r: (
        lambda y: (
            f"{r.choice(TOPICS).capitalize()} {r.choice(KINDS)} {y} to {y + 1}: "
            f"{r.choice(LENSES)}, {r.choice(TOPICS)} and {r.choice(AUDIENCES)}"
        )
    )(r.randint(2010, 2025)),
    lambda r: (
        f"{r.choice(VERBS)} {r.choice(LENSES)} with {r.choice(GROUPS)}: "
        f"{r.choice(KINDS)} for {r.choice(AUDIENCES)} ({r.choice(PLACES)})"
    ),
    lambda r: (
        f"How {r.choice(AUDIENCES)} in {r.choice(PLACES)} respond to {r.choice(TOPICS)} "
        f"affecting {r.choice(GROUPS)}: {r.choice(KINDS)}"
    ),
    lambda r: (
        f"{r.choice(KINDS).capitalize()} of {r.choice(LENSES)} in {r.choice(PLACES)}: "
        f"{r.choice(TOPICS)}, {r.choice(TOPICS)} and {r.choice(GROUPS)} {r.randint(2010, 2025)}"
    ),
    lambda r: (
        f"{r.choice(GROUPS).capitalize()} and {r.choice(TOPICS)}: what "
        f"{r.choice(AUDIENCES)} in {r.choice(PLACES)} told us, {r.choice(KINDS)} "
        f"{r.randint(2010, 2025)}"
    ),
)

_DAY0 = date(2012, 1, 1).toordinal()
_DAY1 = date(2025, 12, 31).toordinal()
_SLUG_RE = re.compile(r"[^a-z0-9]+")

PAIR_KINDS = (
    ("prefix", 0.20), ("punct_case", 0.20), ("one_word", 0.20), ("attachment", 0.15),
    ("link", 0.15), ("link_to_attachment", 0.10),
)  # fmt: skip
TITLE_KINDS = frozenset({"prefix", "punct_case", "one_word"})


def _slug(text: str) -> str:
    return _SLUG_RE.sub("-", text.lower()).strip("-")[:70]


def _when(day: int | None) -> datetime | None:
    if day is None:
        return None
    d = date.fromordinal(day)
    return datetime(d.year, d.month, d.day, tzinfo=UTC)


@dataclass
class Corpus:
    items: list[Candidate]
    pairs: dict[tuple[int, int], str] = field(default_factory=dict)  # (low id, high id) → kind
    decoys: Counter[str] = field(default_factory=Counter)
    involved: set[int] = field(default_factory=set)  # ids in a planted pair or decoy


class Generator:
    """Synthetic items with planted duplicates; everything from one seeded ``Random``."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def fresh(self, iid: int, *, source: tuple[str, ...] | None = None) -> Candidate:
        r = self.rng
        slug, publisher, host, path, att_host = source or r.choice(SOURCES)
        title = r.choice(_TEMPLATES)(r)
        s = _slug(title)
        day = None if r.random() < 0.03 else r.randint(_DAY0, _DAY1)
        atts: tuple[str, ...] = ()
        if r.random() < 0.4:
            atts = tuple(
                f"https://{att_host}/media/{r.getrandbits(48):012x}/{s[:40]}-{k}.pdf"
                for k in range(r.choice((1, 1, 1, 2)))
            )
        links: list[str] = []
        if r.random() < 0.6:
            for _ in range(r.randint(1, 3)):
                if r.random() < 0.5:
                    links.append(r.choice(HUB_LINKS))
                else:
                    links.append(
                        f"https://www.legislation.gov.uk/ukpga/{r.randint(1989, 2024)}/"
                        f"{r.randint(1, 60)}/section/{r.randint(1, 200)}"
                    )
        return Candidate(
            item_id=iid,
            source=slug,
            publisher=publisher,
            url=f"https://{host}/{path}/{s}-{iid:x}",
            title=title,
            published=_when(day),
            attachment_urls=atts,
            link_urls=tuple(dict.fromkeys(links)),
        )

    def _other_source(self, source: str) -> tuple[str, ...]:
        while True:
            choice = self.rng.choice(SOURCES)
            if choice[0] != source:
                return choice

    def _variant(self, url: str) -> str:
        """The same URL as another site would write it."""
        r = self.rng
        if r.random() < 0.5:
            url = "http://" + url.removeprefix("https://")
        if "://www." in url and r.random() < 0.5:
            url = url.replace("://www.", "://", 1)
        if r.random() < 0.4:
            url += "/"
        if r.random() < 0.5:
            url += "?utm_source=newsletter&utm_medium=email&utm_campaign=weekly"
        if r.random() < 0.3:
            url += "#history"
        return url

    def _near_date(self, orig: Candidate, *, dated: bool = False) -> datetime | None:
        r = self.rng
        if orig.published is None:
            if dated:
                return _when(r.randint(_DAY0, _DAY1))
            return None
        return orig.published + timedelta(days=r.choice((0, 0, 0, 1, -1, 2, 3)))

    def _one_word(self, title: str) -> str | None:
        """``title`` with one word replaced, or None when that would drop the word Jaccard
        below 0.8 (see the module docstring)."""
        r = self.rng
        words = title.split(" ")
        before = set(title_tokens(title))
        if len(before) < 9:
            return None
        for _ in range(4):
            i = r.randrange(1, len(words))
            if not words[i].isalpha() or len(words[i]) < 4:
                continue
            edited = " ".join([*words[:i], r.choice(SWAP_WORDS), *words[i + 1 :]])
            after = set(title_tokens(edited))
            if len(before & after) / len(before | after) >= 0.8 and after != before:
                return edited
        return None

    def _punct_case(self, title: str) -> str:
        r = self.rng
        edits: list[Callable[[str], str]] = [
            str.upper, str.lower, str.title,
            lambda t: t.replace(": ", " - "), lambda t: t.replace(": ", " – "),
            lambda t: t + ".", lambda t: t.replace(",", ""), lambda t: t.replace(" and ", " & "),
            lambda t: t.replace(" ", "  "),
        ]  # fmt: skip
        for edit in r.sample(edits, 2):
            title = edit(title)
        return title

    def duplicate(self, orig: Candidate, iid: int, kind: str) -> tuple[Candidate, Candidate]:
        """A planted duplicate of ``orig`` (and ``orig`` itself, given an attachment if the
        kind needs one)."""
        r = self.rng
        base = self.fresh(iid, source=self._other_source(orig.source))
        if kind in ("attachment", "link_to_attachment") and not orig.attachment_urls:
            slug, _, _, _, att_host = next(s for s in SOURCES if s[0] == orig.source)
            orig = dataclasses.replace(
                orig,
                attachment_urls=(f"https://{att_host}/media/{r.getrandbits(48):012x}/file.pdf",),
            )
        if kind == "prefix":
            title = (
                r.choice(TITLE_PREFIXES) + orig.title
                if r.random() < 0.6
                else orig.title + r.choice(TITLE_SUFFIXES)
            )
            dup = dataclasses.replace(base, title=title, published=self._near_date(orig))
        elif kind == "punct_case":
            dup = dataclasses.replace(
                base, title=self._punct_case(orig.title), published=self._near_date(orig)
            )
        elif kind == "one_word":
            edited = self._one_word(orig.title)
            if edited is None or orig.published is None:
                return self.duplicate(orig, iid, "punct_case")
            dup = dataclasses.replace(base, title=edited, published=self._near_date(orig))
        elif kind == "attachment":
            dup = dataclasses.replace(
                base, attachment_urls=(*base.attachment_urls, r.choice(orig.attachment_urls))
            )
        elif kind == "link":
            dup = dataclasses.replace(base, link_urls=(*base.link_urls, self._variant(orig.url)))
        elif kind == "link_to_attachment":
            target = self._variant(r.choice(orig.attachment_urls))
            dup = dataclasses.replace(base, link_urls=(*base.link_urls, target))
        else:
            raise ValueError(kind)
        return orig, dup

    def decoy(self, orig: Candidate, iid: int) -> tuple[str, Candidate]:
        """A must-not-match item: an annual-series title, or a same-source repeat."""
        r = self.rng
        if r.random() < 0.67 and orig.published is not None:
            other = self._other_source(orig.source)
            base = self.fresh(iid, source=other)
            gap = timedelta(days=r.randint(60, 400) * r.choice((-1, 1)))
            return "series", dataclasses.replace(
                base, title=orig.title, published=orig.published + gap
            )
        source = next(s for s in SOURCES if s[0] == orig.source)
        base = self.fresh(iid, source=source)
        return "same_source", dataclasses.replace(base, title=orig.title, published=orig.published)

    def pair_kind(self) -> str:
        x = self.rng.random()
        for kind, weight in PAIR_KINDS:
            if x < weight:
                return kind
            x -= weight
        return PAIR_KINDS[-1][0]

    def corpus(self, n: int, *, start: int = 0, index: Corpus | None = None) -> Corpus:
        """``n`` items with ids from ``start``. Planted duplicates and decoys point at earlier
        items of this corpus, or at ``index`` (an existing corpus) when given; an item is the
        original of at most one planted pair or decoy, so the ground truth is complete."""
        r = self.rng
        out = Corpus(items=[])
        pool = index.items if index is not None else out.items
        eligible: list[int] = []  # positions in pool not yet paired or decoyed
        if index is not None:
            eligible = [i for i, c in enumerate(pool) if c.item_id not in index.involved]
        for k in range(n):
            iid = start + k
            x = r.random()
            if eligible and x < PLANTED_FRACTION + DECOY_FRACTION:
                pos = eligible.pop(r.randrange(len(eligible)))
                orig = pool[pos]
                if x < PLANTED_FRACTION:
                    kind = self.pair_kind()
                    orig, dup = self.duplicate(orig, iid, kind)
                    pool[pos] = orig
                    out.items.append(dup)
                    out.pairs[(min(orig.item_id, iid), max(orig.item_id, iid))] = kind
                else:
                    decoy_kind, dup = self.decoy(orig, iid)
                    out.items.append(dup)
                    out.decoys[decoy_kind] += 1
                out.involved.update((orig.item_id, iid))
                continue
            out.items.append(self.fresh(iid))
            if index is None:
                eligible.append(len(out.items) - 1)
        return out
