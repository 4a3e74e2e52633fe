"""The errors and warnings of one file, collected the same way by every importer.

Both the PEPPOL parser and the CSV reader report into one ``Problems`` per file: an error
refuses the file, a warning is only shown, and a file stops being read once it has too many
errors to be useful (past that it is clearly the wrong file).
"""

from __future__ import annotations

from importers.model import ParseError
from importers.text import N_, Message

__all__ = ["FILE_TOO_LARGE", "MAX_ERRORS", "Problems", "TooManyErrorsError", "file_too_large"]

#: A file reports at most this many errors; past that it is clearly the wrong file.
MAX_ERRORS = 100
TOO_MANY_ERRORS = N_("more than %(count)s errors; stopped reading")
FILE_TOO_LARGE = N_("the file is %(size)s bytes, over the limit of %(limit)s bytes")


def file_too_large(size: int, limit: int) -> Message:
    """Why a file of ``size`` bytes is refused unread (the sizes grouped by thousands)."""
    return Message.of(FILE_TOO_LARGE, size=f"{size:,}", limit=f"{limit:,}")


class TooManyErrorsError(Exception):
    """Raised once ``MAX_ERRORS`` errors are collected; the parse stops there."""


class Problems:
    """Collects what is wrong with one file: errors refuse it, warnings are only shown."""

    __slots__ = ("errors", "filename", "warnings")

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.errors: list[ParseError] = []
        self.warnings: list[ParseError] = []

    def error(
        self,
        field: str,
        said: Message,
        *,
        path: str | None = None,
        line: int | None = None,
        rule: str | None = None,
    ) -> None:
        """Record an error about ``field`` that says ``said``, at ``path`` or ``line`` and under
        ``rule`` if given."""
        self.add_error(ParseError.of(self.filename, line, path, field, said, rule))

    def add_error(self, error: ParseError) -> None:
        """Record an error; stop the parse once there are too many to be useful."""
        if len(self.errors) >= MAX_ERRORS - 1:
            stopped = Message.of(TOO_MANY_ERRORS, count=MAX_ERRORS - 1)
            self.errors.append(ParseError.of(self.filename, None, None, "file", stopped))
            raise TooManyErrorsError
        self.errors.append(error)

    def add_warning(self, warning: ParseError) -> None:
        """Record a warning: worth showing, not a reason to refuse the file."""
        if len(self.warnings) < MAX_ERRORS:
            self.warnings.append(warning)

    def reported_on(self, field: str) -> bool:
        """Whether an error about ``field`` is already recorded (then "missing" would repeat it)."""
        return any(e.field == field for e in self.errors)
