"""The errors and warnings of one file, and the findings the business rules report into them."""

from __future__ import annotations

from dataclasses import dataclass

from importers.model import ParseError

#: A file reports at most this many errors; past that it is clearly the wrong file.
MAX_ERRORS = 100


class TooManyErrorsError(Exception):
    """Raised once ``MAX_ERRORS`` errors are collected; the parse stops there."""


@dataclass(frozen=True, slots=True)
class Finding:
    """What a business rule found wrong: a ``ParseError`` still to be given its file and rule.

    ``names_rule`` puts the rule id before the message, for the arithmetic rules, whose
    messages are read beside the standard (``BR-CO-10: LineExtensionAmount is ...``).
    """

    field: str
    message: str
    path: str | None = None
    line: int | None = None
    warning: bool = False
    names_rule: bool = False


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
        """Record an error; stop the parse once there are too many to be useful."""
        if len(self.errors) >= MAX_ERRORS - 1:
            self.errors.append(
                ParseError(self.filename, None, None, "file", f"more than {MAX_ERRORS - 1} errors; stopped reading")
            )
            raise TooManyErrorsError
        self.errors.append(ParseError(self.filename, line, path, field, message, rule))

    def warn(
        self,
        field: str,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        rule: str | None = None,
    ) -> None:
        """Record a warning: worth showing, not a reason to refuse the file."""
        if len(self.warnings) < MAX_ERRORS:
            self.warnings.append(ParseError(self.filename, line, path, field, message, rule))

    def record(self, finding: Finding, rule: str | None) -> None:
        """Record what a rule found, as an error or a warning under the rule's id."""
        message = f"{rule}: {finding.message}" if finding.names_rule else finding.message
        report = self.warn if finding.warning else self.error
        report(finding.field, message, path=finding.path, line=finding.line, rule=rule)

    def reported_on(self, field: str) -> bool:
        """Whether an error about ``field`` is already recorded (then "missing" would repeat it)."""
        return any(e.field == field for e in self.errors)
