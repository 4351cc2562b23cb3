"""Each source's main text is the page's own words only, one paragraph or list item per line.

For every source, a detail fixture's main text must hold a known sentence of the article and
none of the page's chrome: its cookie banner, menus, breadcrumbs, share links, newsletter
sign-up, related links, footer, and the date and label lines the spider reads as fields. The
chrome strings below are copied from the fixtures, so each check has something to catch.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from aggregator.devtools.fixtures import FIXTURES_DIR, read_meta
from aggregator.parse.offline import parse_saved


def main_text(slug: str, name: str, snapshot: str = "") -> str:
    folder = FIXTURES_DIR / slug / snapshot if snapshot else FIXTURES_DIR / slug
    response = next(
        r for r in read_meta(folder) if r.file.name == name or _relative(r.file, folder) == name
    )
    result = parse_saved(
        slug,
        response.file.read_bytes(),
        response.url,
        datetime(2024, 5, 31, 8, tzinfo=UTC),
        response.content_type,
    )
    [text] = result.main_texts
    return text


def _relative(path: Path, folder: Path) -> str:
    return str(path.relative_to(folder))


def lines(text: str) -> list[str]:
    return text.split("\n")


CASES = [
    pytest.param(
        "nspcc",
        "child-protection-statistics-updated.html",
        "",
        [
            "We have updated our statistics briefings with the most recent figures published by "
            "each of the four UK nations.",
            "The briefings bring together the number of children on child protection plans and "
            "registers, and the main categories of abuse recorded.",
        ],
        [
            "We use cookies",
            "Accept all cookies",
            "Skip to content",
            "Search NSPCC Learning",
            "Safeguarding and child protection",  # main menu
            "News and opinion",  # breadcrumb
            "Monthly case reviews update",  # related links
            "Sign up to CASPAR",  # footer newsletter
            "Privacy notice",
            "All rights reserved",
            "Last updated",  # label lines are read as fields
            "Topics:",
            "Child protection statistics for the UK updated",  # the <h1> is the title
        ],
        id="nspcc",
    ),
    pytest.param(
        "nspcc",
        "child-protection-statistics-updated.html",
        "variant",
        [
            "The briefings bring together the number of children on child protection plans and "
            "registers, and the main categories of abuse recorded."
        ],
        ["Childline", "NSPCC Learning shop", "Cookie", "Last updated", "Privacy"],
        id="nspcc-reskin-without-main",
    ),
    pytest.param(
        "nspcc",
        "young-peoples-experiences-online-sextortion.html",
        "",
        [
            "Recommendations",
            "Professionals should reassure young people that they are not in trouble.",
            "Schools should include sextortion in relationships and sex education.",
        ],
        ["Publication date", "May 2024", "Related", "cookies"],
        id="nspcc-research",
    ),
    pytest.param(
        "lucy_faithfull",
        "stop-it-now-helpline-sees-rise-in-calls-from-concerned-family-members.html",
        "",
        [
            "Our confidential Stop It Now helpline is hearing from more family members who are "
            "worried about the online behaviour of a partner, parent or adult child."
        ],
        [
            "This website uses cookies",
            "OK, got it",
            "Call the Stop It Now helpline on 0808",  # top bar
            "About us",
            "Featured news",  # breadcrumb
            "Share this page",
            "Facebook",
            "e-newsletter",
            "Subscribe",
            "Need help?",  # sidebar
            "Registered charity",
            "Privacy policy",
        ],
        id="lucy_faithfull",
    ),
    pytest.param(
        "lucy_faithfull",
        "home-secretary-announces-funding-for-the-lucy-faithfull-foundation.html",
        "",
        [
            "The Home Secretary has announced funding for the Lucy Faithfull Foundation to expand "
            "its work to prevent child sexual abuse."
        ],
        ["Published:", "01/03/2019", "cookies"],
        id="lucy_faithfull-2019",
    ),
    pytest.param(
        "lucy_faithfull",
        "annual-report-showcases-the-lucy-faithfull-foundations-work-to-protect-children.html",
        "variant",
        [
            "Our latest annual report sets out the work we have done over the past year to "
            "protect children from sexual abuse."
        ],
        ["Published:", "02/10/2019"],
        id="lucy_faithfull-reskin",
    ),
    pytest.param(
        "internet_matters",
        "sextortion-advice-for-parents-and-carers.html",
        "",
        [
            "Sextortion is a form of blackmail where someone threatens to share sexual images of "
            "a person unless they pay money or send more images.",
            "What to do",
            "Stay calm and reassure your child that they are not in trouble.",
            "Do not pay or reply to the blackmailer.",
        ],
        [
            "We value your privacy",
            "Accept All",
            "Online issues",  # menu
            "Parental controls",
            "Share",
            "Facebook",
            "More Guidance",  # related
            "Sign up to our newsletter",
            "Privacy policy",
            "All rights reserved",
        ],
        id="internet_matters",
    ),
    pytest.param(
        "uk_trauma_council",
        "traumatic-bereavement-clinical-guide.html",
        "",
        [
            "This guide sets out how to assess traumatic bereavement and describes evidence-based "
            "approaches to treatment.",
            "Who is it for?",
        ],
        [
            "We use essential cookies",
            "Accept all",
            "Resources",  # menu (the "part of a … resource" link is inside a sentence)
            "A project of",
            "Stay up to date",  # newsletter sign-up inside <main>
            "Sign up to our newsletter",
            "Email address",
            "Terms of use",
            "Supporting children and young people affected by trauma",  # footer
            "Decor",
        ],
        id="uk_trauma_council",
    ),
    pytest.param(
        "uk_trauma_council",
        "unpacking-complex-trauma-webinar.html",
        "",
        [
            "Thursday May 16, 2024, 05:00 PM – 06:30 PM BST",
            "It is for professionals who support children and young people after trauma.",
        ],
        ["Essential only", "Privacy", "Decor"],
        id="uk_trauma_council-event",
    ),
]


@pytest.mark.parametrize(("slug", "name", "snapshot", "present", "chrome"), CASES)
def test_main_text_is_the_article_without_chrome(
    slug: str, name: str, snapshot: str, present: list[str], chrome: list[str]
) -> None:
    text = main_text(slug, name, snapshot)
    for line in present:
        assert line in lines(text), f"{line!r} is not a line of the main text:\n{text}"
    for string in chrome:
        if string == "Resources" or string == "Share":
            # Short labels: only a whole line of their own would be chrome.
            assert string not in lines(text)
        else:
            assert string.lower() not in text.lower(), f"{string!r} leaked into:\n{text}"


def test_govuk_main_text_is_the_content_api_body_then_the_outcome() -> None:
    text = main_text(
        "dhsc",
        "content/government/consultations/medical-examiner-fees-proposed-changes-to-regulations.json",
    )
    assert lines(text) == [
        "The medical examiner system provides independent scrutiny of deaths not investigated "
        "by a coroner.",
        "This consultation asked for views on the fee that will be charged for medical "
        "examiner services and on the draft regulations.",
        "We have considered the responses to the consultation and will set the medical "
        "examiner fee at the level proposed. The fee will apply to deaths certified on or "
        "after 9 September 2024.",
    ]


def test_govuk_body_keeps_lists_and_headings_and_drops_attachment_blocks() -> None:
    import json

    from aggregator.sources import get_source
    from spiders.base import Page
    from spiders.govuk import GovukParser

    body = (
        '<div class="govspeak"><h2 id="key">Key points</h2><p>The duty applies in England.</p>'
        "<ul><li>Report to the police</li><li>Or to children’s social care</li></ul>"
        '<section class="attachment embedded" id="attachment_1"><h3 class="title">'
        '<a href="/x.pdf">Guidance (PDF)</a></h3><p class="metadata">PDF, 1.2 MB, 40 pages</p>'
        "<p>This file may not be suitable for users of assistive technology.</p></section>"
        '<p>See the <span class="attachment-inline"><a href="/y.pdf">impact assessment</a>'
        "</span> for costs.</p></div>"
    )
    record = {
        "base_path": "/government/publications/x",
        "title": "X",
        "details": {"body": body},
    }
    page = Page(
        json.dumps(record).encode(),
        "https://www.gov.uk/api/content/government/publications/x",
        datetime(2024, 5, 31, 8, tzinfo=UTC),
        "application/json",
    )
    [raw] = GovukParser(get_source("home_office")).parse(page, "api_detail").items
    assert lines(raw.body_text) == [
        "Key points",
        "The duty applies in England.",
        "Report to the police",
        "Or to children’s social care",
        "See the impact assessment for costs.",
    ]
