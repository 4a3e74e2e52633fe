"""Marking text for the message catalogue from code that knows no request.

The core has no language of its own: it returns text in the catalogue's source language,
marked with :func:`N_` so that ``pybabel extract -k N_`` finds it, and the pages and reports
translate it (``gettext(text)``) when they show it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def N_(text: str) -> str:  # noqa: N802 - gettext's conventional name for a marker that does not translate
    return text


class Phrase(str):
    """A catalogue text (marked with ``N_``) put into another as a parameter: the shower
    translates it too (``"%(status)s"`` with ``Phrase(N_("approved"))``)."""

    __slots__ = ()


class Label(str):
    """A stable code (an enum's value) put into a text as a parameter: the shower gives its
    display name (``ledger.labels.label``); the source language shows the code itself."""

    __slots__ = ()


def in_source_language(text: str, params: Mapping[str, Any] | None = None) -> str:
    """``text % params`` in the catalogue's source language, every value as ``str()`` gives it
    (dates ISO, amounts with a decimal point): what scripts, logs and the command line read.
    A text without params is returned as it is (a ``%`` in it stays)."""
    if not params:
        return text
    try:
        return text % {name: _plain(value) for name, value in params.items()}
    except (KeyError, ValueError, TypeError):
        return text


def _plain(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(_plain(item) for item in value)
    return str(value)


class Said(str):
    """A catalogue text with its values put into another text as a parameter: the English
    sentence as a string, and ``text`` and ``params`` for the shower to say it again in the
    reader's language."""

    text: str
    params: dict[str, Any]

    @classmethod
    def of(cls, text: str, **params: Any) -> Said:
        said = cls(in_source_language(text, params))
        said.text, said.params = text, params
        return said
