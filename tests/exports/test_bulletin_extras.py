"""What the composer adds to the bulletin writers: via lines, the editor's links, links left
out, a date line and section introductions, in every format; and labels never doubled."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from aggregator.exports.bulletin import EntryExtras, Layout, iter_markdown, iter_text, tidy_link
from aggregator.exports.email_html import iter_email_html
from aggregator.schema import Attachment, DocType, Item, Precision

URL = "https://www.gov.uk/government/consultations/child-sexual-abuse-mandatory-reporting"


BRIEFING_PDF = "Download the briefing (PDF)"
TITLE = "Preventing self-generated abuse"


@pytest.mark.parametrize(
    ("label", "text", "shown"),
    [
        ("Download the report", "Download the report", ("Download the report", "")),
        ("Download the report", "download the report.", ("Download the report", "")),
        ("Download the report", "", ("Download the report", "")),
        ("Download the document", BRIEFING_PDF, (BRIEFING_PDF, "")),
        ("Download the report", TITLE, ("Download the report", TITLE)),
    ],
)
def test_a_label_is_never_doubled(label: str, text: str, shown: tuple[str, str]) -> None:
    assert tidy_link(label, text, "https://example.org/x.pdf")[:2] == shown


def response() -> Item:
    return Item(
        key="gov.uk/mandatory",
        source="home_office",
        publisher="Home Office",
        title="Mandatory reporting",
        url=URL,
        summary="The Government has published its response to the consultation.",
        doc_type=DocType.CONSULTATION_RESPONSE,
        published=datetime(2024, 5, 9, tzinfo=UTC),
        published_precision=Precision.DAY,
        attachments=[Attachment("Download the report", "https://example.org/response.pdf")],
    )


EXTRAS = EntryExtras(
    via=(
        (
            "Read the report via the NSPCC",
            "Government response to Child sexual abuse: mandatory reporting consultation",
            "https://learning.nspcc.org.uk/news/mandatory-reporting",
        ),
    ),
    links=(
        (
            "See the bill on Criminal Justice Bill, as amended (PDF) (at report stage)",
            "https://bills.parliament.uk/bills/3511",
        ),
    ),
    hidden=frozenset({URL}),  # the editor shows the NSPCC's write-up, not the page itself
)
LAYOUT = Layout(
    issue_line="Week commencing 6 May 2024",
    intros={
        "Consultations and government responses": (
            "The NSPCC has provided the following items of interest regarding Child Sexual Abuse."
        )
    },
)
SECTION = "Consultations and government responses"


def test_text_reads_like_the_example_bulletin() -> None:
    text = "".join(iter_text([(SECTION, response(), EXTRAS)], "Safeguarding update", LAYOUT))
    assert text.startswith(
        "Safeguarding update\n===================\n\nWeek commencing 6 May 2024\n"
    )
    assert (
        "CONSULTATIONS AND GOVERNMENT RESPONSES\n--------------------------------------\n\n"
        "The NSPCC has provided the following items of interest regarding Child\nSexual Abuse.\n"
    ) in text
    assert (
        "Read the report via the NSPCC: Government response to Child sexual abuse:\n"
        "mandatory reporting consultation\nhttps://learning.nspcc.org.uk/news/mandatory-reporting\n"
    ) in text
    assert "Download the report: https://example.org/response.pdf" in text  # not doubled
    assert (
        "See the bill on Criminal Justice Bill, as amended (PDF) (at report stage): "
        "https://bills.parliament.uk/bills/3511"
    ) in text
    assert URL not in text  # unticked


def test_markdown_and_html_carry_the_same_extras() -> None:
    placed = [(SECTION, response(), EXTRAS)]
    markdown = "".join(iter_markdown(placed, "Safeguarding update", LAYOUT))
    html = "".join(iter_email_html(placed, "Safeguarding update", LAYOUT))
    for shown in (markdown, html):
        assert "Week commencing 6 May 2024" in shown
        assert "items of interest regarding Child Sexual Abuse." in shown
        assert "https://learning.nspcc.org.uk/news/mandatory-reporting" in shown
        assert "https://bills.parliament.uk/bills/3511" in shown
        assert URL not in shown
    assert "Read the report via the NSPCC: [Government response" in markdown
    assert "[Download the report](https://example.org/response.pdf)" in markdown
    # without extras and layout, the writers give what they always gave
    assert "".join(iter_markdown([(SECTION, response())])) == "".join(
        iter_markdown([(SECTION, response(), EntryExtras())], layout=Layout())
    )
