"""The layout is the flow (docs/architecture.md): arrows point one way, modules stay small.

The import graph is read from the source with `ast`, every import included: module level,
inside functions, under `TYPE_CHECKING`. A dynamic `importlib.import_module` is not an arrow
(the spider loader's, by a registry entry's module name, is the only one).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from aggregator.sources import REGISTRY

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("aggregator", "spiders", "pipelines")

# Layers from the top (entry points) down. A module may import only from its own layer or a
# lower one; within a layer, the circle test below keeps the arrows one way. The first
# matching prefix names a module's layer, so the more specific prefixes come first.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("entry points", ("aggregator.cli", "aggregator.review")),
    ("operations", ("aggregator.ops",)),
    ("services", ("aggregator.services",)),
    (
        "adapters",
        ("aggregator.fetch", "pipelines", "aggregator.exports", "aggregator.devtools"),
    ),
    ("storage", ("aggregator.storage", "aggregator.migrations")),
    ("parse", ("spiders", "aggregator.parse")),
    ("core", ("aggregator.classify", "aggregator.dedupe", "aggregator.drafting")),
    ("normalise", ("aggregator.normalise",)),
    ("base", ("aggregator.schema", "aggregator.sources", "aggregator.settings", "aggregator")),
)

# Modules allowed over MAX_LINES, each with its reason. Empty: none is.
LONG_MODULES: dict[str, str] = {}
MAX_LINES = 600
MAX_SITE_SPIDER_LINES = 150
MAX_MEDIAN_SITE_SPIDER_LINES = 100


def module_files() -> dict[str, Path]:
    """Every module of the project's packages, by dotted name."""
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def _imported_names(tree: ast.AST, module: str, is_package: bool) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")
                anchor = anchor if is_package else anchor[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def import_graph() -> dict[str, set[str]]:
    """Module → the project modules it imports."""
    files = module_files()
    graph: dict[str, set[str]] = {}
    for module, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        targets: set[str] = set()
        for name in _imported_names(tree, module, path.name == "__init__.py"):
            if name in files and name != module and not module.startswith(name + "."):
                targets.add(name)
        graph[module] = targets
    return graph


def layer_of(module: str) -> int:
    for rank, (_, prefixes) in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return rank
    raise AssertionError(f"{module} is in no layer of LAYERS")


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_import_graph_is_read_from_every_import() -> None:
    graph = import_graph()
    # a module-level import, and one inside a function body (the spider loader's)
    assert "aggregator.sources" in graph["aggregator.fetch.spider_loader"]
    assert len(graph) > 50


def test_no_import_circle() -> None:
    assert circles(import_graph()) == []


def test_the_circle_test_finds_a_circle() -> None:
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_every_arrow_points_down_the_layers() -> None:
    backwards = [
        f"{source} ({LAYERS[layer_of(source)][0]}) imports {target} ({LAYERS[layer_of(target)][0]})"
        for source, targets in sorted(import_graph().items())
        for target in sorted(targets)
        if layer_of(target) < layer_of(source)
    ]
    assert backwards == []


def test_no_module_imports_another_modules_private_names() -> None:
    files = module_files()
    offences = []
    for module, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module in files:
                offences += [
                    f"{module} takes {node.module}.{alias.name}"
                    for alias in node.names
                    if alias.name.startswith("_") and not alias.name.startswith("__")
                ]
    assert offences == []


def test_no_module_is_over_the_line_limit() -> None:
    long = {
        module: lines
        for module, path in module_files().items()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
        and module not in LONG_MODULES
    }
    assert long == {}


def site_spiders() -> dict[str, int]:
    """Line counts of the per-site spider modules (a module named after a registry slug)."""
    return {
        slug: len(path.read_text(encoding="utf-8").splitlines())
        for slug in REGISTRY
        if (path := ROOT / "spiders" / f"{slug}.py").exists()
    }


def test_site_spiders_hold_only_their_quirks() -> None:
    counts = site_spiders()
    assert counts, "no site spider found"
    assert {s: n for s, n in counts.items() if n > MAX_SITE_SPIDER_LINES} == {}
    ordered = sorted(counts.values())
    middle = len(ordered) // 2
    median = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    assert median <= MAX_MEDIAN_SITE_SPIDER_LINES


@pytest.mark.parametrize("slug", sorted(REGISTRY))
def test_no_shared_module_names_a_source(slug: str) -> None:
    """Publisher knowledge lives in the registry and the source's own spider only."""
    own = {ROOT / "aggregator" / "sources.py", ROOT / "spiders" / f"{slug}.py"}
    naming = []
    for module, path in module_files().items():
        if path in own or module.startswith("aggregator.migrations"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if any(isinstance(n, ast.Constant) and n.value == slug for n in ast.walk(tree)):
            naming.append(module)
    assert naming == []


def test_every_package_states_its_contract() -> None:
    silent = [
        module
        for module, path in module_files().items()
        if path.name == "__init__.py"
        and not module.startswith("aggregator.migrations")
        and not ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert silent == []


def test_docs_architecture_lists_every_module() -> None:
    """docs/architecture.md's tree has a line for every module, under its folder."""
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    tree = doc.split("## The tree", 1)[1]
    listed: set[str] = set()
    folder = ""
    for line in tree.splitlines():
        if line.endswith("/") and not line.startswith(" "):
            folder = line
        elif line.startswith("  ") and line.split()[0].endswith(".py"):
            listed.add(folder + line.split()[0])
    missing = [
        str(path.relative_to(ROOT))
        for module, path in module_files().items()
        if not module.startswith("aggregator.migrations.versions")
        and not (path.name == "__init__.py" and module != "aggregator")
        and str(path.relative_to(ROOT)) not in listed
    ]
    assert missing == []
