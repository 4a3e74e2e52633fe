"""A compliance finding's reason in the report's language, said as the compliance page says it.

``ledger.procurement.compliance`` gives each finding an English sentence (for scripts and
logs) and the values it is made of (``ComplianceRow.params``). The report says it again from
those values, with the same catalogue texts as the compliance page, so that a Swedish report
says it in Swedish, dates and amounts formatted in the report's language. A finding whose kind
or values are not the ones known here keeps its English sentence.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal

from babel.numbers import format_currency

from reports.text import N_, Language

__all__ = ["CATEGORIES", "INDICATOR_KINDS", "finding_reason"]

#: The invoice lines' cost categories (``ledger.core.categories.Category``), as the pages name them.
CATEGORIES = {
    "subscription": N_("subscription fee"),
    "usage": N_("usage"),
    "equipment": N_("handsets and equipment"),
    "switchboard_extension": N_("switchboard extension"),
    "operator_service": N_("operator service"),
    "one_off": N_("one-off"),
    "other": N_("other"),
}

#: The kinds of private-use indicator (``ledger.private_use.rules.KINDS``), as the pages name them.
INDICATOR_KINDS = {
    "premium_rate": N_("premium-rate number"),
    "third_party_content": N_("third-party content"),
    "operator_charge": N_("operator charge"),
}

Values = Mapping[str, object]


class _Say:
    """The values of one finding, formatted for the report's language on demand."""

    def __init__(self, lang: Language, values: Values) -> None:
        self.lang, self.values = lang, values

    def text(self, name: str) -> str:
        value = self.values.get(name)
        return "" if value is None else str(value)

    def day(self, name: str) -> str:
        value = self.values.get(name)
        if isinstance(value, str):
            value = date.fromisoformat(value)
        return self.lang.fmt.day(value) if isinstance(value, date) else self.text(name)

    def money(self, name: str) -> str:
        return self.lang.fmt.money(Decimal(str(self.values[name])))

    def number(self, name: str) -> str:
        return self.lang.fmt.number(Decimal(str(self.values[name])))

    def unit_price(self, name: str) -> str:
        """Two to four decimals (``0,3925 kr``): a price per unit is not rounded to öre."""
        swedish = self.lang.code == "sv"
        return format_currency(Decimal(str(self.values[name])), "SEK", locale=self.lang.fmt.locale,
                               format="#,##0.00##\u00a0¤" if swedish else "¤\u00a0#,##0.00##", currency_digits=False)


def _off_contract_supplier(say: _Say) -> str:
    _ = say.lang.gettext
    category = say.text("category")
    said = _("%(supplier)s billed %(category)s on %(lines)s line(s) without being the contracted supplier and "
             "without an approved coverage exception.", supplier=say.text("supplier"),
             category=_(CATEGORIES[category]) if category in CATEGORIES else category, lines=say.text("lines"))
    contracted = say.text("contracted")
    more = (_("Contracted: %(contracted)s.", contracted=contracted) if contracted
            else _("No framework contract in force covers this category."))
    return f"{said} {more}"


def _price_above_contract(say: _Say) -> str:
    return say.lang.gettext(
        "%(supplier)s charged %(price)s per unit for %(item)s on %(day)s; the contract price (%(contract)s) is "
        "%(contract_price)s. %(quantity)s × the difference = %(excess)s to claim.", supplier=say.text("supplier"),
        price=say.unit_price("unit_price"), item=say.text("item_code"), day=say.day("day"),
        contract=say.text("contract"), contract_price=say.unit_price("contract_price"),
        quantity=say.number("quantity"), excess=say.money("excess"))


def _billed_after_end(say: _Say) -> str:
    return say.lang.gettext("%(number)s ended on %(end)s but is billed up to %(last)s.", number=say.text("number"),
                            end=say.day("end_date"), last=say.day("last_billed"))


def _no_assignment(say: _Say) -> str:
    return say.lang.gettext("%(asset)s is billed for %(first)s – %(last)s but was assigned to no budget unit then.",
                            asset=say.text("asset"), first=say.day("first_day"), last=say.day("last_day"))


def _unmatched_reference(say: _Say) -> str:
    _ = say.lang.gettext
    if say.text("reference"):
        return _("%(reference)s on the invoice from %(supplier)s matched no subscription or handset.",
                 reference=say.text("reference"), supplier=say.text("supplier"))
    return _("%(lines)s line(s) from %(supplier)s name no number, subscription or handset.",
             lines=say.text("lines"), supplier=say.text("supplier"))


def _hardware_off_contract(say: _Say) -> str:
    _ = say.lang.gettext
    parts = []
    if say.values.get("supplier_off_contract"):
        parts.append(_("%(supplier)s has no equipment contract in force on %(day)s.", supplier=say.text("supplier"),
                       day=say.day("day")))
    if say.values.get("handset_off_contract"):
        parts.append(_("Handset IMEI %(imei)s is registered as bought off contract.", imei=say.text("imei")))
    return " ".join(parts)


def _contract_ending(say: _Say) -> str:
    _ = say.lang.gettext
    if say.text("event") == "end":
        return _("%(contract)s (%(title)s) ends on %(day)s.", contract=say.text("contract"),
                 title=say.text("title"), day=say.day("date"))
    return _("%(contract)s (%(title)s): the last day to decide on extension option %(option)s (to %(extends_to)s) "
             "is %(day)s.", contract=say.text("contract"), title=say.text("title"), option=say.text("option"),
             extends_to=say.day("extends_to"), day=say.day("date"))


def _credit_without_invoice(say: _Say) -> str:
    return say.lang.gettext(
        "Credit note %(number)s from %(supplier)s of %(day)s credits invoice %(credited)s, which is not imported.",
        number=say.text("number"), supplier=say.text("supplier"), day=say.day("day"),
        credited=say.text("credited_number"))


def _private_use_without_agreement(say: _Say) -> str:
    _ = say.lang.gettext
    kind = say.text("indicator_kind")
    return _("%(number)s was billed for %(indicator)s on %(day)s without a private-use agreement: %(text)s.",
             number=say.text("number"), indicator=_(INDICATOR_KINDS[kind]) if kind in INDICATOR_KINDS else kind,
             day=say.day("day"), text=say.text("text"))


_SENTENCES: dict[str, Callable[[_Say], str]] = {
    "off_contract_supplier": _off_contract_supplier,
    "price_above_contract": _price_above_contract,
    "billed_after_end": _billed_after_end,
    "no_assignment": _no_assignment,
    "unmatched_reference": _unmatched_reference,
    "hardware_off_contract": _hardware_off_contract,
    "contract_ending": _contract_ending,
    "credit_without_invoice": _credit_without_invoice,
    "private_use_without_agreement": _private_use_without_agreement,
}


def finding_reason(kind: str, params: Values, lang: Language) -> str | None:
    """The finding's reason in ``lang``, or None where it cannot be said from ``params`` (an
    unknown kind, no values, or values of another shape): the English sentence is printed then."""
    sentence = _SENTENCES.get(kind)
    if sentence is None or not params:
        return None
    try:
        return sentence(_Say(lang, params)) or None
    except (KeyError, ValueError, TypeError, ArithmeticError):
        return None
