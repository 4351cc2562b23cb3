"""Check every link of a bulletin before it is published.

Each URL gets a HEAD request (a GET of the first byte when the server refuses HEAD),
following redirects; a status of 400 or more, or no answer within the timeout, is broken.

Scraped links are not trusted: by default only hosts that resolve to public internet
addresses are fetched (never the machine itself, the office network or a cloud metadata
service), every redirect hop checked again. With `loopback_only` (the tests set it) it is the
other way round: nothing but 127.0.0.0/8, ::1 and localhost is fetched. A refused link is
reported as not checked, with the reason. (A name could still re-resolve differently between
the check and the connection; the request is a HEAD, and its body is never shown.)
"""

from __future__ import annotations

import ipaddress
import socket
import urllib.error
import urllib.request
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from aggregator.fetch.scrapy_settings import USER_AGENT


@dataclass(frozen=True)
class LinkResult:
    url: str
    ok: bool
    status: int | None = None
    error: str | None = None
    skipped: bool = False

    @property
    def label(self) -> str:
        if self.skipped:
            return f"not checked ({self.error})"
        if self.ok:
            return f"ok ({self.status})"
        return f"broken ({self.status or self.error})"


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def refusal(url: str, loopback_only: bool) -> str | None:
    """Why `url` may not be fetched, or None if it may."""
    if loopback_only:
        return None if is_loopback(url) else "loopback only"
    host = (urlsplit(url).hostname or "").strip("[]")
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return None  # unresolvable: the fetch fails and reports it
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if not address.is_global:
            return "not a public address"
    return None


class _Redirects(urllib.request.HTTPRedirectHandler):
    def __init__(self, loopback_only: bool) -> None:
        self.loopback_only = loopback_only

    def redirect_request(
        self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str
    ) -> urllib.request.Request | None:
        refused = refusal(newurl, self.loopback_only)
        if refused:
            raise urllib.error.URLError(f"redirect to {newurl} refused: {refused}")
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None and req.get_method() == "HEAD":
            new.method = "HEAD"
        return new


def check_link(url: str, *, timeout: float = 8.0, loopback_only: bool = False) -> LinkResult:
    scheme = urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        if scheme == "mailto":
            return LinkResult(url, True, skipped=True, error="mail address")
        return LinkResult(url, False, error=f"not a web link ({scheme or 'no scheme'})")
    refused = refusal(url, loopback_only)
    if refused:
        return LinkResult(url, True, skipped=True, error=refused)
    opener = urllib.request.build_opener(_Redirects(loopback_only))
    last: LinkResult | None = None
    for method in ("HEAD", "GET"):
        headers = {"User-Agent": USER_AGENT}
        if method == "GET":
            headers["Range"] = "bytes=0-0"
        request = urllib.request.Request(url, method=method, headers=headers)
        try:
            with opener.open(request, timeout=timeout) as response:
                return LinkResult(url, True, status=response.status)
        except urllib.error.HTTPError as error:
            last = LinkResult(url, False, status=error.code)
            if error.code not in (403, 405, 501):  # some servers refuse HEAD only
                return last
        except (urllib.error.URLError, OSError, ValueError) as error:
            reason = getattr(error, "reason", error)
            return LinkResult(url, False, error=str(reason)[:200])
    assert last is not None
    return last


def check_links(
    urls: Iterable[str], *, timeout: float = 8.0, loopback_only: bool = False, workers: int = 8
) -> dict[str, LinkResult]:
    """Each distinct URL checked once, several at a time."""
    distinct = list(dict.fromkeys(urls))
    if not distinct:
        return {}
    with ThreadPoolExecutor(max_workers=min(workers, len(distinct))) as pool:
        results = pool.map(
            lambda u: check_link(u, timeout=timeout, loopback_only=loopback_only), distinct
        )
        return {result.url: result for result in results}
