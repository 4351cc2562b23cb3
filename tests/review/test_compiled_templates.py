"""The review app's templates are compiled once per process (`CompiledTemplates`): every app
built in it reuses the compiled code, and a template whose source changed is compiled again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
import pytest

from aggregator.review.app import COMPILED_TEMPLATES, CompiledTemplates, create_app
from tests.conftest import migrated_sqlite


def test_a_second_app_renders_without_compiling(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = migrated_sqlite(tmp_path / "review.db")
    first = create_app(url, secret_key="k", config={"TESTING": True})
    assert first.test_client().get("/login").status_code == 200
    assert COMPILED_TEMPLATES.code  # the login page and its layout, compiled

    compiled: list[Any] = []
    real_compile = jinja2.Environment.compile

    def counting(self: jinja2.Environment, *args: Any, **kwargs: Any) -> Any:
        compiled.append(args[1] if len(args) > 1 else kwargs.get("name"))
        return real_compile(self, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    second = create_app(url, secret_key="k", config={"TESTING": True})
    page = second.test_client().get("/login")
    assert page.status_code == 200 and b'name="password"' in page.data
    assert compiled == []


def test_a_changed_template_is_compiled_again() -> None:
    sources = {"page.html": "first {{ n }}"}
    cache = CompiledTemplates()

    def render() -> str:
        env = jinja2.Environment(loader=jinja2.DictLoader(sources), bytecode_cache=cache)
        return env.get_template("page.html").render(n=1)

    assert render() == "first 1"
    sources["page.html"] = "second {{ n }}"
    assert render() == "second 1"
