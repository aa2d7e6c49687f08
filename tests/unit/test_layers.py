"""The layer rule: import-linter's contracts (pyproject.toml) hold, and bite; no import circle.

The contracts are checked with ``lint-imports`` in a fresh interpreter, on this
checkout and on a copy with one crossing import added, which must fail. The
circle check reads every import statement of the package with ``ast``: at
module level, inside functions (run-time imports) and under TYPE_CHECKING.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGE = "onna_tui"

_LINT = (
    "import sys; from importlinter.cli import lint_imports_command; "
    "sys.exit(lint_imports_command())"
)


def _lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` on the package under ``root``, with the contracts of its pyproject.toml."""
    env = {**os.environ, "PYTHONPATH": str(root), "NO_COLOR": "1", "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-c", _LINT, "--no-cache", "--no-logo"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _copy_of_the_package(tmp_path: Path) -> Path:
    shutil.copytree(
        REPO / PACKAGE, tmp_path / PACKAGE, ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_layer_contracts_hold() -> None:
    result = _lint_imports(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "crossing", "contract", "shown"),
    [
        ("core/urls.py", "onna_tui.api.http", "Layers", "onna_tui.core.urls -> onna_tui.api.http"),
        ("errors.py", "onna_tui.core.urls", "Layers", "onna_tui.errors -> onna_tui.core.urls"),
        # api | storage: neither imports the other
        (
            "api/client.py",
            "onna_tui.storage.config_file",
            "Layers",
            "onna_tui.api.client -> onna_tui.storage.config_file",
        ),
        (
            "sandbox/state.py",
            "onna_tui.storage.files",
            "The sandbox imports only core",
            "onna_tui.sandbox.state -> onna_tui.storage.files",
        ),
        (
            "storage/files.py",
            "textual.app",
            "Only the TUI imports textual",
            "onna_tui.storage.files -> textual",
        ),
        ("core/shell.py", "httpx", "Core does no I/O", "onna_tui.core.shell -> httpx"),
        (
            "tui/screens/token.py",
            "keyring",
            "TUI screens and widgets",
            "onna_tui.tui.screens.token -> keyring",
        ),
        # screens import widgets: a widget importing a screen closes a circle
        (
            "tui/widgets/confirm.py",
            "onna_tui.tui.screens.base",
            "No circle",
            ".widgets -> .screens",
        ),
    ],
)
def test_a_crossing_import_breaks_a_contract(
    tmp_path: Path, module: str, crossing: str, contract: str, shown: str
) -> None:
    root = _copy_of_the_package(tmp_path)
    target = root / PACKAGE / module
    target.write_text(
        target.read_text(encoding="utf-8") + f"\nimport {crossing}  # noqa: E402\n",
        encoding="utf-8",
    )
    result = _lint_imports(root)
    output = " ".join(result.stdout.split())
    assert result.returncode != 0, output
    broken = output.split("Broken contracts", 1)[-1]
    assert contract in broken and shown in broken, output


# ---------------------------------------------------------------- no circles


def _modules(root: Path) -> dict[str, Path]:
    found = {}
    for path in sorted((root / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _imported(name: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules that ``name`` imports anywhere in its text (TYPE_CHECKING
    blocks and function bodies included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    targets: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            targets += [module] + [f"{module}.{alias.name}" for alias in node.names]
    found = set()
    for target in targets:
        while target and target not in known:
            target = target.rpartition(".")[0]
        if target and target != name:
            found.add(target)
    return found


def import_graph(root: Path) -> dict[str, set[str]]:
    modules = _modules(root)
    known = set(modules)
    return {name: _imported(name, path, known) for name, path in modules.items()}


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            for nxt in edges:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph[nxt]))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
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
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def test_no_module_imports_itself_back_through_others() -> None:
    graph = import_graph(REPO)
    assert len(graph) > 50  # the whole package was read
    assert circles(graph) == []


def test_the_circle_check_finds_a_circle(tmp_path: Path) -> None:
    root = _copy_of_the_package(tmp_path)
    errors = root / PACKAGE / "core" / "errors.py"
    # Only for type checking, and still a circle: core.urls imports core.errors.
    errors.write_text(
        errors.read_text(encoding="utf-8")
        + "\nfrom typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n"
        + "    from onna_tui.core.urls import DEFAULT_BASE_URL\n",
        encoding="utf-8",
    )
    assert circles(import_graph(root)) == [["onna_tui.core.errors", "onna_tui.core.urls"]]
