"""GOV.UK attachments in every shape the Content API gives them, and text without them.

Where GOV.UK puts a document's attachments (alphagov/publishing-api
`content_schemas/formats/{publication,consultation,call_for_evidence}.jsonnet`):
- `details.attachments`: attachment objects (`title`, `url`, `content_type`, `file_size`, an
  `attachment_type` of file, html or external, an optional `locale`);
- id lists pointing into them: `featured_attachments`, `final_outcome_attachments`,
  `public_feedback_attachments`, and a call for evidence's `outcome_attachments`
  (alphagov/frontend `app/models/consultation.rb`, `call_for_evidence.rb`);
- older documents carry rendered HTML instead: `documents`, `final_outcome_documents`,
  `public_feedback_documents`, `outcome_documents` (the `attachments_with_thumbnails`
  definition: "Generated HTML for each attachment");
- attachment blocks embedded in the body HTML (`details.body`, the outcome and feedback
  details): Whitehall's `<section class="attachment embedded">` and the publishing components'
  `<section class="gem-c-attachment">` (alphagov/govuk_publishing_components
  `app/views/govuk_publishing_components/components/_attachment.html.erb`).
The blocks are read as attachments and kept out of the main text; links inside a sentence stay.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, Tag

from aggregator.normalise.main_text import element_lines
from aggregator.parse.markup_limits import MarkupLimitError, check_markup
from aggregator.parse.raw import RawAttachment
from spiders.base import ParseError

GOVUK = "https://www.gov.uk"
ATTACHMENT_BLOCK = re.compile(r"^(?:attachment|gem-c-attachment)$")

# Id lists, in the order GOV.UK's pages show them: the outcome first, then the feedback, then
# the documents (alphagov/frontend app/models/consultation.rb, call_for_evidence.rb).
ID_LISTS = (
    "final_outcome_attachments",
    "outcome_attachments",
    "public_feedback_attachments",
    "featured_attachments",
)
HTML_LISTS = (
    "final_outcome_documents",
    "outcome_documents",
    "public_feedback_documents",
    "documents",
)
# HTML fields of the page's text, in the order the page shows them.
TEXT_FIELDS = ("body", "final_outcome_detail", "outcome_detail", "public_feedback_detail")

# File extensions → media types, for rendered blocks that name no content type. The names the
# blocks show ("MS Excel Spreadsheet", "PDF") follow the publishing components' table
# (lib/govuk_publishing_components/presenters/attachment_helper.rb, SupportedContentType).
EXTENSION_TYPES = {
    "pdf": "application/pdf",
    "csv": "text/csv",
    "txt": "text/plain",
    "rtf": "application/rtf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "xlsm": "application/vnd.ms-excel.sheet.macroenabled.12",
    "ppt": "application/vnd.ms-powerpoint",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "zip": "application/zip",
    "xml": "application/xml",
    "png": "image/png",
    "gif": "image/gif",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
}
LABEL_TYPES = {
    "pdf": "application/pdf",
    "portable document format": "application/pdf",
    "csv": "text/csv",
    "comma-separated values": "text/csv",
    "ms word document": "application/msword",
    "ms excel spreadsheet": "application/vnd.ms-excel",
    "ms powerpoint presentation": "application/vnd.ms-powerpoint",
    "zip": "application/zip",
    "zip archive": "application/zip",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "rtf": "application/rtf",
    "plain text": "text/plain",
    "html": "text/html",
}
# "277KB", "95.6MB", "1.2 MB": Rails' number_to_human_size, whose units are powers of 1024.
HUMAN_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*(bytes?|kb|mb|gb)\b", re.I)
UNITS = {"byte": 1, "bytes": 1, "kb": 1024, "mb": 1024**2, "gb": 1024**3}


def absolute(link: str) -> str:
    """A GOV.UK path (or an absolute URL) as an absolute URL."""
    return urljoin(GOVUK + "/", link)


def attachments(details: dict[str, Any], base: str, locale: str = "") -> list[RawAttachment]:
    """Every attachment of a Content API item, each once (by URL), in the page's order."""
    found: list[RawAttachment] = []
    objects = _attachment_objects(details, locale)
    by_id = {str(a.get("id")): a for a in objects if a.get("id") is not None}
    chosen: list[dict[str, Any]] = []
    for group in ID_LISTS:
        for entry in _as_list(details.get(group)):
            # Ids point into `attachments`; older payloads put the objects here themselves.
            obj = entry if isinstance(entry, dict) else by_id.get(str(entry))
            if obj is not None and obj not in chosen:
                chosen.append(obj)
    chosen.extend(a for a in objects if a not in chosen)
    found.extend(a for a in (_from_object(obj) for obj in chosen) if a is not None)
    for group in HTML_LISTS:
        for fragment in _as_list(details.get(group)):
            if isinstance(fragment, str):
                found.extend(blocks_in(_soup(fragment, group, base), base))
    for part in TEXT_FIELDS:
        fragment = details.get(part)
        if isinstance(fragment, str) and fragment.strip():
            found.extend(blocks_in(_soup(fragment, part, base), base))
    unique: list[RawAttachment] = []
    seen: set[str] = set()
    for attachment in found:
        if attachment.url not in seen:
            seen.add(attachment.url)
            unique.append(attachment)
    return unique


def text_lines(details: dict[str, Any], base: str) -> str:
    """The page's text (body, then outcome and feedback details) as main-text lines, without
    the attachment blocks embedded in it."""
    parts: list[str] = []
    for part in TEXT_FIELDS:
        fragment = details.get(part)
        if not isinstance(fragment, str) or not fragment.strip():
            continue
        soup = _soup(fragment, part, base)
        for block in _blocks(soup):
            if not block.decomposed:
                block.decompose()
        lines = element_lines(soup)
        if lines:
            parts.append(lines)
    return "\n".join(parts)


def blocks_in(soup: BeautifulSoup, base: str) -> list[RawAttachment]:
    """The attachment blocks of rendered HTML, read as attachments."""
    found = []
    for block in _blocks(soup):
        attachment = _from_block(block, base)
        if attachment is not None:
            found.append(attachment)
    return found


def human_size(text: str) -> int | None:
    """Bytes of a size as GOV.UK prints it ("277KB", "1.2 MB"), to the precision shown."""
    match = HUMAN_SIZE.search(text)
    if not match:
        return None
    return round(float(match[1]) * UNITS[match[2].lower()])


def media_type_for(url: str, label: str = "") -> str | None:
    """A media type from a file's extension, else from the type name a block shows."""
    path = urlsplit(url).path.lower()
    extension = path.rsplit(".", 1)[-1] if "." in path.rsplit("/", 1)[-1] else ""
    return EXTENSION_TYPES.get(extension) or LABEL_TYPES.get(label.strip().lower())


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _attachment_objects(details: dict[str, Any], locale: str) -> list[dict[str, Any]]:
    """The attachment objects in the item's language: one in another locale belongs to a
    translation (alphagov/frontend app/models/concerns/attachments.rb)."""
    return [
        a
        for a in _as_list(details.get("attachments"))
        if isinstance(a, dict) and (not a.get("locale") or not locale or a["locale"] == locale)
    ]


def _from_object(obj: dict[str, Any]) -> RawAttachment | None:
    url = obj.get("url")
    if not isinstance(url, str) or not url.strip():
        return None
    media_type = obj.get("content_type")
    # An attachment without a content type is an HTML publication (alphagov/frontend
    # app/models/concerns/attachments.rb: `doc["type"] = "html" unless doc["content_type"]`);
    # an external one is a link elsewhere, of unknown type.
    if not media_type and obj.get("attachment_type") != "external":
        media_type = "text/html"
    size = obj.get("file_size")
    return RawAttachment(
        title=str(obj.get("title") or ""),
        url=absolute(url.strip()),
        media_type=str(media_type) if media_type else None,
        size=int(size) if isinstance(size, int | str) and str(size).isdigit() else None,
    )


def _soup(fragment: str, part: str, base: str) -> BeautifulSoup:
    try:
        check_markup(fragment.encode("utf-8"))  # a markup bomb in JSON is refused too
    except MarkupLimitError as exc:
        raise ParseError(f"{exc} in details.{part} at {base}") from exc
    return BeautifulSoup(fragment, "lxml")


def _blocks(soup: BeautifulSoup) -> list[Tag]:
    found = soup.find_all(["section", "div"], class_=ATTACHMENT_BLOCK)
    # A block inside another block is part of it.
    return [b for b in found if b.find_parent(["section", "div"], class_=ATTACHMENT_BLOCK) is None]


def _from_block(block: Tag, base: str) -> RawAttachment | None:
    """One rendered attachment: its title link (else the download link), type and size."""
    heading = block.find(class_=re.compile(r"^(?:title|gem-c-attachment__title)$"))
    title = heading.get_text(" ", strip=True) if isinstance(heading, Tag) else ""
    link = heading.find("a", href=True) if isinstance(heading, Tag) else None
    if not isinstance(link, Tag):
        # A CSV's block has "Download CSV" and "View online" links instead of a title link.
        download = block.find(class_="download")
        link = download.find("a", href=True) if isinstance(download, Tag) else None
    if not isinstance(link, Tag):
        link = block.find("a", href=re.compile(r"^(?!#|mailto:)"))
    if not isinstance(link, Tag):
        return None
    url = urljoin(GOVUK + "/", str(link["href"]).strip())
    metadata = block.find(class_=re.compile(r"^(?:metadata|gem-c-attachment__metadata)$"))
    meta_text = metadata.get_text(" ", strip=True) if isinstance(metadata, Tag) else ""
    label = ""
    kind = block.find(class_="type")
    if isinstance(kind, Tag):
        abbr = kind.find("abbr")
        label = str(abbr.get("title") or "") if isinstance(abbr, Tag) else kind.get_text(" ")
    size_tag = block.find(class_="file-size")
    size_text = size_tag.get_text(" ") if isinstance(size_tag, Tag) else meta_text
    if isinstance(download_tag := block.find(class_="download"), Tag) and not size_tag:
        size_text = download_tag.get_text(" ")
    media_type = media_type_for(url, label)
    if media_type is None and isinstance(metadata, Tag):
        for attribute in metadata.find_all(class_="gem-c-attachment__attribute"):
            abbr = attribute.find("abbr")
            name = str(abbr.get("title") or "") if isinstance(abbr, Tag) else attribute.get_text()
            media_type = media_type or LABEL_TYPES.get(name.strip().lower())
    return RawAttachment(title=title, url=url, media_type=media_type, size=human_size(size_text))
