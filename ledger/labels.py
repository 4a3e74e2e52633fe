"""Display names of the enums' values, translatable (the values themselves are stable codes)."""

from __future__ import annotations

from enum import Enum

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from ledger.allocation.rules import Rule

LABELS = {
    # roles
    "admin": _l("administrator"),
    "finance": _l("finance"),
    "procurement": _l("procurement"),
    "department": _l("department"),
    "auditor": _l("auditor"),
    "cooperation": _l("cooperation administrator"),
    "contact_centre": _l("contact centre"),
    # subscription kinds
    "mobile_voice": _l("mobile voice"),
    "mobile_data": _l("mobile data"),
    "switchboard_extension": _l("switchboard extension"),
    "operator_seat": _l("operator seat"),
    "fixed_line": _l("fixed line"),
    # handset status
    "in_use": _l("in use"),
    "in_stock": _l("in stock"),
    "lost": _l("lost"),
    "stolen": _l("stolen"),
    "retired": _l("retired"),
    # import outcomes
    "imported": _l("imported"),
    "duplicate": _l("duplicate"),
    "rejected": _l("rejected"),
    # document types
    "invoice": _l("invoice"),
    "credit_note": _l("credit note"),
    # cost categories
    "subscription": _l("subscription fee"),
    "usage": _l("usage"),
    "equipment": _l("handsets and equipment"),
    "operator_service": _l("operator service"),
    "one_off": _l("one-off"),
    "other": _l("other"),
    # subscription status and move requests (inventory)
    "active": _l("active"),
    "upcoming": _l("not started"),
    "ended": _l("ended"),
    "requested": _l("requested"),
    "approved": _l("approved"),
}

LABELS.update({
    # allocation rules
    "direct": _l("direct"),
    "switchboard_central": _l("switchboard, central"),
    "fee_funded_own": _l("fee-funded, own"),
    "allowance_spread": _l("allowance spread"),
    "rounding": _l("rounding"),
    "suspense": _l("suspense"),
    # budget categories ("equipment" and "switchboard_extension" are above)
    "subscriptions": _l("subscriptions and usage"),
    "switchboard": _l("switchboard"),
    # period status
    "open": _l("open"),
    "closed": _l("closed"),
})

LABELS.update({
    # procurement: contract status and phase (FrameworkContract.phase_on), party roles
    "draft": _l("draft"),
    "signed": _l("signed"),
    "in_force": _l("in force"),
    "terminated": _l("terminated"),
    "lead": _l("lead party"),
    "participant": _l("participant"),
    # contract terms log
    "price_adjustment": _l("price adjustment"),
    "extension": _l("extension used"),
    "amendment": _l("amendment"),
    "note": _l("note"),
    # coverage exceptions (requested, approved, rejected above)
    "expired": _l("expired"),
    "withdrawn": _l("withdrawn"),
    # price list import outcomes
    "added": _l("added"),
    "superseded": _l("superseded"),
    "unchanged": _l("unchanged"),
    "error": _l("error"),
    # compliance findings
    "off_contract_supplier": _l("Supplier not on contract"),
    "price_above_contract": _l("Price above contract"),
    "billed_after_end": _l("Billed after the subscription ended"),
    "no_assignment": _l("Billed without a unit assigned"),
    "unmatched_reference": _l("Reference matched nothing"),
    "hardware_off_contract": _l("Hardware bought off contract"),
    "credit_without_invoice": _l("Credit note for an invoice not imported"),
    "contract_ending": _l("Contracts ending or due for notice"),
})

def rule_explanation(rule: str) -> str:
    """What the rule that placed an entry means, in the page's language."""
    try:
        return gettext(Rule(rule).explanation)
    except ValueError:
        return ""


def label(value: Enum | str) -> str:
    """The translated display name of an enum value (the code itself if none is known)."""
    key = value.value if isinstance(value, Enum) else value
    return str(LABELS.get(key, key))
