"""The contract register: partner municipalities, framework contracts (ramavtal),
their append-only terms log and their document references.

Contracts are shared by every organisation of the deployment, as their suppliers are (kept in
``organisation.service``): a contract names its lead party, e.g. Skövde, and its participating
municipalities in ``contract_party``. Changing them is procurement's job (``contracts.write``),
reading them everyone's. Each change is recorded in the audit log with the state before and
after. The services flush; the caller commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ledger.access.models import Role, User
from ledger.audit import service as audit
from ledger.core.categories import Category
from ledger.core.errors import Conflict, NotFound, ValidationFailed
from ledger.core.text import N_
from ledger.database import db
from ledger.inventory.models import Subscription
from ledger.organisation.models import Organisation, Supplier
from ledger.organisation.service import checked_organisation_number, get_supplier
from ledger.procurement.maintainers import ensure_maintainer
from ledger.procurement.models import (
    ContractCategory,
    ContractDocument,
    ContractExtensionOption,
    ContractParty,
    ContractStatus,
    ContractTerm,
    FrameworkContract,
    PartyRole,
    PriceListItem,
)

#: The kinds of note the terms log takes. ``extension`` also marks an extension option used.
TERM_KINDS = ("price_adjustment", "extension", "amendment", "note")

CONTRACT_FIELDS = ["reference", "title", "supplier_id", "lead_organisation_id", "start_date", "end_date",
                   "notice_months", "status"]


# --- partner municipalities ------------------------------------------------------------------

NEGATIVE_NOTICE = N_("The notice period cannot be negative")


def list_organisations() -> list[Organisation]:
    """Every organisation that can be a contract party, the ledger-keeping ones first."""
    return list(db.session.scalars(
        sa.select(Organisation).order_by(Organisation.keeps_ledger.desc(), Organisation.name)))


def ensure_partner_organisation(
    actor: User | None, *, name: str, organisation_number: str, municipality_code: str | None = None
) -> Organisation:
    """The organisation with this organisationsnummer, added as a partner (a municipality
    that keeps no ledger here, e.g. Skövde) when it is missing."""
    number = checked_organisation_number(organisation_number)
    existing = db.session.scalar(sa.select(Organisation).where(Organisation.organisation_number == number))
    if existing is not None:
        return existing
    if not name.strip() or len(name.strip()) > 120:
        raise ValidationFailed(N_("A partner municipality needs a name (at most 120 characters)"),
                               [{"field": "name", "messages": ["1 to 120 characters"]}])
    partner = Organisation(name=name.strip(), organisation_number=number, municipality_code=municipality_code,
                           keeps_ledger=False, counterparty_code="82")
    db.session.add(partner)
    db.session.flush()
    audit.record(actor, "organisation.add_partner", "organisation", partner.organisation_number,
                 after={"name": partner.name, "organisation_number": number, "keeps_ledger": False})
    return partner


@dataclass(frozen=True, slots=True)
class PartyRef:
    """A contract party named by organisationsnummer (and name, to add it when missing)."""

    organisation_number: str
    name: str = ""


Party = int | PartyRef


def _organisation(party: Party, actor: User | None = None) -> Organisation:
    """The organisation of a party given by id, or by number (a missing partner is added)."""
    if isinstance(party, PartyRef):
        return ensure_partner_organisation(actor, name=party.name, organisation_number=party.organisation_number)
    found = db.session.get(Organisation, party)
    if found is None:
        raise NotFound(N_("No organisation with id %(id)s"), id=party)
    return found


# --- contracts -------------------------------------------------------------------------------


def reader_of(user: User) -> int | None:
    """Whose register ``user`` reads: their municipality's contracts, or every contract of the
    cooperation (``None``) for the cooperation's administrator."""
    return None if user.role == Role.COOPERATION else user.organisation_id


def party_to(organisation_id: int | None) -> sa.ColumnElement[bool]:
    """The contracts ``organisation_id`` is a party to (lead or participant): a framework
    contract belongs to the cooperation, and each party sees it; anyone else nothing of it.
    ``None`` is the whole cooperation."""
    if organisation_id is None:
        return sa.true()
    return (sa.select(ContractParty.id)
            .where(ContractParty.contract_id == FrameworkContract.id, ContractParty.organisation_id == organisation_id)
            .exists())


def list_contracts(organisation_id: int | None, search: str | None = None) -> list[FrameworkContract]:
    """The register of ``organisation_id``'s contracts, newest first; ``search`` matches
    reference, title, supplier or a party."""
    query = (
        sa.select(FrameworkContract)
        .join(Supplier, Supplier.id == FrameworkContract.supplier_id)
        .where(party_to(organisation_id))
        .options(selectinload(FrameworkContract.supplier), selectinload(FrameworkContract.parties),
                 selectinload(FrameworkContract.categories), selectinload(FrameworkContract.extension_options))
        .order_by(FrameworkContract.start_date.desc(), FrameworkContract.reference)
    )
    if search and search.strip():
        pattern = f"%{search.strip()}%"
        party = (
            sa.select(ContractParty.id)
            .join(Organisation, Organisation.id == ContractParty.organisation_id)
            .where(ContractParty.contract_id == FrameworkContract.id, Organisation.name.ilike(pattern))
            .exists()
        )
        query = query.where(sa.or_(FrameworkContract.reference.ilike(pattern), FrameworkContract.title.ilike(pattern),
                                   Supplier.name.ilike(pattern), party))
    return list(db.session.scalars(query))


def get_contract(contract_id: int, organisation_id: int | None) -> FrameworkContract:
    """The contract, if ``organisation_id`` is a party to it; 404 otherwise, as if it did not exist."""
    contract = db.session.scalar(sa.select(FrameworkContract).where(FrameworkContract.id == contract_id,
                                                                    party_to(organisation_id)))
    if contract is None:
        raise NotFound(N_("No framework contract with id %(id)s"), id=contract_id)
    return contract


M = TypeVar("M", Organisation, User)


def _by_id(model: type[M], ids: Iterable[int | None]) -> dict[int, M]:
    """The rows of ``model`` with these ids, in one query."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {row.id: row for row in db.session.scalars(sa.select(model).where(model.id.in_(wanted)))}


def organisations_by_id(ids: Iterable[int]) -> dict[int, Organisation]:
    return _by_id(Organisation, ids)


@dataclass(frozen=True, slots=True)
class OptionInput:
    """An extension option (förlängningsoption): the new last day and the last day to decide."""

    extends_to: date
    last_notice_date: date


def _contract_snapshot(contract: FrameworkContract) -> dict[str, Any]:
    state = audit.snapshot(contract, CONTRACT_FIELDS)
    state["categories"] = sorted(c.category.value for c in contract.categories)
    state["parties"] = sorted(f"{p.organisation_id}:{p.role.value}" for p in contract.parties)
    state["extension_options"] = [
        {"sequence": o.sequence, "extends_to": o.extends_to, "last_notice_date": o.last_notice_date,
         "exercised_on": o.exercised_on}
        for o in sorted(contract.extension_options, key=lambda o: o.sequence)
    ]
    return state


def _check_dates(start: date, end: date, options: Sequence[OptionInput]) -> None:
    if end <= start:
        raise ValidationFailed(N_("The contract must end after it starts (%(start)s – %(end)s)"), start=start, end=end,
                               details=
                               [{"field": "end_date", "messages": ["must be after start_date"]}])
    previous_end = end
    for number, option in enumerate(options, start=1):
        if option.extends_to <= previous_end:
            raise ValidationFailed(N_("Extension option %(option)s must extend beyond %(day)s"), option=number,
                                   day=previous_end, details=
                                   [{"field": "extension_options", "messages": [f"option {number}: extends_to"]}])
        if option.last_notice_date > previous_end:
            raise ValidationFailed(
                N_("Extension option %(option)s: the last notice date must come before %(day)s"),
                [{"field": "extension_options", "messages": [f"option {number}: last_notice_date"]}],
                option=number, day=previous_end)
        previous_end = option.extends_to


def _categories(values: Iterable[Category | str]) -> list[Category]:
    try:
        result = sorted({Category(v) for v in values}, key=lambda c: c.value)
    except ValueError as error:
        raise ValidationFailed(N_("Unknown category: %(why)s"), [{"field": "categories", "messages": [str(error)]}],
                               why=str(error)) from None
    if not result:
        raise ValidationFailed(N_("A contract covers at least one category"),
                               [{"field": "categories", "messages": ["empty"]}])
    return result


def create_contract(
    actor: User | None,
    *,
    reference: str,
    title: str,
    supplier_id: int,
    lead: Party,
    participants: Iterable[Party] = (),
    categories: Iterable[Category | str],
    start_date: date,
    end_date: date,
    notice_months: int = 0,
    status: ContractStatus = ContractStatus.SIGNED,
    extension_options: Sequence[OptionInput] = (),
) -> FrameworkContract:
    """Register a framework contract with its parties (the lead party, e.g. Skövde, and the
    participating municipalities, by id or by organisationsnummer: a partner not yet known is
    added), the categories it covers and its extension options."""
    reference = reference.strip()
    if not reference or not title.strip():
        raise ValidationFailed(N_("A contract needs a reference (diarienummer) and a title"))
    if len(reference) > 40 or len(title.strip()) > 200:
        raise ValidationFailed(N_("The reference may have 40 characters and the title 200"))
    if db.session.scalar(sa.select(FrameworkContract.id).where(FrameworkContract.reference == reference)):
        raise Conflict(N_("A contract with reference %(reference)s already exists"), reference=reference)
    if notice_months < 0:
        raise ValidationFailed(NEGATIVE_NOTICE)
    get_supplier(supplier_id)  # a contract's supplier must be registered
    lead_org = _organisation(lead, actor)
    participant_orgs = list({o.id: o for o in (_organisation(p, actor) for p in participants)
                             if o.id != lead_org.id}.values())
    _check_dates(start_date, end_date, extension_options)
    contract = FrameworkContract(
        reference=reference, title=title.strip(), supplier_id=supplier_id, lead_organisation_id=lead_org.id,
        start_date=start_date, end_date=end_date, notice_months=notice_months, status=ContractStatus(status),
    )
    contract.parties = [ContractParty(organisation_id=lead_org.id, role=PartyRole.LEAD)] + [
        ContractParty(organisation_id=o.id, role=PartyRole.PARTICIPANT) for o in participant_orgs
    ]
    contract.categories = [ContractCategory(category=c) for c in _categories(categories)]
    contract.extension_options = [
        ContractExtensionOption(sequence=n, extends_to=o.extends_to, last_notice_date=o.last_notice_date)
        for n, o in enumerate(extension_options, start=1)
    ]
    db.session.add(contract)
    db.session.flush()
    audit.record(actor, "contract.create", "framework_contract", contract.id, after=_contract_snapshot(contract))
    return contract


#: What ``update_contract`` may change. The reference and the supplier identify the
#: procurement and stay; a different supplier is a different contract.
UPDATABLE = frozenset({"title", "start_date", "end_date", "notice_months", "status", "categories",
                       "participants", "extension_options"})


def update_contract(actor: User | None, contract: FrameworkContract, **changes: Any) -> FrameworkContract:
    """Change a contract's title, dates, notice period, status, categories, participants or
    its not yet used extension options (used ones stay: they are history)."""
    ensure_maintainer(actor, contract)
    unknown = set(changes) - UPDATABLE
    if unknown:
        raise ValidationFailed(N_("Cannot change %(fields)s of a contract"), fields=sorted(unknown))
    before = _contract_snapshot(contract)
    _change_fields(contract, changes)
    start = changes.get("start_date", contract.start_date)
    end = changes.get("end_date", contract.end_date)
    if "extension_options" in changes:
        _replace_unused_options(contract, start, end, changes["extension_options"])
    else:
        options = sorted(contract.extension_options, key=lambda o: o.sequence)
        _check_dates(start, end, [OptionInput(o.extends_to, o.last_notice_date) for o in options])
    contract.start_date, contract.end_date = start, end
    if "categories" in changes:
        _change_categories(contract, _categories(changes["categories"]))
    if "participants" in changes:
        _change_participants(contract, {_organisation(p, actor).id for p in changes["participants"]})
    db.session.flush()
    after = _contract_snapshot(contract)
    if after != before:
        audit.record(actor, "contract.update", "framework_contract", contract.id, before=before, after=after)
    return contract


def _change_fields(contract: FrameworkContract, changes: dict[str, Any]) -> None:
    """The title, the notice period and the status, as far as ``changes`` has them."""
    if "title" in changes:
        title = str(changes["title"]).strip()
        if not title or len(title) > 200:
            raise ValidationFailed(N_("A contract needs a title of at most 200 characters"))
        contract.title = title
    if "notice_months" in changes:
        if changes["notice_months"] < 0:
            raise ValidationFailed(NEGATIVE_NOTICE)
        contract.notice_months = changes["notice_months"]
    if "status" in changes:
        contract.status = ContractStatus(changes["status"])


def _replace_unused_options(contract: FrameworkContract, start: date, end: date,
                            new_options: Sequence[OptionInput]) -> None:
    """The options not yet used give way to ``new_options``, numbered after the used ones."""
    used = [o for o in contract.extension_options if o.exercised_on is not None]
    _check_dates(start, max((o.extends_to for o in used), default=end), new_options)
    for unused in [o for o in contract.extension_options if o.exercised_on is None]:
        contract.extension_options.remove(unused)
        db.session.delete(unused)
    db.session.flush()  # free the sequence numbers before reusing them
    next_sequence = max((o.sequence for o in used), default=0) + 1
    for offset, option in enumerate(new_options):
        contract.extension_options.append(ContractExtensionOption(
            sequence=next_sequence + offset, extends_to=option.extends_to,
            last_notice_date=option.last_notice_date))


def _change_categories(contract: FrameworkContract, wanted: list[Category]) -> None:
    for row in [c for c in contract.categories if c.category not in wanted]:
        contract.categories.remove(row)
        db.session.delete(row)
    have = {c.category for c in contract.categories}
    contract.categories.extend(ContractCategory(category=c) for c in wanted if c not in have)


def _change_participants(contract: FrameworkContract, wanted: set[int]) -> None:
    """The participating organisations become ``wanted`` (the lead party stays the lead)."""
    wanted_ids = wanted - {contract.lead_organisation_id}
    for party in [p for p in contract.parties
                  if p.role == PartyRole.PARTICIPANT and p.organisation_id not in wanted_ids]:
        contract.parties.remove(party)
        db.session.delete(party)
    have_ids = {p.organisation_id for p in contract.parties}
    contract.parties.extend(ContractParty(organisation_id=i, role=PartyRole.PARTICIPANT)
                            for i in sorted(wanted_ids - have_ids))


def add_term(
    actor: User | None,
    contract: FrameworkContract,
    *,
    noted_on: date,
    kind: str,
    text: str,
    document_reference: str | None = None,
    option_sequence: int | None = None,
) -> ContractTerm:
    """Append a dated note to the contract's terms log (never updated or deleted).

    ``kind="extension"`` records an extension option used: the option named by
    ``option_sequence`` (or the first unused one) gets ``exercised_on = noted_on``, which moves
    the contract's end (``FrameworkContract.end_on``).
    """
    ensure_maintainer(actor, contract)
    if kind not in TERM_KINDS:
        raise ValidationFailed(N_("Unknown term kind %(kind)s; use one of %(kinds)s"), kind=repr(kind),
                               kinds=list(TERM_KINDS), details=
                               [{"field": "kind", "messages": [f"one of {', '.join(TERM_KINDS)}"]}])
    if not text.strip():
        raise ValidationFailed(N_("A term needs its text"), [{"field": "text", "messages": ["empty"]}])
    if document_reference and len(document_reference.strip()) > 200:
        raise ValidationFailed(N_("The document reference may have 200 characters"))
    if option_sequence is not None and kind != "extension":
        raise ValidationFailed(N_("option_sequence belongs to an extension term"))
    if kind == "extension":
        _exercise_option(actor, contract, noted_on, option_sequence)
    term = ContractTerm(contract_id=contract.id, noted_on=noted_on, kind=kind, text=text.strip(),
                        document_reference=(document_reference or "").strip() or None,
                        created_by_id=actor.id if actor else None)
    db.session.add(term)
    db.session.flush()
    audit.record(actor, "contract.term", "contract_term", term.id,
                 after={"contract": contract.reference, "noted_on": noted_on, "kind": kind, "text": term.text,
                        "document_reference": term.document_reference})
    return term


def _option_to_use(contract: FrameworkContract, sequence: int | None) -> ContractExtensionOption:
    """The option named by ``sequence``, or the first unused one: options are used in order."""
    unused = sorted((o for o in contract.extension_options if o.exercised_on is None), key=lambda o: o.sequence)
    if sequence is None:
        if not unused:
            raise Conflict(N_("Contract %(reference)s has no unused extension option"), reference=contract.reference)
        return unused[0]
    option = next((o for o in contract.extension_options if o.sequence == sequence), None)
    if option is None:
        raise NotFound(N_("Contract %(reference)s has no extension option %(option)s"), reference=contract.reference,
                       option=sequence)
    if option.exercised_on is not None:
        raise Conflict(N_("Extension option %(option)s of %(reference)s was used on %(day)s"), option=sequence,
                       reference=contract.reference, day=option.exercised_on)
    if unused and option is not unused[0]:
        raise Conflict(N_("Use extension option %(option)s of %(reference)s first"), option=unused[0].sequence,
                       reference=contract.reference)
    return option


def _exercise_option(actor: User | None, contract: FrameworkContract, day: date, sequence: int | None) -> None:
    option = _option_to_use(contract, sequence)
    option.exercised_on = day
    db.session.flush()
    audit.record(actor, "contract.extension_used", "framework_contract", contract.id,
                 before={"option": option.sequence, "exercised_on": None},
                 after={"option": option.sequence, "exercised_on": day, "extends_to": option.extends_to})


def terms_of(contract: FrameworkContract) -> list[ContractTerm]:
    return list(db.session.scalars(
        sa.select(ContractTerm).where(ContractTerm.contract_id == contract.id)
        .order_by(ContractTerm.noted_on, ContractTerm.id)))


def add_document(actor: User | None, contract: FrameworkContract, *, title: str, reference: str) -> ContractDocument:
    """Attach a reference to a document of the contract (diarienummer, archive id or URL)."""
    ensure_maintainer(actor, contract)
    if not title.strip() or not reference.strip():
        raise ValidationFailed(N_("A document needs a title and a reference"))
    if len(title.strip()) > 200 or len(reference.strip()) > 300:
        raise ValidationFailed(N_("A document's title may have 200 characters and its reference 300"))
    document = ContractDocument(contract_id=contract.id, title=title.strip(), reference=reference.strip(),
                                added_by_id=actor.id if actor else None)
    db.session.add(document)
    db.session.flush()
    audit.record(actor, "contract.document", "contract_document", document.id,
                 after={"contract": contract.reference, "title": document.title, "reference": document.reference})
    return document


def documents_of(contract: FrameworkContract) -> list[ContractDocument]:
    return list(db.session.scalars(
        sa.select(ContractDocument).where(ContractDocument.contract_id == contract.id)
        .order_by(ContractDocument.added_at, ContractDocument.id)))


def subscription_count(contract: FrameworkContract, organisation_id: int) -> int:
    """How many of the organisation's subscriptions were ordered on the contract."""
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Subscription)
        .where(Subscription.contract_id == contract.id, Subscription.organisation_id == organisation_id)
    ) or 0


def users_by_id(ids: Iterable[int | None]) -> dict[int, User]:
    return _by_id(User, ids)


@dataclass(frozen=True, slots=True)
class ContractSummary:
    """A contract as the register lists it: its phase today and its parties by name."""

    contract: FrameworkContract
    phase: str
    end_on: date
    lead: Organisation
    parties: list[tuple[Organisation, PartyRole]]
    next_option: ContractExtensionOption | None

    @property
    def id(self) -> int:
        return self.contract.id


def summarise(contracts: Sequence[FrameworkContract], today: date) -> list[ContractSummary]:
    """Summaries of many contracts with one query for the party names."""
    orgs = organisations_by_id(p.organisation_id for c in contracts for p in c.parties)
    result = []
    for contract in contracts:
        parties = sorted(((orgs[p.organisation_id], p.role) for p in contract.parties),
                         key=lambda pair: (pair[1] != PartyRole.LEAD, pair[0].name))
        unused = sorted((o for o in contract.extension_options if o.exercised_on is None), key=lambda o: o.sequence)
        result.append(ContractSummary(
            contract=contract, phase=contract.phase_on(today), end_on=contract.end_on(),
            lead=orgs.get(contract.lead_organisation_id) or _organisation(contract.lead_organisation_id),
            parties=parties, next_option=unused[0] if unused else None))
    return result


@dataclass(frozen=True, slots=True)
class ContractView:
    """A contract page's worth: the summary and what hangs off the contract."""

    summary: ContractSummary
    terms: list[ContractTerm]
    documents: list[ContractDocument]
    prices: dict[str, list[PriceListItem]]
    subscriptions: int
    authors: dict[int, User]

    @property
    def contract(self) -> FrameworkContract:
        return self.summary.contract

    # The summary's fields, so that a view reads like a summary (one API schema for both).
    id = property(lambda self: self.summary.id)
    phase = property(lambda self: self.summary.phase)
    end_on = property(lambda self: self.summary.end_on)
    lead = property(lambda self: self.summary.lead)
    parties = property(lambda self: self.summary.parties)
    next_option = property(lambda self: self.summary.next_option)


def contract_view(contract: FrameworkContract, organisation_id: int, today: date) -> ContractView:
    from ledger.procurement.price_lists import versions

    terms = terms_of(contract)
    documents = documents_of(contract)
    authors = users_by_id([t.created_by_id for t in terms] + [d.added_by_id for d in documents])
    return ContractView(summary=summarise([contract], today)[0], terms=terms, documents=documents,
                        prices=versions(contract), subscriptions=subscription_count(contract, organisation_id),
                        authors=authors)
