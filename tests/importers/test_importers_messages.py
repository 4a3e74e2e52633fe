"""What the importers say is a catalogue text with its values: in English it is the message the
command line and the API have always shown; in Swedish it reads as Swedish, with the same values.

The Swedish side is read from the compiled catalogue (``ledger/translations``), through Babel
alone: the importers know no Flask, and neither does this test.
"""

from __future__ import annotations

import ast
import re
from datetime import date
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from babel.support import Translations
from ubl_builder import Line, build_invoice

from importers import ParseError, parse_file
from importers.csv_spec import MappingError, load_mapping
from importers.numbers import AmountError, DateError, normalise_amount, parse_iso_date, parse_xml_decimal
from importers.price_list import PriceListError, parse_price_list
from importers.problems import MAX_ERRORS, Problems, TooManyErrorsError
from importers.text import Message

PROJECT_ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = PROJECT_ROOT / "ledger" / "translations"
SAMPLES = PROJECT_ROOT.parent / "shared" / "samples" / "peppol"
TODAY = date(2026, 3, 15)
HEADER = "Organisationsnummer;Fakturanummer;Fakturadatum;Nummer;Text;Från;Till;Antal;Belopp exkl. moms;Momssats;Valuta"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


@pytest.fixture(scope="module")
def swedish() -> Translations:
    return Translations.load(str(TRANSLATIONS), ["sv"], domain="messages")


def csv(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


def csv_errors(data: bytes, **options: object) -> list[ParseError]:
    return parse_file(data, "spec.csv", format="csv", today=TODAY, **options).errors  # type: ignore[arg-type]


def xml_problems(data: bytes, name: str = "f.xml") -> list[ParseError]:
    result = parse_file(data, name)
    return result.errors + result.warnings


GOOD = "556677-8899;F1;2026-02-28;0701234567;Jobbmobil;2026-02-01;2026-02-28;1;100,00;25;SEK"

#: Files that between them make the CSV reader say nearly everything it can.
BAD_CSV_FILES = [
    csv(GOOD.replace("100,00", "12,3,4"), GOOD.replace("100,00", "1,234"), GOOD.replace("100,00", "9" * 16),
        GOOD.replace(";1;", ";tre;"), GOOD.replace(";25;", ";125;"), GOOD.replace(";25;", ";x%;"),
        GOOD.replace("SEK", "kronor"), GOOD.replace("556677-8899", "55667"), GOOD.replace("2026-02-01", "2026-02-30"),
        GOOD.replace("2026-02-01", "1999-12-31"), GOOD.replace("2026-02-01", "2028-01-01"),
        GOOD.replace("2026-02-01;2026-02-28", "2026-02-28;2026-02-01"), GOOD.replace(";F1;", ";;"),
        GOOD.replace("2026-02-28;0701", "2026-02-27;0701"), GOOD.replace("556677-8899", "556000-0001"),
        GOOD.replace(";100,00;", ";;")),
    csv(GOOD, GOOD.replace("SEK", "EUR")),
    csv(header=HEADER.replace("Belopp exkl. moms", "Summa")),
    csv(header=HEADER.replace("Organisationsnummer;", "")),
    csv(header=HEADER + ";Belopp"),
    csv(),
    b"",
    b"\n\n",
    HEADER.encode() + b"\n\xff\xfe\xfa;\xff\n" + GOOD.encode(),
]


def bad_xml_files() -> list[bytes]:
    good = build_invoice([Line(price="149.00")])
    text = good.decode()
    return [
        b"",
        b"Fakturanummer;Belopp",
        b'<?xml version="1.0"?><!DOCTYPE Invoice [<!ENTITY x "y">]><Invoice/>',
        b'<?xml version="1.0"?><!ELEMENT x ANY><Invoice/>',
        b"<Order xmlns='urn:x'/>",
        b"<CrossIndustryInvoice/>",
        b"<?xml version='1.0'?>",
        b"<?xml version='1.0'",
        b"<!-- never closed",
        b"< Invoice/>",
        good[: len(good) // 2],
        b"<Invoice xmlns='urn:wrong'/>",
        text.replace(">149.00<", ">1x9.00<", 1).encode(),
        text.replace('<cbc:LineExtensionAmount currencyID="SEK">149.00<',
                     '<cbc:LineExtensionAmount currencyID="SEK">149.001<', 1).encode(),
        text.replace('<cbc:LineExtensionAmount currencyID="SEK">149.00<',
                     '<cbc:LineExtensionAmount currencyID="EUR">149.00<', 1).encode(),
        text.replace('<cbc:LineExtensionAmount currencyID="SEK">149.00<',
                     '<cbc:LineExtensionAmount currencyID="SEK">150.00<', 1).encode(),
        text.replace("<cbc:IssueDate>2026-02-01<", "<cbc:IssueDate>2026-02-30<", 1).encode(),
        text.replace("<cbc:IssueDate>2026-02-01<", "<cbc:IssueDate><", 1).encode(),
        re.sub(r"<cbc:CustomizationID>[^<]*</cbc:CustomizationID>", "<cbc:CustomizationID>urn:x</cbc:CustomizationID>",
               text).encode(),
        re.sub(r"<cac:LegalMonetaryTotal>.*</cac:LegalMonetaryTotal>", "", text, flags=re.S).encode(),
        re.sub(r"<cac:AccountingSupplierParty>.*</cac:AccountingSupplierParty>", "", text, flags=re.S).encode(),
        re.sub(r"<cbc:ID>1</cbc:ID>", "<cbc:ID> </cbc:ID>", text, count=1).encode(),
        build_invoice([Line(quantity="2", price="100.00", net="150.00")]),
        build_invoice([Line(allowances=["5.00"])]).replace(b"<cbc:ChargeIndicator>false<",
                                                          b"<cbc:ChargeIndicator>kanske<", 1),
    ]


def every_problem() -> list[ParseError]:
    problems = [e for data in BAD_CSV_FILES for e in csv_errors(data)]
    problems += csv_errors(csv(GOOD), supplier="12")
    problems += csv_errors(csv(GOOD), mapping="no-such-layout")
    problems += csv_errors(csv(GOOD), encoding="klingon")
    problems += [e for data in bad_xml_files() for e in xml_problems(data)]
    problems += parse_file(b"<Invoice/>", "f.xml", max_bytes=3).errors
    problems += parse_file(b"x", "f.xml", format="pdf").errors
    if SAMPLES.is_dir():
        problems += [w for path in sorted(SAMPLES.glob("*.xml")) for w in xml_problems(path.read_bytes(), path.name)]
    return problems


PROBLEMS = every_problem()


def test_the_bad_files_make_the_importers_say_many_things() -> None:
    """The checks below are over many different texts, not one or two."""
    assert len({p.template for p in PROBLEMS}) >= 45


@pytest.mark.parametrize("problem", PROBLEMS, ids=lambda p: f"{p.field}: {p.message[:50]}")
def test_a_problem_in_english_is_the_message_of_the_command_line_and_the_api(problem: ParseError) -> None:
    assert problem.template is not None
    assert problem.template % problem.params == problem.message
    assert str(problem).endswith(f": {problem.field}: {problem.message}")


@pytest.mark.parametrize("problem", PROBLEMS, ids=lambda p: f"{p.field}: {p.message[:50]}")
def test_a_problem_in_swedish_is_swedish_with_the_same_values(swedish: Translations, problem: ParseError) -> None:
    assert problem.template is not None
    translated = swedish.gettext(problem.template)
    assert translated != problem.template, f"no Swedish for {problem.template!r}"
    said = translated % problem.params
    for value in problem.params.values():
        assert value in said
    assert said != problem.message


def test_a_bad_amount_in_a_specification_reads_in_both_languages(swedish: Translations) -> None:
    [error] = csv_errors(csv(GOOD.replace("100,00", "12,3,4")))
    assert (error.line, error.field, error.message) == (2, "Belopp exkl. moms", "not an amount: '12,3,4'")
    assert (error.template, error.params) == ("not an amount: %(text)s", {"text": "'12,3,4'"})
    assert swedish.gettext(error.template) % error.params == "inte ett belopp: '12,3,4'"


def test_a_total_that_does_not_add_up_names_its_rule_in_both_languages(swedish: Translations) -> None:
    data = build_invoice([Line(price="149.00")]).replace(b'<cbc:LineExtensionAmount currencyID="SEK">149.00<',
                                                         b'<cbc:LineExtensionAmount currencyID="SEK">150.00<', 1)
    [error] = [e for e in parse_file(data, "f.xml").errors if e.rule == "BR-CO-10"]
    # The first LineExtensionAmount is the document's (cac:LegalMonetaryTotal comes before the lines).
    assert error.message == "BR-CO-10: LineExtensionAmount is 150.00 but the sum of the line net amounts is 149.00"
    assert swedish.gettext(error.template) % error.params == (
        "BR-CO-10: LineExtensionAmount är 150.00 men summan av radernas nettobelopp är 149.00")


def test_no_problem_names_an_option_of_the_command_line() -> None:
    """A page has fields, not options: what to do is said in the product's terms."""
    missing_supplier = csv_errors(csv(header=HEADER.replace("Organisationsnummer;", "")))
    assert [e.message for e in missing_supplier] == [
        "the column 'Organisationsnummer' is missing; it is needed unless the supplier's organisationsnummer is "
        "given for the whole file"]
    assert not [p.message for p in PROBLEMS if "--" in p.message]


def test_values_are_written_as_the_english_message_writes_them() -> None:
    """Quoted texts keep their quotes, sizes their thousands separators: the English is unchanged."""
    [too_large] = parse_file(b"<Invoice/>" * 200, "f.xml", max_bytes=1000).errors
    assert too_large.message == "the file is 2,000 bytes, over the limit of 1,000 bytes"
    assert too_large.params == {"size": "2,000", "limit": "1,000"}


def test_errors_compare_by_what_they_say_not_how() -> None:
    """A test (or a caller) may build the expected error from its English alone."""
    problems = Problems("f.xml")
    problems.error("cbc:ID", Message.of("missing"), path="/Invoice/cbc:ID", line=3, rule="BR-02")
    assert problems.errors == [ParseError("f.xml", 3, "/Invoice/cbc:ID", "cbc:ID", "missing", "BR-02")]
    assert ParseError("f.xml", 3, None, "cbc:ID", "missing").said == Message("%(message)s", {"message": "missing"})


def test_the_error_that_stops_the_reading_is_said_too(swedish: Translations) -> None:
    problems = Problems("f.xml")
    with pytest.raises(TooManyErrorsError):
        for i in range(MAX_ERRORS):
            problems.error("cbc:Note", Message.of("error %(i)s", i=i))
    last = problems.errors[-1]
    assert last.message == f"more than {MAX_ERRORS - 1} errors; stopped reading"
    assert swedish.gettext(last.template) % last.params == f"fler än {MAX_ERRORS - 1} fel; läsningen avbröts"


def test_value_errors_carry_what_they_say(swedish: Translations) -> None:
    for parse, text in ((normalise_amount, "12 34"), (parse_xml_decimal, "1E3"), (parse_iso_date, "2026-02-30"),
                        (parse_iso_date, "30/2")):
        with pytest.raises((AmountError, DateError)) as raised:
            parse(text)
        assert str(raised.value) == str(raised.value.said)
        assert swedish.gettext(raised.value.said.template) != raised.value.said.template
    with pytest.raises(MappingError) as mapping:
        load_mapping("../etc")
    assert str(mapping.value) == "'../etc' is not a mapping name"
    assert swedish.gettext(mapping.value.said.template) % mapping.value.said.params == (
        "'../etc' är inte namnet på en kolumnlayout")


PRICE_HEADER = "Artikelnummer;Benämning;Kategori;Pris;Enhet"


def price_list_errors() -> list[PriceListError]:
    files = [
        PRICE_HEADER + "\nMOB;Mobil;Satellit;-1,00;st\nMOB2;;Abonnemang;1,001;st\nMOB3;X;Abonnemang;gratis;st\n"
        "MOB4;X;Abonnemang;1,00;st\nMOB4;X;Abonnemang;1,00;st\n" + "L" * 41 + ";X;Abonnemang;1,00;st\n",
        "Artikelnummer;Pris\nA;1,00\n",
        PRICE_HEADER + "\n",
        "",
    ]
    return [e for text in files for e in parse_price_list(text.encode(), "prislista.csv").errors]


@pytest.mark.parametrize("error", price_list_errors(), ids=lambda e: e.message[:50])
def test_a_price_list_error_reads_in_both_languages(swedish: Translations, error: PriceListError) -> None:
    assert error.template is not None and error.template % error.params == error.message
    translated = swedish.gettext(error.template)
    assert translated != error.template and all(value in translated % error.params for value in error.params.values())


def test_a_price_list_error_names_its_column_as_the_file_does() -> None:
    errors = {e.message: e.column for e in price_list_errors()}
    assert errors["negative price '-1,00'"] == "Pris"
    assert errors["Benämning is empty"] == "Benämning"
    assert errors["prislista.csv has a header but no items"] is None


def _marked_texts() -> dict[str, Path]:
    """Every text the importers mark with ``N_``, and the file it is in."""
    found: dict[str, Path] = {}
    for path in sorted((PROJECT_ROOT / "importers").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "N_"
                    and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                found[node.args[0].value] = path
    return found


def test_every_text_the_importers_mark_has_swedish_with_the_same_placeholders() -> None:
    with (TRANSLATIONS / "sv" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalogue = read_po(po, locale="sv")
    marked = _marked_texts()
    assert len(marked) > 100
    for text, path in marked.items():
        message = catalogue.get(text)
        assert message is not None and message.string, f"{path.name}: no Swedish for {text!r}"
        assert sorted(PLACEHOLDER.findall(message.string)) == sorted(PLACEHOLDER.findall(text)), text


def test_every_problem_of_a_row_names_the_column_as_the_file_does() -> None:
    [mixed] = csv_errors(csv(GOOD, GOOD.replace("SEK", "EUR")))
    assert (mixed.line, mixed.field, mixed.message) == (3, "Valuta", "invoice F1 mixes currencies SEK and EUR")
