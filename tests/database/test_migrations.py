"""The Alembic migrations build the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import downgrade, upgrade

from ledger.database import db
from tests.conftest import empty_all_tables, engine_name

MIGRATIONS = "migrations"


def _table_names() -> set[str]:
    return set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}


def _schema_diff() -> list[object]:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_upgraded_schema_matches_the_models(app: Flask) -> None:
    with app.app_context():
        assert _table_names() == {t.name for t in db.metadata.sorted_tables}
        assert _schema_diff() == []


def test_downgrade_to_empty_and_upgrade_again(app: Flask) -> None:
    with app.app_context():
        downgrade(revision="base")
        assert _table_names() == set()
        upgrade()
        assert _table_names() == {t.name for t in db.metadata.sorted_tables}


def test_money_columns_are_whole_ore(app: Flask) -> None:
    with app.app_context():
        columns = {c["name"]: c["type"] for c in sa.inspect(db.engine).get_columns("invoice_line")}
        assert isinstance(columns["net_amount_ore"], sa.BigInteger), engine_name()


# -- 0002: subscriptions and handsets become one asset table -----------------------------------

SUB_ONE, SUB_TWO = "+46701000001", "+46701000002"
#: Two handsets; the second one's id is the first one's id after the move (largest subscription id + 1),
#: so the renumbering must not meet an old id on the way.
HANDSETS = {1: "490154203237518", 3: "353320110000010"}


def _reflected(conn: sa.Connection) -> dict[str, sa.Table]:
    metadata = sa.MetaData()
    metadata.reflect(bind=conn)
    return dict(metadata.tables)


def _insert(conn: sa.Connection, table: sa.Table, **values: object) -> int:
    return conn.execute(table.insert().returning(table.c.id), values).scalar_one()


def _old_ledger(conn: sa.Connection) -> dict[str, int]:
    """A small ledger in the 0001 schema: ids of what the checks look up."""
    t = _reflected(conn)
    now = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
    org = _insert(conn, t["organisation"], name="Karlsborgs kommun", organisation_number="212000-1629",
                  keeps_ledger=True)
    admin = _insert(conn, t["administration"], organisation_id=org, code="BUF", name="Barn och utbildning")
    units = {ansvar: _insert(conn, t["budget_unit"], organisation_id=org, administration_id=admin, ansvar=ansvar,
                             name=f"Enhet {ansvar}", fee_funded=False, carries_switchboard=False,
                             opened_on=date(2020, 1, 1)) for ansvar in ("3110", "3140")}
    supplier = _insert(conn, t["supplier"], name="Operatören AB", organisation_number="556900-0010", created_at=now)
    contract = _insert(conn, t["framework_contract"], reference="SKÖ 2024/1", title="Mobila tjänster",
                       supplier_id=supplier, lead_organisation_id=org, start_date=date(2024, 1, 1),
                       end_date=date(2027, 12, 31), notice_months=6, status="signed")
    for handset_id, imei in HANDSETS.items():
        conn.execute(t["handset"].insert(), {
            "id": handset_id, "organisation_id": org, "imei": imei, "model": "Doro 8100", "shared": False,
            "mdm_enrolled": True, "status": "in_use", "contract_id": contract if handset_id == 1 else None})
    subscription = {"organisation_id": org, "kind": "mobile_voice", "supplier_id": supplier,
                    "start_date": date(2025, 1, 1)}
    conn.execute(t["subscription"].insert(), [
        {**subscription, "id": 1, "number": SUB_ONE, "contract_id": contract, "handset_id": None},
        {**subscription, "id": 2, "number": SUB_TWO, "contract_id": None, "handset_id": 3},
    ])
    assignment = {"organisation_id": org, "created_at": now}
    conn.execute(t["assignment"].insert(), [
        {**assignment, "subscription_id": 1, "handset_id": None, "unit_id": units["3110"],
         "valid_from": date(2025, 1, 1), "valid_to": date(2026, 3, 1)},
        {**assignment, "subscription_id": 1, "handset_id": None, "unit_id": units["3140"],
         "valid_from": date(2026, 3, 1), "valid_to": None},
        {**assignment, "subscription_id": 2, "handset_id": None, "unit_id": units["3140"],
         "valid_from": date(2025, 1, 1), "valid_to": None},
        {**assignment, "subscription_id": None, "handset_id": 1, "unit_id": units["3110"],
         "valid_from": date(2025, 1, 1), "valid_to": None},
        {**assignment, "subscription_id": None, "handset_id": 3, "unit_id": units["3140"],
         "valid_from": date(2025, 2, 1), "valid_to": None},
    ])
    _insert(conn, t["assignment_request"], organisation_id=org, subscription_id=None, handset_id=3,
            from_unit_id=units["3140"], to_unit_id=units["3110"], valid_from=date(2026, 4, 1), status="requested",
            requested_at=now)
    imported = _insert(conn, t["invoice_import"], organisation_id=org, file_name="mars.xml", sha256="0" * 64,
                       format="peppol", status="imported", invoice_count=1, line_count=4, result={},
                       imported_at=now)
    invoice = _insert(conn, t["invoice"], organisation_id=org, import_id=imported, supplier_id=supplier,
                      document_type="invoice", type_code="380", number="F-1", issue_date=date(2026, 3, 5),
                      currency="SEK", line_total_ore=60000, allowance_total_ore=0, charge_total_ore=0,
                      net_total_ore=60000, vat_total_ore=15000, rounding_ore=0, payable_ore=75000)
    line = {"organisation_id": org, "invoice_id": invoice, "source": "document", "category": "subscription",
            "net_amount_ore": 15000}
    conn.execute(t["invoice_line"].insert(), [
        {**line, "position": 1, "reference": SUB_ONE, "subscription_id": 1, "handset_id": None},
        {**line, "position": 2, "reference": SUB_TWO, "subscription_id": 2, "handset_id": None},
        {**line, "position": 3, "reference": HANDSETS[1], "subscription_id": None, "handset_id": 1,
         "category": "equipment"},
        {**line, "position": 4, "reference": HANDSETS[3], "subscription_id": None, "handset_id": 3,
         "category": "equipment"},
        {**line, "position": 5, "reference": "070-174 06 99", "subscription_id": None, "handset_id": None},
    ])
    return {"organisation": org, "contract": contract, "invoice": invoice}


EXPECTED_ASSIGNMENTS = {
    (SUB_ONE, "3110", date(2025, 1, 1), date(2026, 3, 1)), (SUB_ONE, "3140", date(2026, 3, 1), None),
    (SUB_TWO, "3140", date(2025, 1, 1), None), (f"IMEI {HANDSETS[1]}", "3110", date(2025, 1, 1), None),
    (f"IMEI {HANDSETS[3]}", "3140", date(2025, 2, 1), None),
}
EXPECTED_LINES = {1: SUB_ONE, 2: SUB_TWO, 3: f"IMEI {HANDSETS[1]}", 4: f"IMEI {HANDSETS[3]}", 5: None}


def _check_assets(ids: dict[str, int]) -> None:
    """At head, through the models: every row refers to the asset it referred to before."""
    from ledger.inventory.models import Asset, Assignment, AssignmentRequest, Handset, Subscription
    from ledger.invoices.models import InvoiceLine

    session = db.session
    assets = {a.describe(): a for a in session.scalars(sa.select(Asset))}
    assert set(assets) == {SUB_ONE, SUB_TWO, *(f"IMEI {imei}" for imei in HANDSETS.values())}
    one, two = assets[SUB_ONE], assets[SUB_TWO]
    assert isinstance(one, Subscription) and isinstance(two, Subscription)
    assert (one.id, two.id) == (1, 2)  # subscriptions keep their ids
    handsets = {h.imei: h for h in session.scalars(sa.select(Handset))}
    assert {h.id for h in handsets.values()} == {3, 5}  # after the largest subscription id, order kept
    assert handsets[HANDSETS[1]].id == 3 and handsets[HANDSETS[3]].id == 5
    assert all(a.organisation_id == ids["organisation"] for a in assets.values())
    assert (one.contract_id, two.contract_id) == (ids["contract"], None)
    assert handsets[HANDSETS[1]].contract_id == ids["contract"] and handsets[HANDSETS[3]].contract_id is None
    assert one.kind.value == "mobile_voice" and handsets[HANDSETS[3]].model == "Doro 8100"
    assert one.handset_id is None and two.handset_id == handsets[HANDSETS[3]].id  # the SIM's handset followed it
    rows = session.scalars(sa.select(Assignment))
    assert {(a.asset.describe(), a.unit.ansvar, a.valid_from, a.valid_to) for a in rows} == EXPECTED_ASSIGNMENTS
    request = session.scalars(sa.select(AssignmentRequest)).one()
    assert request.asset.describe() == f"IMEI {HANDSETS[3]}"
    lines = session.scalars(sa.select(InvoiceLine).where(InvoiceLine.invoice_id == ids["invoice"]))
    assert {line.position: line.asset.describe() if line.asset else None for line in lines} == EXPECTED_LINES
    # A new asset gets an id after every old one (PostgreSQL: the sequence was moved on).
    new = Handset(organisation_id=ids["organisation"], imei="353320110000028", model="Doro 8100")
    session.add(new)
    session.flush()
    assert new.id > 5
    session.rollback()


def _check_old_columns(conn: sa.Connection) -> None:
    """Back at 0001: the two columns hold the data again; handsets keep their new ids."""
    def by_id(table: str, key: str) -> dict[int, str]:
        return dict(conn.execute(sa.text(f"SELECT id, {key} FROM {table}")).tuples().all())

    numbers, imeis = by_id("subscription", "number"), by_id("handset", "imei")
    assert numbers == {1: SUB_ONE, 2: SUB_TWO}
    assert imeis == {3: HANDSETS[1], 5: HANDSETS[3]}

    def asset(subscription_id: int | None, handset_id: int | None) -> str | None:
        assert subscription_id is None or handset_id is None
        if subscription_id is not None:
            return numbers[subscription_id]
        return f"IMEI {imeis[handset_id]}" if handset_id is not None else None

    assert conn.execute(sa.text("SELECT handset_id FROM subscription ORDER BY id")).scalars().all() == [None, 5]
    assert conn.execute(sa.text("SELECT COUNT(*) FROM subscription WHERE organisation_id IS NULL "
                                "OR (id = 1 AND contract_id IS NULL)")).scalar_one() == 0
    assert conn.execute(sa.text("SELECT COUNT(*) FROM handset WHERE organisation_id IS NULL "
                                "OR (id = 3 AND contract_id IS NULL) OR (id = 5 AND contract_id IS NOT NULL)"
                                )).scalar_one() == 0
    rows = conn.execute(sa.text(
        "SELECT a.subscription_id, a.handset_id, u.ansvar, a.valid_from, a.valid_to FROM assignment a "
        "JOIN budget_unit u ON u.id = a.unit_id")).all()
    assert {(asset(s, h), ansvar, _day(start), _day(end)) for s, h, ansvar, start, end in rows} == EXPECTED_ASSIGNMENTS
    request = conn.execute(sa.text("SELECT subscription_id, handset_id FROM assignment_request")).one()
    assert asset(*request) == f"IMEI {HANDSETS[3]}"
    lines = conn.execute(sa.text("SELECT position, subscription_id, handset_id FROM invoice_line")).all()
    assert {position: asset(s, h) for position, s, h in lines} == EXPECTED_LINES
    # New rows get ids after the old ones again (PostgreSQL: the sequences are back).
    t = _reflected(conn)
    new = _insert(conn, t["handset"], organisation_id=conn.execute(sa.text("SELECT id FROM organisation")).scalar_one(),
                  imei="353320110000028", model="Doro 8100", shared=False, mdm_enrolled=False, status="in_stock")
    assert new > 5


def _day(value: object) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value  # type: ignore[return-value]


def test_one_asset_table_carries_the_data_over_and_back(app: Flask) -> None:
    with app.app_context():
        downgrade(revision="0001")
        try:
            with db.engine.begin() as conn:
                ids = _old_ledger(conn)
            upgrade()
            assert _schema_diff() == []
            if engine_name() == "sqlite":  # the migration switched enforcement off for its batch copies only
                with db.engine.connect() as conn:
                    assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            _check_assets(ids)
            db.session.remove()  # no open transaction may hold locks while the schema changes
            downgrade(revision="0001")
            with db.engine.begin() as conn:
                _check_old_columns(conn)
                conn.rollback()
        finally:
            db.session.remove()
            upgrade()
            empty_all_tables()


# -- 0017: an invoice line's organisation and invoice lose their foreign keys, and get them back --


def _invoice_line_keys() -> set[str]:
    return {key["referred_table"] for key in sa.inspect(db.engine).get_foreign_keys("invoice_line")}


def test_the_invoice_lines_bulk_filled_keys_go_and_come_back_with_the_lines_kept(db, org) -> None:
    from ledger.allocation.check import check
    from tests.factories import build_month

    build_month(org)
    lines = db.scalar(sa.text("SELECT count(*) FROM invoice_line"))
    assert lines and _invoice_line_keys() == {"asset"}
    db.remove()  # no open transaction may hold locks while the schema changes
    try:
        downgrade(revision="0016")
        assert _invoice_line_keys() == {"asset", "invoice", "organisation"}
        assert db.scalar(sa.text("SELECT count(*) FROM invoice_line")) == lines
        db.remove()
        upgrade()
        assert _invoice_line_keys() == {"asset"} and _schema_diff() == []
        assert db.scalar(sa.text("SELECT count(*) FROM invoice_line")) == lines
        assert check() == []
    finally:
        db.remove()
        upgrade()
