"""The SSRF guard's allow-list from the environment, and redirects to other schemes refused."""

from __future__ import annotations

import ipaddress

import pytest
from scrapy import Request
from scrapy.http import Response
from scrapy.settings import Settings

from aggregator.fetch.netguard import (
    ALLOWED_ENV,
    NonHttpRedirectGuard,
    RedirectRefusedError,
    configured_networks,
    non_http_redirect,
)


def test_the_environment_variable_is_merged_with_the_setting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(ALLOWED_ENV, " 127.0.0.2 , 10.9.0.0/16,,::1")
    networks = configured_networks(Settings({"AGGREGATOR_ALLOWED_ADDRESSES": ["127.0.0.1"]}))
    assert networks == (
        ipaddress.ip_network("127.0.0.1/32"),
        ipaddress.ip_network("127.0.0.2/32"),
        ipaddress.ip_network("10.9.0.0/16"),
        ipaddress.ip_network("::1/128"),
    )


def test_production_allows_nothing_without_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ALLOWED_ENV, raising=False)
    assert configured_networks(Settings({"AGGREGATOR_ALLOWED_ADDRESSES": []})) == ()


def test_a_malformed_entry_is_an_error_not_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ALLOWED_ENV, "127.0.0.1,localhost")
    with pytest.raises(ValueError, match="AGGREGATOR_ALLOWED_ADDRESSES"):
        configured_networks(Settings())


@pytest.mark.parametrize(
    ("status", "location", "refused"),
    [
        (302, "file:///etc/passwd", "redirect refused: non-HTTP target file:///etc/passwd"),
        (301, "FTP://files.example.org/a", "redirect refused: non-HTTP target ftp://files"),
        (307, "data:text/html,<script>x</script>", "redirect refused: non-HTTP target data:"),
        (308, "javascript:alert(1)", "redirect refused: non-HTTP target javascript:alert(1)"),
        (303, "gopher://127.0.0.1:6379/_X", "redirect refused: non-HTTP target gopher://127.0.0.1"),
        (302, "https://www.gov.uk/next", None),
        (302, "/relative/path", None),
        (302, "//www.gov.uk/scheme-relative", None),
        (200, "file:///etc/passwd", None),  # not a redirect
        (302, None, None),
    ],
)
def test_non_http_redirects_are_named(
    status: int, location: str | None, refused: str | None
) -> None:
    reason = non_http_redirect(status, location, "https://lscp.example.org/feed")
    if refused is None:
        assert reason is None
    else:
        assert reason is not None and reason.lower().startswith(refused.lower())


def test_the_middleware_raises_with_the_target_and_passes_the_rest() -> None:
    guard = NonHttpRedirectGuard()
    request = Request("https://lscp.example.org/feed")
    bad = Response(request.url, status=302, headers={"Location": "file:///etc/passwd"})
    with pytest.raises(RedirectRefusedError, match="non-HTTP target file:///etc/passwd"):
        guard.process_response(request, bad)
    fine = Response(request.url, status=302, headers={"Location": "https://www.gov.uk/"})
    assert guard.process_response(request, fine) is fine
    raw = Request(request.url, meta={"dont_redirect": True})
    assert guard.process_response(raw, bad) is bad  # a request that asked for the raw 3xx
