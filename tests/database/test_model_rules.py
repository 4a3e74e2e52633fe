"""The model's rules: one switchboard carrier, assignments that never overlap, money in whole öre."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ledger.audit.models import AuditEvent
from ledger.core.errors import Conflict, ValidationFailed
from ledger.core.identifiers import imei
from ledger.inventory import assignments
from ledger.inventory.models import Asset, Assignment, Handset, Subscription
from ledger.invoices.models import InvoiceLine
from ledger.organisation import service as units
from ledger.organisation.models import BudgetUnit, Supplier
from tests.factories import Org, make_subscription, make_supplier, save


@pytest.fixture
def supplier(db) -> Supplier:
    return make_supplier("Demotel Mobil AB", "556900-0010")


@pytest.fixture
def subscription(db, org: Org, supplier: Supplier) -> Subscription:
    return make_subscription(org, "070-123 45 67", supplier=supplier, start=date(2024, 1, 1))


def test_database_refuses_a_second_switchboard_carrier(db, org: Org) -> None:
    org.va.carries_switchboard = True
    with pytest.raises(IntegrityError):
        db.flush()


def test_moving_the_switchboard_flag_keeps_exactly_one_carrier(db, org: Org) -> None:
    units.set_switchboard_carrier(None, org.skola)
    save()
    carriers = db.scalars(sa.select(BudgetUnit.ansvar).where(BudgetUnit.carries_switchboard)).all()
    assert carriers == ["3140"]
    assert units.switchboard_carrier(org.id).ansvar == "3140"
    event = db.scalars(sa.select(AuditEvent).where(AuditEvent.action == "unit.switchboard_carrier")).one()
    assert event.before == {"carrier": "1110"} and event.after == {"carrier": "3140"}


def test_move_ends_the_previous_assignment_and_keeps_history(db, org: Org, subscription: Subscription) -> None:
    assignments.add_assignment(None, subscription, org.forskola, date(2024, 1, 1))
    assignments.move(None, subscription, org.skola, date(2026, 3, 15))
    save()
    rows = assignments.assignments_of(subscription)
    assert [(r.unit.ansvar, r.valid_from, r.valid_to) for r in rows] == [
        ("3110", date(2024, 1, 1), date(2026, 3, 15)),
        ("3140", date(2026, 3, 15), None),
    ]
    assert assignments.unit_on(subscription, date(2026, 3, 14)).ansvar == "3110"
    assert assignments.unit_on(subscription, date(2026, 3, 15)).ansvar == "3140"
    assert assignments.unit_on(subscription, date(2023, 12, 31)) is None


@pytest.mark.parametrize(
    ("valid_from", "valid_to"),
    [
        (date(2024, 6, 1), date(2024, 7, 1)),  # inside the open-ended row
        (date(2023, 6, 1), date(2024, 1, 2)),  # overlaps its first day
        (date(2023, 6, 1), None),  # open-ended before it
    ],
)
def test_overlapping_assignments_are_refused(db, org: Org, subscription: Subscription,
                                             valid_from: date, valid_to: date | None) -> None:
    assignments.add_assignment(None, subscription, org.forskola, date(2024, 1, 1))
    with pytest.raises(Conflict, match="already assigned to 3110"):
        assignments.add_assignment(None, subscription, org.skola, valid_from, valid_to)


def test_adjacent_periods_do_not_overlap(db, org: Org, subscription: Subscription) -> None:
    # valid_to is exclusive: a row ending 2024-01-01 and one starting that day touch, not overlap.
    assignments.add_assignment(None, subscription, org.forskola, date(2024, 1, 1))
    assignments.add_assignment(None, subscription, org.skola, date(2023, 1, 1), date(2024, 1, 1))
    save()
    assert len(assignments.assignments_of(subscription)) == 2


def test_move_refused_when_a_later_assignment_exists(db, org: Org, subscription: Subscription) -> None:
    assignments.add_assignment(None, subscription, org.forskola, date(2024, 1, 1), date(2025, 1, 1))
    assignments.add_assignment(None, subscription, org.skola, date(2025, 1, 1))
    with pytest.raises(Conflict, match="already has an assignment from 2025-01-01"):
        assignments.move(None, subscription, org.kansli, date(2024, 6, 1))


def test_assignment_needs_a_forward_range(db, org: Org, subscription: Subscription) -> None:
    with pytest.raises(ValidationFailed, match="must be after"):
        assignments.add_assignment(None, subscription, org.forskola, date(2024, 1, 1), date(2024, 1, 1))


def test_assignment_to_a_closed_unit_is_refused(db, org: Org, subscription: Subscription) -> None:
    org.skola.closed_on = date(2025, 1, 1)
    save(org.skola)
    with pytest.raises(ValidationFailed, match="3140 is closed on 2025-02-01"):
        assignments.add_assignment(None, subscription, org.skola, date(2025, 2, 1))


def test_database_refuses_an_assignment_without_an_asset(db, org: Org, subscription: Subscription) -> None:
    # An assignment names one asset (a subscription or a handset): there is one column for it, and it is required.
    db.add(Assignment(organisation_id=org.id, unit_id=org.forskola.id, valid_from=date(2024, 1, 1)))
    with pytest.raises(IntegrityError):
        db.flush()


def test_a_subscription_and_a_handset_are_two_kinds_of_one_asset(db, org: Org, subscription: Subscription) -> None:
    handset = Handset(organisation_id=org.id, imei=imei("490154203237518"), model="Doro 8100")
    db.add(handset)
    db.flush()
    assert handset.id != subscription.id
    assert {type(a) for a in db.scalars(sa.select(Asset))} == {Subscription, Handset}
    assert (subscription.describe(), handset.describe()) == (subscription.number, "IMEI 490154203237518")
    row = assignments.add_assignment(None, handset, org.forskola, date(2024, 1, 1))
    assert row.asset is handset and handset.assignments == [row]


def test_money_round_trips_exactly_as_whole_ore(db, org: Org, subscription: Subscription) -> None:
    from ledger.invoices.models import DocumentType, ImportStatus, Invoice, InvoiceImport

    imp = InvoiceImport(organisation_id=org.id, file_name="f.xml", sha256="0" * 64, format="peppol",
                        status=ImportStatus.IMPORTED)
    db.add(imp)
    db.flush()
    invoice = Invoice(organisation_id=org.id, import_id=imp.id, supplier_id=subscription.supplier_id,
                      document_type=DocumentType.INVOICE, type_code="380", number="1", issue_date=date(2026, 1, 1),
                      currency="SEK", line_total=Decimal("0.30"), net_total=Decimal("0.30"),
                      vat_total=Decimal("0.08"), payable=Decimal("0.38"))
    db.add(invoice)
    db.flush()
    for position in range(1, 4):
        db.add(InvoiceLine(organisation_id=org.id, invoice_id=invoice.id, position=position,
                           category="usage", net_amount=Decimal("0.10")))
    save()
    total = db.scalar(sa.select(sa.func.sum(InvoiceLine.net_amount)))
    assert total == Decimal("0.30")  # 0.1 + 0.1 + 0.1 in floats would not be
    raw = db.execute(sa.text("SELECT net_amount_ore FROM invoice_line")).scalars().all()
    assert raw == [10, 10, 10]
