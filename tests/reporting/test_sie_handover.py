"""The month's hand-over to the financial system: SIE 4I read back by a strict reader, each export
recorded, no voucher handed over twice, both booking methods balanced."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from ledger.access.models import Role
from ledger.accounting import service as accounting
from ledger.allocation import periods
from ledger.allocation.engine import allocate
from ledger.allocation.models import JournalEntry, Period
from ledger.allocation.rules import Rule
from ledger.database import db
from ledger.inventory.assignments import move
from ledger.inventory.models import Subscription
from ledger.reporting import sie
from ledger.reporting.models import SieExport, SieExportEntry
from tests.conftest import count, csrf_token, journal_sums, log_in
from tests.factories import ACTIVITIES, Month, build_month, save
from tests.reports.sie_parser import ParsedSie, parse_sie

CLEARING = "6819"
KANSLI = "1110"


@pytest.fixture
def month(db, org) -> Month:
    return build_month(org)


def _export(month: Month, period: str = "2026-03", **options) -> tuple[sie.SieFile, ParsedSie]:
    exported = sie.export_period(None, month.org.organisation, period, generated_by="Ekonomi",
                                 today=date(2026, 4, 2), **options)
    save()
    return exported, parse_sie(exported.data)


def _allocated(period: str = "2026-03") -> Decimal:
    """What the allocation placed on units: the period's entries, suspense left out."""
    amounts = sa.select(JournalEntry.amount).join(Period, Period.id == JournalEntry.period_id).where(
        Period.period == period, JournalEntry.rule != Rule.SUSPENSE)
    return sum(db.session.scalars(amounts), Decimal("0.00"))


def _per_account(parsed: ParsedSie) -> dict[str, Decimal]:
    sums: dict[str, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for voucher in parsed.vouchers:
        for trans in voucher.transactions:
            sums[trans.account] += trans.amount
    return dict(sums)


def _per_object(parsed: ParsedSie, dimension: int) -> dict[str, Decimal]:
    sums: dict[str, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for voucher in parsed.vouchers:
        for trans in voucher.transactions:
            for dim, code in trans.objects:
                if dim == dimension:
                    sums[code] += trans.amount
    return dict(sums)


def test_the_file_reads_strictly_and_credits_the_clearing_account_by_the_allocated_total(db, month) -> None:
    exported, parsed = _export(month)
    assert parsed.issues == [], [str(issue) for issue in parsed.issues]
    assert parsed.ksumma_ok and parsed.line_ending == "CRLF"
    assert parsed.value("#FNAMN") == "Karlsborgs kommun" and parsed.value("#ORGNR") == "212000-1629"
    assert parsed.dimensions == {1: "Ansvar", 20: "Verksamhet"}
    assert parsed.accounts[CLEARING] == "Telefoni att fördela"
    assert len(parsed.vouchers) == 2 and all(v.balance == 0 for v in parsed.vouchers)
    accounts = _per_account(parsed)
    assert accounts[CLEARING] == -_allocated() == Decimal("-2384.53")  # 2463.25 less 78.72 in suspense
    assert "6999" not in accounts and "2440" not in accounts  # suspense stays on the clearing account
    clearing_rows = [t for v in parsed.vouchers for t in v.transactions if t.account == CLEARING]
    assert all(t.objects == ((1, KANSLI),) for t in clearing_rows)  # the clearing ansvar carries it
    per_unit = {code: amount for code, amount in journal_sums().items() if code is not None}
    units = _per_object(parsed, 1)
    assert {code: amount for code, amount in units.items() if code != KANSLI} == {
        code: amount for code, amount in per_unit.items() if code != KANSLI}
    assert _per_object(parsed, 20) == {ACTIVITIES[code]: amount for code, amount in per_unit.items()
                                       if code != KANSLI} | {ACTIVITIES[KANSLI]: per_unit[KANSLI]}
    hjo = next(v for v in parsed.vouchers if "H-1" in v.text)
    assert [t.text for t in hjo.transactions] == ["H-1 Hjo kommun, motpart 82"] * 2
    assert parsed.value("#GEN") == "20260402"  # #GEN: the date, then the user's name
    assert b'#GEN 20260402 "Ekonomi"' in exported.data
    assert exported.record is not None and exported.record.voucher_count == 2


def test_a_second_export_writes_nothing_and_after_a_correction_only_the_correction(db, month) -> None:
    first, _ = _export(month)
    again, parsed = _export(month)
    assert again.vouchers == 0 and parsed.vouchers == [] and parsed.issues == []
    assert again.record is None and count(db, SieExport) == 1  # an export with nothing new is not recorded

    periods.close(None, month.org.id, "2026-03")
    save()
    sub = db.scalar(sa.select(Subscription).where(Subscription.number == "+46702345678"))
    move(None, sub, month.org.skola, date(2026, 3, 20))  # VA's number really moved on 20 March
    save()
    allocate(None, month.org.organisation, "2026-03")  # booked in April, as corrections
    save()
    assert _export(month)[0].vouchers == 0  # March itself has nothing new
    correction, parsed = _export(month, "2026-04")
    [voucher] = parsed.vouchers
    assert voucher.text.startswith("Rättelse: Telefoni 2026-04") and voucher.date == date(2026, 4, 30)
    assert CLEARING not in _per_account(parsed)  # a correction moves cost between units: nothing to clear
    assert _per_object(parsed, 1) == {code: amount for code, amount in journal_sums("2026-04").items() if code}
    assert _export(month, "2026-04")[0].vouchers == 0
    assert count(db, SieExport) == 2 and correction.record is not None
    assert count(db, SieExportEntry) == first.entries + correction.entries


def test_all_writes_the_whole_period_again_and_says_so(db, month) -> None:
    first, _ = _export(month)
    again, parsed = _export(month, everything=True)
    assert again.vouchers == first.vouchers == 2
    assert "HELA PERIODEN IGEN" in parsed.value("#PROSA")
    assert again.record is not None and again.record.everything
    assert [e.everything for e in sie.exports_of(month.org.id, "2026-03")] == [True, False]


def test_internal_revenue_vouchers_eliminate_by_motpart(db, month) -> None:
    accounting.update(None, month.org.organisation, {"booking_method": "internal_revenue",
                                                     "sie.counterparty": "dimension"})
    save()
    _, parsed = _export(month)
    assert parsed.issues == [] and all(v.balance == 0 for v in parsed.vouchers)
    accounts = _per_account(parsed)
    assert accounts["3690"] == -_allocated() and CLEARING not in accounts
    assert _per_object(parsed, 21) == {"1": Decimal("0.00")}  # every row internal; the pairs net to zero
    revenue = [t for v in parsed.vouchers for t in v.transactions if t.account == "3690"]
    assert all(t.objects == ((1, KANSLI), (21, "1")) for t in revenue)


def test_motpart_as_a_dimension_balances_each_motpart(db, month) -> None:
    accounting.update(None, month.org.organisation, {"sie.counterparty": "dimension"})
    save()
    _, parsed = _export(month)
    assert parsed.issues == [] and parsed.dimensions[21] == "Motpart"
    hjo = next(v for v in parsed.vouchers if "H-1" in v.text)
    assert all((21, "82") in t.objects for t in hjo.transactions)
    assert _per_object(parsed, 21) == {"82": Decimal("0.00"), "90": Decimal("0.00")}


def test_one_voucher_per_period_when_set(db, month) -> None:
    accounting.update(None, month.org.organisation, {"vouchers": "period"})
    save()
    _, parsed = _export(month)
    [voucher] = parsed.vouchers
    assert parsed.issues == [] and voucher.balance == 0 and voucher.date == date(2026, 3, 31)
    assert _per_account(parsed)[CLEARING] == -_allocated()


def test_no_export_without_a_clearing_ansvar(db, month) -> None:
    accounting.update(None, month.org.organisation, {"clearing_ansvar": "-"})
    save()
    with pytest.raises(Exception, match="clearing_ansvar"):
        sie.export_period(None, month.org.organisation, "2026-03")


# -- through the API, the page and the command ------------------------------------------------


def test_finance_hands_over_through_the_api_and_an_auditor_only_looks(client, db, month, api_headers) -> None:
    auditor = client.get("/api/v1/exports/sie?period=2026-03", headers=api_headers(Role.AUDITOR))
    assert auditor.status_code == 200 and len(parse_sie(auditor.data).vouchers) == 2
    assert count(db, SieExport) == 0  # an auditor's download hands nothing over
    response = client.get("/api/v1/exports/sie?period=2026-03", headers=api_headers(Role.FINANCE))
    assert response.status_code == 200 and response.headers["X-Vouchers"] == "2"
    assert response.headers["Content-Disposition"] == 'attachment; filename="journal-2120001629-2026-03.si"'
    assert parse_sie(response.data).errors == [] and count(db, SieExport) == 1
    assert len(parse_sie(client.get("/api/v1/exports/sie?period=2026-03",
                                    headers=api_headers(Role.FINANCE)).data).vouchers) == 0
    preview = client.get("/api/v1/exports/sie?period=2026-03&all=true&preview=true", headers=api_headers(Role.FINANCE))
    assert len(parse_sie(preview.data).vouchers) == 2 and count(db, SieExport) == 1
    history = client.get("/api/v1/exports/sie/history?period=2026-03", headers=api_headers(Role.AUDITOR)).json
    assert [(h["voucher_count"], h["everything"], len(h["sha256"])) for h in history] == [(2, False, 64)]
    assert client.get("/api/v1/exports/sie/history", headers=api_headers(Role.DEPARTMENT, ["3110"])).status_code == 403


def test_the_reports_page_hands_over_with_a_form_and_lists_the_exports(client, db, month, make_user) -> None:
    finance = make_user(Role.FINANCE, username="ekonom")
    log_in(client, finance.username)
    page = client.get("/reports?period=2026-03")
    assert b"Ingen \xc3\xb6verl\xc3\xa4mning" in page.data or b"No hand-over" in page.data
    assert client.post("/reports/journal.si?period=2026-03", data={}).status_code == 400  # no CSRF token
    response = client.post("/reports/journal.si?period=2026-03", data={"csrf_token": csrf_token(client, "/reports")})
    assert response.status_code == 200 and len(parse_sie(response.data).vouchers) == 2
    [export] = sie.exports_of(month.org.id, "2026-03")
    listed = client.get("/reports?period=2026-03").get_data(as_text=True)
    assert export.sha256[:16] in listed and "ekonom" in listed
    look = client.get("/reports/journal.si?period=2026-03")  # a GET looks at the whole period, records nothing
    assert len(parse_sie(look.data).vouchers) == 2 and count(db, SieExport) == 1


def test_the_command_says_what_it_handed_over(app, db, month, tmp_path) -> None:
    out = tmp_path / "march.si"
    first = app.test_cli_runner().invoke(args=["export", "sie", "2026-03", "--out", str(out)])
    assert first.exit_code == 0, first.output
    assert "2 vouchers" in first.output and "recorded as export" in first.output
    second = app.test_cli_runner().invoke(args=["export", "sie", "2026-03", "--out", str(out)])
    assert second.exit_code == 0 and "no vouchers, nothing new" in second.output
    assert parse_sie(out.read_bytes()).vouchers == []
    everything = app.test_cli_runner().invoke(args=["export", "sie", "2026-03", "--out", str(out), "--all"])
    assert "the whole period again" in everything.output and len(parse_sie(out.read_bytes()).vouchers) == 2
