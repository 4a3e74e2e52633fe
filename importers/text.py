"""What the importers say to a person: a catalogue text and the values put into it.

The importers know no language and no request (they import nothing of the ledger), so every
problem is said in the catalogue's source language, English, as a ``Message``: the text marked
with :func:`N_` (so that ``pybabel extract -k N_`` finds it) and its values, already written
out as text. ``str(message)`` is the English sentence the command line and the API show; a
page translates ``message.template`` and puts ``message.params`` in.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["N_", "Message"]


def N_(text: str) -> str:  # noqa: N802 - gettext's conventional name for a marker that does not translate
    return text


@dataclass(frozen=True, slots=True)
class Message:
    """A catalogue text (``%(name)s`` placeholders) and the value of each placeholder, as text."""

    template: str
    params: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, template: str, /, **params: object) -> Message:
        """``template`` (marked with ``N_``) and its values, each written as ``str`` writes it."""
        return cls(template, {name: str(value) for name, value in params.items()})

    def with_params(self, /, **params: object) -> Message:
        """The same text with more values (the rule's id, known only when the rule reports)."""
        return Message(self.template, self.params | {name: str(value) for name, value in params.items()})

    def __str__(self) -> str:
        """The sentence in English: the template with its values put in."""
        return self.template % self.params
