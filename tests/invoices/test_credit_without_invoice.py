"""A credit note whose billing reference names no imported invoice: imported with a warning, and
reported by the compliance check as ``credit_without_invoice`` until the invoice is imported."""

from __future__ import annotations

import io
import json
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from ledger.access.models import Role
from ledger.invoices.importing import import_file
from ledger.invoices.models import ImportStatus, InvoiceImport
from ledger.procurement import compliance
from tests.conftest import csrf_token, log_in
from tests.factories import import_invoice, invoice_operator, line, save
from tests.importers.ubl_builder import build_invoice

TODAY = date(2026, 4, 15)


@pytest.fixture(autouse=True)
def operator(db, org):
    return invoice_operator()


def credit_note(credits: str = "F-404", number: str = "K-7") -> bytes:
    return build_invoice([line("0701234567", "120.00")], number=number, issue_date="2026-03-20", credit_note=True,
                         billing_refs=[credits])


def test_an_unknown_credit_note_imports_with_a_warning_and_a_finding(db, org) -> None:
    outcome = import_file(None, org.organisation, credit_note(), "K-7.xml")
    save()
    assert outcome.status == ImportStatus.IMPORTED
    assert [(w["field"], w["message"]) for w in outcome.warnings] == [(
        "cac:BillingReference", "credit note K-7 credits invoice F-404, which is not imported; it is imported all "
        "the same, and compliance reports it until the invoice is imported")]
    assert outcome.as_dict()["warnings"][0]["path"] == (
        "/CreditNote/cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID")
    assert "F-404" in db.scalars(sa.select(InvoiceImport)).one().result["warnings"][0]  # kept with the import
    found = compliance.check(org.id, "2026-03", today=TODAY).of_kind("credit_without_invoice")
    assert len(found) == 1
    finding = found[0]
    assert finding.amount == Decimal("-120.00") and finding.supplier_name == "Operatören AB"
    assert "credit note K-7" in finding.reason and "invoice F-404" in finding.reason
    assert len(finding.line_ids) == 1
    assert compliance.check(org.id, "2026-03", today=TODAY).counts["credit_without_invoice"] == 1


def test_a_credit_note_for_an_imported_invoice_has_neither(db, org) -> None:
    import_invoice(org, [line("0701234567", "120.00")], number="F-404", issue_date="2026-03-05")
    outcome = import_file(None, org.organisation, credit_note(), "K-7.xml")
    save()
    assert outcome.status == ImportStatus.IMPORTED and outcome.warnings == []
    assert compliance.check(org.id, "2026-03", today=TODAY).of_kind("credit_without_invoice") == ()


def test_the_finding_goes_once_the_invoice_is_imported(db, org) -> None:
    import_file(None, org.organisation, credit_note(), "K-7.xml")
    save()
    assert compliance.check(org.id, "2026-03", today=TODAY).of_kind("credit_without_invoice")
    import_invoice(org, [line("0701234567", "120.00")], number="F-404", issue_date="2026-02-05")
    assert compliance.check(org.id, "2026-03", today=TODAY).of_kind("credit_without_invoice") == ()


def test_the_command_the_api_and_the_page_show_the_warning(app, client, db, org, api_headers, make_user,
                                                          tmp_path) -> None:
    path = tmp_path / "K-7.xml"
    path.write_bytes(credit_note())
    result = app.test_cli_runner().invoke(args=["invoices", "import", str(path)])
    assert result.exit_code == 0 and "warning: cac:BillingReference: credit note K-7 credits" in result.output
    response = client.post("/api/v1/invoices", headers=api_headers(Role.FINANCE), content_type="multipart/form-data",
                           data={"file": (io.BytesIO(credit_note(number="K-8")), "K-8.xml")})
    assert response.status_code == 201 and "K-8" in response.json["warnings"][0]["message"]
    listed = client.get("/api/v1/compliance?period=2026-03", headers=api_headers(Role.FINANCE))
    kinds = [f["kind"] for f in listed.json["findings"]]
    assert kinds.count("credit_without_invoice") == 2, json.dumps(listed.json)[:500]
    log_in(client, make_user(Role.FINANCE).username)
    page = client.post("/invoices", data={"csrf_token": csrf_token(client, "/invoices"), "format": "auto",
                                          "mapping": "generic", "files": (io.BytesIO(credit_note(number="K-9")),
                                                                          "K-9.xml")},
                       content_type="multipart/form-data")
    assert page.status_code == 200
    assert "kreditnota K-9 krediterar faktura F-404, som inte är importerad" in page.get_data(as_text=True)
    findings = client.get("/compliance?period=2026-03")
    assert findings.status_code == 200 and 'id="credit_without_invoice"' in findings.get_data(as_text=True)
