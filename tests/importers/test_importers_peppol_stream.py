"""Long PEPPOL files: the streamed pass keeps every line, in order, with exact totals.

The parser reads each line when its end tag arrives and drops the lines read so far in
batches, and it remembers repeated texts (item names, dates, amounts) from line to line.
These tests cross several batches and check what that must never change: every line's
values, the totals, where each error points, and that a bad text is reported every time.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ubl_builder import Line, build_invoice, telephony_lines

from importers import parse_file
from importers.model import ParsedInvoice
from importers.ubl_writer import DraftInvoice, DraftLine, Party, write_invoice


def parse_ok(data: bytes, name: str = "long.xml") -> ParsedInvoice:
    result = parse_file(data, name)
    assert result.ok, "\n".join(str(e) for e in result.errors[:5])
    (invoice,) = result.invoices
    return invoice


def test_a_thousand_line_invoice_adds_up_to_its_stated_totals() -> None:
    """Written the way the demo data and the benchmarks write theirs (``importers.ubl_writer``)."""
    period = (date(2026, 3, 1), date(2026, 3, 31))
    kinds = (
        ("Abonnemang Obegränsad", Decimal(1), Decimal("149.00"), "MON", "MOB-OBG"),
        ("Samtal inom Sverige", Decimal(100), Decimal("0.39"), "MIN", "MOB-SAMTAL"),
        ("Mobildata", Decimal("12.5"), Decimal("8.00"), "GB", "MOB-DATA"),
    )
    drafts = [
        DraftLine(name, quantity, price, unit, code, f"070-{1000000 + i:07d}", period=period)
        for i in range(1000)
        for name, quantity, price, unit, code in [kinds[i % 3]]
    ]
    data = write_invoice(
        DraftInvoice(
            "BU-202603",
            date(2026, 3, 1),
            Party("Benchtel AB", "556900-0010"),
            Party("Benchkommun", "212000-1629"),
            drafts,
            period=period,
        )
    )
    inv = parse_ok(data)
    assert len(inv.lines) == 1000
    assert sum(line.net_amount for line in inv.lines) == inv.line_total
    assert inv.line_total == sum(draft.amount for draft in drafts)
    assert inv.net_total == inv.line_total
    assert inv.gross_total == inv.net_total + inv.vat_total
    assert inv.payable == inv.gross_total + inv.rounding
    for i, line in enumerate(inv.lines):
        name, quantity, price, unit, code = kinds[i % 3]
        assert (line.position, line.line_id) == (i + 1, str(i + 1))
        assert line.location == f"/Invoice/cac:InvoiceLine[{i + 1}]"
        assert (line.item_name, line.seller_item_code, line.unit_code) == (name, code, unit)
        assert (line.quantity, line.unit_price) == (quantity, price)
        assert (line.vat_category, line.vat_rate) == ("S", Decimal(25))
        assert (line.period_start, line.period_end) == period
        assert (line.reference, line.reference_source) == (f"070-{1000000 + i:07d}", "BT-128")


def test_a_long_credit_note_negates_every_line() -> None:
    """Allowances, charges, notes and accounting costs on some lines, across three batches."""
    lines = []
    for i in range(700):
        allowances = ["1.00"] if i % 5 == 0 else []
        charges = ["0.50"] if i % 7 == 0 else []
        note = f"073{i:07d}" if i % 3 == 0 else None
        cost = f"KST-{i % 4}" if i % 3 == 1 else None
        lines.append(
            Line(
                quantity="2",
                price="10.00",
                allowances=allowances,
                charges=charges,
                note=note,
                accounting_cost=cost,
                seller_item_code="K",
            )
        )
    inv = parse_ok(build_invoice(lines, credit_note=True, billing_refs=["INV-2026-000"]))
    assert inv.document_type == "credit_note"
    assert len(inv.lines) == 700
    assert [line.location for line in inv.lines[-2:]] == [
        "/CreditNote/cac:CreditNoteLine[699]",
        "/CreditNote/cac:CreditNoteLine[700]",
    ]
    for i, (line, written) in enumerate(zip(inv.lines, lines, strict=True)):
        assert line.net_amount == -written.net_amount()
        assert line.quantity == Decimal(-2)
        assert line.unit_price == Decimal("10.00")  # a price is never negated
        assert [ac.amount for ac in line.allowances_charges] == (
            [Decimal("1.00")] * len(written.allowances) + [Decimal("-0.50")] * len(written.charges)
        )
        if written.note is not None:
            assert (line.reference, line.reference_source) == (written.note, "note")
        elif written.accounting_cost is not None:
            assert (line.reference, line.reference_source) == (written.accounting_cost, "accounting_cost")
        else:
            assert (line.reference, line.reference_source) == (None, None), i
    assert sum(line.net_amount for line in inv.lines) == inv.line_total


def test_totals_after_the_lines_are_still_read() -> None:
    """Off-schema, but seen: the TaxTotal and LegalMonetaryTotal after 600 lines, not before."""
    data = build_invoice(telephony_lines(600)).decode("utf-8")
    start, end = (
        data.index("<cac:TaxTotal>"),
        data.index("</cac:LegalMonetaryTotal>") + len("</cac:LegalMonetaryTotal>"),
    )
    totals = data[start:end]
    moved = data[:start] + data[end:].replace("</Invoice>", totals + "</Invoice>")
    inv = parse_ok(moved.encode("utf-8"))
    assert len(inv.lines) == 600
    assert inv.line_total == sum(line.net_amount for line in inv.lines)
    assert inv.payable == inv.gross_total


def test_an_error_deep_in_a_long_file_names_its_line_and_path() -> None:
    lines = telephony_lines(900)
    lines[776].period = ("2026-01-01", "2026-01-32")
    data = build_invoice(lines)
    result = parse_file(data, "long.xml")
    (error,) = result.errors
    assert error.path == "/Invoice/cac:InvoiceLine[777]/cac:InvoicePeriod/cbc:EndDate"
    rows = data.decode("utf-8").split("\n")
    assert error.line == next(n for n, row in enumerate(rows, start=1) if "2026-01-32" in row)
    assert "2026-01-32" in error.message


def test_a_bad_text_is_reported_on_every_line_that_has_it() -> None:
    """Good texts are remembered from line to line, bad ones never: each occurrence is an error."""
    lines = [Line(period=("2026-01-01", "2026-01-31")) for _ in range(300)]
    for i in (10, 280):
        lines[i].period = ("2026-02-30", "2026-03-31")
    result = parse_file(build_invoice(lines), "bad.xml")
    assert [e.path for e in result.errors] == [
        "/Invoice/cac:InvoiceLine[11]/cac:InvoicePeriod/cbc:StartDate",
        "/Invoice/cac:InvoiceLine[281]/cac:InvoicePeriod/cbc:StartDate",
    ]


def test_a_remembered_amount_is_still_checked_for_its_currency() -> None:
    lines = [Line(price="100.00") for _ in range(300)]
    lines[290].currency = "EUR"
    result = parse_file(build_invoice(lines), "currency.xml")
    (error,) = result.errors
    assert error.path == "/Invoice/cac:InvoiceLine[291]/cbc:LineExtensionAmount"
    assert error.rule == "PEPPOL-EN16931-R051"
    assert error.message == "currency EUR differs from the document currency SEK"


def test_item_texts_are_stripped_and_shared_across_lines() -> None:
    lines = [Line(name="  Mobildata \n", seller_item_code="D1") for _ in range(3)] + [
        Line(name="Mobildata", seller_item_code=" D1")
    ]
    inv = parse_ok(build_invoice(lines))
    assert {line.item_name for line in inv.lines} == {"Mobildata"}
    assert len({id(line.item_name) for line in inv.lines}) == 1
    assert {line.seller_item_code for line in inv.lines} == {"D1"}
    blank = parse_ok(build_invoice([Line(name="   ")]))
    assert blank.lines[0].item_name is None


def test_credited_quantity_on_an_invoice_line_is_not_its_quantity() -> None:
    """The quantity element is the document's own: an InvoiceLine's CreditedQuantity is ignored."""
    data = build_invoice([Line(quantity="3", price="10.00")]).replace(b"InvoicedQuantity", b"CreditedQuantity")
    inv = parse_ok(data)
    assert (inv.lines[0].quantity, inv.lines[0].unit_code) == (None, None)
    assert inv.lines[0].net_amount == Decimal("30.00")
