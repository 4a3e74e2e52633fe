"""A CSV specification's lines are staged and stored in one statement: exactly what each line
says, resolved per distinct value, in file order — and nothing, not even the staging tables,
when the file is refused."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from ledger.core.categories import Category
from ledger.database import db as _db
from ledger.inventory.matching import AssetIndex
from ledger.inventory.models import Subscription, SubscriptionKind
from ledger.invoices import staging
from ledger.invoices.importing import import_file
from ledger.invoices.models import ImportStatus, InvoiceLine
from ledger.organisation.models import Supplier
from tests.factories import SUPPLIER, make_contract, make_handset, make_price, make_subscription, make_supplier, save

HEADER = ("Organisationsnummer;Fakturanummer;Fakturadatum;Nummer;Avgiftstyp;Text;Från;Till;Antal;À-pris;"
          "Belopp exkl. moms;Momssats;Artikelnummer;Enhet\n")
IMEI = "490154203237518"
LONG_TEXT = "Samtal " + "x" * 400


@pytest.fixture
def operator(db, org) -> Supplier:
    """Operatören AB: two mobile numbers, a switchboard extension (7123), a handset, and a price
    list on which MOB-BAS is a subscription."""
    supplier = make_supplier("Operatören AB", SUPPLIER)
    for number, kind, extension in [("0701234567", SubscriptionKind.MOBILE_VOICE, None),
                                    ("0702345678", SubscriptionKind.MOBILE_VOICE, None),
                                    ("050517123", SubscriptionKind.SWITCHBOARD_EXTENSION, "7123")]:
        make_subscription(org, number, supplier=supplier, kind=kind, start=date(2024, 1, 1), extension=extension,
                          operator_reference=f"AB-{number[-4:]}")
    make_handset(org, IMEI, purchase_date=None)
    make_price(make_contract(org, supplier), "MOB-BAS", category=Category.SUBSCRIPTION)
    return supplier


def _row(number: str, reference: str, charge: str, text: str, quantity: str, price: str, amount: str,
         rate: str = "25", code: str = "", unit: str = "", period: tuple[str, str] = ("2026-03-01", "2026-03-31"),
         ) -> str:
    return (f"{SUPPLIER};{number};2026-04-01;{reference};{charge};{text};{period[0]};{period[1]};{quantity};"
            f"{price};{amount};{rate};{code};{unit}\n")


#: Lines that share details and references, and lines that share neither: the same text
#: for a mobile and for the extension (two categories), every way a reference is matched,
#: a number no subscription has, a blank reference, a text over the column's length.
ROWS = [
    _row("S-1", "070-123 45 67", "Abonnemang", "Månadsavgift", "1", "149,00", "149,00", code="MOB-BAS"),
    _row("S-1", "070-123 45 67", "Trafik", "Samtal", "12,5", "0,39", "4,88", unit="MIN"),
    _row("S-1", "7123", "Abonnemang", "Månadsavgift", "1", "149,00", "149,00"),
    _row("S-1", "+46 70 234 56 78", "Trafik", "Samtal", "3", "0,39", "1,17", unit="MIN"),
    _row("S-2", "AB-4567", "Trafik", "Surf", "", "", "-1,25", rate="12", period=("2026-02-01", "2026-02-28")),
    _row("S-2", IMEI, "Utrustning", "Mobiltelefon", "1", "4 995,00", "4 995,00"),
    _row("S-1", "0046702345678", "Trafik", "Samtal", "3", "0,39", "1,17", unit="MIN"),
    _row("S-2", "073-999 99 99", "Trafik", LONG_TEXT, "1", "0,39", "0,39"),
    _row("S-2", "", "Avgift", "Fakturaavgift", "", "", "29,00", period=("", "")),
]


def _expected(org_id: int) -> list[tuple[object, ...]]:
    """What each line of ``ROWS`` is stored as: (invoice number, position, text, item code,
    charge type, category, quantity, unit code, unit price, amount, VAT category and rate,
    period, reference and where it was found, location, what it matched)."""
    march, february = (date(2026, 3, 1), date(2026, 3, 31)), (date(2026, 2, 1), date(2026, 2, 28))

    def asset(identifier: str) -> int:
        return _db.session.execute(sa.text("SELECT id FROM asset WHERE organisation_id = :o AND identifier = :i"),
                                   {"o": org_id, "i": identifier}).scalar_one()

    mobile, other, extension = asset("+46701234567"), asset("+46702345678"), asset("+4650517123")
    handset = asset(IMEI)
    d = Decimal
    return [
        ("S-1", 1, "Månadsavgift", "MOB-BAS", "Abonnemang", Category.SUBSCRIPTION, d("1"), None, d("149"),
         d("149.00"), "S", d("25"), *march, "070-123 45 67", "csv", "line 2", mobile),
        ("S-1", 2, "Samtal", None, "Trafik", Category.USAGE, d("12.5"), "MIN", d("0.39"), d("4.88"), "S", d("25"),
         *march, "070-123 45 67", "csv", "line 3", mobile),
        ("S-1", 3, "Månadsavgift", None, "Abonnemang", Category.SWITCHBOARD_EXTENSION, d("1"), None, d("149"),
         d("149.00"), "S", d("25"), *march, "7123", "csv", "line 4", extension),
        ("S-1", 4, "Samtal", None, "Trafik", Category.USAGE, d("3"), "MIN", d("0.39"), d("1.17"), "S", d("25"),
         *march, "+46 70 234 56 78", "csv", "line 5", other),
        ("S-2", 1, "Surf", None, "Trafik", Category.USAGE, None, None, None, d("-1.25"), "S", d("12"), *february,
         "AB-4567", "csv", "line 6", mobile),
        ("S-2", 2, "Mobiltelefon", None, "Utrustning", Category.EQUIPMENT, d("1"), None, d("4995"), d("4995.00"),
         "S", d("25"), *march, IMEI, "csv", "line 7", handset),
        ("S-1", 5, "Samtal", None, "Trafik", Category.USAGE, d("3"), "MIN", d("0.39"), d("1.17"), "S", d("25"),
         *march, "0046702345678", "csv", "line 8", other),
        ("S-2", 3, LONG_TEXT[:300], None, "Trafik", Category.USAGE, d("1"), None, d("0.39"), d("0.39"), "S",
         d("25"), *march, "073-999 99 99", "csv", "line 9", None),
        ("S-2", 4, "Fakturaavgift", None, "Avgift", Category.OTHER, None, None, None, d("29.00"), "S", d("25"),
         None, None, None, None, "line 10", None),
    ]


def _stored() -> list[tuple[object, ...]]:
    lines = _db.session.scalars(sa.select(InvoiceLine).order_by(InvoiceLine.id)).all()
    return [(ln.invoice.number, ln.position, ln.description, ln.item_code, ln.charge_type, ln.category,
             ln.quantity, ln.unit_code, ln.unit_price, ln.net_amount, ln.vat_category, ln.vat_rate,
             ln.period_start, ln.period_end, ln.reference, ln.reference_source, ln.location, ln.asset_id)
            for ln in lines]


def _numbers(values: list[tuple[object, ...]]) -> list[tuple[object, ...]]:
    """Rows with their numbers compared by value (``Decimal('1') == Decimal('1.0000')``), as
    each engine gives them back at its own scale."""
    return [tuple(float(v) if isinstance(v, Decimal) else v for v in row) for row in values]


@pytest.mark.parametrize(("batch", "memory"), [(staging.BATCH, staging.DETAIL_MEMORY), (2, 1)],
                         ids=["defaults", "tiny batches and memory"])
def test_each_line_is_stored_as_it_says_in_file_order(db, org, operator, monkeypatch, batch: int,
                                                      memory: int) -> None:
    # Tiny batches and a detail memory of one write and forget details between lines: the
    # same rows must come out.
    monkeypatch.setattr(staging, "BATCH", batch)
    monkeypatch.setattr(staging, "DETAIL_MEMORY", memory)
    outcome = import_file(None, org.organisation, (HEADER + "".join(ROWS)).encode(), "spec.csv")
    assert outcome.status == ImportStatus.IMPORTED, outcome.errors
    save()
    assert outcome.lines == len(ROWS) and outcome.matched_lines == 7
    assert _numbers(_stored()) == _numbers(_expected(org.id))


def _staging_tables() -> list[str]:
    if _db.session.connection().dialect.name == "sqlite":
        query = "SELECT name FROM sqlite_temp_master WHERE type = 'table'"
    else:
        query = "SELECT relname FROM pg_class WHERE relnamespace = pg_my_temp_schema() AND relkind = 'r'"
    return sorted(_db.session.execute(sa.text(query)).scalars())


def test_a_row_in_error_after_many_staged_stores_nothing_and_leaves_no_staging_table(db, org, operator,
                                                                                     monkeypatch) -> None:
    monkeypatch.setattr(staging, "BATCH", 2)  # rows already written to the stage when the error comes
    bad = _row("S-1", "0701234567", "Trafik", "Samtal", "1", "0,39", "0,3x")
    outcome = import_file(None, org.organisation, (HEADER + "".join(ROWS) + bad).encode(), "bad.csv")
    assert outcome.status == ImportStatus.REJECTED
    assert [(e["line"], e["field"]) for e in outcome.errors] == [(11, "Belopp exkl. moms")]
    assert _db.session.scalar(sa.select(sa.func.count()).select_from(InvoiceLine)) == 0
    assert _staging_tables() == []


def test_two_specifications_in_one_transaction_each_get_their_own_lines(db, org, operator) -> None:
    first = import_file(None, org.organisation, (HEADER + "".join(ROWS[:4])).encode(), "one.csv")
    second = import_file(None, org.organisation, (HEADER + "".join(ROWS[4:6]).replace("S-2", "S-3")).encode(),
                         "two.csv")
    save()
    assert (first.status, second.status) == (ImportStatus.IMPORTED, ImportStatus.IMPORTED)
    assert [(number, position) for number, position, *_ in _stored()] == [
        ("S-1", 1), ("S-1", 2), ("S-1", 3), ("S-1", 4), ("S-3", 1), ("S-3", 2)]
    assert _staging_tables() == []


@pytest.mark.parametrize("written", ["070-123 45 67", "0701234567", "+46 70 123 45 67", "+46701234567",
                                     "0046701234567", "070 - 123 45 67", "(070) 123 45 67", " 070-1234567 "])
def test_a_number_is_matched_however_it_is_written(db, org, operator, written: str) -> None:
    index = AssetIndex(org.id)
    match = index.match(written)
    subscription = _db.session.scalars(sa.select(Subscription).where(Subscription.number == "+46701234567")).one()
    assert (match.asset_id, match.matched_by) == (subscription.id, "number")


@pytest.mark.parametrize("written", ["073-999 99 99", "+46 73 999 99 99", "070-123 45 6", "AB-9999"])
def test_a_number_no_subscription_has_matches_nothing(db, org, operator, written: str) -> None:
    assert AssetIndex(org.id).match(written).asset_id is None
