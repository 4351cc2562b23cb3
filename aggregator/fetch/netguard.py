"""The SSRF guard: crawls only ever connect to public internet addresses.

A scraped link or a redirect could point the crawler at the machine it runs on, the office
network or a cloud metadata service (169.254.169.254). Two checks close that off, both on the
address actually connected to:

* `GuardedDownloadHandler` (the http/https handler) refuses a URL whose host is an IP literal
  that is not public, before any connection. Redirects are new requests, so every hop is
  checked again.
* `PublicOnlyResolver` (Scrapy's TWISTED_DNS_RESOLVER) resolves host names for the connection
  itself and refuses a name that resolves to a non-public address, so a public name that
  points (or rebinds) to 127.0.0.1 is refused too, with nothing sent.

A third closes the other way out of http(s): Scrapy does not follow a redirect to another
scheme (`file:///etc/passwd`, `ftp:`, `data:`) but hands the bare 3xx on, which the crawl
record would show only as "HTTP 302". `NonHttpRedirectGuard` turns it into an error that
names what was refused: "redirect refused: non-HTTP target file:///etc/passwd".

Addresses named in AGGREGATOR_ALLOWED_ADDRESSES (addresses or networks; the Scrapy setting,
merged with the environment variable of the same name, comma-separated) are let through; the
production settings name none, and production sets no such variable. The offline fixture
handler allow-lists only its own loopback server, explicitly.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from typing import Any, Self
from urllib.parse import urljoin, urlsplit

from scrapy import Request
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.crawler import Crawler
from scrapy.exceptions import CannotResolveHostError, DownloadCancelledError
from scrapy.http import Response
from scrapy.resolver import CachingThreadedResolver
from scrapy.settings import BaseSettings
from scrapy.utils.datatypes import LocalCache
from twisted.internet.defer import Deferred

from aggregator.settings import env_list

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

ALLOWED_SETTING = "AGGREGATOR_ALLOWED_ADDRESSES"
ALLOWED_ENV = ALLOWED_SETTING
FOLLOWED_SCHEMES = ("http", "https")
REDIRECT_STATUSES = (301, 302, 303, 307, 308)

# IPv6 prefixes that carry an IPv4 address in their low bits: NAT64 (RFC 6052) and the local
# NAT64 prefix (RFC 8215). Judged by the IPv4 address they lead to.
_NAT64 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))


class NonPublicAddressError(Exception):
    """A request would connect to an address that is not on the public internet."""


# Host names the resolver refused, with the reason (the handler names it in the error).
_REFUSED: LocalCache[str, str] = LocalCache(1000)


def _address(value: str | IPAddress) -> IPAddress | None:
    if isinstance(value, ipaddress.IPv4Address | ipaddress.IPv6Address):
        return value
    text = value.strip().strip("[]").split("%", 1)[0]  # "[::1]", "fe80::1%eth0"
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def is_public_address(ip: str | IPAddress) -> bool:
    """True only for a globally routable unicast address.

    False for loopback, private ranges (RFC 1918, fc00::/7), link-local (including the cloud
    metadata address 169.254.169.254), carrier-grade NAT (100.64.0.0/10), unspecified,
    documentation, benchmarking, reserved and multicast addresses, and for anything that is
    not an IP address at all. IPv6 forms that embed an IPv4 address (::ffff:a.b.c.d, 6to4,
    NAT64) are judged by that IPv4 address; Teredo tunnels are refused.
    """
    address = _address(ip)
    if address is None:
        return False
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return is_public_address(address.ipv4_mapped)
        if address.sixtofour is not None:
            return is_public_address(address.sixtofour)
        if any(address in net for net in _NAT64):
            return is_public_address(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
        if address.teredo is not None or address.is_site_local:
            return False
    return bool(address.is_global) and not address.is_multicast


def allowed_networks(values: Iterable[str]) -> tuple[IPNetwork, ...]:
    """The networks of an allow-list setting (single addresses become /32 or /128)."""
    return tuple(ipaddress.ip_network(v.strip(), strict=False) for v in values if v.strip())


def configured_networks(settings: BaseSettings) -> tuple[IPNetwork, ...]:
    """The allow-list of a crawl: the AGGREGATOR_ALLOWED_ADDRESSES setting merged with the
    environment variable of the same name (comma-separated). A malformed entry is an error,
    never silently dropped."""
    entries = list(settings.getlist(ALLOWED_SETTING))
    entries += env_list(ALLOWED_ENV)
    try:
        return allowed_networks(entries)
    except ValueError as exc:
        raise ValueError(f"{ALLOWED_SETTING}: {exc}") from exc


def address_allowed(ip: str | IPAddress, allowed: Sequence[IPNetwork] = ()) -> bool:
    """A public address, or one explicitly allow-listed."""
    address = _address(ip)
    if address is None:
        return False
    if any(address.version == net.version and address in net for net in allowed):
        return True
    return is_public_address(address)


def refusal(url: str, allowed: Sequence[IPNetwork] = ()) -> str | None:
    """Why `url` must not be fetched, judged without any lookup (None: go ahead).

    Only IP-literal hosts are judged here; a host name is judged on the address it resolves
    to, by `PublicOnlyResolver`.
    """
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return f"malformed URL {url!r}"
    address = _address(host)
    if address is None:
        return None if host else f"no host in {url!r}"
    if address_allowed(address, allowed):
        return None
    return f"refused non-public address {address} ({url})"


def resolved_refusal(name: str, address: str, allowed: Sequence[IPNetwork] = ()) -> str | None:
    """Why host `name` must not be connected to through `address`, an address it resolved to
    (None: go ahead). The resolver's check, and the bulletin link check's (review/linkcheck.py)."""
    if address_allowed(address, allowed):
        return None
    return f"refused {name}: it resolves to non-public address {address}"


class GuardedDownloadHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP/1.1 handler that refuses non-public IP-literal hosts before connecting
    (and names the size cap when it cancels an oversized body, which Scrapy leaves blank)."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.allowed: tuple[IPNetwork, ...] = configured_networks(crawler.settings)
        self.maxsize = crawler.settings.getint("DOWNLOAD_MAXSIZE")

    async def download_request(self, request: Request) -> Response:
        reason = refusal(request.url, self.allowed)
        if reason is not None:
            raise NonPublicAddressError(reason)
        try:
            return await super().download_request(request)
        except DownloadCancelledError as exc:
            if str(exc):
                raise
            # Scrapy cancels a body that passes the size cap as it streams in, silently.
            limit = request.meta.get("download_maxsize", self.maxsize)
            raise DownloadCancelledError(
                f"body passed the download max size ({limit} bytes, DOWNLOAD_MAXSIZE)"
            ) from exc
        except CannotResolveHostError as exc:
            # Twisted reports a refused name as "no results"; name the refusal instead (and
            # as an error that is not retried).
            refused = _REFUSED.get(urlsplit(request.url).hostname or "")
            if refused is None:
                raise
            raise NonPublicAddressError(refused) from exc


class PublicOnlyResolver(CachingThreadedResolver):
    """Scrapy's caching resolver, refusing names that resolve to non-public addresses.

    The connection uses the address this resolver returns, so the check cannot be bypassed by
    a second, different answer (DNS rebinding).
    """

    allowed: tuple[IPNetwork, ...] = ()

    @classmethod
    def from_crawler(cls, crawler: Crawler, reactor: Any) -> Self:
        resolver = super().from_crawler(crawler, reactor)
        resolver.allowed = configured_networks(crawler.settings)
        return resolver

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> Deferred[str]:  # noqa: N802
        resolved: Deferred[str] = super().getHostByName(name, timeout)
        resolved.addCallback(self.check, name)
        return resolved

    def check(self, address: str, name: str) -> str:
        """`address` if `name` may be connected to through it; raises otherwise."""
        reason = resolved_refusal(name, address, self.allowed)
        if reason is not None:
            _REFUSED[name] = reason
            raise NonPublicAddressError(reason)
        return address


class RedirectRefusedError(Exception):
    """A redirect the crawler will not follow, with its target (the crawl record's error)."""


def non_http_redirect(status: int, location: str | None, base_url: str) -> str | None:
    """Why a response redirecting to `location` is refused (None: not such a redirect).

    Only redirects whose target, resolved against `base_url`, is not http(s) are refused;
    Scrapy's RedirectMiddleware follows the rest and the handler and resolver judge each hop.
    """
    if status not in REDIRECT_STATUSES or not location:
        return None
    target = location.strip()
    if target.startswith("//"):  # scheme-relative: it keeps the request's scheme
        return None
    try:
        resolved = urljoin(base_url, target)
        scheme = urlsplit(resolved).scheme.lower()
    except ValueError:
        return f"redirect refused: malformed target {target!r}"
    if scheme in FOLLOWED_SCHEMES:
        return None
    return f"redirect refused: non-HTTP target {resolved}"


class NonHttpRedirectGuard:
    """Downloader middleware just after Scrapy's RedirectMiddleware: a redirect left
    unfollowed because its target is not http(s) becomes `RedirectRefusedError`, which the
    spider's errback records against the request's URL, instead of a bare "HTTP 302"."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls()

    def process_response(self, request: Request, response: Response) -> Response:
        if request.meta.get("dont_redirect"):
            return response
        raw = response.headers.get("Location")
        location = raw.decode("latin-1") if raw else None
        reason = non_http_redirect(response.status, location, request.url)
        if reason is not None:
            raise RedirectRefusedError(reason)
        return response
