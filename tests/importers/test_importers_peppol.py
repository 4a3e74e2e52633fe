"""PEPPOL BIS Billing 3.0 import on our own small invoices.

Each test builds the invoice it is about with ``ubl_builder`` (totals add up unless the test
says otherwise) or reads a hand-written fixture, so a failure points at one behaviour.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from ubl_builder import Line, build_invoice

from importers import ParseResult, parse_file
from importers.model import ParsedInvoice

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def parse_ok(data: bytes, name: str = "test.xml") -> ParsedInvoice:
    result = parse_file(data, name)
    assert result.ok, "\n".join(str(e) for e in result.errors)
    assert len(result.invoices) == 1
    return result.invoices[0]


def parse_fail(data: bytes, name: str = "test.xml") -> ParseResult:
    result = parse_file(data, name)
    assert not result.ok
    assert result.invoices == []
    return result


def test_minimal_invoice() -> None:
    inv = parse_ok(build_invoice([Line(quantity="2", price="149.00", object_ref="0701234567")]))
    assert inv.format == "peppol"
    assert inv.document_type == "invoice"
    assert inv.type_code == "380"
    assert inv.number == "INV-2026-001"
    assert inv.issue_date == date(2026, 2, 1)
    assert inv.due_date == date(2026, 3, 3)
    assert inv.currency == "SEK"
    assert inv.supplier.organisation_number == "556677-8899"
    assert inv.supplier.endpoint_scheme == "0007"
    assert inv.supplier.vat_id == "SE556677889901"
    assert inv.buyer_organisation_number == "212000-1637"
    (line,) = inv.lines
    assert line.position == 1
    assert line.net_amount == Decimal("298.00")
    assert line.quantity == Decimal(2)
    assert line.unit_price == Decimal("149.00")
    assert line.reference == "0701234567"
    assert line.reference_source == "BT-128"
    assert line.location == "/Invoice/cac:InvoiceLine[1]"
    assert (inv.line_total, inv.net_total, inv.vat_total, inv.gross_total, inv.payable) == (
        Decimal("298.00"),
        Decimal("298.00"),
        Decimal("74.50"),
        Decimal("372.50"),
        Decimal("372.50"),
    )
    assert str(inv.prepaid) == "0.00" and str(inv.rounding) == "0.00"


def test_hand_written_fixture_with_unusual_prefixes() -> None:
    """ns0/agg/basic instead of the usual prefixes; totals checked by hand in the file."""
    inv = parse_ok((FIXTURES / "prefixed-invoice.xml").read_bytes(), "prefixed-invoice.xml")
    assert inv.number == "TEL-2026-0042"
    assert inv.supplier.organisation_number == "556000-0001"
    assert inv.supplier.name == "Exempeloperatören AB"
    assert inv.accounting_cost == "Kommunstyrelsen"
    assert (inv.period_start, inv.period_end) == (date(2026, 2, 1), date(2026, 2, 28))
    first, second = inv.lines
    assert first.reference == "070-123 45 67" and first.reference_source == "BT-128"
    assert first.seller_item_code == "JM-BAS"
    assert first.description == "Abonnemang, tre månader i förskott"
    assert first.item_name == "Jobbmobil Bas"
    assert second.reference == "356938035643809" and second.reference_source == "item_property"
    assert second.unit_code == "MIN"
    assert [ac.amount for ac in second.allowances_charges] == [Decimal("-5.00")]
    assert second.allowances_charges[0].location == "/Invoice/cac:InvoiceLine[2]/cac:AllowanceCharge[1]"
    assert [(ac.is_charge, ac.amount) for ac in inv.allowances_charges] == [
        (False, Decimal("-10.00")),
        (True, Decimal("25.00")),
    ]
    assert inv.allowances_charges[0].reason_code == "95"
    assert inv.line_total == Decimal("501.05")
    assert inv.allowance_total == Decimal("10.00")
    assert inv.charge_total == Decimal("25.00")
    assert inv.net_total == Decimal("516.05")
    assert inv.net_total == inv.line_total + sum(ac.amount for ac in inv.allowances_charges)
    assert inv.vat_total == Decimal("129.01")
    assert inv.gross_total == Decimal("645.06")
    assert inv.rounding == Decimal("-0.06")
    assert inv.payable == Decimal("645.00")


def test_credit_note_negates_every_amount() -> None:
    data = build_invoice(
        [Line(quantity="2", price="100.00", allowances=["10.00"]), Line(quantity="1", price="50.00")],
        credit_note=True,
        billing_refs=["INV-2026-000"],
        doc_charges=["20.00"],
        prepaid="10.00",
        rounding="0.50",
    )
    inv = parse_ok(data)
    assert inv.document_type == "credit_note"
    assert inv.type_code == "381"
    assert inv.sign == -1
    assert inv.billing_references == ("INV-2026-000",)
    assert [line.net_amount for line in inv.lines] == [Decimal("-190.00"), Decimal("-50.00")]
    assert [line.quantity for line in inv.lines] == [Decimal(-2), Decimal(-1)]
    assert inv.lines[0].unit_price == Decimal("100.00")  # a price is never negated
    assert inv.lines[0].allowances_charges[0].amount == Decimal("10.00")  # allowance on a credit
    assert inv.lines[0].location == "/CreditNote/cac:CreditNoteLine[1]"
    assert inv.allowances_charges[0].amount == Decimal("-20.00")
    assert inv.line_total == Decimal("-240.00")
    assert inv.charge_total == Decimal("-20.00")
    assert inv.net_total == Decimal("-260.00")
    assert inv.vat_total == Decimal("-65.00")
    assert inv.gross_total == Decimal("-325.00")
    assert inv.prepaid == Decimal("-10.00")
    assert inv.rounding == Decimal("-0.50")
    assert inv.payable == Decimal("-315.50")  # -(325.00 - 10.00 + 0.50)


def test_negative_invoice_stays_negative() -> None:
    """A correction sent as an Invoice with negative amounts: never negated a second time."""
    data = build_invoice([Line(quantity="-2", price="100.00")], billing_refs=["INV-2026-000"])
    inv = parse_ok(data)
    assert inv.document_type == "invoice"
    assert inv.lines[0].net_amount == Decimal("-200.00")
    assert inv.lines[0].quantity == Decimal(-2)
    assert inv.net_total == Decimal("-200.00")
    assert inv.payable == Decimal("-250.00")


@pytest.mark.parametrize("code", ["381", "396", "532"])
def test_credit_type_code_on_an_invoice_element_negates(code: str) -> None:
    inv = parse_ok(build_invoice([Line(quantity="1", price="80.00")], type_code=code))
    assert inv.document_type == "credit_note"
    assert inv.type_code == code
    assert inv.net_total == Decimal("-80.00")


def test_sbdh_envelope() -> None:
    inv = parse_ok(build_invoice([Line(object_ref="0709999999")], sbdh=True))
    assert inv.number == "INV-2026-001"
    assert inv.lines[0].reference == "0709999999"
    assert inv.lines[0].location == "/Invoice/cac:InvoiceLine[1]"


def test_sbdh_envelope_around_a_credit_note() -> None:
    inv = parse_ok(build_invoice([Line()], sbdh=True, credit_note=True))
    assert inv.document_type == "credit_note"
    assert inv.net_total == Decimal("-100.00")


@pytest.mark.parametrize(("cac", "cbc", "root_prefix"), [("a", "b", None), ("x1", "x2", "inv"), ("c", "d", "ubl")])
def test_any_namespace_prefixes(cac: str, cbc: str, root_prefix: str | None) -> None:
    inv = parse_ok(build_invoice([Line(note="0701112233")], cac=cac, cbc=cbc, root_prefix=root_prefix))
    assert inv.lines[0].reference == "0701112233"
    assert inv.net_total == Decimal("100.00")


def test_document_level_allowance_and_charge() -> None:
    inv = parse_ok(build_invoice([Line(price="1000.00")], doc_allowances=["50.00", "25.00"], doc_charges=["30.00"]))
    assert inv.allowance_total == Decimal("75.00")
    assert inv.charge_total == Decimal("30.00")
    assert inv.net_total == Decimal("955.00")
    assert [ac.amount for ac in inv.allowances_charges] == [Decimal("-50.00"), Decimal("-25.00"), Decimal("30.00")]
    assert inv.allowances_charges[1].location == "/Invoice/cac:AllowanceCharge[2]"
    assert inv.allowances_charges[0].vat_rate == Decimal(25)
    assert inv.net_total == inv.line_total + sum(ac.amount for ac in inv.allowances_charges)


def test_rounding_is_kept_apart_from_the_net() -> None:
    inv = parse_ok(build_invoice([Line(quantity="1", price="99.99")], rounding="0.01"))
    assert inv.net_total == Decimal("99.99")
    assert inv.gross_total == Decimal("124.99")
    assert inv.rounding == Decimal("0.01")
    assert inv.payable == Decimal("125.00")


def test_usd_invoice_reports_its_currency_and_tax_currency() -> None:
    """Refusing non-SEK is the ledger's decision; the parser reports what the file says."""
    inv = parse_ok(build_invoice([Line(price="10.00")], currency="USD", tax_currency="SEK"))
    assert inv.currency == "USD"
    assert inv.tax_currency == "SEK"
    assert inv.vat_total == Decimal("2.50")
    assert inv.vat_total_tax_currency == Decimal("25.00")


def test_line_in_another_currency_is_an_error() -> None:
    result = parse_fail(build_invoice([Line(), Line(currency="EUR")]))
    (error,) = [e for e in result.errors if e.field == "cbc:LineExtensionAmount"]
    assert error.path == "/Invoice/cac:InvoiceLine[2]/cbc:LineExtensionAmount"
    assert "EUR" in error.message and "SEK" in error.message
    assert error.line is not None


def test_periods_header_and_line() -> None:
    data = build_invoice(
        [Line(period=("2026-01-01", "2026-01-31")), Line(period=("2026-02-01", "2026-04-30"))],
        period=("2026-01-01", "2026-04-30"),
    )
    inv = parse_ok(data)
    assert (inv.period_start, inv.period_end) == (date(2026, 1, 1), date(2026, 4, 30))
    assert [(line.period_start, line.period_end) for line in inv.lines] == [
        (date(2026, 1, 1), date(2026, 1, 31)),
        (date(2026, 2, 1), date(2026, 4, 30)),
    ]


def test_bad_line_date_names_the_path() -> None:
    result = parse_fail(build_invoice([Line(period=("2026-02-30", "2026-03-31"))]))
    (error,) = result.errors
    assert error.path == "/Invoice/cac:InvoiceLine[1]/cac:InvoicePeriod/cbc:StartDate"
    assert "2026-02-30" in error.message


class TestReferenceOrder:
    """BT-128, then BT-18, then the line note, then AccountingCost, then an IMEI/ICCID property."""

    def test_line_object_wins(self) -> None:
        inv = parse_ok(
            build_invoice(
                [Line(object_ref="0701", note="0702", accounting_cost="0703", properties={"IMEI": "0704"})],
                document_ref="0700",
            )
        )
        assert (inv.lines[0].reference, inv.lines[0].reference_source) == ("0701", "BT-128")
        assert inv.document_reference == "0700"

    def test_document_object_before_note(self) -> None:
        inv = parse_ok(build_invoice([Line(note="Ring mer: 0777-123456")], document_ref="0765123456"))
        assert (inv.lines[0].reference, inv.lines[0].reference_source) == ("0765123456", "BT-18")

    def test_note(self) -> None:
        inv = parse_ok(build_invoice([Line(note="070-111 22 33", accounting_cost="KST-1")]))
        assert (inv.lines[0].reference, inv.lines[0].reference_source) == ("070-111 22 33", "note")

    def test_accounting_cost(self) -> None:
        inv = parse_ok(build_invoice([Line(accounting_cost="0701112233", properties={"ICCID": "8946"})]))
        assert (inv.lines[0].reference, inv.lines[0].reference_source) == ("0701112233", "accounting_cost")

    @pytest.mark.parametrize("name", ["IMEI", "imei", "Iccid"])
    def test_item_property(self, name: str) -> None:
        inv = parse_ok(build_invoice([Line(properties={"Färg": "Svart", name: "356938035643809"})]))
        assert (inv.lines[0].reference, inv.lines[0].reference_source) == ("356938035643809", "item_property")

    def test_none(self) -> None:
        inv = parse_ok(build_invoice([Line(properties={"Serienummer": "X1"})]))
        assert (inv.lines[0].reference, inv.lines[0].reference_source) == (None, None)


def test_price_base_quantity_gives_the_unit_price() -> None:
    data = build_invoice([Line(quantity="10", price="5.00", net="50.00")]).replace(
        b'<cbc:PriceAmount currencyID="SEK">5.00</cbc:PriceAmount>',
        b'<cbc:PriceAmount currencyID="SEK">25.00</cbc:PriceAmount>'
        b'<cbc:BaseQuantity unitCode="EA">5</cbc:BaseQuantity>',
    )
    inv = parse_ok(data)
    assert inv.lines[0].unit_price == Decimal(5)


def test_line_amount_not_matching_quantity_times_price_is_a_warning() -> None:
    result = parse_file(build_invoice([Line(quantity="2", price="100.00", net="150.00")]), "w.xml")
    assert result.ok
    (warning,) = result.warnings
    assert warning.rule == "PEPPOL-EN16931-R120"
    assert "150.00" in warning.message and "200.00" in warning.message


def test_more_than_two_decimals_in_an_amount_is_an_error() -> None:
    result = parse_fail(build_invoice([Line(net="10.005")], totals={"LineExtensionAmount": "10.01"}))
    assert any(e.rule == "BR-DEC-23" for e in result.errors)


def test_not_peppol_customization_is_a_warning() -> None:
    result = parse_file(build_invoice([Line()], customization="urn:cen.eu:en16931:2017"), "c.xml")
    assert result.ok
    assert [w.rule for w in result.warnings] == ["PEPPOL-EN16931-R004"]


# -- EN 16931 totals: each rule, off by one öre ---------------------------------------------


def _one_line(**kwargs: object) -> bytes:
    return build_invoice([Line(quantity="1", price="100.00")], **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("rule", "data", "stated", "computed"),
    [
        ("BR-CO-10", _one_line(totals={"LineExtensionAmount": "100.01"}), "100.01", "100.00"),
        (
            "BR-CO-11",
            _one_line(doc_allowances=["10.00"], totals={"AllowanceTotalAmount": "10.01"}),
            "10.01",
            "10.00",
        ),
        ("BR-CO-12", _one_line(doc_charges=["10.00"], totals={"ChargeTotalAmount": "9.99"}), "9.99", "10.00"),
        ("BR-CO-13", _one_line(totals={"TaxExclusiveAmount": "100.01"}), "100.01", "100.00"),
        ("BR-CO-14", _one_line(tax_amount="25.01"), "25.01", "25.00"),
        ("BR-CO-15", _one_line(totals={"TaxInclusiveAmount": "125.01"}), "125.01", "125.00"),
        ("BR-CO-16", _one_line(totals={"PayableAmount": "124.99"}), "124.99", "125.00"),
    ],
)
def test_totals_rule_violation(rule: str, data: bytes, stated: str, computed: str) -> None:
    result = parse_fail(data)
    matching = [e for e in result.errors if e.rule == rule]
    assert matching, [str(e) for e in result.errors]
    message = matching[0].message
    assert rule in message and stated in message and computed in message
    assert matching[0].path is not None and matching[0].path.startswith("/Invoice/cac:")


def test_allowance_total_missing_while_allowances_exist() -> None:
    data = _one_line(doc_allowances=["10.00"]).replace(
        b'<cbc:AllowanceTotalAmount currencyID="SEK">10.00</cbc:AllowanceTotalAmount>', b""
    )
    result = parse_fail(data)
    assert any(e.rule == "BR-CO-11" and "missing" in e.message for e in result.errors)


def test_error_string_is_a_one_liner() -> None:
    result = parse_fail(_one_line(totals={"PayableAmount": "1.00"}), "faktura.xml")
    text = str(result.errors[0])
    assert text.startswith("faktura.xml")
    assert "BR-CO-16" in text and "\n" not in text


# -- mandatory fields -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("omitted", "path"),
    [
        ("ID", "/Invoice/cbc:ID"),
        ("IssueDate", "/Invoice/cbc:IssueDate"),
        ("DocumentCurrencyCode", "/Invoice/cbc:DocumentCurrencyCode"),
        ("AccountingSupplierParty", "/Invoice/cac:AccountingSupplierParty"),
    ],
)
def test_missing_mandatory_field_names_its_path(omitted: str, path: str) -> None:
    result = parse_fail(build_invoice([Line()], omit=[omitted]))
    assert path in [e.path for e in result.errors], [str(e) for e in result.errors]


def test_no_lines_is_an_error() -> None:
    data = build_invoice([Line()])
    start = data.index(b"<cac:InvoiceLine>")
    end = data.index(b"</cac:InvoiceLine>") + len(b"</cac:InvoiceLine>")
    result = parse_fail(data[:start] + data[end:])
    assert any(e.rule == "BR-16" for e in result.errors)


def test_bad_amount_text_is_an_error() -> None:
    data = build_invoice([Line()]).replace(b">100.00</cbc:LineExtensionAmount>", b">1e2</cbc:LineExtensionAmount>")
    result = parse_fail(data)
    assert any(e.field == "cbc:LineExtensionAmount" and "1e2" in e.message for e in result.errors)


def test_errors_are_capped() -> None:
    lines = [Line(period=("2026-13-01", "2026-01-31")) for _ in range(150)]
    result = parse_fail(build_invoice(lines))
    assert len(result.errors) == 100
    assert "stopped" in result.errors[-1].message


def test_large_invoice_streams_correctly() -> None:
    """Enough lines to cross several clean-up batches; every line kept, totals exact."""
    lines = [Line(quantity="1", price=f"{i % 97}.{i % 100:02d}", object_ref=f"070{i:07d}") for i in range(3000)]
    inv = parse_ok(build_invoice(lines))
    assert len(inv.lines) == 3000
    assert [line.position for line in inv.lines] == list(range(1, 3001))
    assert inv.lines[-1].reference == "0700002999"
    assert inv.lines[-1].location == "/Invoice/cac:InvoiceLine[3000]"
    assert sum(line.net_amount for line in inv.lines) == inv.line_total


def test_a_line_after_an_unreadable_one_is_named_by_its_own_place() -> None:
    """The path counts the lines of the file, also those too broken to keep."""
    data = build_invoice([Line(price="1.00"), Line(price="2.00")]).decode()
    net = '<cbc:LineExtensionAmount currencyID="SEK">1.00<'
    data = data.replace(net, net.replace("1.00", "x"))
    data = data.replace('<cbc:PriceAmount currencyID="SEK">2.00<', '<cbc:PriceAmount currencyID="SEK">y<')
    errors = parse_file(data.encode(), "f.xml").errors
    assert [e.path for e in errors] == ["/Invoice/cac:InvoiceLine[1]/cbc:LineExtensionAmount",
                                        "/Invoice/cac:InvoiceLine[2]/cac:Price/cbc:PriceAmount"]
