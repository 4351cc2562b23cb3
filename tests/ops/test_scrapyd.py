"""Scrapyd, for real (#23): deploy the project's egg to a Scrapyd on loopback, schedule a fixture
crawl through its JSON API and find the items in the database.

Scrapyd and scrapyd-client come from the dev extra. The deploy runs from a copy of the project
in the temporary folder, because `scrapyd-deploy` builds the egg in place (`setup.py clean`,
`bdist_egg`: build/ and the egg-info) and the work tree must stay as it is.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from aggregator.storage.db import upgrade
from aggregator.storage.repository import Repository

pytestmark = pytest.mark.slow  # scheduled first (tests/conftest.py)

INSTALL = "install Scrapyd with: .venv/bin/pip install scrapyd scrapyd-client (or -e '.[dev]')"
pytest.importorskip("scrapyd", reason=INSTALL)
pytest.importorskip("scrapyd_client", reason=INSTALL)

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SOURCE = "ofsted"  # a small fixture folder (six items), so the job is short
PROJECT_FILES = ["aggregator", "spiders", "pipelines", "pyproject.toml", "setup.py", "README.md"]
EXAMPLE_URL = "http://127.0.0.1:6800/"  # the [deploy:local] target scrapy.cfg ships with
WAIT_SECONDS = 120  # a guard against a hung server or job, not a measure of speed


@dataclass
class Scrapyd:
    url: str
    folder: Path
    log: Path

    def get(self, endpoint: str, **query: str) -> dict[str, Any]:
        address = self.url + endpoint + ("?" + urllib.parse.urlencode(query) if query else "")
        with urllib.request.urlopen(address, timeout=10) as response:
            return dict(json.load(response))

    def post(self, endpoint: str, fields: list[tuple[str, str]]) -> dict[str, Any]:
        body = urllib.parse.urlencode(fields).encode("ascii")
        with urllib.request.urlopen(self.url + endpoint, data=body, timeout=10) as response:
            return dict(json.load(response))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def scrapyd_env() -> dict[str, str]:
    """Scrapyd's environment, which its jobs inherit: without the variables that could aim a
    job elsewhere, so the database, fixtures and allow-list come from the job's own settings."""
    env = dict(os.environ)
    for name in (
        "AGGREGATOR_DATABASE_URL",
        "AGGREGATOR_ALLOWED_ADDRESSES",
        "SCRAPY_SETTINGS_MODULE",
    ):
        env.pop(name, None)
    return env


@pytest.fixture
def scrapyd(tmp_path: Path) -> Iterator[Scrapyd]:
    """A Scrapyd on a free loopback port, everything it writes under tmp_path; stopped after."""
    folder = tmp_path / "scrapyd"
    folder.mkdir()
    port = free_port()
    dirs = {name: folder / name.removesuffix("_dir") for name in ("eggs_dir", "logs_dir")}
    dirs |= {name: folder / name.removesuffix("_dir") for name in ("dbs_dir", "items_dir")}
    lines = ["[scrapyd]", "bind_address = 127.0.0.1", f"http_port = {port}", "poll_interval = 0.5"]
    lines += [f"{name} = {path}" for name, path in dirs.items()]
    (folder / "scrapyd.conf").write_text("\n".join(lines) + "\n")
    log = folder / "scrapyd.out"
    with log.open("wb") as out:
        # Scrapyd reads ./scrapyd.conf, and its runner (one process per job) reads it again.
        process = subprocess.Popen(
            [str(BIN / "scrapyd")], cwd=folder, env=scrapyd_env(), stdout=out, stderr=out
        )
    server = Scrapyd(f"http://127.0.0.1:{port}/", folder, log)
    try:
        for _ in range(WAIT_SECONDS * 10):
            assert process.poll() is None, f"scrapyd exited:\n{log.read_text()}"
            try:
                if server.get("daemonstatus.json")["status"] == "ok":
                    break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail(f"scrapyd never answered /daemonstatus.json:\n{log.read_text()}")
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def project_copy(tmp_path: Path, scrapyd_url: str) -> Path:
    """The project's packaging files in tmp_path, its scrapy.cfg's example target aimed at
    the test's Scrapyd (the only change)."""
    project = tmp_path / "project"
    project.mkdir()
    for name in PROJECT_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, project / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, project / name)
    config = (ROOT / "scrapy.cfg").read_text()
    assert "[deploy:local]" in config and f"url = {EXAMPLE_URL}" in config
    (project / "scrapy.cfg").write_text(config.replace(EXAMPLE_URL, scrapyd_url))
    return project


def stored_keys(url: str) -> set[str]:
    repo = Repository.from_url(url)
    try:
        return set(repo.keys(SOURCE))
    finally:
        repo.close()


def test_deploy_schedule_and_store(scrapyd: Scrapyd, tmp_path: Path) -> None:
    project = project_copy(tmp_path, scrapyd.url)
    deploy = subprocess.run(
        [str(BIN / "scrapyd-deploy"), "local"],
        cwd=project,
        env=scrapyd_env(),
        capture_output=True,
        text=True,
        timeout=WAIT_SECONDS,
    )
    assert deploy.returncode == 0, deploy.stderr + deploy.stdout
    added = json.loads(deploy.stdout)
    assert added["status"] == "ok" and added["project"] == "aggregator", added
    # Scrapyd lists the spiders by running the egg: the registry's slugs, this one among them.
    spiders = scrapyd.get("listspiders.json", project="aggregator")
    assert SOURCE in spiders["spiders"], spiders

    db_url = f"sqlite:///{tmp_path / 'scrapyd.db'}"
    upgrade(db_url)
    scheduled = scrapyd.post(
        "schedule.json",
        [
            ("project", "aggregator"),
            ("spider", SOURCE),
            ("setting", "AGGREGATOR_FIXTURES=1"),
            # The egg holds the code, not the fixtures: name the checkout's folder.
            ("setting", f"AGGREGATOR_FIXTURES_DIR={ROOT / 'fixtures'}"),
            ("setting", f"AGGREGATOR_DATABASE_URL={db_url}"),
        ],
    )
    assert scheduled["status"] == "ok", scheduled
    job = scheduled["jobid"]

    for _ in range(WAIT_SECONDS * 2):
        jobs = scrapyd.get("listjobs.json", project="aggregator")
        finished = [j for j in jobs["finished"] if j["id"] == job]
        if finished:
            break
        time.sleep(0.5)
    else:
        pytest.fail(f"job {job} did not finish: {jobs}\n{scrapyd.log.read_text()}")
    job_log = scrapyd.folder / "logs" / "aggregator" / SOURCE / f"{job}.log"

    # The same source crawled by `aggregator crawl --fixtures`, into a database of its own.
    cli_url = f"sqlite:///{tmp_path / 'cli.db'}"
    cli = subprocess.run(
        [sys.executable, "-m", "aggregator.cli", "crawl", "--fixtures", SOURCE, "--db", cli_url],
        capture_output=True,
        text=True,
        timeout=WAIT_SECONDS,
    )
    assert cli.returncode == 0, cli.stderr + cli.stdout

    through_scrapyd, through_cli = stored_keys(db_url), stored_keys(cli_url)
    assert through_scrapyd, job_log.read_text()
    assert through_scrapyd == through_cli
    repo = Repository.from_url(db_url)
    try:
        runs = repo.runs(source=SOURCE, limit=1)
    finally:
        repo.close()
    assert runs and runs[0].stats.status == "ok", job_log.read_text()
    assert runs[0].stats.items_new == len(through_cli)
