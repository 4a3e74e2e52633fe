"""A cac:Party (the seller, or the buyer for its organisation number) as a ``SupplierRef``.

The Swedish organisationsnummer is taken from the first of these that holds one: the
endpoint in scheme 0007, the legal entity's company id (scheme 0007, or no scheme on a
Swedish party), a party identification in scheme 0007, the endpoint in scheme 9955 (a
Swedish VAT number), and the VAT number itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from importers.model import SupplierRef
from importers.numbers import normalise_organisation_number
from importers.peppol.names import (
    T_COMPANY_ID,
    T_COUNTRY,
    T_ENDPOINT_ID,
    T_ID,
    T_IDENTIFICATION_CODE,
    T_NAME,
    T_PARTY_IDENTIFICATION,
    T_PARTY_LEGAL_ENTITY,
    T_PARTY_NAME,
    T_PARTY_TAX_SCHEME,
    T_POSTAL_ADDRESS,
    T_REGISTRATION_NAME,
    T_TAX_SCHEME,
    scheme_of,
    text_of,
)
from importers.problems import Problems
from importers.text import N_, Message

if TYPE_CHECKING:
    from lxml.etree import _Element as Element

#: The organisationsnummer scheme (ISO 6523 ICD 0007) and the Swedish VAT number scheme.
SCHEME_ORGANISATION_NUMBER = "0007"
SCHEME_SWEDISH_VAT = "9955"


class _Identifier(NamedTuple):
    """An identifier as the party writes it, with its scheme (``schemeID``, an ISO 6523 ICD)."""

    value: str | None
    scheme: str | None

    @classmethod
    def of(cls, el: Element) -> _Identifier:
        return cls(text_of(el), scheme_of(el))


_NO_IDENTIFIER = _Identifier(None, None)


@dataclass(slots=True)
class _PartyFacts:
    """The identifiers and names a cac:Party states."""

    endpoint: _Identifier = _NO_IDENTIFIER
    #: The legal entity's company id.
    company: _Identifier = _NO_IDENTIFIER
    identifications: list[_Identifier] = field(default_factory=list)
    name: str | None = None
    legal_name: str | None = None
    vat_id: str | None = None
    country: str | None = None

    @property
    def looks_swedish(self) -> bool:
        return (self.country or "").upper() == "SE" or (self.vat_id or "").upper().startswith("SE")

    @property
    def company_id_is_organisation_number(self) -> bool:
        """The legal entity's company id is in scheme 0007, or in none on a Swedish party."""
        scheme = self.company.scheme
        return scheme == SCHEME_ORGANISATION_NUMBER or (scheme is None and self.looks_swedish)

    @property
    def is_anonymous(self) -> bool:
        identified = self.endpoint.value or self.company.value or self.vat_id or self.identifications
        return not (identified or self.name or self.legal_name)


def _endpoint(facts: _PartyFacts, el: Element) -> None:
    facts.endpoint = _Identifier.of(el)


def _party_name(facts: _PartyFacts, el: Element) -> None:
    facts.name = facts.name or text_of(el.find(T_NAME))


def _identification(facts: _PartyFacts, el: Element) -> None:
    ident = el.find(T_ID)
    if ident is not None:
        facts.identifications.append(_Identifier.of(ident))


def _postal_address(facts: _PartyFacts, el: Element) -> None:
    facts.country = text_of(el.find(f"{T_COUNTRY}/{T_IDENTIFICATION_CODE}"))


def _tax_scheme(facts: _PartyFacts, el: Element) -> None:
    if text_of(el.find(f"{T_TAX_SCHEME}/{T_ID}")) == "VAT":
        facts.vat_id = facts.vat_id or text_of(el.find(T_COMPANY_ID))


def _legal_entity(facts: _PartyFacts, el: Element) -> None:
    facts.legal_name = text_of(el.find(T_REGISTRATION_NAME))
    company = el.find(T_COMPANY_ID)
    if company is not None:
        facts.company = _Identifier.of(company)


#: What each child of a cac:Party adds (keys are tags; any other child is ignored).
_PARTY_CHILDREN: dict[object, Callable[[_PartyFacts, Element], None]] = {
    T_ENDPOINT_ID: _endpoint,
    T_PARTY_NAME: _party_name,
    T_PARTY_IDENTIFICATION: _identification,
    T_POSTAL_ADDRESS: _postal_address,
    T_PARTY_TAX_SCHEME: _tax_scheme,
    T_PARTY_LEGAL_ENTITY: _legal_entity,
}


def _organisation_number_candidates(facts: _PartyFacts) -> Iterator[str | None]:
    """The texts that may hold the organisationsnummer, most trustworthy first."""
    endpoint = facts.endpoint
    if endpoint.scheme == SCHEME_ORGANISATION_NUMBER:
        yield endpoint.value
    if facts.company.value is not None and facts.company_id_is_organisation_number:
        yield facts.company.value
    for value, ident_scheme in facts.identifications:
        if ident_scheme == SCHEME_ORGANISATION_NUMBER:
            yield value
    if endpoint.scheme == SCHEME_SWEDISH_VAT:
        yield endpoint.value
    if facts.vat_id is not None and facts.vat_id.upper().startswith("SE"):
        yield facts.vat_id


def read_party(party: Element, path: str, problems: Problems) -> SupplierRef:
    """A cac:Party as a ``SupplierRef``; a party with no name nor identifier is an error."""
    facts = _PartyFacts()
    for child in party:
        read = _PARTY_CHILDREN.get(child.tag)
        if read is not None:
            read(facts, child)
    if facts.is_anonymous:
        anonymous = Message.of(N_("the party has neither a name nor an identifier"))
        problems.error("cac:Party", anonymous, path=path, line=party.sourceline)
    numbers = map(normalise_organisation_number, _organisation_number_candidates(facts))
    return SupplierRef(
        organisation_number=next(filter(None, numbers), None),
        endpoint_id=facts.endpoint.value,
        endpoint_scheme=facts.endpoint.scheme,
        name=facts.name or facts.legal_name,
        vat_id=facts.vat_id,
    )
