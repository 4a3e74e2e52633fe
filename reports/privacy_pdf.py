"""A person's extract of what the ledger holds about them (registerutdrag), as a PDF: the
subscriptions they held with their periods and units, handsets, private-use agreements, user
accounts, invoices whose buyer reference names them, and the audit events that name them, were
made by them or concern their account. Renders the data it is given; no queries.

Its words are the message catalogue's (``reports.text``), translated by the translations the
caller hands in; dates and times are formatted in the report's language. The data classes are
also what the ledger writes as the extract's JSON.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer

from reports.pdf_common import PagedTable, document_bytes, styles
from reports.text import N_, Language, Translations, language

__all__ = ["REASONS", "WORDS", "Account", "Agreement", "Event", "Handset", "InvoiceReference", "PersonalDataExtract",
           "Subscription", "UnitPeriod", "change_summary", "render_privacy_extract"]

WIDTH = 180 * mm

#: The codes the extract holds (subscription kinds, handset statuses, roles), as the pages name them.
WORDS = {
    "mobile_voice": N_("mobile voice"),
    "mobile_data": N_("mobile data"),
    "switchboard_extension": N_("switchboard extension"),
    "operator_seat": N_("operator seat"),
    "fixed_line": N_("fixed line"),
    "in_use": N_("in use"),
    "in_stock": N_("in stock"),
    "lost": N_("lost"),
    "stolen": N_("stolen"),
    "retired": N_("retired"),
    "admin": N_("administrator"),
    "finance": N_("finance"),
    "procurement": N_("procurement"),
    "department": N_("department"),
    "auditor": N_("auditor"),
    "cooperation": N_("cooperation administrator"),
    "contact_centre": N_("contact centre"),
}

#: Why an audit event is in the extract (``Event.reasons``).
REASONS = {
    "names": N_("names the person"),
    "by": N_("made by the person"),
    "account": N_("concerns their user account"),
}


@dataclass(frozen=True)
class UnitPeriod:
    """A unit that paid for the subscription, from its first to its last day (``None``: still)."""

    ansvar: str
    name: str
    first_day: date
    last_day: date | None


@dataclass(frozen=True)
class Subscription:
    number: str
    kind: str
    start_date: date
    end_date: date | None
    holder_name: str | None
    as_holder: bool
    as_signer: bool
    units: tuple[UnitPeriod, ...]


@dataclass(frozen=True)
class Handset:
    imei: str
    model: str
    status: str
    purchase_date: date | None
    status_changed_on: date | None
    #: the subscription they held whose SIM sat in it, if that is why it is listed
    subscription_number: str | None
    #: set when the person is the manager a loss was reported to
    reported_to_manager: str | None


@dataclass(frozen=True)
class Agreement:
    """A private-use agreement (särskilt avtal om privat användning) of a subscription."""

    number: str
    reference: str | None
    signed_on: date | None
    signed_by: str | None


@dataclass(frozen=True)
class Account:
    username: str
    display_name: str
    role: str
    active: bool
    created_at: datetime
    last_login_at: datetime | None
    units: tuple[str, ...]


@dataclass(frozen=True)
class InvoiceReference:
    supplier: str
    number: str
    issue_date: date
    buyer_reference: str


@dataclass(frozen=True)
class Event:
    """An audit event; names of other people in its before and after are replaced by ``***``."""

    occurred_at: datetime
    actor: str
    action: str
    entity: str
    reasons: tuple[str, ...]
    before: Mapping[str, object] | None
    after: Mapping[str, object] | None


@dataclass(frozen=True)
class PersonalDataExtract:
    person: str
    organisation: str
    generated_at: datetime
    generated_by: str
    retention_months: int
    #: the stored texts that named the person, as stored (the reader checks they are the person)
    names_found: tuple[str, ...]
    subscriptions: tuple[Subscription, ...]
    handsets: tuple[Handset, ...]
    agreements: tuple[Agreement, ...]
    accounts: tuple[Account, ...]
    invoices: tuple[InvoiceReference, ...]
    events: tuple[Event, ...]


def _plain(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, list):
        return ", ".join(_plain(item) for item in value)
    return str(value)


def change_summary(event: Event) -> str:
    """``field: before → after; …`` of the fields the event changed, ``field: value`` of the rest."""
    before, after = dict(event.before or {}), dict(event.after or {})
    parts = []
    for name in [*before, *(key for key in after if key not in before)]:
        if name in before and name in after and before[name] != after[name]:
            parts.append(f"{name}: {_plain(before[name])} → {_plain(after[name])}")
        else:
            parts.append(f"{name}: {_plain(after.get(name, before.get(name)))}")
    return "; ".join(parts)


Row = TypeVar("Row")


class _Writer:
    """The extract's story, in one language."""

    def __init__(self, extract: PersonalDataExtract, lang: Language) -> None:
        self.x, self.lang, self.s = extract, lang, styles()

    def _(self, text: str, **values: object) -> str:
        return self.lang.gettext(text, **values)

    def para(self, text: str, style: str = "body") -> Paragraph:
        return Paragraph(text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"), self.s[style])

    def word(self, code: str) -> str:
        return self._(WORDS[code]) if code in WORDS else code

    def day(self, value: date | None) -> str:
        return self.lang.fmt.day(value) if value else "—"

    def moment(self, value: datetime | None) -> str:
        return self.lang.fmt.moment(value) if value else "—"

    def story(self) -> list[Flowable]:
        x, _ = self.x, self._
        story: list[Flowable] = [
            self.para(_("Personal data extract"), "title"),
            self.para(f"{x.person} · {x.organisation}", "subtitle"),
            self.para(_("Generated %(when)s by %(by)s.", when=self.moment(x.generated_at), by=x.generated_by), "small"),
            self.para(_("Everything the telephony ledger holds that names the person: each of the words asked for "
                        "as a whole word, in any order, in any case. Names of other people are shown as ***. Names "
                        "are replaced by pseudonyms %(months)s months after a subscription or handset ends.",
                        months=x.retention_months), "small"),
            self.para(_("Names found: %(names)s", names=", ".join(x.names_found) or "—"), "small"),
            Spacer(1, 4 * mm),
        ]
        for flowables in (self._subscriptions(), self._handsets(), self._agreements(), self._accounts(),
                          self._invoices(), self._events()):
            story += flowables
        return story

    def section(self, title: str, header: Sequence[str], rows: Sequence[Row], cells: Callable[[Row], list[str]],
                widths: Sequence[float]) -> list[Flowable]:
        heading = self.para(f"{title} ({len(rows)})", "h2")
        if not rows:
            return [heading, self.para(self._("None."))]
        total = sum(widths)
        return [heading, PagedTable(list(header), rows, cells, [WIDTH * w / total for w in widths]),
                Spacer(1, 3 * mm)]

    def _units(self, sub: Subscription) -> str:
        return "; ".join(f"{u.ansvar} {u.name} {self.day(u.first_day)} – {self.day(u.last_day) if u.last_day else ''}"
                         .rstrip() for u in sub.units) or "—"

    def _subscriptions(self) -> list[Flowable]:
        _ = self._

        def cells(sub: Subscription) -> list[str]:
            roles = [_("holder")] * sub.as_holder + [_("signed the private-use agreement")] * sub.as_signer
            return [sub.number, self.word(sub.kind), self.day(sub.start_date), self.day(sub.end_date),
                    ", ".join(roles), self._units(sub)]

        return self.section(_("Subscriptions"), [_("Number"), _("Kind"), _("Start date"), _("End date"), _("As"),
                                                    _("Units")],
                            self.x.subscriptions, cells, [16, 14, 13, 13, 18, 36])

    def _handsets(self) -> list[Flowable]:
        _ = self._

        def cells(handset: Handset) -> list[str]:
            why = (_("SIM of %(number)s", number=handset.subscription_number) if handset.subscription_number
                   else _("loss reported to them"))
            return [handset.imei, handset.model, self.word(handset.status), self.day(handset.purchase_date),
                    self.day(handset.status_changed_on), why]

        return self.section(_("Handsets"), [_("IMEI"), _("Model"), _("Status"), _("Bought"), _("Status since"),
                                            _("Why listed")], self.x.handsets, cells, [18, 18, 12, 13, 13, 22])

    def _agreements(self) -> list[Flowable]:
        _ = self._
        return self.section(_("Private-use agreements"), [_("Number"), _("Reference"), _("Signed on"), _("Signed by")],
                            self.x.agreements, lambda a: [a.number, a.reference or "—", self.day(a.signed_on),
                                                          a.signed_by or "—"], [18, 22, 16, 30])

    def _accounts(self) -> list[Flowable]:
        _ = self._

        def cells(account: Account) -> list[str]:
            return [account.username, account.display_name, self.word(account.role),
                    _("yes") if account.active else _("no"), self.moment(account.created_at),
                    self.moment(account.last_login_at), ", ".join(account.units) or "—"]

        return self.section(_("User accounts"), [_("User name"), _("Name"), _("Role"), _("Active"), _("Created"),
                                                 _("Last log-in"), _("Units")], self.x.accounts, cells,
                            [16, 18, 12, 8, 16, 16, 14])

    def _invoices(self) -> list[Flowable]:
        _ = self._
        return self.section(_("Invoices whose buyer reference names them"),
                            [_("Supplier"), _("Invoice"), _("Invoice date"), _("Buyer reference")], self.x.invoices,
                            lambda i: [i.supplier, i.number, self.day(i.issue_date), i.buyer_reference],
                            [26, 16, 14, 30])

    def _events(self) -> list[Flowable]:
        _ = self._

        def cells(event: Event) -> list[str]:
            return [self.moment(event.occurred_at), event.actor, event.action, event.entity,
                    ", ".join(_(REASONS[r]) for r in event.reasons if r in REASONS), change_summary(event)]

        return self.section(_("Audit events"), [_("When"), _("By"), _("What"), _("Object"), _("Why listed"),
                                                _("Changes")], self.x.events, cells, [15, 11, 14, 12, 13, 35])


def render_privacy_extract(extract: PersonalDataExtract, language_code: str = "sv",
                           translations: Translations | None = None) -> bytes:
    """The extract as PDF bytes, in ``language_code`` ("sv" or "en") with ``translations``
    (its catalogue; English needs none)."""
    lang = language(language_code, translations)
    writer = _Writer(extract, lang)
    title = lang.gettext("Personal data extract")
    return document_bytes(writer.story(), title=title, note=extract.organisation,
                          footer=f"{extract.organisation} · {extract.person}",
                          page_of=lang.gettext("Page %(page)s of %(pages)s"), author=extract.generated_by,
                          subject=lang.gettext("What the telephony ledger holds about a person"))
