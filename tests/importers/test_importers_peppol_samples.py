"""The public PEPPOL BIS Billing 3.0 sample invoices, read as the ledger would read them.

The 23 files live outside the project (``shared/samples/peppol``, see its SOURCES.md) and are
never copied in; set ``LEDGER_SAMPLES_DIR`` to the ``samples`` folder when it is elsewhere.
``EXPECTED`` states the outcome per file, so a failure names the file and what changed.
The line count is checked against an independent count of the line elements, and every
file's totals must hang together (lines, document allowances and charges, VAT, payable).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from importers import ParseResult, parse_file

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _samples_dir() -> Path:
    override = os.environ.get("LEDGER_SAMPLES_DIR")
    samples = Path(override) if override else PROJECT_ROOT.parent / "shared" / "samples"
    return samples / "peppol"


@pytest.fixture(scope="module")
def samples() -> Path:
    path = _samples_dir()
    if not path.is_dir():
        pytest.skip(
            f"PEPPOL sample files not found at {path}: set LEDGER_SAMPLES_DIR to the folder that"
            " holds peppol/ to run these"
        )
    return path


@dataclass(frozen=True)
class Expected:
    """What one sample must give. ``rejected`` holds the reason when it must be refused."""

    kind: str  # "invoice" | "credit_note"
    lines: int
    currency: str
    net_total: str
    vat_total: str
    payable: str
    supplier: str | None = None  # organisationsnummer, when Swedish
    warnings: tuple[str, ...] = ()  # rule ids of expected warnings
    rejected: str | None = None


# All 23 parse. None is refused: the two CEN examples declare plain EN 16931 instead of
# PEPPOL (a warning), and ubl-tc434-example2's first line says 2 × 1273.00 = 1273.00
# (PEPPOL-EN16931-R120, a warning in PEPPOL's own current rules); every total adds up.
EXPECTED: dict[str, Expected] = {
    "Allowance-example.xml": Expected("invoice", 3, "EUR", "5900.00", "1225.00", "6125.00"),
    "BIS_Billing_30-DataIT.xml": Expected("invoice", 3, "SEK", "8336.00", "1821.50", "10158.00", "123456-7890"),
    "BIS_Billing_30-Elnat.xml": Expected("invoice", 3, "SEK", "1562.39", "390.60", "1953.00", "567895-6789"),
    "BIS_Billing_30-InomstatligFakturering.xml": Expected(
        "invoice", 1, "SEK", "28250.00", "0.00", "28250.00", "202100-4508"
    ),
    "BIS_Billing_30-Kreditering_(urspr_faktura).xml": Expected(
        "invoice", 2, "SEK", "8668.00", "2167.00", "10000.00", "123456-7890"
    ),
    "BIS_Billing_30-Kreditering_med_kreditnota.xml": Expected(
        "credit_note", 2, "SEK", "-8668.00", "-2167.00", "-10000.00", "123456-7890"
    ),
    "BIS_Billing_30-Kreditering_med_negativ_faktura.xml": Expected(
        "invoice", 2, "SEK", "-8668.00", "-2167.00", "-10000.00", "123456-7890"
    ),
    "BIS_Billing_30-OmvandSkattskyldighet.xml": Expected(
        "invoice", 2, "SEK", "140000.00", "0.00", "140000.00", "012345-6789"
    ),
    "BIS_Billing_30-Rabatter_och_avgifter.xml": Expected(
        "invoice", 2, "SEK", "179680.00", "44920.00", "224600.00", "123456-7890"
    ),
    "BIS_Billing_30-Resor_Taxi.xml": Expected("invoice", 3, "SEK", "707.30", "42.44", "750.00", "556677-8899"),
    "BIS_Billing_30-Telefoni.xml": Expected("invoice", 12, "SEK", "831.02", "207.76", "1039.00", "556677-8899"),
    "BIS_Billing_30-Valutor i faktura.xml": Expected(
        "invoice", 2, "USD", "92000.00", "23000.00", "115000.00", "112233-4455"
    ),
    "CreditNote-Max_content.xml": Expected(
        "credit_note", 2, "SEK", "-10000.00", "-2500.00", "-12500.00", "123456-7890"
    ),
    "CreditNote-Min_content_with_VAT.xml": Expected(
        "credit_note", 1, "SEK", "-400.00", "-100.00", "-500.00", "123451-2345"
    ),
    "Invoice-Max_content.xml": Expected("invoice", 2, "SEK", "10000.00", "2500.00", "12500.00", "123456-7890"),
    "Vat-category-S.xml": Expected("invoice", 3, "EUR", "7000.00", "1550.00", "8550.00"),
    "base-creditnote-correction.xml": Expected("credit_note", 2, "EUR", "-1325.00", "-331.25", "-1656.25"),
    "base-example.xml": Expected("invoice", 2, "EUR", "1325.00", "331.25", "1656.25"),
    "base-negative-inv-correction.xml": Expected("invoice", 2, "EUR", "-1325.00", "-331.25", "-1656.25"),
    "ubl-tc434-creditnote1.xml": Expected(
        "credit_note", 1, "EUR", "-100.11", "0.00", "-100.11", warnings=("PEPPOL-EN16931-R004",)
    ),
    "ubl-tc434-example2.xml": Expected(
        "invoice", 5, "NOK", "1436.50", "365.28", "801.78", warnings=("PEPPOL-EN16931-R120", "PEPPOL-EN16931-R004")
    ),
    "vat-category-E.xml": Expected("invoice", 1, "GBP", "1200.00", "0.00", "1200.00"),
    "vat-category-Z.xml": Expected("invoice", 1, "GBP", "1200.00", "0.00", "1200.00"),
}


def _parse(samples: Path, name: str) -> ParseResult:
    path = samples / name
    assert path.is_file(), f"{name}: sample missing from {samples}"
    return parse_file(path.read_bytes(), name)


def _count_line_elements(data: bytes) -> int:
    """An independent count of InvoiceLine/CreditNoteLine elements (whole-tree parse)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    root = etree.fromstring(data, parser)
    return len(root.xpath("/*/*[local-name()='InvoiceLine' or local-name()='CreditNoteLine']"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample(samples: Path, name: str) -> None:
    expected = EXPECTED[name]
    result = _parse(samples, name)
    if expected.rejected is not None:
        assert not result.ok, f"{name}: should be rejected ({expected.rejected})"
        assert any(expected.rejected in e.message for e in result.errors), [str(e) for e in result.errors]
        return
    assert result.ok, f"{name}: " + "; ".join(str(e) for e in result.errors)
    (inv,) = result.invoices
    assert inv.source == name
    assert inv.document_type == expected.kind, name
    assert inv.currency == expected.currency, name
    assert len(inv.lines) == expected.lines, name
    assert len(inv.lines) == _count_line_elements((samples / name).read_bytes()), name
    assert (str(inv.net_total), str(inv.vat_total), str(inv.payable)) == (
        expected.net_total,
        expected.vat_total,
        expected.payable,
    ), name
    assert inv.supplier.organisation_number == expected.supplier, name
    assert tuple(w.rule for w in result.warnings) == expected.warnings, [str(w) for w in result.warnings]

    # The totals hang together, in the signs the ledger sees.
    assert sum((line.net_amount for line in inv.lines), Decimal(0)) == inv.line_total, name
    assert inv.net_total == inv.line_total - inv.allowance_total + inv.charge_total, name
    assert inv.net_total == inv.line_total + sum((ac.amount for ac in inv.allowances_charges), Decimal(0)), name
    assert inv.gross_total == inv.net_total + inv.vat_total, name
    assert inv.payable == inv.gross_total - inv.prepaid + inv.rounding, name
    if inv.document_type == "credit_note":
        assert inv.net_total <= 0, f"{name}: a credit note must not add cost"
        assert inv.payable <= 0, name
    # Every amount has two decimals, every line points back into the file.
    assert all(line.net_amount.as_tuple().exponent == -2 for line in inv.lines), name
    locations = [line.location for line in inv.lines]
    assert len(set(locations)) == len(locations), name
    tag = (
        "CreditNoteLine"
        if name.startswith(("CreditNote", "base-creditnote", "ubl-tc434-creditnote")) or ("kreditnota" in name)
        else "InvoiceLine"
    )
    assert all(re.fullmatch(rf"/(Invoice|CreditNote)/cac:{tag}\[\d+\]", loc) for loc in locations), locations


def test_every_sample_has_an_expectation(samples: Path) -> None:
    found = {p.name for p in samples.glob("*.xml")}
    assert found == set(EXPECTED), f"new or missing samples: {sorted(found ^ set(EXPECTED))}"


def test_telephony_lines_refer_to_the_phone_number(samples: Path) -> None:
    """BT-18 names the subscription (0765123456); it wins over the line notes.

    One line note holds another number ("Dagens Witz KB, tel 0777-123456": a premium service
    called from the subscription), which is exactly why the document's invoiced object comes
    before the note.
    """
    (inv,) = _parse(samples, "BIS_Billing_30-Telefoni.xml").invoices
    assert len(inv.lines) == 12
    assert inv.document_reference == "0765123456"
    for line in inv.lines:
        assert line.reference is not None
        assert re.sub(r"\D", "", line.reference) == "0765123456", line.location
        assert line.reference_source == "BT-18"
    assert inv.rounding == Decimal("0.22")
    assert inv.accounting_cost == "UserID111, 6081"
    assert {line.unit_code for line in inv.lines} == {"EA", "MIN", "4L"}
    assert all(line.period_start is not None and line.period_end is not None for line in inv.lines)
    # Usage in arrears, the subscription in advance.
    assert inv.lines[-1].item_name == "Abonnemang, förlängning"
    assert inv.lines[-1].period_start is not None and inv.lines[-1].period_start >= inv.issue_date
    assert all(line.period_end is not None and line.period_end < inv.issue_date for line in inv.lines[:-1])
    assert [ac.amount for ac in inv.lines[2].allowances_charges] == [Decimal("-50.00")]


@pytest.mark.parametrize(
    ("original", "correction", "kind"),
    [
        (
            "BIS_Billing_30-Kreditering_(urspr_faktura).xml",
            "BIS_Billing_30-Kreditering_med_kreditnota.xml",
            "credit_note",
        ),
        (
            "BIS_Billing_30-Kreditering_(urspr_faktura).xml",
            "BIS_Billing_30-Kreditering_med_negativ_faktura.xml",
            "invoice",
        ),
        ("base-example.xml", "base-creditnote-correction.xml", "credit_note"),
        ("base-example.xml", "base-negative-inv-correction.xml", "invoice"),
    ],
    ids=["kreditnota", "negativ-faktura", "base-creditnote", "base-negative-invoice"],
)
def test_corrections_net_to_minus_the_original(samples: Path, original: str, correction: str, kind: str) -> None:
    """A credit note and a negative invoice are the same correction; both undo the original."""
    (orig,) = _parse(samples, original).invoices
    (corr,) = _parse(samples, correction).invoices
    assert corr.document_type == kind
    assert corr.net_total == -orig.net_total
    assert corr.vat_total == -orig.vat_total
    assert corr.payable == -orig.payable
    assert [line.net_amount for line in corr.lines] == [-line.net_amount for line in orig.lines]
    if original.startswith("BIS"):
        assert corr.billing_references == (orig.number,)


def test_foreign_currency_sample_reports_both_currencies(samples: Path) -> None:
    (inv,) = _parse(samples, "BIS_Billing_30-Valutor i faktura.xml").invoices
    assert (inv.currency, inv.tax_currency) == ("USD", "SEK")
    assert inv.vat_total_tax_currency is not None and inv.vat_total_tax_currency > 0


def test_line_object_identifier_sample(samples: Path) -> None:
    (inv,) = _parse(samples, "Invoice-Max_content.xml").invoices
    assert [(line.reference, line.reference_source) for line in inv.lines] == [
        ("130-DR35141", "BT-128"),
        ("ABC123", "BT-18"),
    ]
