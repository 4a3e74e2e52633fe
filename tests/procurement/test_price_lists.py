"""Effective-dated price lists: lookup by day, CSV import (supersede, unchanged, all or nothing)."""

from __future__ import annotations

import codecs
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from importers.price_list import parse_price_list
from ledger.audit.models import AuditEvent
from ledger.core.categories import Category
from ledger.core.errors import TooLarge, ValidationFailed
from ledger.procurement import price_lists
from ledger.procurement.models import PriceListItem
from ledger.procurement.price_lists import price_on
from tests.factories import make_contract, make_price, make_supplier

HEADER = "Artikelnummer;Benämning;Kategori;Pris;Enhet\n"


@pytest.fixture
def contract(db, org):
    found = make_contract(org, make_supplier("Demotel Mobil AB"), [Category.SUBSCRIPTION, Category.USAGE],
                          start=date(2025, 1, 1))
    return found


def rows(contract) -> list[tuple[str, Decimal, date, date | None]]:
    from ledger.database import db

    return [(r.item_code, r.unit_price, r.valid_from, r.valid_to) for r in db.session.scalars(
        sa.select(PriceListItem).where(PriceListItem.contract_id == contract.id)
        .order_by(PriceListItem.item_code, PriceListItem.valid_from))]


def upload(contract, text: str, valid_from: date, encoding: str = "utf-8") -> price_lists.PriceImportResult:
    return price_lists.import_price_list(None, contract, text.encode(encoding), "prislista.csv", valid_from)


# --- lookup by day ---------------------------------------------------------------------------


def test_price_versions_resolve_by_day(contract) -> None:
    make_price(contract, "MOB-BAS", "85.00", date(2025, 1, 1), date(2026, 1, 1))
    make_price(contract, "MOB-BAS", "89.00", date(2026, 1, 1))
    assert price_on(contract, "MOB-BAS", date(2024, 12, 31)) is None  # before the first version
    assert price_on(contract, "MOB-BAS", date(2025, 12, 31)).unit_price == Decimal("85.00")  # the day before
    assert price_on(contract, "MOB-BAS", date(2026, 1, 1)).unit_price == Decimal("89.00")  # the day of
    assert price_on(contract, "MOB-BAS", date(2026, 1, 2)).unit_price == Decimal("89.00")  # the day after
    assert price_on(contract.id, "MOB-BAS", date(2030, 1, 1)).unit_price == Decimal("89.00")
    assert price_on(contract, "MOB-OKÄND", date(2026, 1, 1)) is None


def test_an_imported_version_resolves_by_day(contract) -> None:
    upload(contract, HEADER + "MOB-BAS;Bas;Abonnemang;85,00;månad\n", date(2025, 1, 1))
    upload(contract, HEADER + "MOB-BAS;Bas;Abonnemang;89,00;månad\n", date(2026, 3, 15))
    assert [price_on(contract, "MOB-BAS", day).unit_price for day in
            (date(2026, 3, 14), date(2026, 3, 15), date(2026, 3, 16))] == [
        Decimal("85.00"), Decimal("89.00"), Decimal("89.00")]


# --- CSV import ------------------------------------------------------------------------------


def test_a_new_version_supersedes_changed_prices_and_leaves_unchanged_ones(db, contract) -> None:
    first = upload(contract, HEADER + "MOB-BAS;Bas;Abonnemang;85,00;månad\n"
                                      "MOB-DATA;Bredband;Abonnemang;119,00;månad\n"
                                      "MOB-SAMTAL;Samtal;Trafik;0,39;minut\n", date(2025, 1, 1))
    assert (first.added, first.superseded, first.unchanged, len(first.errors), first.stored) == (3, 0, 0, 0, True)
    second = upload(contract, HEADER + "MOB-BAS;Bas;Abonnemang;89,00;månad\n"
                                       "MOB-DATA;Bredband;Abonnemang;119,00;månad\n"
                                       "MOB-SAMTAL;Samtal;Trafik;0,35;minut\n"
                                       "MOB-SIM;Nytt SIM-kort;Engångsavgift;50,00;st\n", date(2026, 1, 1))
    assert (second.added, second.superseded, second.unchanged, len(second.errors)) == (1, 2, 1, 0)
    assert [(r.line, r.item_code, r.outcome) for r in second.rows] == [
        (2, "MOB-BAS", "superseded"), (3, "MOB-DATA", "unchanged"), (4, "MOB-SAMTAL", "superseded"),
        (5, "MOB-SIM", "added")]
    assert rows(contract) == [
        ("MOB-BAS", Decimal("85.00"), date(2025, 1, 1), date(2026, 1, 1)),
        ("MOB-BAS", Decimal("89.00"), date(2026, 1, 1), None),
        ("MOB-DATA", Decimal("119.00"), date(2025, 1, 1), None),  # unchanged: the old row is left alone
        ("MOB-SAMTAL", Decimal("0.39"), date(2025, 1, 1), date(2026, 1, 1)),
        ("MOB-SAMTAL", Decimal("0.35"), date(2026, 1, 1), None),
        ("MOB-SIM", Decimal("50.00"), date(2026, 1, 1), None),
    ]
    event = db.scalars(sa.select(AuditEvent).where(AuditEvent.action == "price_list.import")
                       .order_by(AuditEvent.id)).all()[-1]
    assert event.before["prices"]["MOB-BAS"]["unit_price"] == "85.00"
    assert event.after["prices"]["MOB-BAS"] == {"unit_price": "89.00", "valid_to": None, "outcome": "superseded"}


def test_a_bad_row_stores_nothing_and_every_error_is_reported_with_its_line(db, contract) -> None:
    upload(contract, HEADER + "MOB-BAS;Bas;Abonnemang;85,00;månad\n", date(2025, 1, 1))
    before = rows(contract)
    audit_before = db.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    result = upload(contract, HEADER + "MOB-BAS;Bas;Abonnemang;89,00;månad\n"
                                       "MOB-X;X;Okänd kategori;10,00;st\n"
                                       "MOB-Y;Y;Trafik;-1,00;st\n"
                                       "MOB-Z;Z;Trafik;0,125;st\n"
                                       ";Utan kod;Trafik;1,00;st\n"
                                       "MOB-BAS;Bas igen;Abonnemang;90,00;månad\n"
                                       "MOB-NY;Ny;Trafik;2,00;st\n", date(2026, 1, 1))
    assert result.stored is False
    assert [(e.line, e.field) for e in result.errors] == [
        (3, "category"), (4, "unit_price"), (5, "unit_price"), (6, "item_code"), (7, "item_code")]
    assert (result.added, result.superseded, result.unchanged) == (1, 1, 0)  # what the good rows would have done
    assert rows(contract) == before
    assert db.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == audit_before


def test_a_version_on_a_date_that_already_has_one_is_refused_unless_equal(contract) -> None:
    upload(contract, HEADER + "MOB-BAS;Bas;Abonnemang;85,00;månad\n", date(2025, 1, 1))
    same = upload(contract, HEADER + "MOB-BAS;Bas;Abonnemang;85,00;månad\n", date(2025, 1, 1))
    assert (same.stored, same.unchanged) == (True, 1)
    other = upload(contract, HEADER + "MOB-BAS;Bas;Abonnemang;86,00;månad\n", date(2025, 1, 1))
    assert other.stored is False and "never rewritten" in other.errors[0].message


def test_a_version_between_two_others_ends_where_the_next_begins(contract) -> None:
    upload(contract, HEADER + "MOB-BAS;Bas;Abonnemang;85,00;månad\n", date(2025, 1, 1))
    upload(contract, HEADER + "MOB-BAS;Bas;Abonnemang;89,00;månad\n", date(2026, 1, 1))
    upload(contract, HEADER + "MOB-BAS;Bas;Abonnemang;87,00;månad\n", date(2025, 7, 1))
    assert rows(contract) == [
        ("MOB-BAS", Decimal("85.00"), date(2025, 1, 1), date(2025, 7, 1)),
        ("MOB-BAS", Decimal("87.00"), date(2025, 7, 1), date(2026, 1, 1)),
        ("MOB-BAS", Decimal("89.00"), date(2026, 1, 1), None),
    ]


def test_a_version_before_the_contract_starts_is_refused(contract) -> None:
    with pytest.raises(ValidationFailed):
        upload(contract, HEADER + "MOB-BAS;Bas;Abonnemang;85,00;månad\n", date(2024, 12, 31))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_encodings_are_detected(contract, encoding: str) -> None:
    text = ("ARTIKELNUMMER ; Benämning;kategori;Pris;Enhet;Kommentar\r\n"
            "VX-ANK;Växelanknytning;Växelanknytning;1 042,50;månad;x\r\n")
    data = text.encode(encoding)
    if encoding == "utf-8-sig":
        assert data.startswith(codecs.BOM_UTF8)
    result = price_lists.import_price_list(None, contract, data, "p.csv", date(2025, 1, 1))
    assert result.stored and result.added == 1
    (row,) = contract_rows = rows(contract)
    assert contract_rows and row[:2] == ("VX-ANK", Decimal("1042.50"))
    stored = price_on(contract, "VX-ANK", date(2025, 1, 1))
    assert (stored.description, stored.category, stored.unit) == ("Växelanknytning", Category.SWITCHBOARD_EXTENSION,
                                                                  "månad")


def test_a_file_without_the_columns_is_one_error() -> None:
    parsed = parse_price_list(b"Artikel;Pris\nA;1,00\n", "p.csv")
    assert parsed.rows == () and [(e.line, e.field) for e in parsed.errors] == [(1, "header")]
    assert "Benämning" in parsed.errors[0].message
    assert parse_price_list(b"", "p.csv").errors[0].message == "p.csv is empty"
    assert parse_price_list(HEADER.encode(), "p.csv").errors[0].message == "p.csv has a header but no items"


def test_too_large_a_file_is_refused(contract) -> None:
    with pytest.raises(TooLarge):
        price_lists.import_price_list(None, contract, b"x" * (price_lists.MAX_BYTES + 1), "p.csv", date(2025, 1, 1))


def test_single_item_follows_the_same_rules(contract) -> None:
    result = price_lists.add_price(None, contract, item_code="MOB-BAS", description="Bas", category="subscription",
                                   unit_price=Decimal("85.00"), unit="månad", valid_from=date(2025, 1, 1))
    assert result.added == 1
    result = price_lists.add_price(None, contract, item_code="MOB-BAS", description="Bas", category="subscription",
                                   unit_price=Decimal("85.005"), unit="månad", valid_from=date(2026, 1, 1))
    assert result.stored is False and result.errors[0].field == "unit_price"
