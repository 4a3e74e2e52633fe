"""Messages of the invoice feature that a person reads, kept translatable.

A service speaks the catalogue's source language (English) and cannot know the reader's; what
it says is kept as ``{"message": ..., "text": ..., "params": ...}``: the sentence as scripts and
the command line show it, the catalogue text marked with ``N_``, and the values put into it.
A page shows ``gettext(text, **params)`` instead of ``message``.
"""

from __future__ import annotations

from typing import Any


def said(text: str, /, **params: Any) -> dict[str, Any]:
    """``text`` (marked with ``N_``) with ``params`` put in, and what a page needs to translate it."""
    shown = {name: str(value) for name, value in params.items()}
    return {"message": text % shown, "text": text, "params": shown}
