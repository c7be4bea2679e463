"""The map of the house (docs/DESIGN.md) holds: each layer imports only those below it, no
module imports itself back through others, only the configuration reads the environment,
and a module over 300 lines says at its top why."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
PACKAGES = ("domain", "projections", "api", "inspector")
# What each package may import of the others (docs/DESIGN.md, "What each may import").
ALLOWED = {
    "inspector": set(),
    "domain": {"inspector"},  # the audit formats (RFC 6962, the leaves)
    "projections": {"domain", "inspector"},
    "api": {"domain", "projections", "inspector"},
}
MAX_LINES = 300
LONG_REASON = "Longer than 300 lines because"


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The service's modules `name` imports (anywhere in it), resolved to known modules."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        targets = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[:len(anchor) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


@pytest.fixture(scope="module")
def graph():
    found = modules()
    return {name: imports_of(name, path, set(found)) for name, path in found.items()}


def test_each_layer_imports_only_the_layers_below_it(graph):
    wrong = sorted((name, target) for name, targets in graph.items() for target in targets
                   if target.split(".")[0] != name.split(".")[0]
                   and target.split(".")[0] not in ALLOWED[name.split(".")[0]])
    assert wrong == []


def test_no_module_imports_itself_back(graph):
    """No cycle among modules (a package's __init__ importing its own submodules is not one)."""
    def reaches(start):
        seen, todo = set(), [start]
        while todo:
            for target in graph.get(todo.pop(), ()):
                if target not in seen:
                    seen.add(target)
                    todo.append(target)
        return seen

    cycles = sorted(name for name in graph if name in reaches(name)
                    and not all(t.startswith(name + ".") or name.startswith(t + ".") for t in graph[name] if name in reaches(t)))
    assert cycles == []


def test_only_the_configuration_reads_the_environment():
    readers = []
    for name, path in modules().items():
        if name in ("api.config", "inspector.__main__"):  # the service's and the inspector's own
            continue
        if name == "inspector.catalog":  # sets LANGUAGE, which the libraries' gettext reads
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "putenv") \
                    and isinstance(node.value, ast.Name) and node.value.id == "os":
                readers.append(name)
    assert readers == []


def test_a_long_module_says_why_at_its_top():
    unexplained = []
    for name, path in modules().items():
        text = path.read_text()
        if text.count("\n") > MAX_LINES:
            docstring = ast.get_docstring(ast.parse(text)) or ""
            if LONG_REASON not in docstring:
                unexplained.append(f"{name} ({text.count(chr(10))} lines)")
    assert unexplained == []


def test_only_the_store_registry_tells_the_stores_apart_by_the_database_name():
    sniffers = [name for name, path in modules().items() if name != "domain.store.stores"
                and any(mark in path.read_text() for mark in ('"postgresql://', '("postgresql', '"postgres://'))]
    assert sniffers == []
