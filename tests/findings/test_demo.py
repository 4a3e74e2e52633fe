"""The demo's findings and claims: a claim in each state, findings in several statuses, and the
credit note that settles a claim imported through the real import path and matched by reference."""

from __future__ import annotations

import sqlalchemy as sa

from ledger.findings.models import Claim, ClaimStatus, Finding, FindingStatus
from ledger.invoices.models import DocumentType, ImportStatus, Invoice, InvoiceImport
from tests.conftest import log_in
from tests.every_page import load_demo
from tests.findings.world import section


def test_the_demo_has_a_claim_in_each_state_and_shows_what_was_recovered(app, db) -> None:
    load_demo(app)
    claims = {c.status: c for c in db.scalars(sa.select(Claim))}
    assert set(claims) == set(ClaimStatus)
    statuses = set(db.scalars(sa.select(Finding.status)))
    assert {FindingStatus.NEW, FindingStatus.ACKNOWLEDGED, FindingStatus.CLAIMED, FindingStatus.CREDITED,
            FindingStatus.REJECTED, FindingStatus.WRITTEN_OFF} <= statuses
    credited = claims[ClaimStatus.CREDITED]
    note = db.get(Invoice, credited.credit_note_id)
    assert note.document_type == DocumentType.CREDIT_NOTE and note.credited_invoice_id is not None
    assert db.get(InvoiceImport, note.import_id).status == ImportStatus.IMPORTED  # through the import path
    assert credited.recovered == -note.net_total and credited.sent_on <= note.issue_date
    acknowledged = db.scalars(sa.select(Finding).where(Finding.status == FindingStatus.ACKNOWLEDGED)).one()
    assert acknowledged.kind == "unmatched_reference" and len(acknowledged.occurrences) >= 1
    assert acknowledged.owner_id is not None and acknowledged.note

    client = app.test_client()
    log_in(client, "ekonomi", "karlsborg-demo")
    recovery = section(client.get(f"/compliance?period={acknowledged.last_period}"), "recovery")
    assert "Demotel Mobil AB (demo) " in recovery and "40,00 kr" in recovery
    page = client.get("/claims")
    assert page.status_code == 200 and all(c.reference in page.get_data(as_text=True) for c in claims.values())
