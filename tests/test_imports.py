"""Every module of the package imports on its own, in a fresh interpreter.

A circular import only shows when a module is imported first, which is what a
test file, a command or gunicorn may do; the suite as a whole can hide it.
"""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import portal

ROOT = Path(__file__).resolve().parent.parent


CHECK_EACH = """
import importlib, sys
failures = []
for name in sys.argv[1:]:
    for loaded in [m for m in sys.modules if m == "portal" or m.startswith("portal.")]:
        del sys.modules[loaded]  # forget the package: `name` is imported first
    try:
        importlib.import_module(name)
    except Exception as error:
        failures.append(f"{name}: {error!r}")
print("\\n".join(failures))
"""


def test_every_portal_module_imports_first():
    names = sorted(
        module.name for module in pkgutil.walk_packages(portal.__path__, prefix="portal.")
    )
    assert len(names) >= 30
    done = subprocess.run(
        [sys.executable, "-c", CHECK_EACH, *names],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == ""


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, name: str, modules: set[str]) -> set[str]:
    """Every portal module `name` imports, at the top or inside a function.

    Importing `a.b.c` also runs the package `a.b`'s `__init__`, so that counts too.
    """
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    tree = ast.parse(path.read_text(), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            node.body = []  # annotations only: never run, so never a cycle
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = name if is_package else name.rpartition(".")[0]
                for _ in range(node.level - 1):
                    package = package.rpartition(".")[0]
                base = f"{package}.{base}" if base else package
            targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
        for target in targets:
            while target and target not in modules:
                target = target.rpartition(".")[0]
            while target:  # the module and every package __init__ above it
                found.add(target)
                target = target.rpartition(".")[0]
    return found & modules


def _own_package(a: str, b: str) -> bool:
    """A module may import its own package's `__init__` (a blueprint's `bp`, say)."""
    return a.startswith(b + ".")


def import_graph(root: Path) -> dict[str, set[str]]:
    files = {_module_name(path, root): path for path in (root / "portal").rglob("*.py")}
    modules = set(files)
    return {
        name: {t for t in _imports(path, name, modules) if t != name and not _own_package(name, t)}
        for name, path in files.items()
    }


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_no_import_cycle_between_portal_modules_even_inside_functions():
    graph = import_graph(ROOT)
    assert len(graph) >= 30
    assert import_cycles(graph) == []


def test_the_cycle_check_finds_a_cycle_hidden_inside_a_function(tmp_path):
    package = tmp_path / "portal"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from portal import b\n")
    (package / "b.py").write_text("def later():\n    from portal.a import thing\n")
    (package / "c.py").write_text("import portal.a\n")
    (package / "d.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import portal.e\n"
    )
    (package / "e.py").write_text("import portal.d\n")
    assert import_cycles(import_graph(tmp_path)) == [["portal.a", "portal.b"]]


def test_test_modules_share_helpers_through_tests_helpers_only():
    """A test module importing another runs that module's tests' setup twice and hides helpers."""
    imported = []
    for path in sorted((ROOT / "tests").glob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("tests.test_"):
                imported.append(f"{path.name}: {node.module}")
    assert imported == []


MAX_MODULE_LINES = 400
# The OpenAPI description is one long literal document; splitting it would not make it
# easier to read.
LONG_BY_NATURE = {"portal/api/openapi.py"}


def test_every_portal_module_reads_in_one_sitting():
    """No module under portal/ grows past 400 lines (STYLE.md): split it by feature."""
    too_long = {
        str(path.relative_to(ROOT)): lines
        for path in sorted((ROOT / "portal").rglob("*.py"))
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
        and str(path.relative_to(ROOT)) not in LONG_BY_NATURE
    }
    assert too_long == {}
