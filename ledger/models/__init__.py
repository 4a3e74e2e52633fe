"""The domain model. Importing this package registers every table on ``db.metadata``."""

from ledger.models.audit import AuditEvent
from ledger.models.budgets import Budget, BudgetChange
from ledger.models.enums import (
    BudgetCategory,
    Category,
    ContractStatus,
    DocumentType,
    ExceptionStatus,
    HandsetStatus,
    ImportStatus,
    PartyRole,
    PeriodStatus,
    Role,
    SubscriptionKind,
)
from ledger.models.inventory import Assignment, AssignmentRequest, Handset, Subscription
from ledger.models.invoices import Invoice, InvoiceAllowanceCharge, InvoiceImport, InvoiceLine, allocated_source
from ledger.models.journal import AllocationRun, JournalEntry, Period
from ledger.models.organisation import Administration, BudgetUnit, Organisation, UnitMembership
from ledger.models.procurement import (
    ContractCategory,
    ContractDocument,
    ContractExtensionOption,
    ContractParty,
    ContractTerm,
    CoverageException,
    FrameworkContract,
    PriceListItem,
    Supplier,
)
from ledger.models.users import ApiToken, User, user_unit

__all__ = [
    "Administration",
    "AllocationRun",
    "ApiToken",
    "Assignment",
    "AssignmentRequest",
    "AuditEvent",
    "Budget",
    "BudgetCategory",
    "BudgetChange",
    "BudgetUnit",
    "Category",
    "ContractCategory",
    "ContractDocument",
    "ContractExtensionOption",
    "ContractParty",
    "ContractStatus",
    "ContractTerm",
    "CoverageException",
    "DocumentType",
    "ExceptionStatus",
    "FrameworkContract",
    "Handset",
    "HandsetStatus",
    "ImportStatus",
    "Invoice",
    "InvoiceAllowanceCharge",
    "InvoiceImport",
    "InvoiceLine",
    "JournalEntry",
    "Organisation",
    "PartyRole",
    "Period",
    "PeriodStatus",
    "PriceListItem",
    "Role",
    "Subscription",
    "SubscriptionKind",
    "Supplier",
    "UnitMembership",
    "User",
    "allocated_source",
    "user_unit",
]
