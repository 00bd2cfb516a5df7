"""The layers hold: no package imports one of a higher layer (or a sibling), and no import cycle exists anywhere.

Every import counts, wherever it is written: at the top of a module, inside a function (a deferred import is still a
dependency), or under ``if TYPE_CHECKING`` (a type is a dependency too). The layers are listed in ``tests/project.py``
and explained in ``docs/architecture.md``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.project import APPS, LAYERS, ROOT

#: The layer of each package (0 is the lowest).
LAYER = {package: index for index, layer in enumerate(LAYERS) for package in layer}


def module_name(path: Path) -> str:
    """The dotted module name of a file of the project (a package's ``__init__`` is the package)."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    """Every module of the project's packages, by name."""
    return {module_name(path): path for package in APPS for path in sorted((ROOT / package).rglob("*.py"))}


MODULES = project_modules()


def imported_modules(name: str, path: Path) -> Iterator[tuple[str, int]]:
    """The modules ``name`` imports, absolute, with their line (``from a import b``: ``a.b`` if that is a module)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            for alias in node.names:
                submodule = f"{target}.{alias.name}"
                yield (submodule if submodule in MODULES else target), node.lineno


def project_edges() -> dict[str, set[str]]:
    """The import graph of the project's modules (imports of other libraries left out)."""
    edges: dict[str, set[str]] = {name: set() for name in MODULES}
    for name, path in MODULES.items():
        for target, _line in imported_modules(name, path):
            while target and target not in MODULES:  # `import a.b.c` makes a.b.c, or its nearest package, a module
                target = target.rpartition(".")[0]
            if target and target != name:
                edges[name].add(target)
    return edges


def test_the_walk_finds_the_code_and_its_imports():
    """A guard for the guards: the walk sees every package and the imports between them."""
    edges = project_edges()
    assert {name.split(".")[0] for name in MODULES} == set(APPS)
    assert "core.changes" in edges["recommendations.services.recommendations"]
    assert "recommendations.models" in edges["transfer.importing"]
    assert sum(len(targets) for targets in edges.values()) > 200


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_imports_a_higher_layer_or_a_sibling(name):
    package = name.split(".")[0]
    for target, line in imported_modules(name, MODULES[name]):
        other = target.split(".")[0]
        if other == package or other not in LAYER:
            continue
        assert LAYER[other] < LAYER[package], (
            f"{MODULES[name].relative_to(ROOT)}:{line}: {package} (layer {LAYER[package]}) imports {target} "
            f"(layer {LAYER[other]}); a package may import only lower layers (docs/architecture.md)"
        )


def strongly_connected_components(edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iteratively: the groups of modules that all reach each other."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    counter = 0
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(sorted(component))
    return components


def test_the_cycle_finder_finds_cycles():
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    cycles = [component for component in strongly_connected_components(edges) if len(component) > 1]
    assert cycles == [["a", "b", "c"]]


def test_no_import_cycles():
    cycles = [component for component in strongly_connected_components(project_edges()) if len(component) > 1]
    assert cycles == [], "modules that import each other, directly or through others: " + "; ".join(
        " ↔ ".join(component) for component in cycles
    )
