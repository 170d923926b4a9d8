"""The producer's layout holds: stages import without circles, nothing of the lakehouse."""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

VISION = Path(__file__).resolve().parents[3] / "vision"
LAKEHOUSE_SIDE = {"rva", "udfs", "trino", "pyiceberg", "jinja2"}


def module_name(path: Path) -> str:
    parts = path.relative_to(VISION.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, top_level_only: bool) -> set[str]:
    tree = ast.parse(path.read_text())
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


MODULES = {module_name(p): p for p in VISION.rglob("*.py") if "build" not in p.parts}


def test_modules_import_each_other_without_a_circle() -> None:
    graph = {name: {m for m in imports(path, top_level_only=True) if m in MODULES and m != name}
             for name, path in MODULES.items()}
    try:
        list(TopologicalSorter(graph).static_order())
    except CycleError as err:
        raise AssertionError(f"import circle: {' -> '.join(err.args[1])}") from err


def test_nothing_of_the_lakehouse_side_is_imported_anywhere() -> None:
    offending = {name: sorted(m for m in imports(path, top_level_only=False) if m.split(".")[0] in LAKEHOUSE_SIDE)
                 for name, path in MODULES.items()}
    assert {k: v for k, v in offending.items() if v} == {}


def test_every_stage_is_a_package_the_wheel_ships() -> None:
    packages = {module_name(p.parent / "__init__.py") for p in VISION.rglob("__init__.py") if "build" not in p.parts}
    pyproject = (VISION / "pyproject.toml").read_text()
    assert packages >= {"vision", "vision.sources", "vision.detect", "vision.track", "vision.publish"}
    assert all(f'"{p}"' in pyproject for p in packages), "vision/pyproject.toml lists every package"
