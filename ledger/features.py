"""The features of the ledger, and the one place that knows which of them has models, pages,
an API or commands. The app factory, the migrations and the tests load features from here.

Each feature is a package ``ledger.<name>`` holding what the feature is: ``models.py``,
its services, ``api.py``, ``views.py``, ``forms.py``, ``cli.py`` and ``templates/``, each only
where the feature has one (docs/architecture.md).
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

#: In dependency order: a feature imports only features before it (and the shared layers).
FEATURES = (
    "access",
    "organisation",
    "audit",
    "accounting",
    "procurement",
    "inventory",
    "invoices",
    "allocation",
    "budgets",
    "reporting",
    "closing",
    "findings",
    "private_use",
    "contact_centre",
    "privacy",
    "demo",
)

#: The order in which the pages' modules register (it is the order of the top navigation).
VIEW_ORDER = ("budgets", "allocation", "access", "inventory", "invoices", "procurement", "organisation", "closing",
              "reporting", "accounting", "audit", "findings", "private_use", "contact_centre", "privacy")

_ROOT = Path(__file__).resolve().parent


def _optional(feature: str, part: str) -> ModuleType | None:
    if not (_ROOT / feature / f"{part}.py").exists():
        return None
    return importlib.import_module(f"ledger.{feature}.{part}")


#: Services that listen to another feature's signals; loaded with the models, so they listen
#: wherever the ledger runs (pages, API, commands, tests).
LISTENERS = ("allocation.corrections",)


def load_models() -> None:
    """Import every feature's models, so that ``db.metadata`` holds every table, and the listeners."""
    for feature in FEATURES:
        _optional(feature, "models")
    for listener in LISTENERS:
        importlib.import_module(f"ledger.{listener}")


def load_views() -> None:
    """Import the view modules; each registers its routes on the one ``web`` blueprint."""
    for feature in VIEW_ORDER:
        _optional(feature, "views")


def api_modules() -> list[ModuleType]:
    return [module for feature in FEATURES if (module := _optional(feature, "api")) is not None]


def cli_modules() -> list[ModuleType]:
    return [module for feature in FEATURES if (module := _optional(feature, "cli")) is not None]


def template_folders() -> list[str]:
    return [str(_ROOT / feature / "templates") for feature in FEATURES if (_ROOT / feature / "templates").is_dir()]
