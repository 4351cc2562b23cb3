"""Check every link of a bulletin before it is published.

Each URL gets a HEAD request (a GET of the first byte when the server refuses HEAD),
following redirects; a status of 400 or more, or no answer within the timeout, is broken.

Scraped links are not trusted: by default only hosts that resolve to public internet
addresses are fetched (never the machine itself, the office network or a cloud metadata
service), every redirect hop checked again. The judgement is the crawler's own SSRF guard's
(aggregator/fetch/netguard.py: `refusal` for an IP-literal host, `resolved_refusal` for each
address a name resolves to), with its reasons and its allow-list (AGGREGATOR_ALLOWED_ADDRESSES,
empty in production). With `loopback_only` (the review app's LINK_CHECK_LOOPBACK_ONLY, which
the tests set) it is the other way round: nothing but 127.0.0.0/8, ::1 and localhost is
fetched. A refused link is reported as not checked, with the reason; a redirect to a refused
address is a broken link, with the reason. (A name could still re-resolve differently between
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

from scrapy.settings import BaseSettings

from aggregator.fetch import netguard
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


def is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return True


def allowed_networks() -> tuple[netguard.IPNetwork, ...]:
    """The guard's allow-list as a crawl reads it (only the environment variable: the link
    check has no Scrapy settings). Production sets none."""
    return netguard.configured_networks(BaseSettings())


def refusal(
    url: str, loopback_only: bool, allowed: tuple[netguard.IPNetwork, ...] | None = None
) -> str | None:
    """Why `url` may not be fetched, or None if it may: netguard's reason, word for word.

    An IP-literal host is judged as the crawler's download handler judges it; a name is
    resolved and refused if any of its addresses is one the crawler's resolver would refuse
    (urllib may connect to any of them).
    """
    if loopback_only:
        return None if is_loopback(url) else "loopback only"
    networks = allowed_networks() if allowed is None else allowed
    literal = netguard.refusal(url, networks)
    if literal is not None:
        return literal
    host = urlsplit(url).hostname or ""
    if is_ip_literal(host):
        return None  # a public (or allow-listed) IP literal: judged above
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return None  # unresolvable: the fetch fails and reports it
    for info in infos:
        reason = netguard.resolved_refusal(host, str(info[4][0]).split("%", 1)[0], networks)
        if reason is not None:
            return reason
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
