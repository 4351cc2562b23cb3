"""No crawl opens an in-process console: neither the telnet console nor RemoteControl.

Both Scrapy extensions run Python sent to them inside the crawling process (RemoteControl, new
in Scrapy 2.19, listens on localhost HTTP and is on by default). The crawl's settings turn both
off (aggregator/fetch/scrapy_settings.py). A crawler is built from those settings in a child
process (building one installs a Twisted reactor, which must not leak into the test process)
and the extensions it actually loads are listed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from aggregator.fetch.process import crawl_settings
from tests import prewarmed

ROOT = Path(__file__).resolve().parents[2]
TELNET = "scrapy.extensions.telnet.TelnetConsole"
REMOTE = "scrapy.extensions.remote_control.RemoteControl"

PROBE = """
import json, sys
import scrapy
from scrapy.crawler import Crawler
from aggregator.fetch.process import crawl_settings

class Probe(scrapy.Spider):
    name = "probe"

overrides = json.loads(sys.argv[1])
crawler = Crawler(Probe, crawl_settings("sqlite:///:memory:", **overrides), init_reactor=True)
crawler._apply_settings()
loaded = [f"{type(m).__module__}.{type(m).__qualname__}" for m in crawler.extensions.middlewares]
print(json.dumps(sorted(loaded)))
"""


def loaded_extensions(**overrides: object) -> list[str]:
    """The extension classes a crawler built from the crawl's settings (plus overrides) loads."""
    done = prewarmed.run(
        [sys.executable, "-c", PROBE, json.dumps(overrides)],
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    loaded: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return loaded


def test_the_crawl_settings_turn_both_consoles_off() -> None:
    settings = crawl_settings("sqlite:///:memory:")
    assert settings.getbool("TELNETCONSOLE_ENABLED") is False
    assert settings.getbool("REMOTE_CONTROL_ENABLED") is False
    # Scrapy still lists both in its base extensions: the settings, not their absence, turn
    # them off, so an upgrade that re-enables one by default cannot slip past.
    base = settings.getdict("EXTENSIONS_BASE")
    assert TELNET in base and REMOTE in base


def test_a_crawler_built_from_them_loads_neither() -> None:
    loaded = loaded_extensions()
    assert "aggregator.fetch.crawl_record.CrawlRecorder" in loaded  # the probe sees extensions
    assert TELNET not in loaded and REMOTE not in loaded, loaded


def test_the_probe_would_see_remote_control_if_it_were_on() -> None:
    # The same probe with the setting flipped back finds the extension: the check above is real.
    assert REMOTE in loaded_extensions(REMOTE_CONTROL_ENABLED=True)


def test_scrapy_commands_read_the_same_settings() -> None:
    # `scrapy crawl <slug>` reads scrapy.cfg's settings module: the same switches hold there.
    scrapy = Path(sys.executable).with_name("scrapy")
    for name in ("TELNETCONSOLE_ENABLED", "REMOTE_CONTROL_ENABLED"):
        done = subprocess.run(
            [str(scrapy), "settings", "--get", name],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        assert done.stdout.strip() == "False", (name, done.stdout)
