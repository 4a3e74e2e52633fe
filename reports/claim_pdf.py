"""A claim (reklamation) as a PDF to send to the supplier: who claims from whom, the invoice lines
charged above the contract price, the excess of each and the total, and what is asked for (a
credit note referring to the invoices). Renders the data it is given; no queries.

Its words are the message catalogue's (``reports.text``), translated by the translations the
caller hands in; amounts, prices and dates are formatted in the claim's language.
"""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from reports.claim_data import ClaimDocument, ClaimRow
from reports.pdf_common import (
    BODY_FONT,
    BOLD_FONT,
    HEADER_FILL,
    INK,
    RULE,
    SUBTOTAL_FILL,
    TableCommand,
    document_bytes,
    styles,
)
from reports.text import Language, Translations, language

__all__ = ["render_claim_pdf"]

#: Invoice, line, reference, item and text, quantity, charged, contract price, excess: 180 mm.
WIDTHS = [24 * mm, 9 * mm, 27 * mm, 44 * mm, 14 * mm, 20 * mm, 20 * mm, 22 * mm]
FONT_SIZE = 7


def render_claim_pdf(claim: ClaimDocument, language_code: str = "sv",
                     translations: Translations | None = None) -> bytes:
    """The claim as PDF bytes, in ``language_code`` ("sv" or "en") with ``translations`` (its
    catalogue; English needs none)."""
    lang = language(language_code, translations)
    _ = lang.gettext
    title = _("Claim %(reference)s", reference=claim.reference)
    story = [*_opening(claim, lang), _table(claim, lang), Spacer(1, 5 * mm), *_closing(claim, lang)]
    return document_bytes(story, title=title, note=claim.supplier, footer=f"{claim.organisation} · {claim.reference}",
                          page_of=_("Page %(page)s of %(pages)s"), author=claim.generated_by,
                          subject=_("Claim for prices above the framework contract, excluding VAT"))


def _opening(claim: ClaimDocument, lang: Language) -> list[Flowable]:
    """Title, the parties, the contract and the day; what the claim is."""
    _, style, fmt = lang.gettext, styles(), lang.fmt
    sent = fmt.day(claim.sent_on) if claim.sent_on else _("not sent yet")
    story: list[Flowable] = [
        Paragraph(_escape(_("Claim %(reference)s", reference=claim.reference)), style["title"]),
        Paragraph(_escape(_("To %(supplier)s (%(number)s)", supplier=claim.supplier, number=claim.supplier_number)),
                  style["subtitle"]),
        Paragraph(_escape(_("From %(organisation)s (%(number)s). Sent: %(sent)s.", organisation=claim.organisation,
                            number=claim.organisation_number, sent=sent)), style["body"]),
    ]
    if claim.contracts:
        story.append(Paragraph(_escape(_("Framework contract: %(contracts)s.", contracts=", ".join(claim.contracts))),
                               style["body"]))
    story += [
        Spacer(1, 3 * mm),
        Paragraph(_escape(_("The invoice lines below were charged above the price of the framework contract. We "
                            "claim the excess, %(total)s excluding VAT, back.", total=fmt.money(claim.total))),
                  style["body"]),
        Spacer(1, 4 * mm),
    ]
    return story


def _closing(claim: ClaimDocument, lang: Language) -> list[Flowable]:
    _, style, fmt = lang.gettext, styles(), lang.fmt
    story: list[Flowable] = [Paragraph(_escape(_(
        "Please send a credit note of %(total)s excluding VAT that refers to invoice %(invoices)s and to our "
        "reference %(reference)s.", total=fmt.money(claim.total), invoices=", ".join(claim.invoice_numbers),
        reference=claim.reference)), style["body"])]
    if claim.note:
        story += [Spacer(1, 2 * mm), Paragraph(_escape(claim.note), style["body"])]
    story += [Spacer(1, 4 * mm), Paragraph(_escape(_("Made %(when)s by %(by)s.", when=fmt.moment(claim.generated_at),
                                                     by=claim.generated_by)), style["small"])]
    return story


def _price(lang: Language, value: Decimal | None) -> str:
    """A unit price with two to four decimals (``0,3925 kr``): not rounded to öre."""
    if value is None:
        return ""
    swedish = lang.code == "sv"
    return format_currency(value, "SEK", locale=lang.fmt.locale, currency_digits=False,
                           format="#,##0.00##\u00a0¤" if swedish else "¤\u00a0#,##0.00##")


def _row(row: ClaimRow, lang: Language, cell: ParagraphStyle) -> list[object]:
    fmt = lang.fmt
    what = " · ".join(part for part in (row.item_code, row.description) if part)
    return [Paragraph(_escape(f"{row.invoice_number}\n{fmt.day(row.invoice_date)}").replace("\n", "<br/>"), cell),
            str(row.position), Paragraph(_escape(row.reference or ""), cell), Paragraph(_escape(what), cell),
            fmt.number(row.quantity.normalize()) if row.quantity is not None else "",
            _price(lang, row.unit_price), _price(lang, row.contract_price), fmt.money(row.excess)]


def _table(claim: ClaimDocument, lang: Language) -> Table:
    _ = lang.gettext
    cell = ParagraphStyle("claim-cell", fontName=BODY_FONT, fontSize=FONT_SIZE, leading=FONT_SIZE * 1.25, textColor=INK)
    heading = ParagraphStyle("claim-heading", parent=cell, fontName=BOLD_FONT)
    right = ParagraphStyle("claim-heading-right", parent=heading, alignment=TA_RIGHT)
    header: list[object] = [Paragraph(_escape(text), right if index >= 4 else heading) for index, text in enumerate([
        _("Invoice"), "#", _("Reference"), _("Item"), _("Quantity"), _("Charged"), _("Contract price"),
        _("Excess")])]
    rows: list[list[object]] = [header, *(_row(row, lang, cell) for row in claim.rows)]
    rows.append([Paragraph(_escape(_("Total")), heading), "", "", "", "", "", "", lang.fmt.money(claim.total)])
    table = Table(rows, colWidths=WIDTHS, repeatRows=1)
    commands: list[TableCommand] = [
        ("FONT", (0, 0), (-1, -1), BODY_FONT, FONT_SIZE), ("FONT", (0, -1), (-1, -1), BOLD_FONT, FONT_SIZE),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK), ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("BACKGROUND", (0, -1), (-1, -1), SUBTOTAL_FILL), ("ALIGN", (4, 0), (-1, -1), "RIGHT"),
        ("ALIGN", (1, 0), (1, -1), "RIGHT"), ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
    ]
    table.setStyle(TableStyle(commands))
    return table


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
