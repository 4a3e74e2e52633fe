"""The upload pages tell what is wrong with a file in the reader's language: which file, which
line, which field, and the problem, with no English left on a Swedish page and no option of the
command line; the API and the command line keep their English messages, with the catalogue text
and its values beside them in the API's details. The invoice upload first, then the operator's
subscription list and a framework contract's price list, whose problems are shown the same way."""

from __future__ import annotations

import html
import io
import re
from datetime import date

import pytest

import importers
from ledger.access.models import Role
from ledger.core.categories import Category
from ledger.invoices.importing import import_file
from tests.conftest import csrf_token, log_in
from tests.factories import OPERATOR_ORGNR, SUPPLIER, invoice_operator, line, make_contract, make_supplier
from tests.importers.ubl_builder import build_invoice

HEADER = "Organisationsnummer;Fakturanummer;Fakturadatum;Nummer;Text;Från;Till;Belopp exkl. moms"
ROW = f"{SUPPLIER};F-7;2026-03-31;0701234567;Jobbmobil;2026-03-01;2026-03-31;149,00"
#: Line 3 holds an amount that is none; line 4 a day February does not have.
BAD_CSV = "\n".join([HEADER, ROW, ROW.replace("149,00", "12,3,4"), ROW.replace("2026-03-01", "2026-02-30")]) + "\n"


def bad_peppol() -> bytes:
    """A price that is not a number, and a line amount with three decimals (BR-DEC-23)."""
    data = build_invoice([line("0701234567", "149.00"), line("0702345678", "42.00")], number="F-8",
                         issue_date="2026-03-31").decode()
    data = data.replace(">42.00</cbc:PriceAmount>", ">4x.00</cbc:PriceAmount>", 1)
    line_net = '</cbc:InvoicedQuantity>\n<cbc:LineExtensionAmount currencyID="SEK">149.00<'
    assert line_net in data
    data = data.replace(line_net, line_net.replace("149.00", "149.001"), 1)
    return data.encode()


@pytest.fixture
def finance(client, db, org, make_user):
    invoice_operator()
    log_in(client, make_user(Role.FINANCE).username)
    return client


def upload(client, *files: tuple[bytes, str], supplier: str = ""):
    return client.post("/invoices", data={
        "csrf_token": csrf_token(client, "/invoices"), "format": "auto", "mapping": "generic", "supplier": supplier,
        "files": [(io.BytesIO(data), name) for data, name in files]}, content_type="multipart/form-data")


def problems(page) -> list[str]:
    """The problems the page lists for the uploaded files, as a reader reads them (no markup)."""
    found = re.findall(r'<ul class="(?:errors|warnings)">(.*?)</ul>', page.get_data(as_text=True), re.S)
    items = [item for block in found for item in re.findall(r"<li>(.*?)</li>", block, re.S)]
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", "", item)).split()) for item in items]


def english_messages(data: bytes, name: str) -> list[str]:
    """What the importers say about the file in English: what the page must not show in Swedish."""
    return [e.message for e in importers.parse_file(data, name).errors]


def test_a_swedish_page_names_file_line_and_field_of_each_problem_in_swedish(finance) -> None:
    peppol = bad_peppol()
    page = upload(finance, (BAD_CSV.encode(), "spec.csv"), (peppol, "F-8.xml"))
    assert page.status_code == 422
    shown = problems(page)
    price_line = peppol.decode()[:peppol.decode().index(">4x.00<")].count("\n") + 1
    net_line = peppol.decode()[:peppol.decode().index(">149.001<")].count("\n") + 1
    assert shown == [
        "spec.csv, rad 3, fält Belopp exkl. moms: inte ett belopp: '12,3,4'",
        "spec.csv, rad 4, fält Från: inte ett giltigt datum: '2026-02-30' (förväntat YYYY-MM-DD)",
        f"F-8.xml, rad {net_line}, /Invoice/cac:InvoiceLine[1]/cbc:LineExtensionAmount, fält "
        "cbc:LineExtensionAmount: BR-DEC-23: 149.001 har fler än två decimaler",
        f"F-8.xml, rad {price_line}, /Invoice/cac:InvoiceLine[2]/cac:Price/cbc:PriceAmount, fält cbc:PriceAmount: "
        "inte ett decimaltal: '4x.00'",
    ]
    text = html.unescape(page.get_data(as_text=True))
    for message in english_messages(BAD_CSV.encode(), "spec.csv") + english_messages(peppol, "F-8.xml"):
        assert message.split(": ")[0] not in text  # "not an amount", "not a valid date", "not a decimal number" …
    assert "line 3" not in text and "field " not in text


def test_an_english_page_says_the_same_in_english(finance) -> None:
    finance.post("/language", data={"lang": "en", "next": "/invoices", "csrf_token": csrf_token(finance, "/")})
    page = upload(finance, (BAD_CSV.encode(), "spec.csv"))
    assert page.status_code == 422
    assert problems(page) == [
        "spec.csv, line 3, field Belopp exkl. moms: not an amount: '12,3,4'",
        "spec.csv, line 4, field Från: not a valid date: '2026-02-30' (expected YYYY-MM-DD)",
    ]


def test_the_page_says_what_to_do_in_its_own_terms_not_the_command_lines(finance) -> None:
    without_supplier = ("\n".join([HEADER.replace("Organisationsnummer;", ""), ROW.replace(f"{SUPPLIER};", "")])
                        + "\n").encode()
    page = upload(finance, (without_supplier, "utan-leverantor.csv"))
    assert problems(page) == [
        "utan-leverantor.csv, rad 1, fält Organisationsnummer: kolumnen 'Organisationsnummer' saknas; den behövs om "
        "inte leverantörens organisationsnummer anges för hela filen"]
    assert "--supplier" not in page.get_data(as_text=True)
    # … and with the supplier given in the form's field, the same file is imported.
    imported = upload(finance, (without_supplier, "utan-leverantor.csv"), supplier=SUPPLIER)
    assert imported.status_code == 200 and problems(imported) == []


def test_a_file_imported_before_is_said_to_be_so_in_swedish(finance) -> None:
    good = "\n".join([HEADER, ROW]).encode() + b"\n"
    assert upload(finance, (good, "mars.csv")).status_code == 200
    again = html.unescape(upload(finance, (good, "mars-igen.csv")).get_data(as_text=True))
    assert "samma fil importerades" in again and "som 'mars.csv'" in again and "inget ändrades" in again
    assert "the same file was imported" not in again


def test_the_api_keeps_its_english_and_adds_the_text_and_its_values(client, db, org, api_headers) -> None:
    invoice_operator()
    response = client.post("/api/v1/invoices", headers=api_headers(Role.FINANCE),
                           data={"file": (io.BytesIO(BAD_CSV.encode()), "spec.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    first = response.json["error"]["details"][0]
    assert first == {"line": 3, "path": None, "field": "Belopp exkl. moms", "message": "not an amount: '12,3,4'",
                     "rule": None, "text": "not an amount: %(text)s", "params": {"text": "'12,3,4'"}}


def test_a_rule_is_named_once_in_english_as_before(db, org) -> None:
    invoice_operator()
    outcome = import_file(None, org.organisation, bad_peppol(), "F-8.xml")
    decimals = next(e for e in outcome.errors if e["rule"] == "BR-DEC-23")
    assert decimals["message"] == "BR-DEC-23: 149.001 has more than two decimals"
    assert decimals["text"] % decimals["params"] == "149.001 has more than two decimals"


def cells(page, start: str) -> list[list[str]]:
    """The rows of the first table after ``start`` in the page, each as its cells' texts."""
    text = page.get_data(as_text=True)
    assert start in text, f"no {start} in the page"
    table = re.search(r"<table[^>]*>(.*?)</table>", text[text.index(start):], re.S)
    assert table, f"no table after {start}"
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table.group(1), re.S)
    return [[" ".join(html.unescape(re.sub(r"<[^>]+>", "", cell)).split())
             for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)] for row in rows if "<td" in row]


def test_the_subscription_list_page_shows_its_problems_in_swedish(client, db, org, make_user) -> None:
    make_supplier("Operatören Två AB", OPERATOR_ORGNR)
    log_in(client, make_user(Role.FINANCE).username)
    listing = (f"Nummer;Typ;Abonnemangs-id;Ansvar;Startdatum;Operatör organisationsnummer\n"
               f"0701000001;Satellit;AB-1;3110;2025-01-01;{OPERATOR_ORGNR}\n"
               f"0701000002;mobil;AB-2;3110;2025-02-30;{OPERATOR_ORGNR}\n")
    page = client.post("/inventory/import", data={"csrf_token": csrf_token(client, "/inventory/import"),
                                                  "file": (io.BytesIO(listing.encode()), "lista.csv")},
                       content_type="multipart/form-data")
    assert "lista.csv" in page.get_data(as_text=True)
    assert cells(page, 'id="import-result"') == [
        ["2", "Typ", "okänd typ 'Satellit'; använd mobil, mobilt bredband, växelanknytning, telefonistplats eller "
                     "fast"],
        ["3", "Startdatum", "inte ett datum (ÅÅÅÅ-MM-DD): '2025-02-30'"],
    ]
    assert "unknown kind" not in page.get_data(as_text=True)


def test_the_price_list_page_shows_its_problems_in_swedish(client, db, org, make_user) -> None:
    contract = make_contract(org, make_supplier("Demotel Mobil AB"), [Category.SUBSCRIPTION], start=date(2025, 1, 1))
    log_in(client, make_user(Role.PROCUREMENT).username)
    prices = "Artikelnummer;Benämning;Kategori;Pris;Enhet\nMOB-BAS;Bas;Satellit;89,00;st\nMOB-X;;Abonnemang;-1;st\n"
    url = f"/contracts/{contract.id}/prices"
    page = client.post(url, data={"csrf_token": csrf_token(client, url), "valid_from": "2026-06-01",
                                  "file": (io.BytesIO(prices.encode()), "prislista.csv")},
                       content_type="multipart/form-data")
    assert page.status_code == 422
    text = page.get_data(as_text=True)
    assert "prislista.csv" in text
    notes = [row[-1] for row in cells(page, 'id="result"')]
    assert notes == ["kolumn Kategori: okänd kategori 'Satellit'", "kolumn Benämning: Benämning är tom",
                     "kolumn Pris: negativt pris '-1'"]
    assert "unknown category" not in text and "negative price" not in text


def test_a_row_in_another_currency_refuses_the_file_wherever_it_stands(db, org) -> None:
    """Not only an invoice's first row: a later one in EUR would otherwise be booked as kronor."""
    invoice_operator()
    header = HEADER + ";Valuta"
    rows = [ROW + ";SEK", ROW.replace("149,00", "10,00") + ";EUR"]
    outcome = import_file(None, org.organisation, ("\n".join([header, *rows]) + "\n").encode(), "valutor.csv")
    assert outcome.status.value == "rejected" and outcome.invoice_ids == []
    assert [(e["line"], e["field"], e["message"]) for e in outcome.errors] == [
        (3, "Valuta", "the invoice is in EUR; only SEK can be allocated")]


def test_a_problem_of_the_whole_file_or_of_an_option_is_named_as_the_page_names_it(finance) -> None:
    page = upload(finance, (b"", "tom.csv"), (b"<Order xmlns='urn:x'/>", "order.xml"))
    assert problems(page) == [
        "tom.csv, rad 1: filen är tom",
        "order.xml, rad 1: rotelementet är <Order>, inte en UBL Invoice eller CreditNote",
    ]
    option = upload(finance, (BAD_CSV.encode(), "spec.csv"), supplier="12")
    assert problems(option) == [
        "spec.csv, fält Leverantörens organisationsnummer (CSV utan den kolumnen): '12' är inte ett "
        "organisationsnummer (NNNNNN-NNNN)"]
