"""Long lists: a page at a time ("1–50 av 816"), sorted by a column both ways, filtered, and
downloaded as CSV or XLSX holding exactly the filtered rows in the order shown."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from ledger.access.models import Role
from ledger.allocation.engine import allocate
from ledger.audit import service as audit
from ledger.core.categories import Category
from tests.conftest import csrf_token, log_in
from tests.factories import L, make_invoice, make_subscription, make_supplier, save

NBSP = "\u00a0"


def rows_of(page: str, table_id: str | None = None) -> list[list[str]]:
    """The text of each body row's cells of the (first) list table in ``page``."""
    body = page
    if table_id is not None:
        body = page[page.index(f'id="{table_id}"'):]
    body = body[body.index('<table class="list'):]
    body = body[body.index("<tbody>"):body.index("</tbody>")]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    return [[re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in rows]


def csv_rows(response) -> list[list[str]]:
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def xlsx_rows(response) -> list[list[object]]:
    sheet = load_workbook(io.BytesIO(response.get_data()), read_only=True).active
    assert sheet is not None
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def finance(client, make_user):
    user = make_user(Role.FINANCE)
    log_in(client, user.username)
    return user


# -- an invoice of 816 lines -------------------------------------------------------------------


@pytest.fixture
def long_invoice(db, org):
    """816 lines: line n bills 0700 01 7nnn (every third matched to a subscription of the
    preschool) for (n % 97) + 10 kronor; every tenth line is usage, the others subscription fees."""
    supplier = make_supplier("Operatören AB")
    known = {n: make_subscription(org, f"+4670001{7000 + n:04d}", org.forskola, supplier=supplier)
             for n in range(3, 30, 3)}
    lines = [L(net=f"{(n % 97) + 10}.00", reference=f"+4670001{7000 + n:04d}", subscription=known.get(n),
               category=Category.USAGE if n % 10 == 0 else Category.SUBSCRIPTION, description=f"Rad {n}")
             for n in range(1, 817)]
    invoice, _rows = make_invoice(org, supplier, lines, number="F-816")
    return invoice


def test_an_invoice_of_816_lines_is_paged_fifty_at_a_time(client, finance, long_invoice) -> None:
    page = client.get(f"/invoices/{long_invoice.id}").get_data(as_text=True)
    rows = rows_of(page, "lines")
    assert len(rows) == 50 and [r[0] for r in rows[:3]] == ["1", "2", "3"]
    assert "1–50 av 816" in page and "Sida 1 av 17" in page

    last = client.get(f"/invoices/{long_invoice.id}?page=17").get_data(as_text=True)
    assert [r[0] for r in rows_of(last, "lines")] == [str(n) for n in range(801, 817)]
    assert "801–816 av 816" in last and 'rel="next"' not in last and 'rel="prev"' in last

    past_the_end = client.get(f"/invoices/{long_invoice.id}?page=99").get_data(as_text=True)
    assert "801–816 av 816" in past_the_end
    bigger = client.get(f"/invoices/{long_invoice.id}?per_page=200&page=5").get_data(as_text=True)
    assert len(rows_of(bigger, "lines")) == 16 and "801–816 av 816" in bigger
    nonsense = client.get(f"/invoices/{long_invoice.id}?page=-3&per_page=abc&sort=1;drop").get_data(as_text=True)
    assert "1–50 av 816" in nonsense


def test_references_read_as_the_inventory_shows_them(client, finance, long_invoice) -> None:
    rows = rows_of(client.get(f"/invoices/{long_invoice.id}").get_data(as_text=True), "lines")
    assert rows[0][3] == "070-001 70 01"  # not matched: the reference read as a number
    assert rows[2][3] == "070-001 70 03"  # matched: the subscription's number
    assert not any("+46" in r[3] for r in rows)


@pytest.mark.parametrize(("sort", "cell", "key"), [
    ("position", 0, int),
    ("amount", 7, lambda text: Decimal(text.replace(NBSP, "").replace("kr", "").replace(",", "."))),
    ("reference", 3, str),
])
def test_invoice_lines_sort_by_a_column_both_ways(client, finance, long_invoice, sort, cell, key) -> None:
    for direction in ("asc", "desc"):
        page = client.get(f"/invoices/{long_invoice.id}?sort={sort}&dir={direction}&per_page=200")
        values = [key(r[cell]) for r in rows_of(page.get_data(as_text=True), "lines")]
        assert values == sorted(values, reverse=direction == "desc") and len(set(values)) > 1
        expected = "ascending" if direction == "asc" else "descending"
        assert f'aria-sort="{expected}"' in page.get_data(as_text=True)


def test_invoice_lines_filter_and_download_exactly_what_is_shown(client, finance, long_invoice) -> None:
    query = f"/invoices/{long_invoice.id}?matched=yes&sort=amount&dir=desc"
    shown = rows_of(client.get(query).get_data(as_text=True), "lines")
    assert [r[0] for r in shown] == ["27", "24", "21", "18", "15", "12", "9", "6", "3"]

    download = client.get(query + "&format=csv")
    assert download.status_code == 200 and "fakturarader" in download.headers["Content-Disposition"]
    header, *rows = csv_rows(download)
    assert header == ["#", "Text", "Kategori", "Referens", "Hittad i", "Abonnemang eller telefon", "Period",
                      "Periodens slut", "Belopp"]
    assert [r[0] for r in rows] == [r[0] for r in shown]
    assert rows[0][3] == "070-001 70 27" and rows[0][8] == "37,00" and rows[0][6] == "2026-03-01"

    workbook = xlsx_rows(client.get(query + "&format=xlsx"))
    assert workbook[0][0] == "#" and [row[0] for row in workbook[1:]] == [int(r[0]) for r in shown]
    assert workbook[1][8] == 37


def test_a_download_holds_every_page_not_only_the_one_shown(client, finance, long_invoice) -> None:
    _header, *rows = csv_rows(client.get(f"/invoices/{long_invoice.id}?page=3&format=csv"))
    assert len(rows) == 816 and rows[0][0] == "1" and rows[-1][0] == "816"
    assert sum(Decimal(r[8].replace(",", ".")) for r in rows) == long_invoice.net_total


def test_downloads_are_headed_in_the_readers_language(client, finance, long_invoice) -> None:
    client.post("/language", data={"lang": "en", "next": "/", "csrf_token": csrf_token(client, "/")})
    text = client.get(f"/invoices/{long_invoice.id}?per_page=25&format=csv").get_data().decode("utf-8")[1:]
    header, first, *rest = list(csv.reader(io.StringIO(text)))
    assert header[:4] == ["#", "Text", "Category", "Reference"] and header[8] == "Amount"
    assert first[8] == "11.00" and len(rest) == 815
    page = client.get(f"/invoices/{long_invoice.id}").get_data(as_text=True)
    assert "1–50 of 816" in page


# -- the invoices -------------------------------------------------------------------------------


@pytest.fixture
def many_invoices(db, org):
    """58 invoices of two suppliers (Telia the odd ones), one a day from 1 January 2026; every
    fifth a credit note."""
    from ledger.invoices.models import DocumentType

    telia, tele2 = make_supplier("Telia Sverige AB"), make_supplier("Tele2 Sverige AB")
    made = []
    for n in range(58):
        invoice, _ = make_invoice(org, telia if n % 2 else tele2, [L(net=f"{100 + (n * 37) % 500}.00")],
                                  issue_date=date(2026, 1, 1) + timedelta(days=n),
                                  number=f"INV-{n:03d}",
                                  document_type=DocumentType.CREDIT_NOTE if n % 5 == 0 else DocumentType.INVOICE)
        made.append(invoice)
    return made


def test_fifty_eight_invoices_are_paged_and_sorted(client, finance, many_invoices) -> None:
    page = client.get("/invoices").get_data(as_text=True)
    rows = rows_of(page, "invoice-list")
    assert len(rows) == 50 and "1–50 av 58" in page and rows[0][0] == "INV-057"  # newest first
    second = client.get("/invoices?page=2").get_data(as_text=True)
    assert len(rows_of(second, "invoice-list")) == 8 and "51–58 av 58" in second

    by_supplier = rows_of(client.get("/invoices?sort=supplier&per_page=100").get_data(as_text=True), "invoice-list")
    assert [r[1] for r in by_supplier] == ["Tele2 Sverige AB"] * 29 + ["Telia Sverige AB"] * 29
    for direction in ("asc", "desc"):
        amounts = [Decimal(r[4].replace(NBSP, "").replace("kr", "").replace(",", "."))
                   for r in rows_of(client.get(f"/invoices?sort=net&dir={direction}&per_page=100")
                                    .get_data(as_text=True), "invoice-list")]
        assert amounts == sorted(amounts, reverse=direction == "desc") and len(amounts) == 58


@pytest.mark.parametrize(("sort", "key"), [
    ("number", lambda i: i.number), ("supplier", lambda i: i.supplier.name), ("date", lambda i: i.issue_date),
    ("net", lambda i: i.net_total), ("vat", lambda i: i.vat_total)])
@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_invoices_sort_by_each_column_both_ways(client, finance, many_invoices, sort, key, direction) -> None:
    """Rows the column leaves equal keep the order they were imported in, turned round with it."""
    expected = sorted(many_invoices, key=lambda i: (key(i), i.id), reverse=direction == "desc")
    shown = rows_of(client.get(f"/invoices?sort={sort}&dir={direction}&per_page=25&page=2").get_data(as_text=True),
                    "invoice-list")
    assert [r[0] for r in shown] == [i.number for i in expected[25:50]]
    _header, *rows = csv_rows(client.get(f"/invoices?sort={sort}&dir={direction}&format=csv"))
    assert [r[0] for r in rows] == [i.number for i in expected]


def test_invoices_filter_by_type_and_text_and_download_what_is_shown(client, finance, many_invoices) -> None:
    query = "/invoices?type=credit_note&q=tele2&sort=number&dir=desc"
    shown = rows_of(client.get(query).get_data(as_text=True), "invoice-list")
    assert [r[0] for r in shown] == ["INV-050", "INV-040", "INV-030", "INV-020", "INV-010", "INV-000"]
    header, *rows = csv_rows(client.get(query + "&format=csv"))
    assert header == ["Faktura", "Leverantör", "Datum", "Typ", "Netto", "Moms"]
    assert [r[0] for r in rows] == [r[0] for r in shown] and all(r[3] == "kreditnota" for r in rows)
    workbook = xlsx_rows(client.get(query + "&format=xlsx"))
    assert [row[0] for row in workbook[1:]] == [r[0] for r in shown]
    assert workbook[1][2] == datetime(2026, 2, 20)


# -- the inventory and the directory ------------------------------------------------------------


@pytest.fixture
def register(db, org):
    """30 numbers at the preschool (3110) and 12 at VA (2150), with a label each."""
    for n in range(30):
        make_subscription(org, f"070-200 00 {n:02d}", org.forskola, label=f"Förskola {n:02d}")
    for n in range(12):
        make_subscription(org, f"070-300 00 {n:02d}", org.va, label=f"VA {n:02d}")


def test_inventory_pages_sorts_by_unit_and_shows_national_numbers(client, finance, register) -> None:
    page = client.get("/inventory").get_data(as_text=True)
    rows = rows_of(page)
    assert len(rows) == 42 and "1–42 av 42" in page and rows[0][0] == "070-200 00 00"
    small = client.get("/inventory?per_page=25&page=2").get_data(as_text=True)
    assert len(rows_of(small)) == 17 and "26–42 av 42" in small
    for direction, first in (("asc", "2150"), ("desc", "3110")):
        units = [r[2] for r in rows_of(client.get(f"/inventory?sort=unit&dir={direction}").get_data(as_text=True))]
        assert units[0].startswith(first) and units == sorted(units, reverse=direction == "desc")


def test_a_department_users_inventory_download_holds_only_their_units(client, make_user, register) -> None:
    log_in(client, make_user(Role.DEPARTMENT, ["2150"]).username)
    header, *rows = csv_rows(client.get("/inventory?sort=number&dir=desc&format=csv"))
    assert header[:3] == ["Nummer", "Typ", "Enhet"]
    assert [r[0] for r in rows] == [f"070-300 00 {n:02d}" for n in range(11, -1, -1)]
    assert all(r[2] == "2150 VA-verksamheten" for r in rows)


def test_the_directory_pages_sorts_filters_and_downloads_xlsx(client, finance, register) -> None:
    page = client.get("/inventory/directory?per_page=25").get_data(as_text=True)
    assert len(rows_of(page)) == 25 and "1–25 av 42" in page
    by_function = rows_of(client.get("/inventory/directory?sort=function&dir=desc&per_page=100")
                          .get_data(as_text=True))
    assert [r[4] for r in by_function][:2] == ["VA 11", "VA 10"] and by_function[-1][4] == "Förskola 00"
    query = "/inventory/directory?unit=2150&sort=number&dir=desc"
    shown = rows_of(client.get(query).get_data(as_text=True))
    assert len(shown) == 12 and shown[0][0] == "070-300 00 11"
    workbook = xlsx_rows(client.get(query + "&format=xlsx"))
    assert workbook[0][0] == "Nummer" and [row[0] for row in workbook[1:]] == [r[0] for r in shown]


# -- the suspense queue -------------------------------------------------------------------------


@pytest.fixture
def suspense_lines(db, org):
    """March 2026 in suspense: 070-400 00 01 was the preschool's until February (its history
    suggests 3110); 070-999 99 99 the ledger has never seen (no suggestion)."""
    from tests.factories import make_assignment

    operator = make_supplier("Operatören AB")
    former = make_subscription(org, "070-400 00 01", supplier=operator, start=date(2025, 1, 1))
    make_assignment(former, org.forskola, date(2025, 1, 1), date(2026, 2, 28))
    invoice, lines = make_invoice(org, operator, [L(net="99.00", subscription=former, description="Jobbmobil"),
                                                  L(net="80.00", reference="0709999999", description="Okänd")],
                                  issue_date=date(2026, 3, 31), number="S-1")
    allocate(None, org.organisation, "2026-03")
    save()
    return invoice, lines


def test_suspense_selects_no_unit_and_suggests_the_numbers_last_unit(client, finance, suspense_lines) -> None:
    _invoice, (known, unknown) = suspense_lines
    page = client.get("/suspense").get_data(as_text=True)
    assert [r[3] for r in rows_of(page)] == ["070-400 00 01", "070-999 99 99"]
    for line in (known, unknown):
        row = page[page.index(f'id="suspense-{line.id}"'):]
        row = row[:row.index("</tr>")]
        selected = re.findall(r'<option value="([^"]*)" selected>', row)
        assert selected == [""] and "Välj budgetenhet" in row
        assert ("Förslag: 3110 Förskolor centrala Karlsborg" in row) is (line is known)
    assert page.count('name="suggested" value="3110"') == 1


def test_suspense_refuses_an_empty_unit_next_to_the_field(client, finance, suspense_lines) -> None:
    _invoice, (known, _unknown) = suspense_lines
    answer = client.post("/suspense", data={"csrf_token": csrf_token(client, "/suspense"), "line_id": known.id,
                                            "period": "2026-03", "unit": "", "valid_from": "2026-03-01"})
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    row = page[page.index(f'id="suspense-{known.id}"'):]
    assert "Välj den budgetenhet som raden ska konteras på." in row[:row.index("</tr>")]
    assert len(rows_of(page)) == 2  # nothing was booked

    taken = client.post("/suspense", data={"csrf_token": csrf_token(client, "/suspense"), "line_id": known.id,
                                           "period": "2026-03", "unit": "", "suggested": "3110",
                                           "valid_from": "2026-03-01"})
    assert taken.status_code == 302
    assert [r[3] for r in rows_of(client.get("/suspense").get_data(as_text=True))] == ["070-999 99 99"]


def test_suspense_sorts_and_downloads(client, finance, suspense_lines) -> None:
    by_amount = rows_of(client.get("/suspense?sort=amount").get_data(as_text=True))
    assert [r[3] for r in by_amount] == ["070-999 99 99", "070-400 00 01"]
    header, *rows = csv_rows(client.get("/suspense?sort=amount&dir=desc&format=csv"))
    assert header == ["Faktura", "Datum", "Leverantör", "Referens", "Text", "Varför", "Belopp"]
    assert [(r[3], r[6]) for r in rows] == [("070-400 00 01", "99,00"), ("070-999 99 99", "80,00")]


# -- the journal behind a unit's month ----------------------------------------------------------


@pytest.fixture
def preschool_month(db, org):
    """March 2026: 40 numbers of the preschool billed 10 to 49 kronor, 5 of VA."""
    operator = make_supplier("Operatören AB")
    lines = [L(net=f"{10 + n}.00", subscription=make_subscription(org, f"070-600 00 {n:02d}", org.forskola,
                                                                   supplier=operator)) for n in range(40)]
    lines += [L(net="70.00", subscription=make_subscription(org, f"070-700 00 {n:02d}", org.va, supplier=operator))
              for n in range(5)]
    make_invoice(org, operator, lines, issue_date=date(2026, 3, 31), number="J-1")
    allocate(None, org.organisation, "2026-03")
    save()


def test_the_unit_month_pages_sorts_and_downloads_its_own_entries(client, make_user, preschool_month) -> None:
    log_in(client, make_user(Role.DEPARTMENT, ["3110"]).username)
    page = client.get("/units/3110/2026/3?per_page=25").get_data(as_text=True)
    assert len(rows_of(page, "entries")) == 25 and "1–25 av 40" in page and "1\u00a0180,00\u00a0kr" in page
    by_amount = rows_of(client.get("/units/3110/2026/3?sort=amount&dir=desc&per_page=25").get_data(as_text=True),
                        "entries")
    assert by_amount[0][5] == "070-600 00 39" and by_amount[0][7] == "49,00\u00a0kr"
    header, *rows = csv_rows(client.get("/units/3110/2026/3?sort=amount&dir=desc&q=070-600+00+3&format=csv"))
    assert header[0] == "Post" and header[-1] == "Belopp"
    assert [r[6] for r in rows] == [f"070-600 00 {n}" for n in range(39, 29, -1)]
    header, *rows = csv_rows(client.get("/units/3110/2026/3?sort=amount&dir=desc&format=csv"))
    assert len(rows) == 40 and rows[0][6] == "070-600 00 39" and rows[-1][-1] == "10,00"
    assert client.get("/units/2150/2026/3?format=csv").status_code == 403


# -- the audit log and the compliance findings --------------------------------------------------


def test_the_audit_log_sorts_by_actor_and_downloads_the_filter(client, make_user, org) -> None:
    auditor = make_user(Role.AUDITOR, username="revisor")
    for n in range(30):
        audit.record(auditor if n % 3 else None, "assignment.create", "subscription", f"+4670800{n:04d}",
                     after={"unit": "3110"}, organisation_id=org.id)
    save()
    log_in(client, auditor.username)
    page = client.get("/audit?sort=by&per_page=25").get_data(as_text=True)
    assert "1–25 av 31" in page and 'aria-sort="ascending"' in page
    actors = [r[1] for r in rows_of(page)]
    assert actors == sorted(actors)
    header, *rows = csv_rows(client.get("/audit?kind=assignment&sort=object&dir=desc&format=csv"))
    assert header == ["När", "Av", "Vad", "Objekt", "Ändringar"] and len(rows) == 30
    assert [r[3] for r in rows] == sorted((r[3] for r in rows), reverse=True)
    assert rows[0][0].startswith("20") and rows[0][4].endswith("3110")


def test_the_lines_behind_the_findings_page_sort_filter_and_download(client, finance, org) -> None:
    """30 lines of an operator without a contract, each for a number the ledger does not know."""
    supplier = make_supplier("Okontrakterad Mobil AB")
    make_invoice(org, supplier, [L(net=f"{20 + (n * 7) % 30}.00", reference=f"07090000{n:02d}") for n in range(30)],
                 issue_date=date(2026, 3, 20), number="C-1")
    page = client.get("/compliance?period=2026-03&per_page=25").get_data(as_text=True)
    assert "1–25 av 30" in page and len(rows_of(page, "lines")) == 25
    query = "/compliance?period=2026-03&kind=unmatched_reference&sort=amount&dir=desc&per_page=100"
    shown = rows_of(client.get(query).get_data(as_text=True), "lines")
    amounts = [Decimal(r[9].replace(NBSP, "").replace("kr", "").replace(",", ".")) for r in shown]
    assert len(shown) == 30 and amounts == sorted(amounts, reverse=True) and shown[0][5].startswith("070-900 00")
    header, *rows = csv_rows(client.get(query + "&format=csv"))
    assert header[0] == "Faktura" and header[-1] == "Avvikelser"
    assert [r[5] for r in rows] == [r[5] for r in shown] and "Referensen motsvarar ingenting" in rows[0][-1]
    only_some = rows_of(client.get("/compliance?period=2026-03&q=070-900+00+1").get_data(as_text=True), "lines")
    assert {r[5] for r in only_some} == {f"070-900 00 1{n}" for n in range(10)}


def test_a_download_does_not_let_a_line_text_become_a_formula(client, finance, org) -> None:
    invoice, _ = make_invoice(org, make_supplier("Operatören AB"), [
        L(net="10.00", description='=HYPERLINK("http://evil.example","klicka")'),
        L(net="-5.00", description="@SUM(A1)")])
    _header, *rows = csv_rows(client.get(f"/invoices/{invoice.id}?format=csv"))
    assert [r[1] for r in rows] == ['\'=HYPERLINK("http://evil.example","klicka")', "'@SUM(A1)"]
    assert [r[8] for r in rows] == ["10,00", "-5,00"]
    sheet = load_workbook(io.BytesIO(client.get(f"/invoices/{invoice.id}?format=xlsx").get_data())).active
    assert sheet is not None
    assert sheet["B2"].value == '=HYPERLINK("http://evil.example","klicka")' and sheet["B2"].data_type == "s"
    assert sheet["B2"].quotePrefix and sheet["I3"].value == -5


def test_a_download_longer_than_the_bound_is_refused_not_cut(client, finance, long_invoice, monkeypatch) -> None:
    from ledger.web import listing

    monkeypatch.setattr(listing, "MAX_DOWNLOAD_ROWS", 810)
    refused = client.get(f"/invoices/{long_invoice.id}?format=csv")
    assert refused.status_code == 422 and "Listan har 816 rader" in refused.get_data(as_text=True)
    filtered = client.get(f"/invoices/{long_invoice.id}?matched=no&format=csv")
    assert filtered.status_code == 200 and len(csv_rows(filtered)) == 1 + 816 - 9


def test_the_unit_month_finds_entries_by_what_their_reason_says_to_the_reader(client, make_user, db, org) -> None:
    """Reasons are stored as codes: the filter looks at their words in the reader's language."""
    operator = make_supplier("Operatören AB")
    whole = make_subscription(org, "070-600 10 01", org.forskola, supplier=operator)
    half = make_subscription(org, "070-600 10 02", org.forskola, supplier=operator, assigned_from=date(2026, 3, 16))
    make_invoice(org, operator, [L(net="31.00", subscription=whole), L(net="31.00", subscription=half)],
                 issue_date=date(2026, 3, 31), number="J-2")
    allocate(None, org.organisation, "2026-03")
    save()
    log_in(client, make_user(Role.DEPARTMENT, ["3110"]).username)
    assert len(rows_of(client.get("/units/3110/2026/3").get_data(as_text=True), "entries")) == 2
    found = rows_of(client.get("/units/3110/2026/3?q=dagar").get_data(as_text=True), "entries")
    assert [row[5] for row in found] == ["070-600 10 02"]  # "16 av 31 dagar": the split line only
    by_code = client.get("/units/3110/2026/3?q=days_of").get_data(as_text=True)
    assert "070-600 10 0" not in by_code  # the code is no word a reader sees


def test_reason_codes_are_found_by_their_words_in_either_language() -> None:
    from ledger.allocation.journal import reasons_saying

    swedish = {"%(days)s of %(total)s days": "%(days)s av %(total)s dagar"}
    assert reasons_saying("dagar", lambda text: swedish.get(text, text)) == ["days_of", "no_assignment_days"][:1]
    assert "days_of" in reasons_saying("DAYS", str) and "no_assignment_days" in reasons_saying("days", str)
    assert reasons_saying("s)", str) == []  # placeholders are no words
