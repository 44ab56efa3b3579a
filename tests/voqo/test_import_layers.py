"""The project's import graph: no two modules import each other (directly or in a loop),
`voqo/` imports no feature app, and the sandbox sits on top of everything.

Read from the source with `ast`, so imports inside functions count as much as those at the
top of a module: a lazy import hides a cycle from Python, not from a reader.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FEATURE_APPS = ("agents", "contacts", "calls", "campaigns", "functions", "sandbox")
PACKAGES = ("voqo", *FEATURE_APPS)
# The root URLconf wires every app's URLs in: it is the composition root, not a layer.
COMPOSITION_ROOT = {"voqo.urls"}
# The dashboard view reads the calls' figures from voqo.views until it moves to live with
# the data it shows; only imports inside that one function are let through.
DASHBOARD_VIEW = ("voqo.views", "dashboard")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" not in path.parts:
                modules[_module_name(path)] = path
    return modules


class _Imports(ast.NodeVisitor):
    """(imported module, enclosing function or "") for every import in a module."""

    def __init__(self, module: str, is_package: bool, known: set[str]) -> None:
        self.module, self.is_package, self.known = module, is_package, known
        self.found: list[tuple[str, str]] = []
        self._function: list[str] = []

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._function.append(node.name)
        self.generic_visit(node)
        self._function.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def _add(self, name: str) -> None:
        self.found.append((name, self._function[0] if self._function else ""))

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add(alias.name)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = node.module or ""
        if node.level:
            package = self.module.split(".")
            package = package if self.is_package else package[:-1]
            package = package[: len(package) - (node.level - 1)]
            base = ".".join([*package, base] if base else package)
        for alias in node.names:
            submodule = f"{base}.{alias.name}"
            self._add(submodule if submodule in self.known else base)


def import_graph() -> dict[str, list[tuple[str, str]]]:
    """Each project module → the project modules it imports (with the enclosing function)."""
    modules = project_modules()
    known = set(modules)
    graph = {}
    for name, path in modules.items():
        visitor = _Imports(name, path.name == "__init__.py", known)
        visitor.visit(ast.parse(path.read_text(), filename=str(path)))
        graph[name] = [
            (target, function)
            for target, function in visitor.found
            if target.split(".")[0] in PACKAGES and target != name
        ]
    return graph


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, ()):
            if target not in index:
                connect(target)
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

    for node in sorted(edges):
        if node not in index:
            connect(node)
    return found


def test_the_graph_sees_lazy_and_relative_imports():
    graph = import_graph()

    assert ("calls.receiving", "") in graph["calls.tasks"]
    assert ("voqo.providers.base", "") in graph["voqo.providers.live"]
    assert "calls.selectors" in {target for target, _ in graph["voqo.views"]}


def test_no_two_modules_import_each_other_directly_or_in_a_loop():
    graph = import_graph()
    edges = {module: {target for target, _ in targets} for module, targets in graph.items()}

    assert _cycles(edges) == []


def test_voqo_imports_no_feature_app():
    offending = [
        f"{module} imports {target}" + (f" in {function}()" if function else "")
        for module, targets in import_graph().items()
        if module.split(".")[0] == "voqo" and module not in COMPOSITION_ROOT
        for target, function in targets
        if target.split(".")[0] in FEATURE_APPS and (module, function) != DASHBOARD_VIEW
    ]

    assert offending == []


def test_only_the_provider_plug_in_seam_names_the_sandbox_inside_voqo():
    from voqo import providers

    assert providers.SANDBOX_PROVIDER == "sandbox.provider.SandboxProvider"


def test_nothing_imports_the_sandbox_app_from_below():
    offending = [
        f"{module} imports {target}"
        for module, targets in import_graph().items()
        if module.split(".")[0] != "sandbox" and module not in COMPOSITION_ROOT
        for target, _ in targets
        if target.split(".")[0] == "sandbox"
    ]

    assert offending == []


def test_the_cycle_check_finds_direct_and_longer_loops():
    edges = {"a": {"b"}, "b": {"a"}, "c": {"d"}, "d": {"e"}, "e": {"c"}, "f": {"a"}}

    assert sorted(_cycles(edges)) == [["a", "b"], ["c", "d", "e"]]
