"""Amounts, dates and organisation numbers as invoice files write them."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import FrozenInstanceError, fields
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from importers import detect_format, normalise_amount, normalise_organisation_number
from importers.model import ParsedLine, ParseError, new_parsed_line
from importers.numbers import AmountError, parse_iso_date, parse_xml_decimal


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 234,50", "1234.50"),
        ("1\u00a0234,50", "1234.50"),
        ("1\u202f234,50", "1234.50"),
        ("1\u2009234\u2009567,89", "1234567.89"),
        ("-12,5", "-12.5"),
        ("\u221212,5", "-12.5"),
        ("- 12,5", "-12.5"),
        ("12,50-", "-12.50"),
        ("+3", "3"),
        ("1234.50", "1234.50"),
        (",5", "0.5"),
        ("  42 kr", "42"),
        ("0", "0"),
    ],
)
def test_normalise_amount(text: str, expected: str) -> None:
    value = normalise_amount(text)
    assert value == Decimal(expected)
    assert str(value) == expected


@pytest.mark.parametrize(
    "text", ["", "-", "abc", "12 34", "1,2,3", "1.234,50", "1e5", "NaN", "Infinity", "١٢", "12,5x", "--1", "1_000"]
)
def test_normalise_amount_refuses(text: str) -> None:
    with pytest.raises(AmountError):
        normalise_amount(text)


@given(
    st.decimals(min_value=-(10**12), max_value=10**12, places=2, allow_nan=False, allow_infinity=False),
    st.sampled_from([" ", "\u00a0", "\u202f", ""]),
    st.sampled_from(["-", "\u2212"]),
)
def test_swedish_notation_round_trips(value: Decimal, group: str, minus: str) -> None:
    """Whatever grouping and minus sign a spreadsheet uses, the value comes back exactly."""
    whole, _, fraction = f"{abs(value):.2f}".partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    text = f"{minus if value < 0 else ''}{group.join(groups)},{fraction}"
    assert normalise_amount(text) == value


@pytest.mark.parametrize("text", ["12.50", "-0.10", "+0.10", ".5", "7", " 3.25 "])
def test_xml_decimal(text: str) -> None:
    assert parse_xml_decimal(text) == Decimal(text.strip())


@pytest.mark.parametrize("text", ["", None, "1e3", "NaN", "1,5", "1 000", "1_000", "Infinity"])
def test_xml_decimal_refuses(text: str | None) -> None:
    with pytest.raises(AmountError):
        parse_xml_decimal(text)


def test_iso_dates() -> None:
    assert parse_iso_date("2026-02-28") == date(2026, 2, 28)
    assert parse_iso_date("2026-02-28Z") == date(2026, 2, 28)
    assert parse_iso_date("2026-02-28+01:00") == date(2026, 2, 28)
    for bad in ("2026-02-30", "20260228", "2026-W09-1", "28.02.2026", ""):
        with pytest.raises(ValueError, match="date"):
            parse_iso_date(bad)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5566778899", "556677-8899"),
        ("556677-8899", "556677-8899"),
        ("165566778899", "556677-8899"),
        ("SE556677889901", "556677-8899"),
        ("se 556677-8899 01", "556677-8899"),
        ("123456789", None),
        ("NO123456789MVA", None),
        ("Godkänd för F-skatt", None),
        ("", None),
        (None, None),
    ],
)
def test_organisation_number(text: str | None, expected: str | None) -> None:
    assert normalise_organisation_number(text) == expected


def test_detect_format() -> None:
    assert detect_format(b"\xef\xbb\xbf\n  <?xml version='1.0'?><Invoice/>", "x.csv") == "peppol"
    assert detect_format(b"Fakturanummer;Belopp\n", "x.xml") == "csv"
    assert detect_format(b"", "x.xml") == "peppol"
    assert detect_format(b"", "x.csv") == "csv"


def test_fast_line_constructor_builds_the_same_frozen_record() -> None:
    values = [
        1, "1", "d", "n", "code", "type", Decimal(2), "EA", Decimal("1.5"), Decimal("3.00"), "S",
        Decimal(25), date(2026, 1, 1), date(2026, 1, 31), "0701", "csv", "line 2", (),
    ]  # fmt: skip
    assert len(values) == len(fields(ParsedLine))
    fast = new_parsed_line(*values)
    assert type(fast) is ParsedLine
    assert fast == ParsedLine(*values)
    assert hash(fast) == hash(ParsedLine(*values))
    with pytest.raises(FrozenInstanceError):
        fast.net_amount = Decimal(0)  # type: ignore[misc]


def test_parse_error_one_liner() -> None:
    error = ParseError("spec.csv", 7, None, "Från", "not a valid date: '2026-02-30'")
    assert str(error) == "spec.csv:7: Från: not a valid date: '2026-02-30'"
    xml = ParseError("f.xml", None, "/Invoice/cbc:ID", "cbc:ID", "missing", "BR-02")
    assert str(xml) == "f.xml: /Invoice/cbc:ID: cbc:ID: missing"


def test_importers_stay_pure() -> None:
    """The package knows file formats only: importing it loads no web, database or ledger code."""
    code = (
        "import sys, importers, importers.peppol, importers.csv_spec;"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'flask', 'sqlalchemy', 'ledger', 'reports'});"
        "print(','.join(bad)); sys.exit(1 if bad else 0)"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"importers pulled in: {done.stdout} {done.stderr}"
