"""The EN 16931 and PEPPOL business rules the importer checks, as lists of (rule id, check).

A check is a function from what was read to a ``Finding`` (or ``None`` when the rule holds);
``apply`` runs a list and records each finding under its rule's id. Adding a rule is one
line in the list that fits when it must be checked, plus its function:

- ``LINE_RULES``: on each line's children, before its values are read.
- ``LINE_AMOUNT_RULES``: on each line's amounts, once read.
- ``TAX_TOTAL_RULES``: on each cac:TaxTotal, as it is read.
- ``DOCUMENT_RULES``: on the whole document, what must be present.
- ``TOTALS_RULES``: when all of that is present, whether the totals add up (exactly, in
  ``Decimal``); a file that does not add up yields no invoice.

The lists run in the order written, and their findings keep that order in the report.

Rules on a single value, which make the value unusable (at most two decimals, BR-DEC-*; the
amount's currency, R051; a positive base quantity, R121), are applied by the readers as they
read each value; their ids are defined here too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Generic, TypeVar

from importers.numbers import ZERO
from importers.peppol.problems import Finding
from importers.peppol.state import Document, LineAmounts, LineParts, TaxTotal, Totals
from importers.problems import Problems
from importers.text import N_, Message

S = TypeVar("S")

PEPPOL_CUSTOMIZATION = "urn:fdc:peppol.eu:2017:poacc:billing:3.0"
EN16931_CUSTOMIZATION = "urn:cen.eu:en16931:2017"
#: Slack PEPPOL allows between a line's net and quantity × price ± allowances/charges.
LINE_SLACK = Decimal("0.02")

# -- rules on one value, applied by the readers -----------------------------------------------

CURRENCY_RULE = "PEPPOL-EN16931-R051"
BASE_QUANTITY_RULE = "PEPPOL-EN16931-R121"
#: BR-DEC rules (at most two decimals) by where the amount stands.
DEC_DOCUMENT_ALLOWANCE_CHARGE = "BR-DEC-01"
DEC_TAX_AMOUNT = "BR-DEC-13"
DEC_TAX_AMOUNT_IN_TAX_CURRENCY = "BR-DEC-15"
DEC_TAXABLE_AMOUNT = "BR-DEC-19"
DEC_SUBTOTAL_TAX_AMOUNT = "BR-DEC-20"
DEC_LINE_NET = "BR-DEC-23"
DEC_LINE_ALLOWANCE_CHARGE = "BR-DEC-24"
#: LegalMonetaryTotal members: local name -> BR-DEC rule limiting it to two decimals.
DEC_MONETARY_TOTALS = {
    "LineExtensionAmount": "BR-DEC-09",
    "AllowanceTotalAmount": "BR-DEC-10",
    "ChargeTotalAmount": "BR-DEC-11",
    "TaxExclusiveAmount": "BR-DEC-12",
    "TaxInclusiveAmount": "BR-DEC-14",
    "PrepaidAmount": "BR-DEC-16",
    "PayableRoundingAmount": "BR-DEC-17",
    "PayableAmount": "BR-DEC-18",
}
MANDATORY_TOTALS = ("LineExtensionAmount", "TaxExclusiveAmount", "TaxInclusiveAmount", "PayableAmount")

MISSING = N_("missing")


# -- the machinery ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rule(Generic[S]):
    """A business rule: its id as errors cite it, and the check of ``S`` that finds it broken.

    ``rule_id`` is ``None`` for a presence check of the importer's own, which cites none.
    """

    rule_id: str | None
    check: Callable[[S], Finding | None]


def apply(rules: Sequence[Rule[S]], subject: S, problems: Problems) -> None:
    """Check ``subject`` against each rule in order; record what each finds."""
    for rule in rules:
        finding = rule.check(subject)
        if finding is not None:
            finding.record(problems, rule.rule_id)


@dataclass(frozen=True, slots=True)
class Review:
    """A document read to its end, with the errors found so far: some rules add to none."""

    document: Document
    problems: Problems

    @property
    def root(self) -> str:
        return self.document.kind.root_path


# -- lines -----------------------------------------------------------------------------------


def _line_has_id(line: LineParts) -> Finding | None:
    if (line.line_id or "").strip():
        return None
    no_id = Message.of(N_("the line has no identifier"))
    return Finding("cbc:ID", no_id, path=f"{line.path}/cbc:ID", line=line.sourceline)


def _line_has_net(line: LineParts) -> Finding | None:
    if line.net is not None:
        return None
    field = "cbc:LineExtensionAmount"
    no_net = Message.of(N_("the line has no net amount"))
    return Finding(field, no_net, path=f"{line.path}/{field}", line=line.sourceline)


def _net_is_quantity_times_price(line: LineAmounts) -> Finding | None:
    if line.quantity is None or line.unit_price is None:
        return None
    expected = line.quantity * line.unit_price
    acs = line.allowances_charges
    allowances = charges = ZERO
    if acs is not None:
        allowances, charges = acs.allowances, acs.charges
        expected = expected + charges - allowances
    if -LINE_SLACK <= line.net - expected <= LINE_SLACK:
        return None
    return Finding(
        "cbc:LineExtensionAmount",
        Message.of(
            N_(
                "%(rule)s: net amount %(net)s differs from quantity %(quantity)s × price %(price)s "
                "+ charges %(charges)s − allowances %(allowances)s = %(expected)s"
            ),
            net=line.net,
            quantity=line.quantity,
            price=line.unit_price,
            charges=charges,
            allowances=allowances,
            expected=expected,
        ),
        path=f"{line.path}/cbc:LineExtensionAmount",
        line=line.net_line,
        warning=True,
        names_rule=True,
    )


LINE_RULES: tuple[Rule[LineParts], ...] = (
    Rule("BR-21", _line_has_id),
    Rule("BR-24", _line_has_net),
)
LINE_AMOUNT_RULES: tuple[Rule[LineAmounts], ...] = (Rule("PEPPOL-EN16931-R120", _net_is_quantity_times_price),)


# -- tax totals ------------------------------------------------------------------------------


def _tax_amount_is_subtotal_sum(tax: TaxTotal) -> Finding | None:
    if tax.amount is None or tax.subtotal_sum is None or tax.amount == tax.subtotal_sum:
        return None
    return Finding(
        "cbc:TaxAmount",
        Message.of(
            N_("%(rule)s: TaxTotal/TaxAmount %(amount)s does not equal the sum of the TaxSubtotal amounts %(sum)s"),
            amount=tax.amount,
            sum=tax.subtotal_sum,
        ),
        path=f"{tax.path}/cbc:TaxAmount",
        line=tax.line,
        names_rule=True,
    )


TAX_TOTAL_RULES: tuple[Rule[TaxTotal], ...] = (Rule("BR-CO-14", _tax_amount_is_subtotal_sum),)


# -- the document: what must be there --------------------------------------------------------


def _customization_given(review: Review) -> Finding | None:
    if review.document.customization_id is not None:
        return None
    message = Message.of(N_("missing: the document does not say which specification it follows"))
    return Finding("cbc:CustomizationID", message, path=f"{review.root}/cbc:CustomizationID", warning=True)


def _customization_is_peppol(review: Review) -> Finding | None:
    claimed = review.document.customization_id
    if claimed is None or PEPPOL_CUSTOMIZATION in claimed:
        return None
    message = Message.of(N_("%(claimed)s is not PEPPOL BIS Billing 3.0; read as EN 16931 UBL"), claimed=repr(claimed))
    return Finding("cbc:CustomizationID", message, path=f"{review.root}/cbc:CustomizationID", warning=True)


def _present(review: Review, field: str, value: object) -> Finding | None:
    """A "missing" error, unless the element was there but unreadable (its error says so)."""
    if value is not None or review.problems.reported_on(field):
        return None
    return Finding(field, Message.of(MISSING), path=f"{review.root}/{field}")


def _has_number(review: Review) -> Finding | None:
    return _present(review, "cbc:ID", review.document.number)


def _has_issue_date(review: Review) -> Finding | None:
    return _present(review, "cbc:IssueDate", review.document.issue_date)


def _has_currency(review: Review) -> Finding | None:
    return _present(review, "cbc:DocumentCurrencyCode", review.document.currency)


def _has_type_code(review: Review) -> Finding | None:
    kind = review.document.kind
    if review.document.type_code is not None:
        return None
    field = f"cbc:{kind.root_name}TypeCode"
    message = Message.of(N_("missing; taken as %(type_code)s"), type_code=kind.default_type_code)
    return Finding(field, message, path=f"{review.root}/{field}", warning=True)


def _has_supplier(review: Review) -> Finding | None:
    if review.document.supplier_seen:
        return None
    field = "cac:AccountingSupplierParty"
    return Finding(field, Message.of(N_("the supplier (seller) is missing")), path=f"{review.root}/{field}")


def _has_lines(review: Review) -> Finding | None:
    # Lines that failed to parse are not "no lines": their errors say more.
    if review.document.lines or review.problems.errors:
        return None
    field = f"cac:{review.document.kind.line_name}"
    return Finding(field, Message.of(N_("the document has no lines")), path=f"{review.root}/{field}")


def _has_monetary_total(review: Review) -> Finding | None:
    if review.document.totals_seen:
        return None
    return Finding("cac:LegalMonetaryTotal", Message.of(MISSING), path=f"{review.root}/cac:LegalMonetaryTotal")


def _has_total(name: str) -> Callable[[Review], Finding | None]:
    """The check that the LegalMonetaryTotal, when there is one, states ``name``."""
    field = f"cbc:{name}"

    def check(review: Review) -> Finding | None:
        document = review.document
        if not document.totals_seen or name in document.totals or review.problems.reported_on(field):
            return None
        return Finding(field, Message.of(MISSING), path=f"{review.root}/cac:LegalMonetaryTotal[1]/{field}")

    return check


DOCUMENT_RULES: tuple[Rule[Review], ...] = (
    Rule(None, _customization_given),
    Rule("PEPPOL-EN16931-R004", _customization_is_peppol),
    Rule("BR-02", _has_number),
    Rule("BR-03", _has_issue_date),
    Rule("BR-05", _has_currency),
    Rule("BR-04", _has_type_code),
    Rule("BR-06", _has_supplier),
    Rule("BR-16", _has_lines),
    Rule(None, _has_monetary_total),
    *(Rule(None, _has_total(name)) for name in MANDATORY_TOTALS),
)


# -- the document: the totals add up -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Said:
    """What a total's rule says when the total is missing, and when it differs from the sum."""

    missing: str
    differs: str


def _difference(totals: Totals, field: str, stated: Decimal | None, computed: Decimal, said: _Said) -> Finding | None:
    """A stated total against the computed one, compared exactly; the message names both."""
    if stated is None:
        if computed == 0:
            return None
        message = Message.of(said.missing, computed=computed)
    elif stated != computed:
        message = Message.of(said.differs, stated=stated, computed=computed)
    else:
        return None
    path = f"{totals.path}/cbc:{field}"
    return Finding(f"cbc:{field}", message, path=path, line=totals.source_lines.get(field), names_rule=True)


_LINE_EXTENSION = _Said(
    N_("%(rule)s: LineExtensionAmount is missing but the sum of the line net amounts is %(computed)s"),
    N_("%(rule)s: LineExtensionAmount is %(stated)s but the sum of the line net amounts is %(computed)s"),
)
_ALLOWANCE_TOTAL = _Said(
    N_("%(rule)s: AllowanceTotalAmount is missing but the sum of the document-level allowances is %(computed)s"),
    N_("%(rule)s: AllowanceTotalAmount is %(stated)s but the sum of the document-level allowances is %(computed)s"),
)
_CHARGE_TOTAL = _Said(
    N_("%(rule)s: ChargeTotalAmount is missing but the sum of the document-level charges is %(computed)s"),
    N_("%(rule)s: ChargeTotalAmount is %(stated)s but the sum of the document-level charges is %(computed)s"),
)
_TAX_EXCLUSIVE = _Said(
    N_(
        "%(rule)s: TaxExclusiveAmount is missing but LineExtensionAmount − AllowanceTotalAmount + "
        "ChargeTotalAmount is %(computed)s"
    ),
    N_(
        "%(rule)s: TaxExclusiveAmount is %(stated)s but LineExtensionAmount − AllowanceTotalAmount + "
        "ChargeTotalAmount is %(computed)s"
    ),
)
_TAX_INCLUSIVE = _Said(
    N_("%(rule)s: TaxInclusiveAmount is missing but TaxExclusiveAmount + TaxTotal/TaxAmount is %(computed)s"),
    N_("%(rule)s: TaxInclusiveAmount is %(stated)s but TaxExclusiveAmount + TaxTotal/TaxAmount is %(computed)s"),
)
_PAYABLE = _Said(
    N_(
        "%(rule)s: PayableAmount is missing but TaxInclusiveAmount − PrepaidAmount + PayableRoundingAmount "
        "is %(computed)s"
    ),
    N_(
        "%(rule)s: PayableAmount is %(stated)s but TaxInclusiveAmount − PrepaidAmount + PayableRoundingAmount "
        "is %(computed)s"
    ),
)


def _line_extension_is_line_sum(t: Totals) -> Finding | None:
    return _difference(t, "LineExtensionAmount", t.line_extension, t.line_sum, _LINE_EXTENSION)


def _allowance_total_is_allowance_sum(t: Totals) -> Finding | None:
    return _difference(t, "AllowanceTotalAmount", t.allowance_total, t.allowance_sum, _ALLOWANCE_TOTAL)


def _charge_total_is_charge_sum(t: Totals) -> Finding | None:
    return _difference(t, "ChargeTotalAmount", t.charge_total, t.charge_sum, _CHARGE_TOTAL)


def _tax_exclusive_adds_up(t: Totals) -> Finding | None:
    computed = t.line_extension - (t.allowance_total or ZERO) + (t.charge_total or ZERO)
    return _difference(t, "TaxExclusiveAmount", t.tax_exclusive, computed, _TAX_EXCLUSIVE)


def _tax_inclusive_adds_up(t: Totals) -> Finding | None:
    return _difference(t, "TaxInclusiveAmount", t.tax_inclusive, t.tax_exclusive + t.vat, _TAX_INCLUSIVE)


def _payable_adds_up(t: Totals) -> Finding | None:
    computed = t.tax_inclusive - t.prepaid + t.rounding
    return _difference(t, "PayableAmount", t.payable, computed, _PAYABLE)


TOTALS_RULES: tuple[Rule[Totals], ...] = (
    Rule("BR-CO-10", _line_extension_is_line_sum),
    Rule("BR-CO-11", _allowance_total_is_allowance_sum),
    Rule("BR-CO-12", _charge_total_is_charge_sum),
    Rule("BR-CO-13", _tax_exclusive_adds_up),
    Rule("BR-CO-15", _tax_inclusive_adds_up),
    Rule("BR-CO-16", _payable_adds_up),
)
