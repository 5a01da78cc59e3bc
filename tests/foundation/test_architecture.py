"""The shape of the code: layers that only point down, no package cycles, small modules.

Every import of every module is parsed (nothing is imported or executed), so a new upward
import or cycle fails here before anyone has to find it in review.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from tests.support.servers import PROJECT

# Bottom first: a package may import from packages before it in this list, never after.
LAYERS = ("models", "infra", "events", "resolvers", "subscriptions", "schema", "web", "main")
CHECKED = (*LAYERS, "bench", "tests", "examples")
MAX_MODULE_LINES = 300
MAX_FUNCTION_LINES = 60


def _modules() -> Iterator[Path]:
    for top in CHECKED:
        path = PROJECT / top
        if path.with_suffix(".py").is_file():
            yield path.with_suffix(".py")
        for module in sorted(path.rglob("*.py")) if path.is_dir() else ():
            if "migrations" not in module.parts and "node_modules" not in module.parts:
                yield module


def _package(module: Path) -> str:
    return module.relative_to(PROJECT).parts[0].removesuffix(".py")


def _imported_packages(module: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found & set(LAYERS)


def test_imports_point_down_the_layers() -> None:
    upward = [
        f"{module.relative_to(PROJECT)} imports {target}"
        for module in _modules()
        if (package := _package(module)) in LAYERS
        for target in _imported_packages(module)
        if LAYERS.index(target) > LAYERS.index(package)
    ]

    assert upward == [], "imports from a higher layer:\n" + "\n".join(sorted(upward))


def test_packages_import_each_other_without_cycles() -> None:
    graph: dict[str, set[str]] = defaultdict(set)
    for module in _modules():
        package = _package(module)
        graph[package] |= _imported_packages(module) - {package}

    def cycle_from(start: str, path: tuple[str, ...]) -> tuple[str, ...] | None:
        for target in sorted(graph[path[-1]]):
            if target == start:
                return (*path, target)
            if target not in path and (found := cycle_from(start, (*path, target))):
                return found
        return None

    cycles = [" -> ".join(cycle) for package in sorted(graph) if (cycle := cycle_from(package, (package,)))]

    assert cycles == []


def test_modules_and_functions_stay_small() -> None:
    too_long: list[str] = []
    for module in _modules():
        text = module.read_text(encoding="utf-8")
        name = module.relative_to(PROJECT)
        if (lines := len(text.splitlines())) > MAX_MODULE_LINES:
            too_long.append(f"{name}: {lines} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    too_long.append(f"{name}:{node.lineno} {node.name}(): {length} lines")

    assert too_long == []
