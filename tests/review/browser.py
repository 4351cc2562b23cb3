"""What every browser test of the review app shares: Debian's Chromium driven by Playwright,
headless, against the app served by werkzeug on a loopback port.

Importing this module skips the importing test module when Playwright or Chromium is missing
(`apt-get install -y chromium`; `.ci/run` installs it). Screenshots are taken through the
`screenshots` fixture (tests/conftest.py): into docs/screenshots/ under `make screenshots`,
none otherwise.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

playwright_api = pytest.importorskip(
    "playwright.sync_api",
    reason="Playwright is not installed: pip install -e '.[dev]' (and apt-get install -y chromium)",
)
CHROMIUM = os.environ.get("AGGREGATOR_CHROMIUM", "/usr/bin/chromium")
if not Path(CHROMIUM).exists():
    pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install -y chromium)", allow_module_level=True)

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--lang=en-GB",
]
expect = playwright_api.expect
# A full CI run keeps both cores busy for most of its 18 minutes, and a page's fetch can then
# wait longer than Playwright's 5 s default: every expectation gets the same 10 s as actions.
expect.set_options(timeout=10_000)


@contextlib.contextmanager
def serving(app: Flask) -> Iterator[str]:
    """The app on a loopback port while the block runs: its base URL."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


@contextlib.contextmanager
def launched() -> Iterator[Any]:
    """A headless Chromium while the block runs."""
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextlib.contextmanager
def served(app: Flask) -> Iterator[tuple[str, Any]]:
    """The app on a loopback port and a headless Chromium: (base URL, browser)."""
    with serving(app) as base, launched() as browser:
        yield base, browser


def new_page(browser: Any, width: int = 1280, height: int = 900) -> Any:
    """A page in a browser context of its own (no cookies), in London's time and en-GB."""
    context = browser.new_context(
        viewport={"width": width, "height": height}, locale="en-GB", timezone_id="Europe/London"
    )
    context.set_default_timeout(10_000)
    return context.new_page()


def log_in(base: str, page: Any, who: tuple[str, str]) -> None:
    page.goto(f"{base}/login")
    page.fill("#username", who[0])
    page.fill("#password", who[1])
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/queue")
