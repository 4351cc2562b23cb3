"""Attachments by label and file hints, not only a .pdf suffix (spiders/documents.py)."""

from __future__ import annotations

from bs4 import BeautifulSoup

from spiders.documents import document_links

PAGE = "https://learning.nspcc.org.uk/research-resources/2021/x"


def found(html: str, labels: tuple[str, ...] = ()) -> list[tuple[str, str | None]]:
    links = document_links(PAGE, BeautifulSoup(html, "lxml"), labels)
    return [(a.url, a.media_type) for a in links]


def test_a_report_link_without_a_pdf_suffix_is_found_by_its_label() -> None:
    assert found('<a href="/media/xq2lvnfa/sustainability-report">Read the report (PDF)</a>') == [
        ("https://learning.nspcc.org.uk/media/xq2lvnfa/sustainability-report", "application/pdf")
    ]


def test_file_suffixes_type_and_download_attributes_and_site_labels() -> None:
    html = (
        '<a href="/media/abcd1234/report.pdf">The report</a>'
        '<a href="/files/data.xlsx">Data</a>'
        '<a href="/get?id=7" type="application/pdf">Summary</a>'
        '<a href="/get?id=8" download>Toolkit</a>'
        '<a href="/x/briefing">Get the briefing</a>'
    )
    assert [url for url, _ in found(html, ("Get the briefing",))] == [
        "https://learning.nspcc.org.uk/media/abcd1234/report.pdf",
        "https://learning.nspcc.org.uk/files/data.xlsx",
        "https://learning.nspcc.org.uk/get?id=7",
        "https://learning.nspcc.org.uk/get?id=8",
        "https://learning.nspcc.org.uk/x/briefing",
    ]


def test_document_words_need_a_file_folder_and_pages_are_not_documents() -> None:
    html = (
        '<a href="/wp-content/uploads/2024/11/deepfakes">Read the full report</a>'
        '<a href="https://www.gov.uk/government/publications/x">Read the report</a>'
        '<a href="/news/2024/may/x">Read more</a>'
        '<a href="https://apps.apple.com/app/x">Download the app</a>'
    )
    assert [url for url, _ in found(html)] == [
        "https://learning.nspcc.org.uk/wp-content/uploads/2024/11/deepfakes"
    ]
