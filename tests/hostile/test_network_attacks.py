"""SSRF redirects (attack suite 25), through the production handler and resolver.

A decoy publisher on 127.0.0.2 (let through by the AGGREGATOR_ALLOWED_ADDRESSES environment
variable, as a test's loopback server is) redirects each feed inward: to the "internal
service" on 127.0.0.1 by every spelling of it, to the cloud metadata address and to 0.0.0.0.
Every hop is refused with its reason, and the internal service never sees a request.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from aggregator.fetch.netguard import ALLOWED_ENV
from tests.crawling import crawl_feed_sources
from tests.hostile.test_network_guard import ROOT, Counting, secret  # noqa: F401 (fixture)

pytestmark = pytest.mark.slow  # scheduled first (tests/conftest.py)


def redirect_targets(port: int) -> dict[str, tuple[str, str]]:
    """Per source: where the decoy redirects it, and what its refusal must say."""
    return {
        "to_loopback_ssh": ("http://127.0.0.1:22/", "non-public address 127.0.0.1"),
        "to_metadata": (
            "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
            "non-public address 169.254.169.254",
        ),
        "to_localhost": (f"http://localhost:{port}/admin", "refused localhost: it resolves to"),
        "to_decimal": (f"http://2130706433:{port}/admin", "non-public address 127.0.0.1"),
        "to_mapped": (f"http://[::ffff:127.0.0.1]:{port}/admin", "non-public address ::ffff:"),
        "to_unspecified": (f"http://0.0.0.0:{port}/admin", "non-public address 0.0.0.0"),
        "to_loopback": (f"http://127.0.0.1:{port}/admin", "non-public address 127.0.0.1"),
    }


def crawl_with_env_allow_list(
    tmp_path: Path, channels: dict[str, str], allowed: str
) -> dict[str, list[dict[str, str]]]:
    """Crawl registry sources with the production settings; the allow-list comes only from
    the environment. Each source's recorded errors."""
    return crawl_feed_sources(
        f"sqlite:///{tmp_path}/ssrf.db",
        channels,
        env={ALLOWED_ENV: allowed},
        DOWNLOAD_DELAY=0,
        AUTOTHROTTLE_ENABLED=False,
        DOWNLOAD_TIMEOUT=10,
        LOG_LEVEL="WARNING",
    )


def test_attack_25_ssrf_redirects(tmp_path: Path, secret: Counting) -> None:  # noqa: F811
    if not socket.gethostbyname("localhost").startswith("127."):
        pytest.skip("localhost does not resolve to loopback here")
    targets = redirect_targets(secret.port)
    decoys = {slug: Counting("127.0.0.2", redirect=target) for slug, (target, _) in targets.items()}
    try:
        errors = crawl_with_env_allow_list(
            tmp_path,
            {slug: f"http://127.0.0.2:{decoy.port}/feed" for slug, decoy in decoys.items()},
            allowed="127.0.0.2",
        )
    finally:
        for decoy in decoys.values():
            decoy.close()
    assert secret.paths == []  # not one request reached the internal service
    for slug, decoy in decoys.items():
        assert "/feed" in decoy.paths  # the allow-listed first hop happened
        words = targets[slug][1]
        assert any(words in e["message"] for e in errors[slug]), (slug, errors[slug])


def test_without_the_variable_the_decoy_itself_is_refused(tmp_path: Path) -> None:
    """Production allows no address: the same loopback publisher is refused outright."""
    decoy = Counting("127.0.0.2", redirect="http://127.0.0.1:22/")
    try:
        errors = crawl_with_env_allow_list(
            tmp_path, {"decoy": f"http://127.0.0.2:{decoy.port}/feed"}, allowed=""
        )
    finally:
        decoy.close()
    assert decoy.paths == []
    assert any("non-public address 127.0.0.2" in e["message"] for e in errors["decoy"])
