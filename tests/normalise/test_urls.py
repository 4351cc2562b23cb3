"""Table-driven tests for aggregator.normalise.urls, using URLs from /work/shared/sources.md."""

from __future__ import annotations

import pytest

from aggregator.normalise import TRACKING_PARAMS, canonical_url, is_http_url, url_key

MR = "https://www.gov.uk/government/consultations/child-sexual-abuse-mandatory-reporting"

CANONICAL_ROWS = [
    # unchanged when already canonical
    (MR, MR),
    ("https://uktraumacouncil.org/resource/traumatic-bereavement-clinical-guide",
     "https://uktraumacouncil.org/resource/traumatic-bereavement-clinical-guide"),
    # tracking parameters and fragments
    (MR + "/?utm_source=x#y", MR + "/"),  # the slash is the publisher's: kept
    (MR + "?utm_source=govdelivery&utm_medium=email&utm_campaign=c&utm_content=d", MR),
    (MR + "?UTM_Source=x", MR),
    (MR + "?utm_anything_new=1", MR),  # utm_ is a prefix rule
    (MR + "?fbclid=abc&gclid=def&mc_cid=1&mc_eid=2", MR),
    (MR + "?_hsenc=a&_hsmi=b&mkt_tok=c&ref=d&cmpid=e&igshid=f", MR),
    ("https://learning.nspcc.org.uk/news/2024/may/podcast-supporting-deaf-children"
     "#:~:text=Deaf%20children",
     "https://learning.nspcc.org.uk/news/2024/may/podcast-supporting-deaf-children"),
    (MR + "#history", MR),
    # scheme, host case, default ports
    ("http://www.gov.uk/government/consultations/child-sexual-abuse-mandatory-reporting", MR),
    ("HTTPS://WWW.GOV.UK/government/consultations/child-sexual-abuse-mandatory-reporting", MR),
    ("https://www.gov.uk:443/government/consultations/child-sexual-abuse-mandatory-reporting",
     MR),
    ("http://www.gov.uk:80/government/consultations/child-sexual-abuse-mandatory-reporting", MR),
    ("https://example.org:8443/a", "https://example.org:8443/a"),
    # www. is kept in the canonical URL
    ("https://www.lucyfaithfull.org.uk/home-secretary-announces-funding-for-the-lucy-faithfull-"
     "foundation/",
     "https://www.lucyfaithfull.org.uk/home-secretary-announces-funding-for-the-lucy-faithfull-"
     "foundation/"),
    # the publisher's trailing slash is kept (one of them); duplicate slashes, dot segments
    ("https://www.internetmatters.org/hub/research/me-myself-and-ai-chatbot-research/",
     "https://www.internetmatters.org/hub/research/me-myself-and-ai-chatbot-research/"),
    ("https://www.internetmatters.org/hub/research/x//", "https://www.internetmatters.org/hub/research/x/"),
    ("https://www.gov.uk//government///organisations/home-office.atom",
     "https://www.gov.uk/government/organisations/home-office.atom"),
    ("https://example.org/a/./b/../c", "https://example.org/a/c"),
    ("https://www.gov.uk", "https://www.gov.uk/"),
    ("https://www.gov.uk/", "https://www.gov.uk/"),
    ("https://www.gov.uk/?", "https://www.gov.uk/"),
    # path case is kept
    ("https://example.org/Some/Path", "https://example.org/Some/Path"),
    # query: sorted by key, repeated keys keep their order, empty pieces dropped
    ("https://www.gov.uk/api/search.json?order=-public_timestamp"
     "&filter_organisations=home-office"
     "&filter_organisations=department-of-health-and-social-care&count=100&utm_source=x",
     "https://www.gov.uk/api/search.json?count=100"
     "&filter_organisations=home-office"
     "&filter_organisations=department-of-health-and-social-care&order=-public_timestamp"),
    ("https://example.org/a?b=2&&a=1&b=1&flag", "https://example.org/a?a=1&b=2&b=1&flag"),
    ("https://learning.nspcc.org.uk/research-resources?topics=Emotionalabuse19378",
     "https://learning.nspcc.org.uk/research-resources?topics=Emotionalabuse19378"),
    # percent-encoding: unreserved decoded, escapes upper-cased, unsafe characters escaped
    ("https://example.org/%7euser/%e2%82%ac", "https://example.org/~user/%E2%82%AC"),
    ("https://example.org/a%2fb?q=a%2fb&r=%41", "https://example.org/a%2Fb?q=a%2Fb&r=A"),
    ("https://example.org/a b?q=1 2", "https://example.org/a%20b?q=1%202"),
    ("https://example.org/100%", "https://example.org/100%25"),
    ("https://example.org/caf\u00e9", "https://example.org/caf%C3%A9"),
    # internationalised host names become punycode
    ("https://b\u00fccher.example/", "https://xn--bcher-kva.example/"),
    # the LFF "-.htm" slug artefact is kept as published
    ("https://lucyfaithfull.org.uk/featured-news/our-2021-22-annual-report-celebrating-30-years-"
     "of-the-lucy-faithfull-foundation-.htm",
     "https://lucyfaithfull.org.uk/featured-news/our-2021-22-annual-report-celebrating-30-years-"
     "of-the-lucy-faithfull-foundation-.htm"),
    # surrounding whitespace from page text
    ("  " + MR + "\n", MR),
]  # fmt: skip


@pytest.mark.parametrize(("url", "expected"), CANONICAL_ROWS)
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


def test_canonical_url_is_idempotent() -> None:
    for url, _ in CANONICAL_ROWS:
        once = canonical_url(url)
        assert canonical_url(once) == once


RELATIVE_ROWS = [
    ("/news/2024/may/podcast-supporting-deaf-children", "https://learning.nspcc.org.uk/news",
     "https://learning.nspcc.org.uk/news/2024/may/podcast-supporting-deaf-children"),
    ("podcast-supporting-deaf-children", "https://learning.nspcc.org.uk/news/2024/may/",
     "https://learning.nspcc.org.uk/news/2024/may/podcast-supporting-deaf-children"),
    ("../resource/traumatic-bereavement-clinical-guide", "https://uktraumacouncil.org/about/x",
     "https://uktraumacouncil.org/resource/traumatic-bereavement-clinical-guide"),
    ("//www.gov.uk/a?utm_source=x", "https://www.gov.uk/b", "https://www.gov.uk/a"),
    ("#top", "https://www.gov.uk/a/", "https://www.gov.uk/a/"),
    ("https://www.gov.uk/a", "https://other.example/", "https://www.gov.uk/a"),
]  # fmt: skip


@pytest.mark.parametrize(("url", "base", "expected"), RELATIVE_ROWS)
def test_canonical_url_relative(url: str, base: str, expected: str) -> None:
    assert canonical_url(url, base=base) == expected


@pytest.mark.parametrize(
    "url",
    [
        "mailto:safeguarding@example.org",
        "javascript:void(0)",
        "ftp://example.org/file.pdf",
        "tel:08088005000",
        "/relative/without/base",
        "",
        "https:///no-host",
        "https://example.org:99999/",
    ],
)
def test_canonical_url_rejects(url: str) -> None:
    with pytest.raises(ValueError) as info:
        canonical_url(url)
    assert repr(url) in str(info.value)


KEY_ROWS = [
    (MR + "/?utm_source=x#y",
     "gov.uk/government/consultations/child-sexual-abuse-mandatory-reporting"),
    ("http://WWW.gov.uk/a/", "gov.uk/a"),
    ("https://gov.uk/a", "gov.uk/a"),
    ("https://www.gov.uk/a?utm_campaign=z#frag", "gov.uk/a"),
    ("https://www.gov.uk/", "gov.uk"),
    ("https://www.gov.uk", "gov.uk"),
    ("https://learning.nspcc.org.uk/research-resources?topics=Emotionalabuse19378&fbclid=1",
     "learning.nspcc.org.uk/research-resources?topics=Emotionalabuse19378"),
    ("https://example.org/a?b=2&a=1", "example.org/a?a=1&b=2"),
    ("https://example.org/Some/Path/", "example.org/Some/Path"),  # path case kept
    ("https://example.org:8443/a", "example.org:8443/a"),
    ("https://wwwexample.org/a", "wwwexample.org/a"),  # only a "www." label is dropped
]  # fmt: skip


@pytest.mark.parametrize(("url", "expected"), KEY_ROWS)
def test_url_key(url: str, expected: str) -> None:
    assert url_key(url) == expected


def test_url_key_same_page_variants() -> None:
    variants = [
        "http://WWW.gov.uk/a/",
        "https://gov.uk/a",
        "https://www.gov.uk/a?utm_campaign=z#frag",
        "https://www.gov.uk//a",
        "HTTPS://GOV.UK:443/a/",
    ]
    assert {url_key(v) for v in variants} == {"gov.uk/a"}


def test_url_key_path_case_matters() -> None:
    assert url_key("https://example.org/a") != url_key("https://example.org/A")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.gov.uk/a", True),
        ("http://example.org", True),
        ("HTTP://EXAMPLE.ORG/x", True),
        (" https://example.org/a ", True),
        ("ftp://example.org/a", False),
        ("mailto:a@example.org", False),
        ("javascript:void(0)", False),
        ("/relative", False),
        ("www.gov.uk/a", False),
        ("https://", False),
        ("https://example.org:99999/", False),
        ("", False),
    ],
)
def test_is_http_url(url: str, expected: bool) -> None:
    assert is_http_url(url) is expected


@pytest.mark.parametrize(
    "name", ["utm_source", "fbclid", "gclid", "mc_cid", "mc_eid", "_hsenc", "_hsmi", "mkt_tok",
             "ref", "cmpid", "igshid"],
)  # fmt: skip
def test_tracking_params_listed(name: str) -> None:
    assert name in TRACKING_PARAMS


def test_tracking_params_are_lower_case() -> None:
    assert all(name == name.lower() for name in TRACKING_PARAMS)
