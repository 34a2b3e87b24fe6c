"""The package's shape, checked from the source with `ast`: no import cycles (module- and function-level
imports alike), no ``from X import _private`` across modules, and size limits on modules and functions."""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "searchkit"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 80
# Functions that are tables rather than logic: the web app factory is the route table (each handler a few
# lines, registered by Flask's decorators inside the factory).
TABLES = {"searchkit.web.app.create_app"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports(name: str) -> list[tuple[str, list[str]]]:
    """(imported searchkit module, names taken from it) for every import anywhere in module ``name``."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(a.name, []) for a in node.names if a.name.split(".")[0] == "searchkit"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "searchkit":
                continue
            names = [a.name for a in node.names]
            for n in names:  # `from . import parse` imports the module searchkit.parse
                if f"{target}.{n}" in MODULES:
                    out.append((f"{target}.{n}", []))
            out.append((target, [n for n in names if f"{target}.{n}" not in MODULES]))
    return [(t, n) for t, n in out if t in MODULES]


def graph() -> dict[str, set[str]]:
    # A package's __init__ runs before any of its modules: importing a.b.c imports a and a.b too.
    edges: dict[str, set[str]] = {}
    for name in MODULES:
        deps = set()
        for target, _ in imports(name):
            parts = target.split(".")
            deps |= {".".join(parts[:i]) for i in range(2, len(parts) + 1)} & MODULES.keys()
        edges[name] = deps - {name}
    return edges


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(n: str) -> list[str] | None:
        state[n] = 1
        stack.append(n)
        for m in sorted(edges[n]):
            if state.get(m) == 1:
                return stack[stack.index(m):] + [m]
            if m not in state:
                found = visit(m)
                if found:
                    return found
        stack.pop()
        state[n] = 2
        return None

    for n in sorted(edges):
        if n not in state:
            found = visit(n)
            if found:
                return found
    return None


def is_package_parent(importer: str, target: str) -> bool:
    """A package's ``__init__`` re-exporting from its own modules is not a cycle through the package."""
    return target.startswith(importer + ".") and MODULES[importer].name == "__init__.py"


def test_the_import_graph_has_no_cycle() -> None:
    edges = graph()
    edges = {n: {m for m in deps if not is_package_parent(m, n)} for n, deps in edges.items()}
    assert find_cycle(edges) is None, " -> ".join(find_cycle(edges))


def test_the_checker_sees_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_private_name_is_imported_from_another_module() -> None:
    bad = [f"{name}: from {target} import {n}" for name in MODULES for target, names in imports(name)
           for n in names if n.startswith("_") and not n.startswith("__") and target != name]
    assert not bad, "\n".join(bad)


def test_modules_and_functions_stay_small() -> None:
    too_long = []
    for name, path in MODULES.items():
        text = path.read_text(encoding="utf-8")
        lines = text.count("\n")
        if lines > MAX_MODULE_LINES:
            too_long.append(f"{name}: {lines} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                n = node.end_lineno - node.lineno + 1
                if n > MAX_FUNCTION_LINES and f"{name}.{node.name}" not in TABLES:
                    too_long.append(f"{name}.{node.name}: {n} lines")
    assert not too_long, "\n".join(too_long)
