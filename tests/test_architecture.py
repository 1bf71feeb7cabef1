"""Rules of the code that no linter knows, checked on the source (README, Development):
page views write only through views.attempt/handle_form, no route module imports another,
and every exception a service raises for a person derives from DomainError."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

import telecenter
from telecenter.domain_errors import DomainError

PACKAGE = Path(telecenter.__file__).parent
ROUTE_MODULES = sorted(
    p for p in PACKAGE.rglob("*.py") if p.name == "routes.py" or p.name.endswith("_routes.py")
)
# The JSON API answers a refusal through the application's handler (errors.py), so it writes
# with writing() and lets a DomainError travel.
API_MODULES = {PACKAGE / "central" / "api_routes.py"}


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text("utf-8"), filename=str(path))


def test_every_blueprint_lives_in_a_routes_module():
    with_blueprints = {p for p in PACKAGE.rglob("*.py") if "Blueprint(" in p.read_text("utf-8")}
    assert with_blueprints == set(ROUTE_MODULES)


@pytest.mark.parametrize("path", ROUTE_MODULES, ids=_module_name)
def test_no_route_module_imports_another(path):
    imported = set()
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.ImportFrom) and node.module:
            imported |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
    routes = {_module_name(p) for p in ROUTE_MODULES} - {_module_name(path)}
    assert not imported & routes


@pytest.mark.parametrize("path", sorted(set(ROUTE_MODULES) - API_MODULES), ids=_module_name)
def test_page_views_write_only_through_attempt(path):
    calls = [
        node.lineno
        for node in ast.walk(_tree(path))
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "writing"
    ]
    assert calls == [], f"{path.name}: use views.attempt() instead of writing() (lines {calls})"


def _exception_classes():
    import importlib
    import pkgutil

    for info in pkgutil.walk_packages(telecenter.__path__, "telecenter."):
        module = importlib.import_module(info.name)
        for _name, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, Exception) and value.__module__ == info.name:
                yield value


# Faults of the installation, not refusals of a request: they stop a command or give the 500 page.
OPERATIONAL = {
    "ConfigError",
    "StarterError",
    "BackupError",
    "SchedulerAlreadyRunning",
    "AlreadyRestoring",  # another restore holds the instance's lock (turned into a BackupError)
    "KeyNeeded",  # a BackupError: the backup was signed on another PC, its paper key is asked
    "ArchiveError",  # a damaged or crafted archive (turned into a BackupError)
    "SchemaError",  # a database the code does not know (turned into a BackupError)
    "InvalidKey",  # a typed backup key of the wrong shape (turned into a BackupError)
}


# Signals caught inside the module that raises them: they never reach a user or a command.
INTERNAL = {
    "Stop",  # a course download run pauses (the admin, the window, central dropped the entry)
    "TransferProblem",  # one download try failed; the run records it and tries again later
}


def test_every_refusal_is_a_domain_error():
    classes = {cls.__name__: cls for cls in _exception_classes()}
    assert set(classes) >= OPERATIONAL | INTERNAL
    refusals = {name for name, cls in classes.items() if issubclass(cls, DomainError)}
    assert set(classes) - OPERATIONAL - INTERNAL == refusals
    assert len(refusals) >= 17
