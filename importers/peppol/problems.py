"""The findings the business rules report into a file's ``Problems``."""

from __future__ import annotations

from dataclasses import dataclass

from importers.model import ParseError
from importers.problems import Problems


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

    def record(self, problems: Problems, rule: str | None) -> None:
        """Record this finding in ``problems``, as an error or a warning under the rule's id."""
        message = f"{rule}: {self.message}" if self.names_rule else self.message
        found = ParseError(problems.filename, self.line, self.path, self.field, message, rule)
        if self.warning:
            problems.add_warning(found)
        else:
            problems.add_error(found)
