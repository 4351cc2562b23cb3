"""Which links on a page are its documents (attachments), whatever their URL looks like.

A link is a document when its URL names a file (`.pdf`, `.docx` …), its markup says so (a
`type=` of a document format, a `download` attribute), its label says so ("Download …",
"Read the report (PDF)", "[PDF, 2MB]"), or it reads as a document ("Read the report") and
points into a media or upload folder (`/media/…`, `/wp-content/uploads/…`). Many sites serve
reports from URLs with no extension, so the suffix alone misses them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, Tag

from aggregator.parse.raw import RawAttachment

FILE_SUFFIX = re.compile(r"\.(pdf|docx?|odt|xlsx?|ods|pptx?|csv|rtf|epub)$", re.I)
DOCUMENT_TYPES = re.compile(r"^application/(pdf|msword|vnd\.|rtf|epub)", re.I)
# A label naming a file format: "(PDF)", "PDF, 2MB", "[Word document]".
FORMAT_LABEL = re.compile(r"\b(PDF|DOCX?|Word document|Excel|ODT|EPUB)\b")
DOWNLOAD_LABEL = re.compile(r"^\s*download\b", re.I)
# "Read the report", "View the full briefing", "Open our guide": a document by its words.
DOCUMENT_WORDS = re.compile(
    r"^\s*(read|view|open|see|access)\s+(the|our|this)?\s*(full\s+|complete\s+)?"
    r"(report|briefing|guide|guidance|paper|summary|findings|research|toolkit|factsheet|evaluation)\b",
    re.I,
)
FILE_FOLDERS = re.compile(
    r"/(media|uploads|wp-content/uploads|files|documents|docs|downloads?|assets|globalassets)/",
    re.I,
)
# App stores and social sites: "Download the app" is not a document.
NOT_DOCUMENTS = re.compile(r"(apps\.apple\.com|play\.google\.com|microsoft\.com/store)", re.I)


def document_links(
    base_url: str, scope: Tag | BeautifulSoup, labels: Sequence[str] = ()
) -> list[RawAttachment]:
    """The documents linked in `scope`, each once, in page order. `labels` are a site's own
    link texts that make a link a document ("Download the briefing")."""
    found: list[RawAttachment] = []
    seen: set[str] = set()
    for anchor in scope.find_all("a", href=True):
        text = " ".join(anchor.get_text(" ").split())
        href = urljoin(base_url, str(anchor["href"])).split("#")[0]
        if (
            href in seen
            or not href.startswith(("http://", "https://"))
            or NOT_DOCUMENTS.search(href)
        ):
            continue
        if _is_document(anchor, text, href, labels):
            seen.add(href)
            found.append(
                RawAttachment(title=text, url=href, media_type=_media_type(anchor, text, href))
            )
    return found


def _is_document(anchor: Tag, text: str, href: str, labels: Sequence[str]) -> bool:
    path = urlsplit(href).path
    kind = str(anchor.get("type") or "")
    if FILE_SUFFIX.search(path) or DOCUMENT_TYPES.match(kind) or anchor.has_attr("download"):
        return True
    if any(text.lower().startswith(label.lower()) for label in labels):
        return True
    if DOWNLOAD_LABEL.match(text) or FORMAT_LABEL.search(text):
        return True
    return bool(DOCUMENT_WORDS.match(text) and FILE_FOLDERS.search(path))


def _media_type(anchor: Tag, text: str, href: str) -> str | None:
    kind = str(anchor.get("type") or "").lower()
    if kind.startswith("application/"):
        return kind
    if urlsplit(href).path.lower().endswith(".pdf") or re.search(r"\bPDF\b", text):
        return "application/pdf"
    return None
