"""The layout's rules (docs/architecture.md), checked on the code's own imports.

Each rule is one function over the import graph; adding a rule is adding a function. Imports
under ``if TYPE_CHECKING:`` are left out: they exist for the type checker only.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("ledger", "importers", "reports")
FRAMEWORKS = ("flask", "flask_babel", "flask_login", "flask_migrate", "flask_smorest", "flask_sqlalchemy", "flask_wtf",
              "werkzeug", "sqlalchemy", "wtforms", "jinja2")
#: The pure core: no framework, no database, nothing of the application above it.
CORE = ("ledger.core", "ledger.allocation.rules")
#: A feature's doors: they may use the web, API and CLI shells; nothing else may import them.
ENTRY_MODULES = ("views", "api", "cli", "forms")
#: Feature modules that are glue to the web framework by nature, and why.
FLASK_GLUE = {
    "ledger.access.login": "Flask-Login's user loader and Flask-Limiter's throttle on log-in",
    "ledger.access.permissions": "the routes' @require decorator reads the request's user",
    "ledger.access.models": "the user model is Flask-Login's UserMixin",
}


@dataclass(frozen=True)
class Import:
    importer: str
    imported: str
    line: int


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            inside.update(id(child) for child in ast.walk(node))
    return inside


def _imports_of(path: Path) -> Iterator[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_nodes(tree)
    name = _module_name(path)
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            for alias in node.names:
                yield Import(name, f"{node.module}.{alias.name}", node.lineno)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(name, alias.name, node.lineno)


IMPORTS = [found for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))
           for found in _imports_of(path)]
MODULES = {_module_name(path) for package in PACKAGES for path in (ROOT / package).rglob("*.py")}


def _within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)


def _module_of(imported: str) -> str:
    """The project module an imported name lives in (``ledger.core.money.Money`` → ``ledger.core.money``)."""
    while imported and imported not in MODULES:
        imported = imported.rpartition(".")[0]
    return imported


#: The shared layers under ledger/ that are not features.
SHARED = ("core", "database", "web", "api", "cli")


def _feature(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 and parts[0] == "ledger" and parts[1] not in SHARED else None


# -- the rules ------------------------------------------------------------------------------

def pure_layers_know_no_framework(imp: Import) -> str | None:
    if _within(imp.importer, ("importers", "reports", *CORE)) and _within(imp.imported, FRAMEWORKS):
        return "the pure layers import no web framework and no database"
    return None


def importers_and_reports_know_no_ledger(imp: Import) -> str | None:
    if _within(imp.importer, ("importers", "reports")) and _within(imp.imported, ("ledger",)):
        return "importers/ and reports/ take and give plain data: they import nothing of ledger/"
    return None


def the_core_imports_only_the_core(imp: Import) -> str | None:
    if _within(imp.importer, CORE) and _within(imp.imported, ("ledger",)) and not _within(imp.imported, CORE):
        return "the core imports only the core"
    return None


def the_database_layer_knows_no_feature(imp: Import) -> str | None:
    if (_within(imp.importer, ("ledger.database",)) and _within(imp.imported, ("ledger",))
            and not _within(imp.imported, ("ledger.core", "ledger.database"))):
        return "ledger.database imports only the core"
    return None


def only_doors_use_doors(imp: Import) -> str | None:
    """Nothing but a feature's views, API, commands (and the app factory) imports those of a feature."""
    target = _module_of(imp.imported)
    if (_feature(target) and target.rpartition(".")[2] in ENTRY_MODULES
            and imp.importer.rpartition(".")[2] not in ENTRY_MODULES
            and imp.importer not in ("ledger", "ledger.features")):
        return f"{target} is a feature's door: services and models never import it"
    return None


def services_know_no_request(imp: Import) -> str | None:
    importer = imp.importer
    if (_feature(importer) and importer.rpartition(".")[2] not in ENTRY_MODULES and importer not in FLASK_GLUE
            and _within(imp.imported, ("flask", "flask_login", "flask_wtf", "flask_smorest", "werkzeug.wrappers"))):
        return "services and models take plain arguments, never a request (only the doors use Flask)"
    return None


RULES = (pure_layers_know_no_framework, importers_and_reports_know_no_ledger, the_core_imports_only_the_core,
         the_database_layer_knows_no_feature, only_doors_use_doors, services_know_no_request)


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.__name__)
def test_every_import_keeps_the_rule(rule) -> None:
    broken = [f"{imp.importer}:{imp.line} imports {imp.imported}: {why}"
              for imp in IMPORTS if (why := rule(imp)) is not None]
    assert broken == []


def test_no_two_modules_import_each_other() -> None:
    """No import cycle, including imports inside functions (a lazy import hides a cycle, it
    does not remove it)."""
    graph: dict[str, set[str]] = {module: set() for module in MODULES}
    for imp in IMPORTS:
        target = _module_of(imp.imported)
        if target and target != imp.importer:
            graph[imp.importer].add(target)
    cycles = _cycles(graph)
    assert cycles == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph[node]):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
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


def test_the_rules_see_the_code() -> None:
    """A rule over nothing cannot fail: the graph holds the modules the rules speak of."""
    assert {"ledger.core.money", "ledger.allocation.rules", "importers", "reports.sie"} <= MODULES
    assert any(imp.importer == "ledger.allocation.engine" and imp.imported.startswith("ledger.allocation.rules")
               for imp in IMPORTS)
    assert only_doors_use_doors(Import("ledger.invoices.service", "ledger.invoices.views.invoices", 1))
    assert services_know_no_request(Import("ledger.budgets.service", "flask.request", 1))
