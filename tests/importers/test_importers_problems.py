"""The one collector of errors and warnings both importers report into (``importers.problems``)."""

from __future__ import annotations

from datetime import date

import pytest
from ubl_builder import Line, build_invoice

from importers import parse_file
from importers.model import ParseError
from importers.peppol.problems import Finding
from importers.problems import MAX_ERRORS, Problems, TooManyErrorsError
from importers.text import Message

CSV_HEADER = "Organisationsnummer;Fakturanummer;Fakturadatum;Nummer;Avgiftstyp;Text;Från;Till;Antal;Belopp exkl. moms"


def stopped(filename: str) -> ParseError:
    """The last error of a file with too many."""
    return ParseError(filename, None, None, "file", f"more than {MAX_ERRORS - 1} errors; stopped reading")


def test_an_error_names_the_file_and_where() -> None:
    problems = Problems("f.xml")
    problems.error("cbc:ID", Message.of("missing"), path="/Invoice/cbc:ID", line=3, rule="BR-02")
    assert problems.errors == [ParseError("f.xml", 3, "/Invoice/cbc:ID", "cbc:ID", "missing", "BR-02")]
    assert problems.reported_on("cbc:ID") and not problems.reported_on("cbc:Note")


def test_too_many_errors_stop_the_parse_with_one_that_says_so() -> None:
    problems = Problems("f.xml")
    for i in range(MAX_ERRORS - 1):
        problems.error("cbc:Note", Message.of("error %(i)s", i=i))
    with pytest.raises(TooManyErrorsError):
        problems.error("cbc:Note", Message.of("one too many"))
    assert len(problems.errors) == MAX_ERRORS
    assert problems.errors[-1] == stopped("f.xml")


def test_warnings_are_kept_up_to_the_limit_and_never_stop_the_parse() -> None:
    problems = Problems("f.xml")
    for i in range(MAX_ERRORS + 5):
        problems.add_warning(ParseError("f.xml", i, None, "cbc:Note", "odd"))
    assert len(problems.warnings) == MAX_ERRORS and problems.errors == []


def test_a_finding_is_recorded_under_its_rule() -> None:
    problems = Problems("f.xml")
    said = Message.of("%(rule)s: is %(stated)s, not %(computed)s", stated="10.00", computed="9.00")
    total = Finding("cbc:PayableAmount", said, path="/Invoice", line=7, names_rule=True)
    total.record(problems, "BR-CO-16")
    Finding("cbc:Note", Message.of("odd"), warning=True).record(problems, None)
    assert problems.errors == [ParseError("f.xml", 7, "/Invoice", "cbc:PayableAmount", "BR-CO-16: is 10.00, not 9.00",
                                          "BR-CO-16")]
    assert problems.warnings == [ParseError("f.xml", None, None, "cbc:Note", "odd", None)]


def test_a_peppol_file_with_too_many_errors_reports_the_limit() -> None:
    xml = build_invoice([Line(price="1.00", net="1.00") for _ in range(2 * MAX_ERRORS)])
    data = xml.replace(b'<cbc:PriceAmount currencyID="SEK">1.00<', b'<cbc:PriceAmount currencyID="SEK">bad<')
    result = parse_file(data, "f.xml")
    assert len(result.errors) == MAX_ERRORS
    assert result.errors[-1] == stopped("f.xml")


def test_a_csv_file_with_too_many_errors_reports_the_limit() -> None:
    rows = [f"556000-0001;F1;2026-02-01;0701234567;Abonnemang;Text;;;1;not money {i}" for i in range(2 * MAX_ERRORS)]
    result = parse_file("\n".join([CSV_HEADER, *rows]).encode(), "f.csv", today=date(2026, 3, 15))
    assert len(result.errors) == MAX_ERRORS
    assert result.errors[-1] == stopped("f.csv")
