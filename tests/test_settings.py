"""One typed settings module for every AGGREGATOR_* variable: types, defaults, one-line
errors, yes/no words, and docs/operations.md listing exactly what the code reads."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest

from aggregator.settings import (
    ENVIRONMENT,
    KNOWN,
    SCRAPY_SETTINGS,
    check_environment,
    database_url,
    env_bool,
    env_duration,
    env_url,
)
from tests.crawling import aggregator_cli

ROOT = Path(__file__).resolve().parents[1]
CODE = ("aggregator", "pipelines", "spiders")


@pytest.mark.parametrize(
    ("raw", "value"),
    [("1", True), ("true", True), ("YES", True), ("on", True), ("0", False)]
    + [("false", False), ("No", False), ("off", False), ("", False), ("  ", False)],
)
def test_yes_no_words(monkeypatch: pytest.MonkeyPatch, raw: str, value: bool) -> None:
    monkeypatch.setenv("AGGREGATOR_SECURE_COOKIES", raw)
    assert env_bool("AGGREGATOR_SECURE_COOKIES") is value


def test_malformed_values_are_one_line_errors_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AGGREGATOR_SECURE_COOKIES", "maybe")
    with pytest.raises(ValueError, match=r"^\$AGGREGATOR_SECURE_COOKIES must be one of"):
        env_bool("AGGREGATOR_SECURE_COOKIES")
    monkeypatch.setenv("AGGREGATOR_SESSION_IDLE_MINUTES", "-5")
    with pytest.raises(ValueError, match="positive number of minutes"):
        env_duration("AGGREGATOR_SESSION_IDLE_MINUTES", "minutes", timedelta(hours=1))
    monkeypatch.setenv("AGGREGATOR_PUBLIC_URL", "alerts.example.org")
    with pytest.raises(ValueError, match=r"^\$AGGREGATOR_PUBLIC_URL must be a http or https"):
        env_url("AGGREGATOR_PUBLIC_URL")
    monkeypatch.setenv("AGGREGATOR_DATABASE_URL", "mysql://db/x")
    with pytest.raises(ValueError, match="AGGREGATOR_DATABASE_URL must be a sqlite"):
        database_url()


def test_a_misspelt_setting_is_refused_with_the_likely_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AGGREGATOR_PUBLC_URL", "https://alerts.example.org")
    with pytest.raises(ValueError, match=r"did you mean \$AGGREGATOR_PUBLIC_URL\?"):
        check_environment()


def test_secure_cookies_zero_is_off_in_the_review_app(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Issue 23: `bool(os.environ.get(...))` turned Secure cookies on for "0"."""
    from aggregator.review.app import create_app

    url = f"sqlite:///{tmp_path / 'app.db'}"
    monkeypatch.setenv("AGGREGATOR_SECURE_COOKIES", "0")
    assert create_app(url, secret_key="k").config["SESSION_COOKIE_SECURE"] is False
    monkeypatch.setenv("AGGREGATOR_SECURE_COOKIES", "yes")
    assert create_app(url, secret_key="k").config["SESSION_COOKIE_SECURE"] is True


def test_every_command_refuses_a_bad_setting_in_one_line(tmp_path: Path) -> None:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "AGGREGATOR_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "AGGREGATOR_HEARTBEAT_SECONDS": "soon",
    }
    result = aggregator_cli("status", env=env)
    assert result.returncode == 1
    assert result.stderr == (
        "error: $AGGREGATOR_HEARTBEAT_SECONDS must be a number of seconds, not 'soon'\n"
    )


def test_options_that_stand_for_a_variable_show_it_in_help() -> None:
    result = aggregator_cli("serve", "--help")
    flat = " ".join(result.stdout.split())
    for name in ("AGGREGATOR_DATABASE_URL", "AGGREGATOR_SESSION_IDLE_MINUTES"):
        assert f"env var: {name}" in flat


def names_in_code() -> set[str]:
    found: set[str] = set()
    for package in CODE:
        for path in (ROOT / package).rglob("*.py"):
            found |= set(re.findall(r"\bAGGREGATOR_[A-Z_]*[A-Z]\b", path.read_text("utf-8")))
    return found


def test_the_code_names_no_setting_the_module_does_not_list() -> None:
    listed = set(KNOWN) | {var.name for var in SCRAPY_SETTINGS}
    assert names_in_code() - listed == set()


def test_no_module_but_settings_reads_the_environment_for_a_setting() -> None:
    """Reads go through the typed readers. (Writing one is allowed: a fixture crawl under
    Scrapyd adds its own loopback server to the allow-list for the process's DNS resolver.)"""
    readers = re.compile(
        r"os\.environ(?:\.get\(|\[)\s*[\"']?(AGGREGATOR_|[A-Z_]*ENV\b)(?![^=]*\]\s*=[^=])"
    )
    offenders = []
    for package in CODE:
        for path in (ROOT / package).rglob("*.py"):
            relative = path.relative_to(ROOT).as_posix()
            if relative == "aggregator/settings.py":
                continue
            for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
                if readers.search(line):
                    offenders.append(f"{relative}:{number}: {line.strip()}")
    assert offenders == []


def test_docs_list_every_setting_with_its_default() -> None:
    doc = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    section = doc.split("## Settings", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `(AGGREGATOR_[A-Z_]+)` \| (\w+) \| ([^|]+) \|", section, re.M)
    documented = [(name, kind, default.strip()) for name, kind, default in rows]
    expected = [
        (var.name, var.kind, f"`{var.default}`" if var.default else "(none)")
        for var in (*ENVIRONMENT, *SCRAPY_SETTINGS)
    ]
    assert documented == expected
