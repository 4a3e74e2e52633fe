"""``demo load``: Karlsborg's demo organisation and its year of invoices, loaded once."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from ledger.access.models import Role, User
from ledger.audit.models import AuditEvent
from ledger.inventory.models import Assignment, Handset, HandsetStatus, Subscription
from ledger.organisation.models import BudgetUnit, Organisation
from ledger.procurement.models import CoverageException, ExceptionStatus, FrameworkContract


def _counts(db) -> dict[str, int]:
    tables = ["organisation", "administration", "budget_unit", "supplier", "framework_contract",
              "price_list_item", "subscription", "handset", "assignment", "budget", "user_account",
              "coverage_exception", "contract_party", "invoice_import", "invoice_line", "journal_entry"]
    return {t: db.execute(sa.text(f"SELECT COUNT(*) FROM {t}")).scalar_one() for t in tables}


def test_demo_load_twice_builds_karlsborg_once(app, db) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    counts = _counts(db)
    second = runner.invoke(args=["demo", "load"])
    assert "Added: nothing (already loaded)" in second.output
    assert _counts(db) == counts
    assert db.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.action == "demo.load")) == 1

    # Karlsborg's 40 units in 5 administrations, and Hjo's small ledger of 3 units in 1.
    assert counts["budget_unit"] == 43 and counts["administration"] == 6
    hjo = db.scalar(sa.select(Organisation).where(Organisation.organisation_number == "212000-1637"))
    assert hjo is not None and hjo.keeps_ledger
    assert db.scalar(sa.select(sa.func.count()).select_from(Subscription)
                     .where(Subscription.organisation_id == hjo.id)) == 18
    assert {u.username for u in db.scalars(sa.select(User).where(User.organisation_id == hjo.id))} == {
        "hjo-admin", "hjo-ekonomi"}
    assert 500 <= counts["subscription"] <= 700
    assert counts["handset"] >= 250
    assert sorted(db.scalars(sa.select(BudgetUnit.name).where(BudgetUnit.carries_switchboard))) == [
        "Kanslienheten", "Kontaktcenter och växel"]  # each municipality's own
    assert sorted(db.scalars(sa.select(BudgetUnit.ansvar).where(BudgetUnit.fee_funded))) == ["2150", "2160"]
    assert {u.role for u in db.scalars(sa.select(User))} == set(Role)
    assert "karlsborg-demo" in first.output
    # realistic inventory: shared phones, lost and stolen handsets, private-use agreements
    assert db.scalar(sa.select(sa.func.count()).select_from(Handset).where(Handset.shared)) >= 3
    statuses = set(db.scalars(sa.select(Handset.status)))
    assert {HandsetStatus.LOST, HandsetStatus.STOLEN, HandsetStatus.IN_STOCK} <= statuses
    assert db.scalar(sa.select(sa.func.count()).select_from(Subscription)
                     .where(Subscription.private_use_reference.is_not(None))) > 10
    exception = db.scalars(sa.select(CoverageException)).one()
    assert exception.area == "Forsvik" and exception.status == ExceptionStatus.APPROVED
    leads = {c.reference: c for c in db.scalars(sa.select(FrameworkContract))}
    assert any(ref.startswith("SKÖ") for ref in leads)


    _assert_assignments_never_overlap_and_some_move_this_year(db)
    # Invoices for the months so far came through the import path and are allocated.
    assert counts["invoice_import"] > 10 and counts["journal_entry"] > counts["invoice_line"] // 2
    assert runner.invoke(args=["check"]).exit_code == 0
    # Two ledgers: a command must be told which (or LEDGER_ORGANISATION).
    assert "Several organisations keep a ledger" in runner.invoke(args=["periods", "status", "2026-01"]).output


def _assert_assignments_never_overlap_and_some_move_this_year(db) -> None:
    a, b = sa.orm.aliased(Assignment), sa.orm.aliased(Assignment)
    overlaps = db.scalar(
        sa.select(sa.func.count()).select_from(a).join(b, sa.and_(
            a.id < b.id,
            a.asset_id == b.asset_id,
            a.valid_from < sa.func.coalesce(b.valid_to, date(9999, 12, 31)),
            b.valid_from < sa.func.coalesce(a.valid_to, date(9999, 12, 31)),
        ))
    )
    assert overlaps == 0
    moved = db.scalar(sa.select(sa.func.count()).select_from(Assignment).where(Assignment.valid_to.is_not(None)))
    assets = _counts(db)["subscription"] + _counts(db)["handset"]
    assert 0.05 * assets < moved < 0.15 * assets
    mid_month = db.scalar(sa.select(sa.func.count()).select_from(Assignment).where(
        Assignment.valid_to.is_not(None), sa.extract("day", Assignment.valid_to) != 1))
    assert mid_month > 0


def test_demo_load_if_empty_leaves_an_existing_ledger_alone(app, db, org) -> None:
    result = app.test_cli_runner().invoke(args=["demo", "load", "--if-empty"])
    assert "already holds a ledger" in result.output
    assert _counts(db)["subscription"] == 0
