"""Recording invoices: exactly once, whole, every line tied to its asset — or nothing at all."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from ledger.access.models import Role
from ledger.audit.models import AuditEvent
from ledger.core.categories import Category
from ledger.database import db as _db
from ledger.inventory.models import Handset, Subscription, SubscriptionKind
from ledger.invoices.importing import import_file
from ledger.invoices.models import ImportStatus, Invoice, InvoiceAllowanceCharge, InvoiceImport, InvoiceLine
from ledger.organisation.models import Supplier
from ledger.procurement.models import FrameworkContract, PriceListItem
from tests.factories import SUPPLIER, make_handset, make_subscription, make_supplier, save
from tests.importers.ubl_builder import Line, build_invoice

TABLES = ["invoice_import", "invoice", "invoice_line", "invoice_allowance_charge", "audit_event"]


def row_counts() -> dict[str, int]:
    return {t: _db.session.execute(sa.text(f"SELECT COUNT(*) FROM {t}")).scalar_one() for t in TABLES}


@pytest.fixture
def operator(db, org) -> Supplier:
    """Operatören AB with two mobile numbers, a switchboard extension (7123) and a handset."""
    supplier = make_supplier("Operatören AB", SUPPLIER)
    for number, kind, extension in [("0701234567", SubscriptionKind.MOBILE_VOICE, None),
                                    ("0702345678", SubscriptionKind.MOBILE_VOICE, None),
                                    ("050517123", SubscriptionKind.SWITCHBOARD_EXTENSION, "7123")]:
        make_subscription(org, number, supplier=supplier, kind=kind, start=date(2024, 1, 1), extension=extension,
                          operator_reference=f"AB-{number[-4:]}")
    make_handset(org, "490154203237518", purchase_date=None)
    return supplier


def run(org, data: bytes, name: str = "invoice.xml", **options):
    """Import one file as the upload page does: kept when imported, nothing kept otherwise."""
    outcome = import_file(None, org.organisation, data, name, **options)
    if outcome.status == ImportStatus.IMPORTED:
        save()
    else:
        _db.session.rollback()
    return outcome


def test_peppol_invoice_is_stored_with_lines_matched_and_categorised(db, org, operator) -> None:
    xml = build_invoice([
        Line(name="Jobbmobil månadsavgift", price="149.00", object_ref="070-123 45 67",
             period=("2026-02-01", "2026-02-28")),
        Line(name="Samtal inom Sverige", quantity="100", price="0.49", note="0702345678"),
        Line(name="Anknytning", price="42.00", accounting_cost="7123"),
        Line(name="Mobiltelefon Doro 8100", price="1490.00", properties={"IMEI": "490154203237518"}),
        Line(name="Okänd tjänst", price="10.00", object_ref="0709999999"),
    ], number="F-100", rounding="0.25")
    outcome = run(org, xml)
    assert outcome.status == ImportStatus.IMPORTED, outcome.errors
    assert (outcome.lines, outcome.matched_lines) == (5, 4)
    invoice = db.get(Invoice, outcome.invoice_id)
    assert invoice.net_total == Decimal("1740.00") and invoice.rounding == Decimal("0.25")
    lines = db.scalars(sa.select(InvoiceLine).order_by(InvoiceLine.position)).all()
    assert [ln.reference_source for ln in lines] == ["BT-128", "note", "accounting_cost", "item_property", "BT-128"]
    assert [ln.category for ln in lines] == [Category.SUBSCRIPTION, Category.USAGE, Category.SWITCHBOARD_EXTENSION,
                                             Category.EQUIPMENT, Category.OTHER]
    assert isinstance(lines[0].asset, Subscription) and isinstance(lines[3].asset, Handset)
    assert lines[4].asset_id is None
    assert lines[0].period_start == date(2026, 2, 1)
    assert sum(ln.net_amount for ln in lines) == invoice.net_total
    record = db.scalars(sa.select(InvoiceImport)).one()
    assert record.line_count == 5 and record.format == "peppol" and len(record.sha256) == 64
    assert db.scalars(sa.select(AuditEvent.action)).all() == ["invoice.import"]


def test_document_object_reference_applies_to_lines_without_their_own(db, org, operator) -> None:
    run(org, build_invoice([Line(name="Samtal", object_ref="0702345678"), Line(name="Samtal")],
                           document_ref="0701234567"))
    rows = db.execute(sa.select(InvoiceLine.reference_source, Subscription.number)
                      .join(Subscription, Subscription.id == InvoiceLine.asset_id)
                      .order_by(InvoiceLine.position)).all()
    assert rows == [("BT-128", "+46702345678"), ("BT-18", "+46701234567")]


def test_price_list_item_code_decides_the_category(db, org, operator) -> None:
    contract = FrameworkContract(reference="SKÖ 1", title="Mobil", supplier_id=operator.id,
                                 lead_organisation_id=org.id, start_date=date(2025, 1, 1), end_date=date(2027, 1, 1))
    db.add(contract)
    db.flush()
    db.add(PriceListItem(contract_id=contract.id, item_code="X-1", description="Paket", category=Category.ONE_OFF,
                         unit_price=Decimal("10.00"), unit="st", valid_from=date(2025, 1, 1)))
    save()
    outcome = run(org, build_invoice([Line(name="Abonnemang", price="10.00", seller_item_code="X-1")]))
    assert db.scalars(sa.select(InvoiceLine.category)).one() == Category.ONE_OFF, outcome.errors


def test_same_file_twice_is_a_duplicate_and_changes_nothing(db, org, operator) -> None:
    xml = build_invoice(number="F-1")
    assert run(org, xml).status == ImportStatus.IMPORTED
    before = row_counts()
    again = run(org, xml, name="again.xml")
    assert again.status == ImportStatus.DUPLICATE and "import" in again.message
    assert row_counts() == before


def test_same_invoice_number_and_content_in_another_file_is_a_duplicate(db, org, operator) -> None:
    assert run(org, build_invoice(number="F-1")).status == ImportStatus.IMPORTED
    before = row_counts()
    # Another file (a line worded otherwise, another due date), the same content: a duplicate.
    other = run(org, build_invoice([Line(name="Abonnemang")], number="F-1", due_date="2026-03-10"))
    assert other.status == ImportStatus.DUPLICATE and "F-1" in other.message
    assert row_counts() == before


def test_credit_note_is_negative_and_linked_to_its_invoice(db, org, operator) -> None:
    original = run(org, build_invoice([Line(price="200.00")], number="F-7"))
    credit = run(org, build_invoice([Line(price="200.00")], number="K-7", credit_note=True, billing_refs=["F-7"]))
    assert credit.status == ImportStatus.IMPORTED
    note = db.get(Invoice, credit.invoice_id)
    assert note.net_total == Decimal("-200.00") and note.credited_invoice_id == original.invoice_id
    assert db.scalar(sa.select(sa.func.sum(Invoice.net_total))) == Decimal("0.00")


def test_document_allowances_and_charges_are_kept(db, org, operator) -> None:
    outcome = run(org, build_invoice([Line(price="100.00"), Line(price="300.00")], doc_allowances=["40.00"],
                                     doc_charges=["10.00"]))
    rows = db.scalars(sa.select(InvoiceAllowanceCharge).order_by(InvoiceAllowanceCharge.amount)).all()
    assert [r.amount for r in rows] == [Decimal("-40.00"), Decimal("10.00")]
    assert db.get(Invoice, outcome.invoice_id).net_total == Decimal("370.00")


HOSTILE = {
    "xxe": b'<?xml version="1.0"?><!DOCTYPE i [<!ENTITY x SYSTEM "file:///etc/passwd">]><Invoice>&x;</Invoice>',
    "billion_laughs": b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><l>&b;</l>',
    "external_dtd": b'<?xml version="1.0"?><!DOCTYPE Invoice SYSTEM "http://evil.example/x.dtd"><Invoice/>',
    "truncated": build_invoice()[:-200],
    "wrong_root": b'<?xml version="1.0"?><Order xmlns="urn:x"><ID>1</ID></Order>',
    "totals_off_by_one_ore": build_invoice(totals={"TaxExclusiveAmount": "100.01"}),
    "usd": build_invoice(currency="USD"),
    "unknown_supplier": build_invoice(supplier_orgnr="5569000044"),
}
EXPECTED = {
    "xxe": "DOCTYPE", "billion_laughs": "DOCTYPE", "external_dtd": "DOCTYPE", "truncated": "",
    "wrong_root": "Order", "totals_off_by_one_ore": "BR-CO-1", "usd": "only SEK",
    "unknown_supplier": "unknown supplier 556900-0044",
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_bad_files_are_rejected_clearly_and_leave_every_table_unchanged(db, org, operator, case: str) -> None:
    run(org, build_invoice(number="EXISTING"))
    before = row_counts()
    outcome = run(org, HOSTILE[case], name=f"{case}.xml")
    assert outcome.status == ImportStatus.REJECTED
    assert outcome.errors and EXPECTED[case] in " ".join(e["message"] for e in outcome.errors)
    assert row_counts() == before


def test_oversized_file_is_rejected_before_parsing(db, org, operator) -> None:
    outcome = run(org, build_invoice(), max_bytes=100)
    assert outcome.status == ImportStatus.REJECTED and "over the limit of 100 bytes" in outcome.message
    assert row_counts()["invoice_import"] == 0


CSV_HEADER = "Organisationsnummer;Fakturanummer;Fakturadatum;Nummer;Avgiftstyp;Text;Från;Till;Belopp exkl. moms\n"


def test_csv_specification_in_cp1252_with_decimal_commas(db, org, operator) -> None:
    body = CSV_HEADER + "".join([
        f"{SUPPLIER};C-1;2026-03-01;070-123 45 67;Abonnemang;Månadsavgift Jobbmobil;2026-03-01;2026-03-31;1 149,00\n",
        f"{SUPPLIER};C-1;2026-03-01;0702345678;Trafik;Samtal för äldreomsorgen;2026-02-01;2026-02-28;12,50\n",
        f"{SUPPLIER};C-1;2026-03-01;AB-4567;Trafik;Surf;2026-02-01;2026-02-28;-1,25\n",
    ])
    outcome = run(org, body.encode("cp1252"), name="spec.csv")
    assert outcome.status == ImportStatus.IMPORTED, outcome.errors
    assert outcome.net_total == Decimal("1160.25") and outcome.matched_lines == 3
    invoice = db.get(Invoice, outcome.invoice_id)
    assert invoice.net_total == Decimal("1160.25") and invoice.vat_total == Decimal("290.06")
    texts = db.scalars(sa.select(InvoiceLine.description).order_by(InvoiceLine.position)).all()
    assert texts[1] == "Samtal för äldreomsorgen"


def test_csv_with_a_bad_date_on_row_7_names_the_line_and_stores_nothing(db, org, operator) -> None:
    rows = [f"{SUPPLIER};C-2;2026-03-01;0701234567;Trafik;Samtal;2026-02-01;2026-02-28;1,00\n"] * 5
    rows.append(f"{SUPPLIER};C-2;2026-03-01;0701234567;Trafik;Samtal;2026-02-30;2026-02-28;1,00\n")
    before = row_counts()
    outcome = run(org, (CSV_HEADER + "".join(rows)).encode(), name="bad.csv")
    assert outcome.status == ImportStatus.REJECTED
    error = outcome.errors[0]
    assert error["line"] == 7 and error["field"] == "Från"
    assert row_counts() == before


def test_csv_specification_of_a_peppol_invoice_must_reconcile(db, org, operator) -> None:
    peppol = run(org, build_invoice([Line(name="Mobiltelefoni enligt specifikation", quantity="2", price="100.00")],
                                    number="F-55"))
    assert peppol.status == ImportStatus.IMPORTED
    wrong = (CSV_HEADER + f"{SUPPLIER};F-55;2026-02-01;0701234567;;Jobbmobil;2026-02-01;2026-02-28;100,00\n"
             f"{SUPPLIER};F-55;2026-02-01;0702345678;;Jobbmobil;2026-02-01;2026-02-28;99,99\n")
    before = row_counts()
    rejected = run(org, wrong.encode(), name="spec-wrong.csv")
    assert rejected.status == ImportStatus.REJECTED
    assert "sums to 199.99" in rejected.message and "difference -0.01" in rejected.message
    assert row_counts() == before
    right = wrong.replace("99,99", "100,00")
    attached = run(org, right.encode(), name="spec.csv")
    assert attached.status == ImportStatus.IMPORTED and attached.invoice_ids == [peppol.invoice_id]
    invoice = db.get(Invoice, peppol.invoice_id)
    assert invoice.specification_import_id is not None
    from ledger.invoices.service import allocation_lines

    assert [ln.source for ln in allocation_lines(invoice)] == ["specification", "specification"]
    from ledger.procurement import compliance

    # Compliance reads the specification's lines too, not the summary line without a number.
    assert not compliance.check(org.id, "2026-02", today=date(2026, 3, 1)).of_kind("unmatched_reference")
    assert run(org, right.replace("\n", "\r\n").encode(), name="again.csv").status == ImportStatus.DUPLICATE


def test_api_import_statuses(client, db, org, operator, api_headers) -> None:
    headers = api_headers(Role.FINANCE)
    xml = build_invoice(number="API-1")

    def post(data: bytes, name: str):
        import io

        return client.post("/api/v1/invoices", headers=headers, data={"file": (io.BytesIO(data), name)},
                           content_type="multipart/form-data")

    created = post(xml, "a.xml")
    assert created.status_code == 201 and created.json["status"] == "imported" and created.json["lines"] == 1
    assert created.json["net_total"] == "100.00"
    duplicate = post(xml, "a.xml")
    assert duplicate.status_code == 409 and duplicate.json["error"]["code"] == "conflict"
    invalid = post(build_invoice(number="API-2", totals={"LineExtensionAmount": "99.99"}), "b.xml")
    assert invalid.status_code == 422 and "BR-CO-10" in invalid.json["error"]["message"]
    assert invalid.json["error"]["details"][0]["rule"] == "BR-CO-10"
    listed = client.get("/api/v1/invoices", headers=headers).json
    assert [i["number"] for i in listed] == ["API-1"]
    detail = client.get(f"/api/v1/invoices/{listed[0]['id']}", headers=headers).json
    assert detail["lines"][0]["net_amount"] == "100.00"


def test_api_import_over_the_size_limit_is_413(app, client, db, org, operator, api_headers) -> None:
    import io

    headers = api_headers(Role.FINANCE)
    limit = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 2000
    try:
        response = client.post("/api/v1/invoices", headers=headers, content_type="multipart/form-data",
                               data={"file": (io.BytesIO(b"x" * 5000), "big.xml")})
    finally:
        app.config["MAX_CONTENT_LENGTH"] = limit
    assert response.status_code == 413 and response.json["error"]["code"] == "too_large"


@pytest.mark.parametrize("role", [Role.DEPARTMENT, Role.PROCUREMENT, Role.AUDITOR, Role.ADMIN])
def test_only_finance_may_import(client, db, org, operator, api_headers, role: Role) -> None:
    import io

    headers = api_headers(role, ["3110"] if role == Role.DEPARTMENT else [])
    response = client.post("/api/v1/invoices", headers=headers, content_type="multipart/form-data",
                           data={"file": (io.BytesIO(build_invoice()), "a.xml")})
    assert response.status_code == 403
