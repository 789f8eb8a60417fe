"""Dependencies point one way: the CLI hands the target registry in; nothing imports back."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from tests.conftest import ROOT


def test_compiler_imports_targets_only_at_the_top() -> None:
    """The CLI provides the registry (compiler.render.registry); nothing else imports it."""
    offenders = []
    for source in sorted((ROOT / "compiler").rglob("*.py")):
        if source.relative_to(ROOT).as_posix() == "compiler/cli/main.py":
            continue
        if re.search(r"^\s*(from|import) targets\b", source.read_text(), re.M):
            offenders.append(source.relative_to(ROOT).as_posix())
    assert offenders == []


def test_targets_import_only_the_model_errors_output_and_the_contract() -> None:
    # compiler.burn: the burn-rate arithmetic the alerts target renders and `obsc report` draws
    allowed = (
        "compiler.model",
        "compiler.errors",
        "compiler.output",
        "compiler.render.contract",
        "compiler.burn",
    )
    for source in sorted((ROOT / "targets").rglob("*.py")):
        for module in re.findall(r"^\s*from (compiler[\w.]*) import", source.read_text(), re.M):
            assert module.startswith(allowed), f"{source}: imports {module}"


def test_version_matches_pyproject() -> None:
    from compiler.version import __version__

    assert f'version = "{__version__}"' in (ROOT / "pyproject.toml").read_text()


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported(tree: ast.AST, modules: set[str]) -> Iterator[str]:
    """Every compiler module `tree` imports, anywhere (in functions, for type checking)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names if alias.name in modules)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                if full in modules:
                    yield full
                elif node.module in modules:
                    yield node.module


def test_no_import_cycles_in_the_compiler() -> None:
    """Not even through an import inside a function: each module can be read on its own."""
    sources = {_module(p): p for p in (ROOT / "compiler").rglob("*.py")}
    graph = {
        name: set(_imported(ast.parse(path.read_text()), set(sources))) - {name}
        for name, path in sources.items()
    }
    done: set[str] = set()

    def visit(name: str, trail: list[str]) -> None:
        if name in trail:
            cycle = [*trail[trail.index(name) :], name]
            raise AssertionError("import cycle: " + " -> ".join(cycle))
        if name in done:
            return
        for imported in sorted(graph[name]):
            visit(imported, [*trail, name])
        done.add(name)

    for name in sorted(graph):
        visit(name, [])
