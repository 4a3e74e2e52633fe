"""SIE 4I export: the renderer's bytes read back strictly, and the strict reader on real files.

The reader (``sie_parser``) is written from the spec independently of ``reports.sie``; real
files from other programs keep it honest (file 04's #KSUMMA is correct, 08 is unbalanced on
purpose, ...). The samples live outside the project (``shared/samples/sie``); set
``LEDGER_SAMPLES_DIR`` to the ``samples`` folder elsewhere. They are never copied in.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import cast

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sie_parser import ParsedSie, checksum_records, parse_sie

from reports.sie import (
    SieExport,
    SieTransaction,
    SieVoucher,
    ksumma,
    render_sie4i,
    transliterate,
)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
NORSTEDTS_KSUMMA = 1573150874  # the #KSUMMA printed in sample 04, known to be right

# ---------------------------------------------------------------------------------------------
# A month of telephony costs, as the ledger would hand it over


def _row(account: str, amount: str, *objects: tuple[int, str], text: str = "") -> SieTransaction:
    return SieTransaction(account, Decimal(amount), tuple(objects), text)


def _export(**changes: object) -> SieExport:
    export = SieExport(
        company_name="Karlsborgs kommun",
        organisation_number="212000-1637",
        program_name="Telefoniliggaren",
        program_version="1.0",
        generated_on=date(2025, 4, 3),
        fiscal_year_start=date(2025, 1, 1),
        fiscal_year_end=date(2025, 12, 31),
        accounts={
            "6421": "Mobiltelefoni",
            "6422": "Växel och telefonist",
            "6429": "Omföring telefoni",
        },
        dimensions={1: "Ansvar", 20: "Verksamhet"},
        objects={
            (1, "1100"): "Kanslienheten",
            (1, "4310"): "VA-enheten",
            (1, "1150"): "Kontaktcenter – växel €",
            (20, "110"): "Politisk verksamhet",
            (20, "830"): "Vatten och avlopp",
        },
        vouchers=[
            SieVoucher(
                date(2025, 3, 31),
                "Telefoni mars, mobil",
                (
                    _row("6421", "1234.50", (1, "1100"), (20, "110"), text="Telia 2025-03"),
                    _row("6421", "845.25", (1, "4310"), (20, "830"), text="Telia 2025-03"),
                    _row("6429", "-2079.75", (1, "1100"), text="Omföring"),
                ),
            ),
            SieVoucher(
                date(2025, 3, 31),
                "Telefoni mars, växel",
                (
                    _row("6422", "3100.00", (1, "1150"), text="Hjo kommun, telefonist"),
                    _row("6422", "410.00", (1, "4310"), text="VA bär sin del själv"),
                    _row("6429", "-3510.00", (1, "1100")),
                ),
            ),
        ],
        generated_by="Ekonomienheten",
        period_label="Telefonikostnader 2025-03",
    )
    return replace(export, **changes)  # type: ignore[arg-type]


def _one_voucher(text: str, *rows: SieTransaction) -> SieExport:
    return _export(vouchers=[SieVoucher(date(2025, 3, 31), text, rows)])


def _lines(data: bytes) -> list[str]:
    return data.decode("cp437").split("\r\n")


def _account_totals(rows: Iterable[tuple[str, Decimal]]) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for account, amount in rows:
        totals[account] += amount
    return dict(totals)


def _object_totals(
    rows: Iterable[tuple[Iterable[tuple[int, str]], Decimal]],
) -> dict[tuple[int, str], Decimal]:
    totals: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    for objects, amount in rows:
        for obj in objects:
            totals[obj] += amount
    return dict(totals)


def _assert_round_trip(export: SieExport, parsed: ParsedSie) -> None:
    """Totals per account and per object, and every text, as the input gave them."""
    given_rows = [t for v in export.vouchers for t in v.transactions]
    read_rows = [t for v in parsed.vouchers for t in v.transactions]
    assert _account_totals((t.account, t.amount) for t in read_rows) == _account_totals(
        (t.account, t.amount) for t in given_rows
    )
    want = {
        (d, transliterate(c)): a
        for (d, c), a in _object_totals((t.objects, t.amount) for t in given_rows).items()
    }
    assert _object_totals((t.objects, t.amount) for t in read_rows) == want
    assert [v.text for v in parsed.vouchers] == [transliterate(v.text) for v in export.vouchers]
    assert [t.text for t in read_rows] == [transliterate(t.text) for t in given_rows]


# ---------------------------------------------------------------------------------------------
# The renderer's output, read strictly


def test_output_reads_strictly_without_a_single_issue() -> None:
    parsed = parse_sie(render_sie4i(_export()))

    assert parsed.issues == []
    assert parsed.line_ending == "CRLF"
    assert parsed.value("#FLAGGA") == "0"
    assert parsed.value("#FORMAT") == "PC8"
    assert parsed.value("#SIETYP") == "4"
    assert parsed.value("#GEN") == "20250403"
    assert parsed.value("#GEN", 1) == "Ekonomienheten"
    assert parsed.value("#PROGRAM") == "Telefoniliggaren"
    assert parsed.value("#FNAMN") == "Karlsborgs kommun"
    assert parsed.value("#ORGNR") == "212000-1637"
    assert parsed.value("#PROSA") == "Telefonikostnader 2025-03"
    assert parsed.fiscal_years == {0: (date(2025, 1, 1), date(2025, 12, 31))}
    assert [(v.series, v.number, v.date) for v in parsed.vouchers] == [
        ("", "", date(2025, 3, 31)),
        ("", "", date(2025, 3, 31)),
    ]


def test_layout_follows_the_spec_order() -> None:
    lines = _lines(render_sie4i(_export()))

    assert lines[:10] == [
        "#FLAGGA 0",
        "#KSUMMA",
        '#PROGRAM "Telefoniliggaren" 1.0',
        "#FORMAT PC8",
        '#GEN 20250403 "Ekonomienheten"',
        "#SIETYP 4",
        '#PROSA "Telefonikostnader 2025-03"',
        '#FNAMN "Karlsborgs kommun"',
        "#ORGNR 212000-1637",
        "#RAR 0 20250101 20251231",
    ]
    assert lines[10:13] == [
        '#KONTO 6421 "Mobiltelefoni"',
        '#KONTO 6422 "Växel och telefonist"',
        '#KONTO 6429 "Omföring telefoni"',
    ]
    assert '#DIM 1 "Ansvar"' in lines
    assert '#OBJEKT 1 "1150" "Kontaktcenter - växel EUR"' in lines
    assert '#VER "" "" 20250331 "Telefoni mars, mobil"' in lines
    assert '#TRANS 6421 {1 "1100" 20 "110"} 1234.50 "" "Telia 2025-03"' in lines
    assert '#TRANS 6429 {1 "1100"} -3510.00 "" ""' in lines
    assert lines[-2].startswith("#KSUMMA ") and lines[-1] == ""  # CR LF after the last line


def test_declares_only_what_the_vouchers_use_sorted() -> None:
    accounts = {"9999": "Oanvänt", "6429": "Omföring", "6421": "Mobil", "6422": "Växel"}
    lines = _lines(render_sie4i(_export(accounts=accounts, dimensions={20: "V", 1: "A", 7: "X"})))

    assert [line for line in lines if line.startswith("#KONTO")] == [
        '#KONTO 6421 "Mobil"',
        '#KONTO 6422 "Växel"',
        '#KONTO 6429 "Omföring"',
    ]
    assert [line for line in lines if line.startswith("#DIM")] == ['#DIM 1 "A"', '#DIM 20 "V"']
    assert [line.split('"')[1] for line in lines if line.startswith("#OBJEKT 1 ")] == [
        "1100",
        "1150",
        "4310",
    ]


def test_totals_per_account_and_object_equal_the_input() -> None:
    export = _export()
    parsed = parse_sie(render_sie4i(export))

    _assert_round_trip(export, parsed)
    totals = _account_totals((t.account, t.amount) for v in parsed.vouchers for t in v.transactions)
    assert totals == {
        "6421": Decimal("2079.75"),
        "6422": Decimal("3510.00"),
        "6429": Decimal("-5589.75"),
    }


def test_ksumma_verifies_and_catches_a_changed_byte() -> None:
    data = render_sie4i(_export())
    parsed = parse_sie(data)
    assert parsed.ksumma_ok, (parsed.ksumma_declared, parsed.ksumma_computed)

    tampered = parse_sie(data.replace(b"1234.50", b"1234.60").replace(b"-2079.75", b"-2079.85"))
    assert tampered.codes() == {"ksumma_mismatch"}


def test_transliteration_keeps_swedish_letters_and_replaces_the_rest() -> None:
    export = _export(company_name="Kontaktcenter – växel € Åre Älmhult Öckerö")
    data = render_sie4i(export)

    assert b'#FNAMN "Kontaktcenter - v\x84xel EUR \x8fre \x8elmhult \x99cker\x94"' in data
    assert "å ä ö Å Ä Ö".encode("cp437") == b"\x86 \x84 \x94 \x8f \x8e \x99"
    assert parse_sie(data).value("#FNAMN") == "Kontaktcenter - växel EUR Åre Älmhult Öckerö"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kontaktcenter – växel €", "Kontaktcenter - växel EUR"),
        ("Skövde kommun’s “ramavtal” — 2025", 'Skövde kommun\'s "ramavtal" - 2025'),
        ("Bjørn Łódź Šťastný Müller", "Bjorn Lódz Stastny Müller"),  # ó is in CP437
        ("ﬁber\u00a0och\u2009bredband\u200b", "fiber och bredband"),
        ("rad 1\nrad 2\ttab\x00\x1b", "rad 1 rad 2 tab"),
        ("C:\\Telia\\mars.csv", "C:/Telia/mars.csv"),
        ("東京", "??"),
        ("åäöÅÄÖé ½ °", "åäöÅÄÖé ½ °"),
    ],
)
def test_transliterate(text: str, expected: str) -> None:
    assert transliterate(text) == expected
    transliterate(text).encode("cp437")  # never an encode error


def test_quotes_and_braces_in_text_are_quoted_and_escaped() -> None:
    text = 'Faktura "Telia" {mars} 50% rabatt'
    export = _one_voucher(
        text,
        _row("6421", "100.00", (1, "1100"), text='Rad med "citat"'),
        _row("6429", "-100.00", (1, "1100"), text="{klammer}"),
    )
    data = render_sie4i(export)
    lines = _lines(data)
    parsed = parse_sie(data)

    assert '#VER "" "" 20250331 "Faktura \\"Telia\\" {mars} 50% rabatt"' in lines
    assert '#TRANS 6421 {1 "1100"} 100.00 "" "Rad med \\"citat\\""' in lines
    assert '#TRANS 6429 {1 "1100"} -100.00 "" "{klammer}"' in lines
    assert parsed.issues == []
    assert parsed.vouchers[0].text == text
    assert [t.text for t in parsed.vouchers[0].transactions] == ['Rad med "citat"', "{klammer}"]


def test_object_codes_with_spaces_and_leading_zeros_survive() -> None:
    objects = {(1, "1100"): "Kansli", (6, "0015"): "Projekt 15", (6, "A 1"): "Med mellanslag"}
    export = _export(
        dimensions={1: "Ansvar", 6: "Projekt"},
        objects=objects,
        vouchers=[
            SieVoucher(
                date(2025, 3, 1),
                "Projekt",
                (
                    _row("6421", "10.00", (6, "0015"), (1, "1100")),
                    _row("6421", "-10.00", (6, "A 1")),
                ),
            )
        ],
    )
    data = render_sie4i(export)
    parsed = parse_sie(data)

    assert '#TRANS 6421 {1 "1100" 6 "0015"} 10.00 "" ""' in _lines(data)
    assert parsed.issues == []
    assert parsed.objects == {k: v for k, v in objects.items()}
    assert parsed.vouchers[0].transactions[1].objects == ((6, "A 1"),)


def test_quantity_is_written_after_the_text() -> None:
    row = SieTransaction("6421", Decimal("99.00"), ((1, "1100"),), "3 abonnemang", Decimal("3"))
    data = render_sie4i(_one_voucher("Antal", row, _row("6429", "-99.00", (1, "1100"))))

    assert '#TRANS 6421 {1 "1100"} 99.00 "" "3 abonnemang" 3' in _lines(data)
    assert parse_sie(data).vouchers[0].transactions[0].quantity == Decimal("3")


def test_amounts_have_a_point_and_two_decimals() -> None:
    rows = (
        _row("6421", "1E+3", (1, "1100")),
        _row("6421", "-0.5", (1, "1100")),
        _row("6421", "-0.00", (1, "1100")),
        _row("6429", "-999.5", (1, "1100")),
    )
    lines = [line for line in _lines(render_sie4i(_one_voucher("Belopp", *rows))) if "#TRANS" in line]

    assert [line.split()[4] for line in lines] == ["1000.00", "-0.50", "0.00", "-999.50"]


def test_an_unbalanced_voucher_raises_naming_it() -> None:
    export = _export(
        vouchers=[
            _export().vouchers[0],
            SieVoucher(
                date(2025, 3, 31),
                "Telefoni mars, växel",
                (_row("6422", "100.00", (1, "1150")), _row("6429", "-99.99", (1, "1100"))),
            ),
        ]
    )
    with pytest.raises(ValueError, match=r"voucher 2 \(2025-03-31 'Telefoni mars, växel'\)") as err:
        render_sie4i(export)
    assert "0.01" in str(err.value)


def _only(text: str, *rows: SieTransaction, day: date = date(2025, 3, 1)) -> dict[str, object]:
    return {"vouchers": [SieVoucher(day, text, rows)]}


_FLOAT_ROW = SieTransaction("6421", cast(Decimal, 1.5))  # what the type forbids, at run time


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (_only("Öre", _row("6421", "0.005")), "fractions of an öre"),
        (_only("Float", _FLOAT_ROW), "not a finite Decimal"),
        (_only("Tom"), "no transactions"),
        (_only("Fel år", _row("6421", "0"), day=date(2024, 12, 31)), "outside the fiscal year"),
        (_only("Konto", _row("64x1", "0")), "not numeric"),
        (_only("Siffror", _row("642\u0663", "0")), "not numeric"),  # an Arabic-Indic 3
        ({"accounts": {"6421": "Mobil"}}, "account '6422' is used in a voucher but has no name"),
        ({"dimensions": {1: "Ansvar"}}, "dimension 20 is used"),
        ({"objects": {(1, "1100"): "Kansli"}}, "object"),
        ({"organisation_number": "212000-163"}, "organisation number"),
        ({"company_name": " "}, "#FNAMN"),
        ({"fiscal_year_end": date(2024, 12, 31)}, "fiscal year"),
    ],
)
def test_bad_input_raises_value_error(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        render_sie4i(_export(**changes))


def test_twelve_digit_organisation_number_is_written_with_ten() -> None:
    lines = _lines(render_sie4i(_export(organisation_number="16 212000-1637")))
    assert "#ORGNR 212000-1637" in lines


def test_same_input_gives_identical_bytes() -> None:
    first = render_sie4i(_export())
    again = render_sie4i(_export())
    shuffled = render_sie4i(
        _export(
            accounts=dict(reversed(list(_export().accounts.items()))),
            objects=dict(reversed(list(_export().objects.items()))),
        )
    )
    assert first == again == shuffled


def test_without_optional_fields() -> None:
    lines = _lines(render_sie4i(_export(generated_by="", period_label="")))
    assert "#GEN 20250403" in lines
    assert not any(line.startswith("#PROSA") for line in lines)


def test_a_month_without_vouchers_is_still_a_valid_file() -> None:
    data = render_sie4i(_export(vouchers=[]))
    parsed = parse_sie(data)

    assert parsed.issues == []
    assert parsed.ksumma_ok
    assert not any(line.startswith(("#KONTO", "#DIM", "#OBJEKT", "#VER")) for line in _lines(data))


def test_renderer_imports_no_web_or_database_code() -> None:
    probe = (
        "import sys, reports.sie; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('flask', 'sqlalchemy', 'ledger')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


# ---------------------------------------------------------------------------------------------
# Any export the types allow reads back exactly (hypothesis)

_CODE = st.text(
    alphabet=st.characters(codec="cp437", exclude_categories=("Cc",), exclude_characters="\\\xa0"),
    min_size=1,
    max_size=8,
)
_AMOUNT = st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False)


@st.composite
def _exports(draw: st.DrawFn) -> SieExport:
    accounts = draw(st.lists(st.from_regex(r"[1-8][0-9]{3}", fullmatch=True), min_size=1, max_size=4))
    codes = draw(st.lists(st.tuples(st.sampled_from([1, 6, 20]), _CODE), max_size=4, unique=True))
    vouchers = []
    for _ in range(draw(st.integers(1, 3))):
        rows = []
        for amount in draw(st.lists(_AMOUNT, min_size=1, max_size=4)):
            objects = (
                draw(st.lists(st.sampled_from(codes), max_size=2, unique_by=lambda o: o[0])) if codes else []
            )
            account = draw(st.sampled_from(accounts))
            rows.append(SieTransaction(account, amount, tuple(objects), draw(st.text(max_size=20))))
        balance = -sum((row.amount for row in rows), Decimal(0))
        rows.append(SieTransaction(draw(st.sampled_from(accounts)), balance))
        day = draw(st.dates(min_value=date(2025, 1, 1), max_value=date(2025, 12, 31)))
        vouchers.append(SieVoucher(day, draw(st.text(max_size=30)), tuple(rows)))
    return _export(
        accounts={account: draw(st.text(max_size=20)) for account in accounts},
        dimensions={1: "Ansvar", 6: "Projekt", 20: draw(st.text(max_size=10))},
        objects={code: draw(st.text(max_size=20)) for code in codes},
        vouchers=vouchers,
        generated_by=draw(st.text(max_size=10)),
    )


def _valid_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_exports())
def test_any_export_reads_back_exactly(export: SieExport) -> None:
    data = render_sie4i(export)
    parsed = parse_sie(data)

    # CP437 text such as "├╢" is byte for byte UTF-8 "ö": then the reader's guess is fair.
    tolerated = {"utf8_in_pc8"} if _valid_utf8(data) else set()
    assert {i.code for i in parsed.issues} <= tolerated, parsed.issues
    assert parsed.ksumma_ok
    _assert_round_trip(export, parsed)
    assert data == render_sie4i(export)


# ---------------------------------------------------------------------------------------------
# The strict reader on its own


def test_reader_reports_every_problem_as_values() -> None:
    data = (
        "#FLAGGA 0\r\n#PROGRAM x 1\r\n#FORMAT PC8\r\n#GEN 2025013\r\n#SIETYP 4\r\n#FOO 1\r\n"
        '#FNAMN "a\r\n#RAR 0 20250101\r\n#VER "" "" 20250101 "x"\r\n{\r\n'
        "#TRANS 1930 {} 1.005\r\n#TRANS 2640 {1} -1\r\n#TRANS 3010 {} -1\r\n}\r\n"
    ).encode("cp437")
    parsed = parse_sie(data)

    assert parsed.codes() == {
        "bad_date",
        "unknown_label",
        "bad_syntax",
        "rar_missing_dates",
        "bad_amount",
        "unbalanced_voucher",
        "missing_record",
    }
    assert [i.line for i in parsed.errors if i.code == "bad_syntax"] == [7, 12]


def test_reader_reads_unquoted_ids_and_multi_dimension_lists() -> None:
    data = (
        '#FLAGGA 0\n#PROGRAM "p" 1\n#FORMAT PC8\n#GEN 20250101\n#SIETYP 4\n#FNAMN "f"\n'
        '#DIM 20 "Nivå"\n#VER A 1 20250101 "t"\n{\n#TRANS 3011 {1 1} 99.60\n'
        '#TRANS 7210\t{1 "100" 6 "Obj 300" 20 "1234567890"}\t-99.60 20250102 "r" 1.75\n}\n'
    ).encode("cp437")
    parsed = parse_sie(data)
    first, second = parsed.vouchers[0].transactions

    assert parsed.issues == []
    assert parsed.line_ending == "LF"
    assert first.objects == ((1, "1"),)
    assert second.objects == ((1, "100"), (6, "Obj 300"), (20, "1234567890"))
    assert (second.date, second.text, second.quantity) == (date(2025, 1, 2), "r", Decimal("1.75"))


# ---------------------------------------------------------------------------------------------
# Real SIE files from other programs


def _samples_dir() -> Path:
    override = os.environ.get("LEDGER_SAMPLES_DIR")
    samples = Path(override) if override else PROJECT_ROOT.parent / "shared" / "samples"
    return samples / "sie"


@pytest.fixture(scope="module")
def samples() -> Path:
    path = _samples_dir()
    if not path.is_dir():
        pytest.skip(
            f"SIE sample files not found at {path}: set LEDGER_SAMPLES_DIR to the folder that"
            " holds sie/ to run these"
        )
    return path


def _read(samples: Path, name: str, encoding: str = "cp437") -> ParsedSie:
    path = samples / name
    assert path.is_file(), f"{name}: sample missing from {samples}"
    return parse_sie(path.read_bytes(), encoding)


def _check_01(parsed: ParsedSie) -> None:
    assert parsed.fiscal_years == {0: (None, None)}  # "#RAR 0" with empty dates
    (voucher,) = parsed.vouchers
    assert (voucher.series, voucher.number, voucher.text) == ("", "0", "Kundfakt 2452 - 2455")
    assert Decimal("-212.5") in [t.amount for t in voucher.transactions]
    assert voucher.transactions[0].date == date(2011, 8, 24)


def _check_02(parsed: ParsedSie) -> None:
    assert parsed.value("#FNAMN") == "Övningsbolaget AB"
    assert parsed.accounts["1510"] == "Kundfordringar"  # unquoted name
    assert parsed.value("#FNR", 0).endswith("\\Företag\\Övningsbolaget")  # literal backslashes
    assert [(v.series, v.number) for v in parsed.vouchers] == [("B", "")]


def _check_03(parsed: ParsedSie) -> None:
    rows = parsed.vouchers[0].transactions
    assert ((1, "100"), (6, "Obj300"), (20, "1234567890")) in [t.objects for t in rows]
    assert [t.quantity for t in rows if t.quantity is not None][:3] == [
        Decimal("1.00"),
        Decimal("160.00"),
        Decimal("1.75"),
    ]
    assert parsed.dimensions == {1: "Kostnadsställe", 6: "Projekt", 20: "Nivå 4"}


def _check_04(parsed: ParsedSie) -> None:
    assert parsed.ksumma_declared == parsed.ksumma_computed == NORSTEDTS_KSUMMA
    assert parsed.fiscal_years[0] == (date(2009, 7, 1), date(2010, 6, 30))
    assert parsed.fiscal_years[-1] == (date(2008, 7, 1), date(2009, 6, 30))
    assert parsed.dimensions == {1: "Kostnadsställe", 6: "Projekt"}  # unquoted, TAB separated
    assert [(v.series, v.number) for v in parsed.vouchers] == [("A", "52"), ("A", "53")]


def _check_05(parsed: ParsedSie) -> None:
    rows = parsed.vouchers[0].transactions
    assert rows[6].objects == ((1, "Nord"), (6, "0015"))
    assert parsed.dimensions == {}  # reserved dimensions 1 and 6 used without #DIM


def _check_06(parsed: ParsedSie) -> None:
    rows = [t for v in parsed.vouchers for t in v.transactions]
    assert ((1, "1"),) in [t.objects for t in rows]  # unquoted {1 1}
    undeclared = {i.message.split()[1] for i in parsed.warnings}
    assert {"3040", "3050", "3894"} <= undeclared


def _check_07(parsed: ParsedSie) -> None:
    assert parsed.header["#ORGNR"] == ("000000-0000", "1")
    assert len(parsed.objects) == 6
    assert parsed.value("#PROGRAM", 1) == "4.9G"


def _check_08(parsed: ParsedSie) -> None:
    (issue,) = [i for i in parsed.errors if i.code == "unbalanced_voucher"]
    assert "voucher B 1 " in issue.message and "-12771.00" in issue.message
    voucher = next(v for v in parsed.vouchers if (v.series, v.number) == ("B", "1"))
    assert voucher.balance == Decimal("-12771.00")
    assert all(v.balance == 0 for v in parsed.vouchers if v is not voucher)


def _check_09(parsed: ParsedSie) -> None:
    assert parsed.header["#PROGRAM"] == ("Kassasystem", '1.0 - "Oblique Ozelot" - alpha')
    assert parsed.vouchers[0].text == 'Försäljning 25% "DF:157"'
    # An unquoted "Övningsbolaget AB" is two fields; a reader keeps the first (the warning).
    assert parsed.header["#FNAMN"] == ("Övningsbolaget", "AB")
    assert parsed.value("#FNAMN") == "Övningsbolaget"


def _check_10(parsed: ParsedSie) -> None:
    assert "\ufffd" in parsed.value("#FNAMN", 0)  # "�vningsbolaget AB": lost before writing
    assert {61, 62} <= set(parsed.dimensions)  # #UNDERDIM
    assert ((1, "Nord"), (61, "0036")) in [t.objects for v in parsed.vouchers for t in v.transactions]


@dataclass(frozen=True)
class Expect:
    encoding: str
    errors: frozenset[str]
    warnings: frozenset[str]
    vouchers: int
    check: Callable[[ParsedSie], None]


def _expect(
    check: Callable[[ParsedSie], None],
    vouchers: int,
    errors: Iterable[str] = (),
    warnings: Iterable[str] = (),
    encoding: str = "cp437",
) -> Expect:
    return Expect(encoding, frozenset(errors), frozenset(warnings), vouchers, check)


# What the strict reader says about each file: exactly these error and warning codes.
SAMPLES: dict[str, Expect] = {
    "01_BL0001_typ4I.SI": _expect(_check_01, 1, errors={"rar_missing_dates"}),
    "02_Visma_FAKT.SI": _expect(_check_02, 1),
    "03_Kontek_LON_Lonekorning.SI": _expect(_check_03, 1),
    "04_Norstedts_Bokslut_SIE4I_ksumma.si": _expect(_check_04, 2),
    "05_Visma_Anlaggningsregister_4I.si": _expect(_check_05, 1),
    "06_REAL09_Exempelbolaget_4I.si": _expect(_check_06, 13, warnings={"undeclared_account"}),
    "07_Edison_typ4E_objects.se": _expect(_check_07, 81),
    "08_Avendo_4E_bad_balance.se": _expect(
        _check_08, 163, errors={"unbalanced_voucher"}, warnings={"orgnr_format"}
    ),
    "09_Sie4j_Quotes_test_utf8.si": _expect(
        _check_09, 1, warnings={"declared_pc8", "extra_fields"}, encoding="utf-8"
    ),
    "10_Visma_4E_underdim_broken_encoding.SE": _expect(
        _check_10,
        295,
        errors={"replacement_character"},
        warnings={"already_imported", "declared_pc8", "undeclared_object"},
        encoding="utf-8",
    ),
}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_sample_reads_as_expected(samples: Path, name: str) -> None:
    expect = SAMPLES[name]
    parsed = _read(samples, name, expect.encoding)
    report = "\n".join(str(i) for i in parsed.issues[:20])

    assert parsed.codes("error") == expect.errors, f"{name} errors:\n{report}"
    assert parsed.codes("warning") == expect.warnings, f"{name} warnings:\n{report}"
    assert len(parsed.vouchers) == expect.vouchers, name
    expect.check(parsed)


def test_every_sample_has_expectations(samples: Path) -> None:
    present = {p.name for p in samples.iterdir() if p.suffix.lower() in (".si", ".se")}
    assert present == set(SAMPLES), "add an expectation for each SIE sample file"


@pytest.mark.parametrize("name", ["09_Sie4j_Quotes_test_utf8.si", "10_Visma_4E_underdim_broken_encoding.SE"])
def test_utf8_samples_read_as_pc8_are_caught(samples: Path, name: str) -> None:
    assert "utf8_in_pc8" in _read(samples, name, "cp437").codes(), name


def test_renderer_ksumma_reproduces_the_norstedts_file(samples: Path) -> None:
    parsed = _read(samples, "04_Norstedts_Bokslut_SIE4I_ksumma.si")
    assert ksumma(checksum_records(parsed.records)) == NORSTEDTS_KSUMMA


def test_a_changed_norstedts_file_fails_its_ksumma(samples: Path) -> None:
    data = (samples / "04_Norstedts_Bokslut_SIE4I_ksumma.si").read_bytes()
    tampered = data.replace(b"1104488.11", b"1104488.12")
    assert tampered != data
    assert parse_sie(tampered).codes() == {"ksumma_mismatch"}  # still balanced: both rows changed
