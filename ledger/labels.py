"""Display names of the enums' values, translatable (the values themselves are stable codes)."""

from __future__ import annotations

from enum import Enum

from flask_babel import lazy_gettext as _l

LABELS = {
    # roles
    "admin": _l("administrator"),
    "finance": _l("finance"),
    "procurement": _l("procurement"),
    "department": _l("department"),
    "auditor": _l("auditor"),
    # subscription kinds
    "mobile_voice": _l("mobile voice"),
    "mobile_data": _l("mobile data"),
    "switchboard_extension": _l("switchboard extension"),
    "operator_seat": _l("operator seat"),
    "fixed_line": _l("fixed line"),
    # handset status
    "in_use": _l("in use"),
    "in_stock": _l("in stock"),
    "lost": _l("lost"),
    "stolen": _l("stolen"),
    "retired": _l("retired"),
}


def label(value: Enum | str) -> str:
    """The translated display name of an enum value (the code itself if none is known)."""
    key = value.value if isinstance(value, Enum) else value
    return str(LABELS.get(key, key))
