"""``privacy purge``: names of what ended longer ago than the retention period become pseudonyms,
in the register and its audit history, while every figure and every event stays."""

from __future__ import annotations

import json
from datetime import date

import sqlalchemy as sa

from ledger.allocation.models import Balance, JournalEntry
from ledger.audit.models import AuditEvent
from ledger.database import db as database
from ledger.inventory.models import Handset, Subscription
from ledger.invoices.models import Invoice, InvoiceLine
from ledger.privacy import purge
from ledger.privacy.models import PseudonymisedAsset
from ledger.privacy.names import is_pseudonym, pseudonymiser
from tests.conftest import audit_actions, count
from tests.privacy.conftest import ANNA, BERTIL, CURRENT, MANAGER, OLD, TODAY

KEY = "test-secret-key"  # tests/conftest.py's SECRET_KEY


def _rows(model: type) -> list[tuple]:
    table = model.__table__
    return [tuple(row) for row in database.session.execute(sa.select(table).order_by(*table.primary_key.columns))]


def figures() -> dict[str, object]:
    """Every row of the journal, the balances, the invoices and their lines, and the journal's sum."""
    return {"journal": _rows(JournalEntry), "balances": _rows(Balance), "invoices": _rows(Invoice),
            "lines": _rows(InvoiceLine),
            "sum": database.session.scalar(sa.select(sa.func.sum(JournalEntry.amount)))}


def columns(sub: Subscription) -> tuple[str | None, str | None]:
    database.session.expire_all()
    row = database.session.get(Subscription, sub.id)
    return row.holder_name, row.private_use_signed_by


def events_of(kind: str, asset_id: int) -> list[AuditEvent]:
    database.session.expire_all()
    return list(database.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.entity_type == kind, AuditEvent.entity_id == str(asset_id)).order_by(AuditEvent.id)))


def names_in(events: list[AuditEvent]) -> str:
    return json.dumps([[e.before, e.after] for e in events], ensure_ascii=False)


def operator_list_rows() -> dict[str, object]:
    database.session.expire_all()
    (event,) = audit_actions(database.session, "inventory.import")
    return {row["number"]: row["changes"]["holder_name"] for row in event.after["updated"]}


def test_a_subscription_ended_25_months_ago_is_pseudonymised_and_the_figures_stay(app, db, people) -> None:
    runner = app.test_cli_runner()
    before = figures()
    checked = runner.invoke(args=["check"])
    assert checked.exit_code == 0, checked.output
    assert before["journal"] and before["sum"]  # the old subscription's February is booked
    assert any(row.reference == OLD for row in db.scalars(sa.select(InvoiceLine)))
    events_before = count(db, AuditEvent)

    result = runner.invoke(args=["privacy", "purge"])
    assert result.exit_code == 0, result.output
    assert ("2 subscriptions and handsets ended on or before 2024-04-15 (24 months' retention); pseudonymised "
            "1 holder names and 1 private-use signers on 1 subscriptions, 1 managers on 1 handsets, and the names in "
            "3 audit events (2 people)") in result.output

    pseudonym = pseudonymiser(KEY, people.org.id)
    holder, signer = columns(people.old)
    assert holder == signer == pseudonym(ANNA) and is_pseudonym(holder)  # one person, one pseudonym
    assert columns(people.recent) == (BERTIL, None)  # 23 months: kept
    assert columns(people.current) == (ANNA, None)  # still held
    assert db.get(Handset, people.handset.id).reported_to_manager == pseudonym(MANAGER)

    old_events = events_of("subscription", people.old.id) + events_of("handset", people.handset.id)
    assert ANNA not in names_in(old_events) and MANAGER not in names_in(old_events)
    assert pseudonym(ANNA) in names_in(old_events) and pseudonym(MANAGER) in names_in(old_events)
    assert BERTIL in names_in(events_of("subscription", people.recent.id))
    assert operator_list_rows() == {OLD: [None, pseudonym(ANNA)], CURRENT: [None, ANNA]}

    assert figures() == before
    assert runner.invoke(args=["check"]).exit_code == 0
    (recorded,) = audit_actions(db, "privacy.purge")
    assert count(db, AuditEvent) == events_before + 1  # every event stays; one more says what was done
    assert recorded.after["holder_names"] == 1 and recorded.after["audit_events"] == 3
    assert recorded.after["retention_months"] == 24 and recorded.after["ended_by"] == "2024-04-15"
    assert ANNA not in json.dumps(recorded.after, ensure_ascii=False)
    assert count(db, PseudonymisedAsset) == 2


def test_a_second_purge_has_nothing_left_to_do(app, db, people) -> None:
    runner = app.test_cli_runner()
    assert runner.invoke(args=["privacy", "purge"]).exit_code == 0
    again = runner.invoke(args=["privacy", "purge"])
    assert again.exit_code == 0, again.output
    assert "0 subscriptions and handsets ended on or before 2024-04-15" in again.output
    assert len(audit_actions(db, "privacy.purge")) == 1


def test_dry_run_counts_and_changes_nothing(app, db, people) -> None:
    audit_before = [(e.id, e.before, e.after) for e in audit_actions(db)]
    result = app.test_cli_runner().invoke(args=["privacy", "purge", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert ("would pseudonymise 1 holder names and 1 private-use signers on 1 subscriptions, 1 managers on "
            "1 handsets, and the names in 3 audit events (2 people); nothing was changed (--dry-run)") in result.output
    assert columns(people.old) == (ANNA, ANNA)
    db.expire_all()
    assert [(e.id, e.before, e.after) for e in audit_actions(db)] == audit_before
    assert count(db, PseudonymisedAsset) == 0


def test_a_name_written_again_on_a_purged_subscription_is_purged_again(app, db, people) -> None:
    outcome = purge.purge(None, people.org.id, secret_key=KEY, today=TODAY)
    assert outcome.subscriptions == 1
    database.session.commit()
    db.execute(sa.update(Subscription.__table__).where(Subscription.__table__.c.id == people.old.id)
               .values(holder_name="Anna Svensson"))
    database.session.commit()
    again = purge.purge(None, people.org.id, secret_key=KEY, today=TODAY)
    assert (again.assets, again.holder_names, again.signers, again.audit_events) == (1, 1, 0, 0)
    assert columns(people.old)[0] == pseudonymiser(KEY, people.org.id)(ANNA)


def test_the_retention_period_is_a_setting(app, db, people, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "LEDGER_PRIVACY_RETENTION_MONTHS", 22)
    result = app.test_cli_runner().invoke(args=["privacy", "purge", "--dry-run"])
    assert "3 subscriptions and handsets ended on or before 2024-06-15 (22 months' retention)" in result.output
    assert "2 holder names" in result.output


def test_the_cut_off_day(app) -> None:
    assert purge.ended_by(date(2026, 4, 15), 24) == date(2024, 4, 15)
    assert purge.ended_by(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert purge.ended_by(date(2026, 1, 10), 13) == date(2024, 12, 10)
