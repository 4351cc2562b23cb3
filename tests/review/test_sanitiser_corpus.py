"""Every one of feedparser's sanitiser test fragments, stored as scraped text, goes through the
review app's rendering paths (queue, item page, bulletin preview) and the allow-list
sanitiser: the output holds no <script, no event-handler attribute and no javascript: URL.
(issue 10, "Review app")"""

from __future__ import annotations

import html
import re
import tarfile

import pytest
from bs4 import BeautifulSoup

from aggregator.review.sanitize import clean_html
from tests.hostile.test_feed_corpus import sdist
from tests.review.conftest import World, make_item, store

pytestmark = pytest.mark.slow  # scheduled first (tests/conftest.py)

# The hostile markup sits escaped inside these elements of each test feed.
FIELDS = re.compile(
    r"<(content|summary|description|title|subtitle|tagline|info|body)\b[^>]*>(.*?)</\1>",
    re.S | re.I,
)
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "xlink:href", "data", "poster")


def fragments() -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    with tarfile.open(sdist()) as archive:
        for member in archive.getmembers():
            if "/tests/wellformed/sanitize/" not in member.name or not member.isfile():
                continue
            raw = archive.extractfile(member)
            assert raw is not None
            text = raw.read().decode("utf-8", errors="replace")
            for _, inner in FIELDS.findall(text):
                inner = inner.strip()
                if inner.startswith("<![CDATA[") and inner.endswith("]]>"):
                    inner = inner[9:-3]
                else:
                    inner = html.unescape(inner)
                if inner:
                    found.append((member.name.rsplit("/", 1)[-1], inner))
    return found


def assert_clean(output: str, where: str) -> None:
    """Inspect the parsed page: scraped text shown escaped is fine; a real element is not."""
    for tag in BeautifulSoup(output, "html.parser").find_all(True):
        if tag.name == "script":
            # Only the app's own external scripts are allowed.
            assert str(tag.get("src", "")).startswith("/static/") and not tag.string, where
        for name, value in tag.attrs.items():
            assert not name.lower().startswith("on"), f"event handler {name} in {where}"
            if name.lower() in URL_ATTRIBUTES:
                text = " ".join(value) if isinstance(value, list) else str(value)
                squeezed = re.sub(r"[\s\x00-\x1f]", "", html.unescape(text)).lower()
                assert not squeezed.startswith(("javascript:", "vbscript:")), f"{name} in {where}"


@pytest.fixture(scope="module")
def corpus() -> list[tuple[str, str]]:
    found = fragments()
    assert len(found) > 500, "the sanitiser corpus should have hundreds of fragments"
    return found


def test_the_allow_list_sanitiser_cleans_every_fragment(corpus: list[tuple[str, str]]) -> None:
    for name, fragment in corpus:
        assert_clean(str(clean_html(fragment)), name)


def test_every_fragment_renders_safely_in_the_app(
    corpus: list[tuple[str, str]], sqlite_world: World
) -> None:
    items = [
        (make_item(f"san-{n}", fragment, summary=fragment, topics=["online safety"]), 0.9)
        for n, (_, fragment) in enumerate(corpus)
    ]
    ids = store(sqlite_world.repo, items)
    client = sqlite_world.client()
    for item_id, (name, _) in zip(ids, corpus, strict=True):
        page = client.get(f"/items/{item_id}")
        assert page.status_code == 200
        assert_clean(page.get_data(as_text=True), f"item page of {name}")
    queue = client.get("/queue?relevance=all&status=all", follow_redirects=True)
    assert queue.status_code == 200
    body = queue.get_data(as_text=True)
    assert body.count('href="/items/') >= 20, "the queue should list the stored fragments"
    assert_clean(body, "queue")
