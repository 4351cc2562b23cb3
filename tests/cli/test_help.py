"""Every command's --help ends with examples that parse against its real options; source
slugs are click choices of the registry, refused in one line and offered by shell completion.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path, PurePosixPath

import click
import pytest
from click.testing import CliRunner

from aggregator.cli.app import main
from aggregator.sources import REGISTRY

ROOT = Path(__file__).resolve().parents[2]


def command_paths() -> list[tuple[str, ...]]:
    """The path of every command and group reachable from `main`, `main` itself first."""
    found: list[tuple[str, ...]] = []

    def walk(command: click.Command, path: tuple[str, ...]) -> None:
        found.append(path)
        if isinstance(command, click.Group):
            for name, sub in sorted(command.commands.items()):
                walk(sub, (*path, name))

    walk(main, ())
    return found


def examples_of(help_text: str) -> list[str]:
    """The lines of the final "Examples:" paragraph, stripped."""
    assert "Examples:" in help_text
    paragraph = help_text.rsplit("Examples:", 1)[1]
    lines = [line.strip() for line in paragraph.splitlines()]
    return [line for line in lines if line]


def parse_example(line: str) -> click.Context:
    """Parse an example as click would run it, walking from `main` to its subcommand; click
    raises for an unknown option or command, a bad choice or a missing required option."""
    words = shlex.split(line)
    assert words[0] == "aggregator"
    context = main.make_context("aggregator", words[1:])
    command: click.Command = main
    while isinstance(command, click.Group):
        rest = [*context._protected_args, *context.args]
        if not rest:
            break
        name, sub, rest = command.resolve_command(context, rest)
        assert name is not None and sub is not None
        context = sub.make_context(name, rest, parent=context)
        command = sub
    return context


def create_named_files(words: list[str]) -> None:
    """Create (empty, in the current folder) every file an example names, as its user would
    have them, so options that require an existing file parse."""
    for word in words:
        if word.startswith("-") or "://" in word:
            continue
        path = PurePosixPath(word)
        if path.suffix in {".db", ".html", ".xml", ".json", ".csv"} and not path.is_absolute():
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            Path(path).touch()


@pytest.mark.parametrize("path", command_paths(), ids=lambda p: " ".join(p) or "aggregator")
def test_help_ends_with_examples_that_parse(
    path: tuple[str, ...], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, result.output
    found = examples_of(result.output)
    assert 1 <= len(found) <= 2, found
    prefix = " ".join(("aggregator", *path))
    monkeypatch.chdir(tmp_path)
    for line in found:
        assert line.startswith("aggregator "), line
        words = shlex.split(line)
        create_named_files(words)
        # `users add` and `passwd` ask for the password twice: typed here as a user would
        with CliRunner().isolation(input="correct horse battery\ncorrect horse battery\n"):
            context = parse_example(line)
        # the command itself, or for a group one of its subcommands
        assert f"{context.command_path} ".startswith(f"{prefix} "), (line, context.command_path)


def test_examples_are_checked_against_options_that_exist() -> None:
    """The parse above is strict: a misspelt option or a bad choice is an error."""
    with pytest.raises(click.NoSuchOption):
        parse_example("aggregator export --format csv --sauce nspcc")
    with pytest.raises(click.BadParameter):
        parse_example("aggregator export --format csv --source nosuch")
    with pytest.raises(click.MissingParameter):
        parse_example("aggregator export --source nspcc")


SOURCE_TAKERS = [
    "items --source nosuch",
    "export --format csv --source nosuch",
    "classify --source nosuch",
    "crawl nspcc nosuch",
    "reconcile nosuch",
    "fixture refresh nosuch",
    "fixture save nosuch https://example.org/",
    "parse nosuch README.md --url https://example.org/",
]


@pytest.mark.parametrize("args", SOURCE_TAKERS)
def test_an_unknown_slug_is_refused_in_one_line_listing_the_choices(
    args: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, args.split())
    assert result.exit_code == 2
    error = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(error) == 1
    assert "unknown source 'nosuch' (known: " in error[0]
    assert all(slug in error[0] for slug in REGISTRY)


def test_a_known_slug_parses_and_several_slugs_or_none_too(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(ROOT)
    assert parse_example("aggregator items --source nspcc").params["source"] == "nspcc"
    assert parse_example("aggregator crawl nspcc ofsted").params["slugs"] == ("nspcc", "ofsted")
    assert parse_example("aggregator crawl").params["slugs"] == ()
    parsed = parse_example("aggregator parse feed README.md --url https://e.org/")
    assert parsed.params["slug"] == "feed"


def complete(words: str, cword: int, **extra_env: str) -> list[str]:
    """What bash completion offers for `words` (click's bash_complete protocol)."""
    env = dict(
        os.environ,
        _AGGREGATOR_COMPLETE="bash_complete",
        COMP_WORDS=words,
        COMP_CWORD=str(cword),
        **extra_env,
    )
    result = subprocess.run(
        [sys.executable, "-c", "from aggregator.cli import main; main(prog_name='aggregator')"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return [line.split(",", 1)[1] for line in result.stdout.splitlines()]


def test_completion_offers_options_and_source_slugs() -> None:
    assert complete("aggregator export --so", 2) == ["--source"]
    assert complete("aggregator export --source ", 3) == sorted(REGISTRY)
    assert complete("aggregator crawl nspcc o", 3) == [s for s in sorted(REGISTRY) if s[0] == "o"]
    assert "export" in complete("aggregator ex", 1)


def test_sources_added_by_the_environment_are_choices_too(tmp_path: Path) -> None:
    """$AGGREGATOR_EXTRA_SOURCES extends the registry at import, before the choices are made."""
    extra = tmp_path / "extra.json"
    extra.write_text(
        '[{"slug": "lscp_news", "publisher": "Example LSCP", '
        '"homepage": "https://lscp.example.org/", '
        '"channels": [{"kind": "feed", "url": "https://lscp.example.org/feed/"}]}]'
    )
    offered = complete("aggregator items --source l", 3, AGGREGATOR_EXTRA_SOURCES=str(extra))
    assert offered == sorted(["lscp_news", *(s for s in REGISTRY if s.startswith("l"))])
