"""The findings the business rules report into a file's ``Problems``."""

from __future__ import annotations

from dataclasses import dataclass

from importers.model import ParseError
from importers.problems import Problems
from importers.text import Message


@dataclass(frozen=True, slots=True)
class Finding:
    """What a business rule found wrong: a ``ParseError`` still to be given its file and rule.

    ``names_rule`` gives the message the rule id as its ``rule`` value, for the arithmetic
    rules, whose messages are read beside the standard and so start with it
    (``%(rule)s: LineExtensionAmount is ...``).
    """

    field: str
    message: Message
    path: str | None = None
    line: int | None = None
    warning: bool = False
    names_rule: bool = False

    def record(self, problems: Problems, rule: str | None) -> None:
        """Record this finding in ``problems``, as an error or a warning under the rule's id."""
        said = self.message.with_params(rule=rule) if self.names_rule else self.message
        found = ParseError.of(problems.filename, self.line, self.path, self.field, said, rule)
        if self.warning:
            problems.add_warning(found)
        else:
            problems.add_error(found)
