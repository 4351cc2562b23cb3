"""The source registry: one entry per source slug. Data, not code.

Each entry says which shared kind reads it (`SourceKind`: a GOV.UK organisation, a WordPress
site, a plain RSS/Atom feed, or an HTML site). A source of the first three kinds needs only an
entry here (and fixtures); an HTML site, or a source with quirks, names its own module in
spiders/ (`spider`), which subclasses its kind's parser.

$AGGREGATOR_EXTRA_SOURCES may name a JSON file of further entries (`load_extra_sources`), read
at import: every process of a deployment (the crawl, each `aggregator worker` and the crawl
process of each job) then sees the same registry without a code change.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from urllib.parse import urlsplit

from aggregator.settings import env_text


class ChannelKind(StrEnum):
    API = "api"
    FEED = "feed"
    SITEMAP = "sitemap"
    LISTING = "listing"


# How the crawl record names a fallback channel the site does not serve (a 404): recorded, but
# not a fetch failure of the source (aggregator/ops/health.py).
NOT_OFFERED = "fallback channel not offered"


@dataclass(frozen=True)
class Channel:
    """One way into a source. `role` is primary or fallback; fallbacks run when primaries fail."""

    kind: ChannelKind
    url: str
    role: str = "primary"


class SourceKind(StrEnum):
    """The shared parser a source is read by: `spiders/<kind>.py`."""

    GOVUK = "govuk"
    WORDPRESS = "wordpress"
    FEED = "feed"
    HTML = "html"


@dataclass(frozen=True)
class Source:
    slug: str
    publisher: str
    homepage: str
    channels: tuple[Channel, ...]
    poll_interval: timedelta = timedelta(hours=12)
    cadence: str = "weekly"
    notes: str = ""
    # The module in spiders/ that holds the source's parser: its own (an HTML site, or a
    # source of another kind with quirks), or its kind's; None: its kind's.
    spider: str | None = None
    hosts: tuple[str, ...] = field(default=())
    # The shared kind that reads the source. Unset, it follows `spider`: a kind's module names
    # that kind, any other module is an HTML site's, and no module means a plain feed.
    kind: SourceKind | None = None
    # Names the site appends to its page titles after a separator ("… - GOV.UK",
    # "… | NSPCC Learning"): stripped from every title (aggregator/normalise/text.py).
    site_names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        kind = self.kind
        if kind is None:
            if self.spider in {k.value for k in SourceKind}:
                kind = SourceKind(self.spider)
            else:
                kind = SourceKind.HTML if self.spider else SourceKind.FEED
        object.__setattr__(self, "kind", SourceKind(kind))

    @property
    def parser_module(self) -> str:
        """The module in spiders/ whose `PARSER` reads the source: its own, else its kind's."""
        return self.spider or str(self.kind)

    def all_hosts(self) -> tuple[str, ...]:
        """Hosts the source's requests go to (used to point them at the fixture server)."""
        found = {urlsplit(c.url).hostname or "" for c in self.channels}
        found.update(self.hosts)
        return tuple(sorted(h for h in found if h))


GOVUK_SEARCH = (
    "https://www.gov.uk/api/search.json?filter_organisations={org}"
    "&reject_content_purpose_supergroup=other&order=-public_timestamp&count=50"
    "&fields=title,link,description,public_timestamp,content_id,content_store_document_type,"
    "display_type,content_purpose_supergroup,organisations,latest_change_note,is_withdrawn"
)


def _govuk(slug: str, org: str, publisher: str, notes: str) -> Source:
    return Source(
        slug=slug,
        publisher=publisher,
        homepage=f"https://www.gov.uk/government/organisations/{org}",
        channels=(
            Channel(ChannelKind.API, GOVUK_SEARCH.format(org=org)),
            Channel(
                ChannelKind.FEED,
                f"https://www.gov.uk/government/organisations/{org}.atom",
                role="fallback",
            ),
        ),
        poll_interval=timedelta(hours=6),
        cadence="daily",
        notes=notes,
        spider="govuk",
        site_names=("GOV.UK",),
    )


def _wordpress(slug: str, publisher: str, homepage: str, notes: str) -> Source:
    """A WordPress site: its RSS feed first, the REST API as the fallback (spiders/wordpress.py)."""
    site = homepage.rstrip("/")
    return Source(
        slug=slug,
        publisher=publisher,
        homepage=f"{site}/",
        channels=(
            Channel(ChannelKind.FEED, f"{site}/feed/"),
            Channel(ChannelKind.API, f"{site}/wp-json/wp/v2/posts?per_page=50", role="fallback"),
            # WordPress's own sitemap (5.5 and later; Yoast redirects it to its index).
            Channel(ChannelKind.SITEMAP, f"{site}/wp-sitemap.xml", role="fallback"),
        ),
        notes=notes,
        kind=SourceKind.WORDPRESS,
    )


def _feed(slug: str, publisher: str, feed_url: str, homepage: str, notes: str) -> Source:
    """A plain RSS/Atom feed (spiders/feed.py)."""
    return Source(
        slug=slug,
        publisher=publisher,
        homepage=homepage,
        channels=(Channel(ChannelKind.FEED, feed_url),),
        notes=notes,
        kind=SourceKind.FEED,
    )


# `aggregator source new` adds its entry just above REGISTRY_END.
REGISTRY_END = "        # end of the registry: new entries go above this line"

REGISTRY: dict[str, Source] = {
    s.slug: s
    for s in [
        Source(
            slug="nspcc",
            publisher="NSPCC",
            homepage="https://learning.nspcc.org.uk/",
            channels=(
                Channel(ChannelKind.LISTING, "https://learning.nspcc.org.uk/news"),
                Channel(ChannelKind.LISTING, "https://learning.nspcc.org.uk/research-resources"),
                Channel(
                    ChannelKind.SITEMAP, "https://learning.nspcc.org.uk/sitemap.xml", "fallback"
                ),
            ),
            cadence="weekly",
            notes="No feed known. Text anchors: 'Last updated: … Topics: …', "
            "'Publication date April 2024', '(Published 2022)'. Umbraco (inferred).",
            spider="nspcc",
            site_names=("NSPCC Learning", "NSPCC"),
        ),
        _govuk(
            "home_office",
            "home-office",
            "Home Office",
            "GOV.UK Search API first, Content API for detail, org Atom feed as fallback.",
        ),
        _govuk(
            "dhsc",
            "department-of-health-and-social-care",
            "Department of Health and Social Care",
            "High volume (all health policy news): relevance filtering matters.",
        ),
        Source(
            slug="lucy_faithfull",
            publisher="Lucy Faithfull Foundation",
            homepage="https://www.lucyfaithfull.org.uk/",
            channels=(
                # The listing links only the /featured-news/*.htm generation; articles at
                # /<slug>/ (2019, and again from 2024) are found through the sitemap.
                Channel(ChannelKind.LISTING, "https://www.lucyfaithfull.org.uk/featured-news.htm"),
                Channel(ChannelKind.SITEMAP, "https://www.lucyfaithfull.org.uk/sitemap.xml"),
            ),
            cadence="monthly",
            notes="Three URL generations (/featured-news/<slug>.htm; 2019-era /<slug>/); "
            "'Published: DD/MM/YYYY' is day first; many pages carry no visible date (JSON-LD / "
            "article:published_time, else undated). Listing URL unconfirmed.",
            spider="lucy_faithfull",
            site_names=(
                "Lucy Faithfull Foundation",
                "The Lucy Faithfull Foundation",
                "Stop It Now!",
                "Stop It Now",
            ),
            # Pages are linked both with and without www (sources.md 4.1).
            hosts=("lucyfaithfull.org.uk",),
        ),
        Source(
            slug="internet_matters",
            publisher="Internet Matters",
            homepage="https://www.internetmatters.org/",
            channels=(
                Channel(ChannelKind.FEED, "https://www.internetmatters.org/feed/"),
                Channel(
                    ChannelKind.API,
                    "https://www.internetmatters.org/wp-json/wp/v2/posts?per_page=50",
                    role="fallback",
                ),
                Channel(
                    ChannelKind.LISTING,
                    "https://www.internetmatters.org/hub/research/",
                    role="fallback",
                ),
                Channel(
                    ChannelKind.LISTING,
                    "https://www.internetmatters.org/hub/news-blogs/",
                    role="fallback",
                ),
                Channel(
                    ChannelKind.LISTING,
                    "https://www.internetmatters.org/hub/guidance/",
                    role="fallback",
                ),
                Channel(
                    ChannelKind.SITEMAP,
                    "https://www.internetmatters.org/sitemap_index.xml",
                    role="fallback",
                ),
            ),
            cadence="weekly",
            notes="WordPress: feed, then REST API, then hub listings. Key on the canonical URL "
            "without utm_ parameters; WordPress post id (feed guid / REST id / shortlink "
            "?p=<id>) as the alias wp-post:<id>. The hub section names the type (its plain "
            "words: press-release is news); Yoast sitemap as the last way in.",
            kind=SourceKind.WORDPRESS,
            spider="internet_matters",
            site_names=("Internet Matters",),
        ),
        Source(
            slug="uk_trauma_council",
            publisher="UK Trauma Council",
            homepage="https://uktraumacouncil.org/",
            channels=(
                Channel(ChannelKind.LISTING, "https://uktraumacouncil.org/resources"),
                Channel(ChannelKind.SITEMAP, "https://uktraumacouncil.org/sitemap.xml", "fallback"),
            ),
            cadence="monthly",
            notes="No trailing slashes. Events listing URL unknown: events are recognised by "
            "content (a date-time range, a booking link).",
            spider="uk_trauma_council",
            site_names=("UK Trauma Council", "Anna Freud Centre", "Anna Freud"),
        ),
        _govuk(
            "dfe",
            "department-for-education",
            "Department for Education",
            "High volume (schools, skills, children's social care): relevance filtering "
            "matters. Co-publishes with DHSC (Family Hubs and Start for Life), so some items "
            "are also found by dhsc; the Content API's primary_publishing_organisation is "
            "the publisher of record.",
        ),
        _govuk(
            "ofsted",
            "ofsted",
            "Ofsted",
            "Inspection frameworks, joint targeted area inspection (JTAI) guidance, annual "
            "reports and consultations. Individual inspection reports and JTAI letters live "
            "on reports.ofsted.gov.uk, not in the organisation's GOV.UK results.",
        ),
        _govuk(
            "cspr_panel",
            "child-safeguarding-practice-review-panel",
            "Child Safeguarding Practice Review Panel",
            "Low volume (a few national reviews, an annual report and briefings a year), "
            "nearly all relevant. DfE provides the Panel's secretariat.",
        ),
        _wordpress(
            "childrens_commissioner",
            "Children's Commissioner for England",
            "https://www.childrenscommissioner.gov.uk/",
            "WordPress (wp-content uploads on assets.childrenscommissioner.gov.uk, shortlinks "
            "/?p=<id>): posts in the sections resource (reports, briefings), statement and blog, "
            "seen in stored copies of the site. Feed and REST API are WordPress's own, unverified.",
        ),
        # end of the registry: new entries go above this line
    ]
}


def get_source(slug: str) -> Source:
    """The registry entry for `slug`, or a KeyError naming the known slugs."""
    try:
        return REGISTRY[slug]
    except KeyError:
        known = ", ".join(sorted(REGISTRY))
        raise KeyError(f"unknown source {slug!r} (known: {known})") from None


EXTRA_SOURCES_ENV = "AGGREGATOR_EXTRA_SOURCES"


def load_extra_sources(path: str | os.PathLike[str]) -> dict[str, Source]:
    """Registry entries from a JSON file: a list of objects with Source's fields, channels as
    `{"kind", "url", "role"}`, `poll_interval` in seconds, `hosts` and `site_names` as lists."""
    found: dict[str, Source] = {}
    for entry in json.loads(Path(path).read_text(encoding="utf-8")):
        fields = dict(entry)
        fields["channels"] = tuple(
            Channel(ChannelKind(c["kind"]), c["url"], c.get("role", "primary"))
            for c in fields["channels"]
        )
        if "poll_interval" in fields:
            fields["poll_interval"] = timedelta(seconds=float(fields["poll_interval"]))
        fields["hosts"] = tuple(fields.get("hosts", ()))
        fields["site_names"] = tuple(fields.get("site_names", ()))
        source = Source(**fields)
        if source.slug in REGISTRY or source.slug in found:
            raise ValueError(f"{path}: source {source.slug!r} is already registered")
        found[source.slug] = source
    return found


if env_text(EXTRA_SOURCES_ENV):
    REGISTRY.update(load_extra_sources(env_text(EXTRA_SOURCES_ENV)))
