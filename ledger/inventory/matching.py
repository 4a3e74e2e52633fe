"""Which subscription or handset an invoice line is about, from the reference in the file.

A reference may be a phone number in any notation, an IMEI, the operator's subscription id
or an internal extension. The organisation's inventory is loaded once into dictionaries
(three queries), and each distinct reference text is resolved once: a million-line
specification repeats a few thousand numbers. A number written plainly (``070-123 45 67``,
``+46 70 123 45 67``) is looked up by the E.164 form its digits spell before it is parsed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa
from stdnum import luhn

from ledger.core.identifiers import IdentifierError, phone_number
from ledger.database import db
from ledger.inventory.models import Handset, Subscription, SubscriptionKind

_NON_DIGITS = re.compile(r"\D")
#: A number written plainly: digits, with the spaces and hyphens of ``070-123 45 67`` and
#: perhaps the plus of ``+46 70 123 45 67``.
_PLAIN_NUMBER = re.compile(r"\+?[0-9][0-9 -]*")


@dataclass(frozen=True, slots=True)
class Match:
    #: the subscription or handset the reference names (None: no match)
    asset_id: int | None = None
    #: the subscription's kind (None for a handset)
    kind: SubscriptionKind | None = None
    #: how the reference was read: number, imei, operator_reference, extension (None: no match)
    matched_by: str | None = None


NO_MATCH = Match()


class AssetIndex:
    def __init__(self, organisation_id: int) -> None:
        self.by_number: dict[str, tuple[int, SubscriptionKind]] = {}
        self.by_operator_reference: dict[str, tuple[int, SubscriptionKind]] = {}
        self.by_extension: dict[str, tuple[int, SubscriptionKind]] = {}
        rows = db.session.execute(
            sa.select(Subscription.id, Subscription.number, Subscription.kind, Subscription.operator_reference,
                      Subscription.extension).where(Subscription.organisation_id == organisation_id)
            .order_by(Subscription.id)  # a shared extension or operator id: the newest subscription wins
        )
        for sub_id, number, kind, operator_reference, extension in rows:
            self.by_number[number] = (sub_id, kind)
            if operator_reference:
                self.by_operator_reference[operator_reference.casefold()] = (sub_id, kind)
            if extension:
                self.by_extension[extension] = (sub_id, kind)
        self.by_imei: dict[str, int] = dict(
            db.session.execute(sa.select(Handset.imei, Handset.id).where(Handset.organisation_id == organisation_id))
            .tuples()
            .all()
        )
        self._cache: dict[str | None, Match] = {None: NO_MATCH, "": NO_MATCH}

    def match(self, reference: str | None) -> Match:
        found = self._cache.get(reference)
        if found is None:
            found = self._resolve(reference or "")
            self._cache[reference] = found
        return found

    def _resolve(self, reference: str) -> Match:
        text = reference.strip()
        digits = _NON_DIGITS.sub("", text)
        if len(digits) == 15 and luhn.is_valid(digits) and digits in self.by_imei:
            return Match(self.by_imei[digits], matched_by="imei")
        hit = self.by_operator_reference.get(text.casefold())
        if hit:
            return Match(*hit, matched_by="operator_reference")
        if digits and len(digits) <= 5 and digits == text and digits in self.by_extension:
            return Match(*self.by_extension[digits], matched_by="extension")
        if len(digits) >= 7:
            hit = self.by_number.get(_plain_e164(text, digits))
            if hit:
                return Match(*hit, matched_by="number")
            try:
                number = phone_number(text)
            except IdentifierError:
                return NO_MATCH
            hit = self.by_number.get(number)
            if hit:
                return Match(*hit, matched_by="number")
        return NO_MATCH


def _plain_e164(text: str, digits: str) -> str:
    """The E.164 number a plainly written Swedish number is, without parsing it: a specification
    writes its few thousand numbers so, and parsing each costs far more than the lookup. What is
    not written so, or is no stored number, is parsed (``phone_number``) as before."""
    if not _PLAIN_NUMBER.fullmatch(text):
        return ""
    if text.startswith("+"):
        return "+" + digits
    if digits.startswith("00"):
        return "+" + digits[2:]
    if digits.startswith("0"):
        return "+46" + digits[1:]
    return ""
