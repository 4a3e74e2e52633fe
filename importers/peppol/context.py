"""One file's parse: its problems, the document read so far and the value reader, together."""

from __future__ import annotations

from dataclasses import dataclass

from importers.peppol.state import KINDS, Document
from importers.peppol.values import ValueReader
from importers.problems import Problems


@dataclass(frozen=True, slots=True)
class Context:
    """What every reader of one file works on; build it with ``Context.for_file``."""

    problems: Problems
    document: Document
    values: ValueReader

    @classmethod
    def for_file(cls, filename: str) -> Context:
        problems = Problems(filename)
        document = Document()
        return cls(problems, document, ValueReader(problems, document))

    def start_document(self, root_tag: str) -> None:
        """The Invoice or CreditNote element is known: fix the sign and the names used in paths."""
        kind = KINDS[root_tag]
        self.document.kind = kind
        if kind.credits:
            self.document.sign = -1
