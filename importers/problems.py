"""The errors and warnings of one file, collected the same way by every importer.

Both the PEPPOL parser and the CSV reader report into one ``Problems`` per file: an error
refuses the file, a warning is only shown, and a file stops being read once it has too many
errors to be useful (past that it is clearly the wrong file).
"""

from __future__ import annotations

from importers.model import ParseError

__all__ = ["MAX_ERRORS", "Problems", "TooManyErrorsError"]

#: A file reports at most this many errors; past that it is clearly the wrong file.
MAX_ERRORS = 100


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
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        rule: str | None = None,
    ) -> None:
        """Record an error about ``field``, at ``path`` or ``line`` and under ``rule`` if given."""
        self.add_error(ParseError(self.filename, line, path, field, message, rule))

    def add_error(self, error: ParseError) -> None:
        """Record an error; stop the parse once there are too many to be useful."""
        if len(self.errors) >= MAX_ERRORS - 1:
            self.errors.append(
                ParseError(self.filename, None, None, "file", f"more than {MAX_ERRORS - 1} errors; stopped reading")
            )
            raise TooManyErrorsError
        self.errors.append(error)

    def add_warning(self, warning: ParseError) -> None:
        """Record a warning: worth showing, not a reason to refuse the file."""
        if len(self.warnings) < MAX_ERRORS:
            self.warnings.append(warning)

    def reported_on(self, field: str) -> bool:
        """Whether an error about ``field`` is already recorded (then "missing" would repeat it)."""
        return any(e.field == field for e in self.errors)
