"""People's names as the ledger finds and hides them: one rule for when a stored text names a
person, and one for the pseudonym that replaces a name.

**Finding.** A stored text names the person asked for when each of the person's words stands in
it as a whole word, in any order, whatever the case and the spacing: "anna svensson" finds "Anna
Svensson", "Svensson, Anna" and "Anna Svensson (vikarie)", not "Johanna Svensson"; "Svensson"
finds every Svensson. Words are letters and digits (``\\w``), so a user name such as
``anna.svensson`` is found too. Each text is judged on its own: a holder "Anna Berg" beside a
signer "Per Svensson" is no "Anna Svensson". The database narrows the rows first with a ``LIKE``
per word (every character outside a–z and 0–9 a wildcard, so that case folding and the escapes
of stored JSON cannot hide a row); Python then decides with :func:`names_person`.

**Hiding.** A pseudonym is ``Person`` and eight hexadecimal digits: an HMAC-SHA-256 of the
organisation and the name (case and spacing folded), keyed with a key derived from the
deployment's ``SECRET_KEY``. The same name in the same municipality always gets the same
pseudonym, so the rows of one person stay together; the database alone cannot turn it back
into the name, for the key is not in it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import string
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from ledger.core.errors import ValidationFailed
from ledger.core.text import N_

#: The fewest letters a name to look for may have (fewer would find nearly everyone).
MIN_LETTERS = 3
PSEUDONYM = re.compile(r"Person [0-9A-F]{8}")
#: What a stored pseudonym looks like to ``LIKE``: the prefix and eight characters.
PSEUDONYM_LIKE = "Person ________"
_WORD = re.compile(r"\w+")
_PLAIN = frozenset(string.ascii_lowercase + string.digits)
_CONTEXT = b"ledger.privacy.pseudonym"

TOO_SHORT = N_("Give at least %(count)s letters of the person's name")


def words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def person_words(person: str) -> list[str]:
    """The words of a name to look for; 422 when it has too few letters to mean one person."""
    found = words(person or "")
    if sum(len(word) for word in found) < MIN_LETTERS:
        raise ValidationFailed(TOO_SHORT, details=[{"field": "person"}], count=MIN_LETTERS)
    return found


def names_person(text: object, wanted: list[str]) -> bool:
    """Whether ``text`` holds every word of ``wanted`` whole (``person_words``)."""
    if not isinstance(text, str) or not wanted:
        return False
    return set(wanted) <= set(words(text))


def mentions_person(value: Any, wanted: list[str]) -> bool:
    """Whether any text in a JSON value (an audit event's before or after) names the person."""
    if isinstance(value, dict):
        return any(mentions_person(item, wanted) for item in value.values())
    if isinstance(value, list):
        return any(mentions_person(item, wanted) for item in value)
    return names_person(value, wanted)


def like_pattern(word: str) -> str:
    """A ``LIKE`` pattern (for a lower-cased column) that every text holding ``word`` meets."""
    return re.sub("%+", "%", "%" + "".join(ch if ch in _PLAIN else "%" for ch in word.lower()) + "%")


def may_name(column: Any, wanted: list[str]) -> sa.ColumnElement[bool]:
    """The database's first narrowing of ``column`` (text, or JSON read as text)."""
    text = sa.func.lower(sa.cast(column, sa.Text))
    return sa.and_(*(text.like(like_pattern(word)) for word in wanted))


def is_pseudonym(text: object) -> bool:
    return isinstance(text, str) and PSEUDONYM.fullmatch(text) is not None


def not_hidden(column: Any) -> sa.ColumnElement[bool]:
    """The column holds a text that is not a pseudonym (a name the purge has to replace)."""
    return sa.and_(column.is_not(None), column != "", sa.not_(column.like(PSEUDONYM_LIKE)))


def folded(name: str) -> str:
    return " ".join(name.casefold().split())


def pseudonymiser(secret_key: str, organisation_id: int) -> Callable[[str], str]:
    """The function that gives a name of the organisation its pseudonym (``Person 7F3A09C2``)."""
    key = hmac.new(secret_key.encode(), _CONTEXT, hashlib.sha256).digest()

    def pseudonym(name: str) -> str:
        digest = hmac.new(key, f"{organisation_id}\x00{folded(name)}".encode(), hashlib.sha256).hexdigest()
        return f"Person {digest[:8].upper()}"

    return pseudonym
