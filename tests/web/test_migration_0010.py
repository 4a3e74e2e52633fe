"""Migration 0010: the journal's English reasons become codes with values, and read the same.

Rows written before it (by the allocation, a reversal, an invoice's replacement) are converted;
a reason written by hand stays as it was; the page then says each in the reader's language and
the English rendering is the sentence the row held. Downgrading writes the sentences back.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import Flask
from flask_migrate import downgrade, upgrade

from ledger.allocation.rules import english_reason, reason_of
from ledger.database import db
from ledger.i18n import said
from tests.conftest import empty_all_tables
from tests.database.raw_rows import NOW, first_import, insert, tables

#: The sentences the code wrote before 0010, and the code and values each becomes.
OLD = {
    "no subscription or handset matches the line's reference": ("no_asset", None),
    "no asset: central switchboard cost": ("no_asset_switchboard", None),
    "share of a document allowance or charge": ("allowance_share", None),
    "14 of 31 days": ("days_of", {"days": 14, "total": 31}),
    "no assignment for 10 of 31 days (2026-03-01 – 2026-03-31)":
        ("no_assignment_days", {"days": 10, "total": 31, "start": "2026-03-01", "end": "2026-03-31"}),
    "written by hand by the auditor": ("written by hand by the auditor", None),
}




def _journal_before_0010(conn: sa.Connection) -> dict[str, int]:
    """An invoice with a line, and journal entries with each kind of sentence, in the old schema."""
    t = tables(conn)
    org, supplier, imported = first_import(conn, t)
    invoice = insert(conn, t["invoice"], organisation_id=org, import_id=imported, supplier_id=supplier,
                      document_type="invoice", type_code="380", number="F-1", issue_date=date(2026, 3, 5),
                      currency="SEK", line_total_ore=100, allowance_total_ore=0, charge_total_ore=0,
                      net_total_ore=100, vat_total_ore=25, rounding_ore=0, payable_ore=125)
    line = insert(conn, t["invoice_line"], organisation_id=org, invoice_id=invoice, source="document", position=1,
                   category="subscription", net_amount_ore=100)

    def entry(reason: str, **values: object) -> int:
        return insert(conn, t["journal_entry"], **{
            "organisation_id": org, "period_id": 1, "run_id": 1, "account": "6420", "amount_ore": 100,
            "rule": "suspense", "reason": reason, "invoice_id": invoice, "invoice_line_id": line,
            "is_correction": False, "created_at": NOW, **values})

    ids = {sentence: entry(sentence) for sentence in OLD}
    first = ids["no subscription or handset matches the line's reference"]
    ids["reversal"] = entry(f"reverses entry {first}", reverses_id=first, amount_ore=-100)
    ids["replaced"] = entry(f"invoice {invoice} replaced by invoice 77: reverses entry {first}", reverses_id=first,
                            amount_ore=-100)
    ids["invoice"] = invoice
    return ids


def test_old_sentences_become_codes_that_read_the_same_and_go_back(app: Flask) -> None:
    with app.app_context():
        db.session.remove()
        downgrade(revision="0009")
        try:
            with db.engine.begin() as conn:
                ids = _journal_before_0010(conn)
            upgrade()
            with db.engine.begin() as conn:
                entry = tables(conn)["journal_entry"]
                rows = {row.id: row for row in conn.execute(
                    sa.select(entry.c.id, entry.c.reason, entry.c.reason_params, entry.c.reverses_id))}
            for sentence, (code, params) in OLD.items():
                row = rows[ids[sentence]]
                assert (row.reason, row.reason_params) == (code, params)
                assert english_reason(row.reason, row.reason_params, row.reverses_id) == sentence
            first = ids["no subscription or handset matches the line's reference"]
            reversal, replaced = rows[ids["reversal"]], rows[ids["replaced"]]
            assert (reversal.reason, reversal.reason_params) == ("reverses", None)
            assert english_reason(reversal.reason, None, reversal.reverses_id) == f"reverses entry {first}"
            assert (replaced.reason, replaced.reason_params) == ("replaced", {"original": ids["invoice"],
                                                                              "reissue": 77})
            with app.test_request_context():  # and a Swedish page says them in Swedish
                gap = rows[ids["no assignment for 10 of 31 days (2026-03-01 – 2026-03-31)"]]
                assert said(*reason_of(gap.reason, gap.reason_params)) == (
                    "ingen placering för 10 av 31 dagar (1 mars 2026 – 31 mars 2026)")
                assert said(*reason_of(replaced.reason, replaced.reason_params, replaced.reverses_id)) == (
                    f"faktura {ids['invoice']} ersatt av faktura 77: återför post {first}")
            downgrade(revision="0009")
            with db.engine.begin() as conn:
                entry = tables(conn)["journal_entry"]
                back = dict(conn.execute(sa.select(entry.c.id, entry.c.reason)).all())
            assert {back[ids[sentence]] for sentence in OLD} == set(OLD)
            assert back[ids["reversal"]] == f"reverses entry {first}"
            assert back[ids["replaced"]] == f"invoice {ids['invoice']} replaced by invoice 77: reverses entry {first}"
        finally:
            db.session.remove()
            upgrade()
            empty_all_tables()
