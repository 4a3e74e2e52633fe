"""Claims: a supplier's prices above contract claimed, sent, and settled by its credit note."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from ledger.access.models import Role
from ledger.findings import claims, recording
from ledger.findings.models import Claim, ClaimLine, ClaimStatus, Finding, FindingStatus
from ledger.invoices.models import Invoice
from tests.conftest import audit_actions, csrf_token, log_in
from tests.factories import make_user, save
from tests.findings.world import (
    credit_note,
    finding_of,
    form_fields,
    make_world,
    overcharge,
    page_text,
    section,
)


def test_a_price_deviation_claimed_and_credited_by_a_later_credit_note_is_shown_recovered(db, org, client) -> None:
    world = make_world(org)
    overcharge(world, "2026-10", "F-1001")
    log_in(client, make_user(org, Role.FINANCE).username)

    # The compliance page of October records the finding and offers to claim it.
    page = client.get("/compliance?period=2026-10")
    assert page.status_code == 200
    finding = finding_of("price_above_contract")
    assert finding.status == FindingStatus.NEW
    form = form_fields(client, "/compliance?period=2026-10", "/claims")
    assert form["finding_ids"] == str(finding.id) and form["supplier_id"] == str(world.operator.id)
    answer = client.post("/claims", data=form)
    assert answer.status_code == 302
    claim = db.scalars(sa.select(Claim)).one()
    assert (claim.status, claims.total_of(claim), claim.reference) == (ClaimStatus.DRAFT, Decimal("1234.50"),
                                                                       "REK-2026-001")
    assert answer.headers["Location"].endswith(f"/claims/{claim.id}")

    # Sent on 5 November; the operator's credit note of 20 November names invoice F-1001.
    path = f"/claims/{claim.id}"
    sent = client.post(f"{path}/send", data={"csrf_token": csrf_token(client, path), "on": "2026-11-05"})
    assert sent.status_code == 302
    db.expire_all()
    assert db.get(Finding, finding.id).status == FindingStatus.CLAIMED
    outstanding = section(client.get("/compliance?period=2026-10"), "recovery")
    assert "2026 Operatören AB 1 234,50 kr 0,00 kr 0,00 kr 1 234,50 kr" in outstanding

    credit_note(world, "K-2001", "F-1001", "1234.50", "2026-11-20")
    page = client.get("/compliance?period=2026-11")  # recording a month matches the credit note by reference
    db.expire_all()
    claim = db.get(Claim, claim.id)
    assert claim.status == ClaimStatus.CREDITED and claim.recovered == Decimal("1234.50")
    assert claim.credit_note_id == db.scalar(sa.select(Invoice.id).where(Invoice.number == "K-2001"))
    assert db.get(Finding, finding.id).status == FindingStatus.CREDITED
    recovery = section(page, "recovery")
    # Year, supplier, claimed, recovered, not recovered, outstanding
    assert "2026 Operatören AB 1 234,50 kr 1 234,50 kr 0,00 kr 0,00 kr" in recovery
    assert "Reklamerat Återvunnet Ej återvunnet Utestående" in recovery
    assert "återvunnet" in page_text(page).lower()
    credit = audit_actions(db, "claim.credit")
    assert len(credit) == 1 and credit[0].after["matched"] == "by reference" and credit[0].actor_id is None


def test_a_credit_note_issued_before_the_claim_was_sent_or_naming_another_invoice_is_not_matched(db, org) -> None:
    world = make_world(org)
    overcharge(world, "2026-10", "F-1001")
    overcharge(world, "2026-10", "F-1002", item="MOB-SAMTAL", quantity="100", price="0.59")
    recording.record_period(org.id, "2026-10")
    finance = make_user(org, Role.FINANCE)
    claim = claims.prepare(finance, world.operator.id)  # every open price deviation of the supplier
    assert len(claim.lines) == 2 and claims.total_of(claim) == Decimal("1254.50")
    claims.act(finance, claim.id, claims.Action.SEND, on=date(2026, 11, 10))
    save()
    credit_note(world, "K-1", "F-1001", "1234.50", "2026-11-09")  # the day before it was sent
    credit_note(world, "K-2", "F-9999", "1254.50", "2026-11-12")  # an invoice the claim does not hold
    assert claims.match_credit_notes(org.id) == []
    credit_note(world, "K-3", "F-1002", "20.00", "2026-11-12")  # a part: recovered is what it gave back
    (matched,) = claims.match_credit_notes(org.id)
    assert matched.id == claim.id and matched.recovered == Decimal("20.00") and matched.settled_on.day == 12
    save()
    (recovery,) = claims.summary(org.id)
    assert (recovery.claimed, recovery.recovered, recovery.outstanding) == (
        Decimal("1254.50"), Decimal("20.00"), Decimal("0.00"))


def test_a_credit_note_is_linked_by_hand_through_the_api(db, org, client, api_headers) -> None:
    world = make_world(org)
    overcharge(world, "2026-10", "F-1001")
    recording.record_period(org.id, "2026-10")
    headers = api_headers(Role.PROCUREMENT)
    created = client.post("/api/v1/claims", headers=headers, json={"supplier_id": world.operator.id})
    assert created.status_code == 201, created.json
    claim_id = created.json["id"]
    assert created.json["status"] == "draft" and created.json["total"] == "1234.50"
    note = credit_note(world, "K-7", "ingen referens", "1000.00", "2026-11-02")
    early = client.post(f"/api/v1/claims/{claim_id}/credit-note", headers=headers, json={"invoice_id": note})
    assert early.status_code == 409 and "draft" in early.json["error"]["message"]
    sent = client.post(f"/api/v1/claims/{claim_id}/transitions", headers=headers,
                       json={"action": "send", "on": "2026-11-01"})
    assert sent.status_code == 200 and sent.json["status"] == "sent" and sent.json["outstanding"] == "1234.50"
    invoice = db.scalar(sa.select(Invoice.id).where(Invoice.number == "F-1001"))
    wrong = client.post(f"/api/v1/claims/{claim_id}/credit-note", headers=headers, json={"invoice_id": invoice})
    assert wrong.status_code == 422 and wrong.json["error"]["message"] == "Invoice F-1001 is not a credit note"
    linked = client.post(f"/api/v1/claims/{claim_id}/credit-note", headers=headers, json={"invoice_id": note})
    assert linked.status_code == 200, linked.json
    assert (linked.json["status"], linked.json["recovered"], linked.json["credit_note"]) == ("credited", "1000.00",
                                                                                           "K-7")
    summary = client.get("/api/v1/claims/summary", headers=headers).json
    assert summary == [{"year": 2026, "supplier_id": world.operator.id, "supplier": "Operatören AB", "claims": 1,
                        "claimed": "1234.50", "recovered": "1000.00", "not_recovered": "234.50",
                        "outstanding": "0.00"}]
    assert finding_of("price_above_contract").status == FindingStatus.CREDITED


def test_each_line_is_claimed_once_and_a_new_month_goes_to_the_draft(db, org, api_headers, client) -> None:
    world = make_world(org)
    overcharge(world, "2026-10", "F-1001")
    recording.record_period(org.id, "2026-10")
    finance = make_user(org, Role.FINANCE)
    first = claims.prepare(finance, world.operator.id)
    save()
    headers = api_headers(Role.FINANCE)
    again = client.post("/api/v1/claims", headers=headers, json={"supplier_id": world.operator.id})
    assert again.status_code == 409 and "Nothing to claim from Operatören AB" in again.json["error"]["message"]
    overcharge(world, "2026-11", "F-1101", quantity="2")
    recording.record_period(org.id, "2026-11")
    save()
    more = client.post("/api/v1/claims", headers=headers, json={"supplier_id": world.operator.id})
    assert more.status_code == 201 and more.json["id"] == first.id  # the supplier's one claim in preparation
    assert more.json["line_count"] == 2 and more.json["total"] == "1481.40"
    assert db.scalar(sa.select(sa.func.count()).select_from(ClaimLine)) == 2


def test_a_rejected_claim_rejects_its_findings_and_a_written_off_one_writes_them_off(db, org) -> None:
    world = make_world(org)
    overcharge(world, "2026-10", "F-1001")
    overcharge(world, "2026-10", "F-1002", item="MOB-SAMTAL", quantity="100", price="0.59")
    recording.record_period(org.id, "2026-10")
    finance = make_user(org, Role.FINANCE)
    by_item = {f.occurrences[0].params["item_code"]: f for f in db.scalars(sa.select(Finding))
               if f.kind == "price_above_contract"}
    rejected = claims.prepare(finance, world.operator.id, [by_item["MOB-OBG"].id])
    claims.act(finance, rejected.id, "send")
    claims.act(finance, rejected.id, "reject", note="Leverantören bestrider")
    save()
    written = claims.prepare(finance, world.operator.id, [by_item["MOB-SAMTAL"].id])
    claims.act(finance, written.id, "send")
    claims.act(finance, written.id, "write_off")
    save()
    db.expire_all()
    assert by_item["MOB-OBG"].status == FindingStatus.REJECTED
    assert by_item["MOB-SAMTAL"].status == FindingStatus.WRITTEN_OFF
    assert [e.action for e in by_item["MOB-OBG"].events] == ["record", "claim", "reject"]
    assert by_item["MOB-OBG"].events[-1].note == "Leverantören bestrider"
    (recovery,) = claims.summary(org.id)
    assert (recovery.claims, recovery.claimed, recovery.recovered, recovery.not_recovered, recovery.outstanding) == (
        2, Decimal("1254.50"), Decimal("0.00"), Decimal("1254.50"), Decimal("0.00"))


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_claim_pdf_and_csv_hold_the_lines_and_the_total(db, org, client, api_headers, lang: str) -> None:
    import io

    from pypdf import PdfReader

    world = make_world(org)
    overcharge(world, "2026-10", "F-1001")
    overcharge(world, "2026-10", "=HYPERLINK(1)", item="MOB-SAMTAL", quantity="100", price="0.59")
    recording.record_period(org.id, "2026-10")
    claim = claims.prepare(make_user(org, Role.FINANCE), world.operator.id)
    save()
    headers = api_headers(Role.AUDITOR)
    pdf = client.get(f"/api/v1/claims/{claim.id}/pdf?lang={lang}", headers=headers)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages).split())
    assert "REK-2026-001" in text and "F-1001" in text and "=HYPERLINK(1)" in text
    if lang == "sv":
        assert "Reklamation REK-2026-001" in text and "1 254,50 kr" in text and "1 234,50 kr" in text
        assert "223,45 kr" in text and "100,00 kr" in text and "Avtalspris" in text and "Summa 1 254,50 kr" in text
    else:
        assert "Claim REK-2026-001" in text and "Total SEK 1,254.50" in text and "SEK 20.00" in text
    csv = client.get(f"/api/v1/claims/{claim.id}/csv?lang={lang}", headers=headers)
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    rows = [row.split(";") for row in csv.data.decode("utf-8-sig").strip().split("\r\n")]
    assert len(rows) == 4 and rows[-1][-1] == "1254,50"
    by_invoice = {row[1]: row for row in rows[1:-1]}
    assert by_invoice["F-1001"][7:] == ["10", "223,4500", "100,0000", "1234,50"]
    assert by_invoice["'=HYPERLINK(1)"][-1] == "20,00"  # no formula from a supplier's invoice number


def test_the_claim_page_shows_its_lines_and_downloads_and_refuses_what_its_status_does_not_allow(
        db, org, client) -> None:
    world = make_world(org)
    overcharge(world, "2026-10", "F-1001")
    recording.record_period(org.id, "2026-10")
    finance = make_user(org, Role.FINANCE)
    claim = claims.prepare(finance, world.operator.id)
    save()
    log_in(client, finance.username)
    path = f"/claims/{claim.id}"
    page = client.get(path)
    assert page.status_code == 200
    text = page_text(page)
    assert "Reklamation REK-2026-001" in text and "utkast" in text and "1 234,50 kr" in text
    assert f'href="/claims/{claim.id}.pdf"' in page.get_data(as_text=True)
    refused = client.post(f"{path}/reject", data={"csrf_token": csrf_token(client, path)})
    assert refused.status_code == 409
    assert "Reklamation REK-2026-001 är utkast; den kan inte bli avvisad" in page_text(refused)
    pdf = client.get(f"{path}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    csv = client.get(f"{path}.csv")
    assert "1234,50" in csv.data.decode("utf-8-sig")
    discarded = client.post(f"{path}/discard", data={"csrf_token": csrf_token(client, path)})
    assert discarded.status_code == 302 and db.scalar(sa.select(sa.func.count()).select_from(Claim)) == 0
