"""The closed vocabularies of the ledger, as string enums stored by value."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    """What a user may do (see docs/architecture.md, "People and what they may do")."""

    ADMIN = "admin"
    FINANCE = "finance"
    PROCUREMENT = "procurement"
    DEPARTMENT = "department"
    AUDITOR = "auditor"


class SubscriptionKind(enum.StrEnum):
    """Abonnemangstyp."""

    MOBILE_VOICE = "mobile_voice"
    MOBILE_DATA = "mobile_data"
    SWITCHBOARD_EXTENSION = "switchboard_extension"  # växelanknytning
    OPERATOR_SEAT = "operator_seat"  # telefonistplats
    FIXED_LINE = "fixed_line"


class HandsetStatus(enum.StrEnum):
    IN_USE = "in_use"
    IN_STOCK = "in_stock"
    LOST = "lost"
    STOLEN = "stolen"
    RETIRED = "retired"


class Category(enum.StrEnum):
    """Cost category of an invoice line; decides the account and the switchboard rule."""

    SUBSCRIPTION = "subscription"  # abonnemangsavgift
    USAGE = "usage"  # trafik / förbrukning
    EQUIPMENT = "equipment"  # mobiltelefoner och utrustning
    SWITCHBOARD_EXTENSION = "switchboard_extension"  # växelanknytning
    OPERATOR_SERVICE = "operator_service"  # telefonisttjänst
    ONE_OFF = "one_off"  # engångsavgift
    OTHER = "other"

    @property
    def is_switchboard(self) -> bool:
        """Switchboard categories are paid centrally (rule 3 of the allocation)."""
        return self in (Category.SWITCHBOARD_EXTENSION, Category.OPERATOR_SERVICE)


class BudgetCategory(enum.StrEnum):
    """The three lines a unit budgets for its telephony."""

    EQUIPMENT = "equipment"  # handsets and equipment
    SUBSCRIPTIONS = "subscriptions"  # subscriptions and usage
    SWITCHBOARD = "switchboard"  # only the switchboard carrier and fee-funded units


class ContractStatus(enum.StrEnum):
    """The decision state of a framework contract; its phase (upcoming, in force, ended)
    follows from its dates, see ``FrameworkContract.phase_on``."""

    DRAFT = "draft"
    SIGNED = "signed"
    TERMINATED = "terminated"


class PartyRole(enum.StrEnum):
    LEAD = "lead"  # upphandlande part, e.g. Skövde
    PARTICIPANT = "participant"


class ExceptionStatus(enum.StrEnum):
    """Coverage exception workflow: requested → approved | rejected → expired | withdrawn."""

    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


class DocumentType(enum.StrEnum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


class ImportStatus(enum.StrEnum):
    IMPORTED = "imported"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"


class PeriodStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"
