"""Operator CSV specifications (the generic layout of INTERFACE.md, and mappings as data)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from importers import ParseResult, iter_rows, parse_file
from importers.csv_spec import CsvRow, MappingError, load_mapping, load_mapping_file, parse_csv
from importers.model import ParsedInvoice

FIXTURES = Path(__file__).resolve().parent / "fixtures"
TODAY = date(2026, 3, 15)
HEADER = (
    "Organisationsnummer;Fakturanummer;Fakturadatum;Nummer;Avgiftstyp;Text;Från;Till;Antal;Belopp exkl. moms;Momssats"
)


def row(
    amount: str = "100,00",
    *,
    invoice: str = "F1",
    number: str = "0701234567",
    text: str = "Jobbmobil",
    start: str = "2026-02-01",
    end: str = "2026-02-28",
    issued: str = "2026-02-01",
    rate: str = "25",
    quantity: str = "1",
    org: str = "556000-0001",
) -> str:
    return f"{org};{invoice};{issued};{number};Abonnemang;{text};{start};{end};{quantity};{amount};{rate}"


def spec(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


def parse(data: bytes, **kwargs: object) -> ParseResult:
    kwargs.setdefault("today", TODAY)
    return parse_file(data, "spec.csv", **kwargs)  # type: ignore[arg-type]


def parse_ok(data: bytes, **kwargs: object) -> list[ParsedInvoice]:
    result = parse(data, **kwargs)
    assert result.ok, "\n".join(str(e) for e in result.errors)
    return result.invoices


def test_fixture_file() -> None:
    result = parse_file((FIXTURES / "spec-generic.csv").read_bytes(), "spec-generic.csv", today=TODAY)
    assert result.ok, result.errors
    assert result.encoding == "utf-8"
    first, second = result.invoices
    assert (first.number, second.number) == ("F-1001", "F-1002")
    assert first.format == "csv" and first.document_type == "invoice" and first.type_code == "380"
    assert first.supplier.organisation_number == "556000-0001"
    assert first.issue_date == date(2026, 2, 1)
    assert first.currency == "SEK"
    assert [line.net_amount for line in first.lines] == [Decimal("149.00"), Decimal("18.38"), Decimal("-5.50")]
    assert first.net_total == first.line_total == Decimal("161.88")
    # VAT per line, half up to öre: 37.25 + 4.595→4.60 + (-1.375→-1.38)
    assert first.vat_total == Decimal("40.47")
    assert first.gross_total == first.payable == Decimal("202.35")
    assert (first.period_start, first.period_end) == (date(2026, 1, 1), date(2026, 2, 28))
    line = first.lines[1]
    assert line.position == 2 and line.line_id == "2"
    assert line.reference == "070-123 45 67" and line.reference_source == "csv"
    assert line.charge_type == "Samtal"
    assert line.item_name == line.description == "Samtal till Åland och övriga världen"
    assert line.quantity == Decimal("37.5")
    assert line.vat_rate == Decimal(25)
    assert line.location == "line 3"
    # The blank line 6 is skipped but still counted: the last row is physical line 7.
    assert [line.location for line in second.lines] == ["line 5", "line 7"]
    assert second.lines[0].net_amount == Decimal("1234.50")
    assert second.lines[1].vat_rate == Decimal(25)  # empty Momssats: the default
    assert second.vat_total == Decimal("308.64")  # 308.625→308.63 + 0.005→0.01


def test_cp1252_with_decimal_commas_and_swedish_letters() -> None:
    data = spec(row("1 234,50", text="Samtal från växeln, åäö ÅÄÖ"), row("-12,5", text="Återbetalning")).decode()
    result = parse(data.encode("cp1252"))
    assert result.ok, result.errors
    assert result.encoding == "cp1252"
    (inv,) = result.invoices
    assert inv.lines[0].item_name == "Samtal från växeln, åäö ÅÄÖ"
    assert inv.lines[1].item_name == "Återbetalning"
    assert inv.net_total == Decimal("1222.00")


def test_declared_encoding_wins() -> None:
    data = spec(row(text="Växel")).decode().encode("iso-8859-1")
    result = parse(data, encoding="iso-8859-1")
    assert result.ok
    assert result.invoices[0].lines[0].item_name == "Växel"


def test_wrongly_declared_encoding_is_an_error() -> None:
    data = spec(row(text="Växel")).decode().encode("cp1252")
    result = parse(data, encoding="utf-8")
    assert not result.ok
    assert "utf-8" in result.errors[0].message


def test_utf8_bom() -> None:
    result = parse(b"\xef\xbb\xbf" + spec(row()))
    assert result.ok, result.errors
    assert result.encoding == "utf-8-sig"
    assert result.invoices[0].supplier.organisation_number == "556000-0001"


def test_utf16_excel_unicode_text_export() -> None:
    data = spec(row(text="Öppningsavgift")).decode().replace(";", "\t").encode("utf-16")
    result = parse(data)
    assert result.ok, result.errors
    assert result.encoding == "utf-16"
    assert result.invoices[0].lines[0].item_name == "Öppningsavgift"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1\u00a0234,50", "1234.50"),
        ("1\u202f234\u202f567,00", "1234567.00"),
        ("1 234,5", "1234.50"),
        ("\u221212,50", "-12.50"),
        ("-0,50", "-0.50"),
        ("12,50-", "-12.50"),
        ("149", "149.00"),
    ],
)
def test_amount_notations(text: str, expected: str) -> None:
    (inv,) = parse_ok(spec(row(text)))
    assert str(inv.lines[0].net_amount) == expected


def test_bad_date_on_row_7_names_line_and_column() -> None:
    rows = [row() for _ in range(5)] + [row(start="2026-02-30")]
    result = parse(spec(*rows))
    assert result.invoices == []
    (error,) = result.errors
    assert error.line == 7
    assert error.field == "Från"
    assert "2026-02-30" in error.message
    assert str(error).startswith("spec.csv:7: Från:")


def test_all_row_errors_are_collected() -> None:
    rows = [row(), row("abc"), row(issued="2026-13-01"), row(), row(end="31/01/2026"), row(invoice="")]
    result = parse(spec(*rows))
    assert [(e.line, e.field) for e in result.errors] == [
        (3, "Belopp exkl. moms"),
        (4, "Fakturadatum"),
        (6, "Till"),
        (7, "Fakturanummer"),
    ]
    assert result.invoices == []


def test_errors_are_capped_at_100() -> None:
    result = parse(spec(*[row("x") for _ in range(500)]))
    assert len(result.errors) == 100
    assert "stopped" in result.errors[-1].message


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"start": "1999-12-31"}, "before 2000-01-01"),
        ({"issued": "2027-03-16"}, "more than a year in the future"),
        ({"start": "2026-03-01", "end": "2026-02-01"}, "after Till"),
    ],
)
def test_dates_out_of_range_or_reversed(kwargs: dict[str, str], fragment: str) -> None:
    result = parse(spec(row(**kwargs)))
    assert not result.ok
    assert fragment in result.errors[0].message
    assert result.errors[0].line == 2


def test_a_year_ahead_is_still_fine() -> None:
    assert parse_ok(spec(row(issued="2027-03-15")))


def test_missing_required_column() -> None:
    header = HEADER.replace(";Belopp exkl. moms", "")
    result = parse(spec("556000-0001;F1;2026-02-01;070;A;T;2026-02-01;2026-02-28;1;25", header=header))
    (error,) = result.errors
    assert (error.line, error.field) == (1, "Belopp exkl. moms")
    assert "missing" in error.message


def test_supplier_column_or_parameter() -> None:
    header = HEADER.replace("Organisationsnummer;", "")
    body = row().split(";", 1)[1]
    result = parse(spec(body, header=header))
    assert [(e.line, e.field) for e in result.errors] == [(1, "Organisationsnummer")]
    (inv,) = parse_ok(spec(body, header=header), supplier="5560000001")
    assert inv.supplier.organisation_number == "556000-0001"


def test_supplier_parameter_contradicting_the_column() -> None:
    result = parse(spec(row()), supplier="556677-8899")
    assert not result.ok
    assert "differs" in result.errors[0].message


def test_bad_supplier_parameter() -> None:
    result = parse(spec(row()), supplier="12345")
    assert not result.ok and result.errors[0].field == "supplier"


def test_one_invoice_per_invoice_number_in_file_order() -> None:
    invoices = parse_ok(spec(row(invoice="B"), row(invoice="A"), row(invoice="B", amount="50,00")))
    assert [inv.number for inv in invoices] == ["B", "A"]
    assert [len(inv.lines) for inv in invoices] == [2, 1]
    assert [line.position for line in invoices[0].lines] == [1, 2]
    assert invoices[0].net_total == Decimal("150.00")


def test_one_invoice_with_two_dates_is_an_error() -> None:
    result = parse(spec(row(), row(issued="2026-02-02")))
    assert not result.ok
    assert "two dates" in result.errors[0].message


def test_more_than_two_decimals_is_an_error() -> None:
    result = parse(spec(row("12,345")))
    assert not result.ok
    assert "two decimals" in result.errors[0].message


def test_vat_rate_variants_and_per_line_rounding() -> None:
    (inv,) = parse_ok(
        spec(row("0,02", rate="25 %"), row("0,02", rate="25,0"), row("10,00", rate="6"), row("5,00", rate="0"))
    )
    assert [line.vat_rate for line in inv.lines] == [Decimal(25), Decimal("25.0"), Decimal(6), Decimal(0)]
    # 0.005 → 0.01 twice (per line, half up), 0.60, 0.00: not 0.04 × 25 % = 0.01 on the sum.
    assert inv.vat_total == Decimal("0.62")


def test_empty_file_and_header_only() -> None:
    assert "empty" in parse(b"").errors[0].message
    assert "empty" in parse(b"\xef\xbb\xbf\r\n").errors[0].message
    result = parse(spec())
    assert not result.ok and "no rows" in result.errors[0].message


def test_comma_separated_with_quoted_amounts() -> None:
    header = HEADER.replace(";", ",")
    line = '556000-0001,F1,2026-02-01,0701234567,Abonnemang,"Jobbmobil, bas",2026-02-01,2026-02-28,1,"1 234,50",25'
    (inv,) = parse_ok(f"{header}\n{line}\n".encode())
    assert inv.lines[0].net_amount == Decimal("1234.50")
    assert inv.lines[0].item_name == "Jobbmobil, bas"


def test_column_names_ignore_case_order_and_spacing() -> None:
    header = "belopp  EXKL. moms;TEXT;från;till;nummer;fakturanummer;FAKTURADATUM;organisationsnummer"
    line = "99,00;Växel;2026-02-01;2026-02-28;0510-123;F9;2026-02-01;5560000001"
    (inv,) = parse_ok(f"{header}\n{line}\n".encode())
    assert inv.lines[0].net_amount == Decimal("99.00")
    assert inv.lines[0].quantity is None
    assert inv.lines[0].vat_rate == Decimal(25)


def test_multiline_quoted_text_keeps_physical_line_numbers() -> None:
    data = spec(row(text='"Jobbmobil\nandra raden"'), row(amount="x"))
    result = parse(data)
    assert [(e.line, e.field) for e in result.errors] == [(4, "Belopp exkl. moms")]


def test_iter_rows_fast_path() -> None:
    reader = iter_rows(spec(row(), row("50,00", number="0709")), "spec.csv", today=TODAY)
    rows = list(reader)
    assert reader.errors == []
    assert reader.encoding == "utf-8"
    assert all(isinstance(r, CsvRow) for r in rows)
    assert [(r.line, r.reference, r.net_amount) for r in rows] == [
        (2, "0701234567", Decimal("100.00")),
        (3, "0709", Decimal("50.00")),
    ]


def test_an_operator_layout_is_a_data_file(tmp_path: Path) -> None:
    """A new layout needs a TOML file, no code: here a Telenor-like column set."""
    (tmp_path / "operator.toml").write_text(
        """
name = "operator"
delimiter = "|"
date_formats = ["%d.%m.%Y"]
default_vat_rate = "25"
[columns.invoice_number]
header = "Fakturanr"
required = true
[columns.invoice_date]
header = "Fakturadato"
required = true
[columns.reference]
header = "Mobilnummer"
[columns.text]
header = "Fakturatekst"
[columns.net_amount]
header = "Netto"
required = true
[columns.vat_rate]
header = "MVA prosent"
""",
        encoding="utf-8",
    )
    mapping = load_mapping_file(tmp_path / "operator.toml")
    data = (
        "Fakturanr|Fakturadato|Mobilnummer|Fakturatekst|Netto|MVA prosent\n77|01.02.2026|+4670123|Abonnement|10,00|25\n"
    )
    result = parse_csv(data.encode(), "op.csv", mapping=mapping, supplier="556000-0001", today=TODAY)
    assert result.ok, result.errors
    (inv,) = result.invoices
    assert inv.issue_date == date(2026, 2, 1)
    assert inv.lines[0].reference == "+4670123"


def test_generic_mapping_ships_as_data() -> None:
    mapping = load_mapping("generic")
    assert mapping.delimiter == ";"
    assert mapping.header_for("net_amount") == "Belopp exkl. moms"
    assert {spec.header for spec in mapping.columns} >= {
        "Organisationsnummer",
        "Fakturanummer",
        "Fakturadatum",
        "Nummer",
        "Avgiftstyp",
        "Text",
        "Från",
        "Till",
        "Antal",
        "Belopp exkl. moms",
        "Momssats",
    }


@pytest.mark.parametrize("name", ["../etc/passwd", "nosuch", "Generic!"])
def test_mapping_names_are_plain_and_known(name: str) -> None:
    with pytest.raises(MappingError):
        load_mapping(name)
    result = parse(spec(row()), mapping=name)
    assert not result.ok and result.errors[0].field == "mapping"


def test_bad_mapping_file(tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text('[columns.colour]\nheader = "Färg"\n', encoding="utf-8")
    with pytest.raises(MappingError, match="unknown field"):
        load_mapping_file(tmp_path / "bad.toml")
