"""Marking text for the message catalogue from code that knows no request.

The core has no language of its own: it returns text in the catalogue's source language,
marked with :func:`N_` so that ``pybabel extract -k N_`` finds it, and the pages and reports
translate it (``gettext(text)``) when they show it.
"""

from __future__ import annotations


def N_(text: str) -> str:  # noqa: N802 - gettext's conventional name for a marker that does not translate
    return text
