"""The reports' words: English in the code, marked for the message catalogue, translated by the
catalogue the caller hands in.

``reports/`` knows no request and no application, so it cannot look a language up: a renderer
is given a ``Language``, which is the caller's translations (flask_babel's of the request for a
page, the catalogue loaded from ``ledger/translations`` for a command) and the ``Formatter`` of
the same language for amounts and dates. Texts are written as ``language.gettext("…")`` (or
``N_("…")`` where they are only listed), which ``pybabel extract`` finds, and say their values
as ``%(name)s``, as everywhere in the catalogue.

A Swedish report without Swedish translations would come out in English with Swedish amounts;
``language()`` refuses to make one.
"""

from __future__ import annotations

import gettext as _gettext
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from babel.support import Translations as _BabelTranslations

from reports.formatting import LANGUAGES, Formatter, formatter

__all__ = ["N_", "Language", "Translations", "language", "load_translations"]


class Translations(Protocol):
    """What a renderer needs of a catalogue: ``gettext.NullTranslations``, Babel's
    ``Translations`` and flask_babel's ``get_translations()`` all have it."""

    def gettext(self, message: str, /) -> str: ...


def N_(text: str) -> str:  # noqa: N802 - gettext's conventional name for a marker that does not translate
    """Mark ``text`` for the catalogue without translating it (it is translated where shown)."""
    return text


@dataclass(frozen=True)
class Language:
    """The language a report is written in: its catalogue and its formatting."""

    translations: Translations
    fmt: Formatter

    @property
    def code(self) -> str:
        """``sv`` or ``en``."""
        return self.fmt.language

    def gettext(self, text: str, /, **values: object) -> str:
        """``text`` translated, with ``%(name)s`` filled from ``values`` (when any are given)."""
        translated = self.translations.gettext(text)
        return translated % values if values else translated

    def capitalised(self, text: str) -> str:
        """``text`` translated with its first letter upper case (a label as a column heading)."""
        translated = self.gettext(text)
        return translated[:1].upper() + translated[1:]


def language(code: str = "sv", translations: Translations | None = None) -> Language:
    """The ``Language`` for ``code`` (``sv``/``en``, or ``sv_SE``/``en_GB``).

    English is the catalogue's source language and needs no translations; any other language
    does, and is refused without them.
    """
    fmt = formatter(code)
    if translations is None:
        if fmt.language != "en":
            raise ValueError(f"a report in {fmt.language!r} needs that language's translations")
        translations = _gettext.NullTranslations()
    return Language(translations, fmt)


def load_translations(directory: Path | str, code: str) -> Translations:
    """The compiled catalogue (``<directory>/<code>/LC_MESSAGES/messages.mo``) of ``code``.

    English falls back to the source texts; for any other language a missing catalogue is an
    error rather than a report in the wrong language.
    """
    short = code.split("_")[0].lower()
    if short not in LANGUAGES:
        raise ValueError(f"language {code!r} is not one of {', '.join(sorted(LANGUAGES))}")
    loaded = _BabelTranslations.load(str(directory), [short])
    if short != "en" and not isinstance(loaded, _BabelTranslations):
        raise ValueError(f"no compiled {short!r} catalogue in {directory}")
    return loaded
