"""A finding's life: recorded once per fingerprint, the same finding every month it recurs, moved
only by the transitions of its table, in its history and the audit log."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from ledger.access.models import Role
from ledger.findings import claims, lifecycle, recording
from ledger.findings.models import Finding, FindingEvent, FindingOccurrence, FindingStatus
from ledger.invoices.models import InvoiceLine
from ledger.procurement import compliance
from tests.conftest import audit_actions, count, csrf_token, log_in
from tests.factories import make_user, save
from tests.findings.world import UNKNOWN, credit_note, finding_of, make_world, overcharge, page_text


def test_the_same_finding_in_another_month_has_the_same_fingerprint_and_another_subject_not(db, org) -> None:
    world = make_world(org)
    overcharge(world, "2026-10", "F-1001")
    overcharge(world, "2026-11", "F-1101", price="150.00")
    overcharge(world, "2026-11", "F-1102", item="MOB-SAMTAL", quantity="100", price="0.59")
    (october,) = compliance.check(org.id, "2026-10").of_kind("price_above_contract")
    november = {f.params["item_code"]: f for f in compliance.check(org.id, "2026-11").of_kind("price_above_contract")}
    assert october.fingerprint(org.id) == november["MOB-OBG"].fingerprint(org.id)
    assert october.fingerprint(org.id) != november["MOB-SAMTAL"].fingerprint(org.id)
    assert october.fingerprint(org.id) != october.fingerprint(org.id + 1)
    assert "2026-10" not in october.fingerprint(org.id)


def test_a_finding_acknowledged_in_october_is_acknowledged_not_new_in_november(db, org, client, api_headers) -> None:
    world = make_world(org)
    overcharge(world, "2026-10", "F-1001", unknown=True)
    overcharge(world, "2026-11", "F-1101", unknown=True)
    headers = api_headers(Role.FINANCE)
    october = client.get("/api/v1/compliance?period=2026-10", headers=headers).json
    (unknown,) = [f for f in october["findings"] if f["kind"] == "unmatched_reference"]
    assert unknown["status"] == "new" and unknown["finding_id"]
    done = client.post(f"/api/v1/findings/{unknown['finding_id']}/transitions", headers=headers,
                       json={"action": "acknowledge", "note": "Operatören utreder numret"})
    assert done.status_code == 200 and done.json["status"] == "acknowledged"

    november = client.get("/api/v1/compliance?period=2026-11", headers=headers).json
    (again,) = [f for f in november["findings"] if f["kind"] == "unmatched_reference"]
    assert again["finding_id"] == unknown["finding_id"] and again["status"] == "acknowledged"
    detail = client.get(f"/api/v1/findings/{unknown['finding_id']}", headers=headers).json
    assert [o["period"] for o in detail["occurrences"]] == ["2026-11", "2026-10"]
    assert detail["first_period"] == "2026-10" and detail["last_period"] == "2026-11"
    assert [(e["action"], e["from_status"], e["to_status"]) for e in reversed(detail["history"])] == [
        ("record", None, "new"), ("acknowledge", "new", "acknowledged")]
    assert detail["history"][0]["note"] == "Operatören utreder numret"

    # The page of November says so in Swedish, and the finding's list too.
    log_in(client, make_user(org, Role.PROCUREMENT).username)
    page = client.get("/compliance?period=2026-11")
    html = page.get_data(as_text=True)
    item = html[html.index(f'/findings/{unknown["finding_id"]}') - 200:html.index(f'/findings/{unknown["finding_id"]}')]
    assert "kvitterad" in item and "status-new" not in item
    listed = client.get("/findings?status=acknowledged")
    assert UNKNOWN[1:] in page_text(listed) or "matchade" in page_text(listed)
    assert f"/findings/{unknown['finding_id']}" in listed.get_data(as_text=True)
    assert f"/findings/{unknown['finding_id']}" not in client.get("/findings?status=new").get_data(as_text=True)


def test_recording_twice_writes_nothing_and_a_finding_no_longer_found_leaves_the_month(db, org) -> None:
    world = make_world(org)
    overcharge(world, "2026-10", "F-1001", unknown=True)
    recording.record_period(org.id, "2026-10")
    save()
    events = count(db, FindingEvent)
    assert count(db, Finding) == 2 and events == 2
    audits = len(audit_actions(db, "findings.record"))
    recording.record_period(org.id, "2026-10")
    save()
    assert (count(db, Finding), count(db, FindingEvent), len(audit_actions(db, "findings.record"))) == (
        2, events, audits)
    # The unknown number turns out to be ours: the line matched, the finding is gone from October.
    line = db.scalar(sa.select(InvoiceLine).where(InvoiceLine.reference == UNKNOWN))
    line.asset_id = db.scalar(sa.select(InvoiceLine.asset_id).where(InvoiceLine.id != line.id))
    save()
    recording.record_period(org.id, "2026-10")
    save()
    unknown = finding_of("unmatched_reference")
    assert count(db, FindingOccurrence) == 1 and unknown.occurrences == []  # the finding and its history stay


def test_a_credited_finding_found_again_in_a_later_month_is_reopened(db, org) -> None:
    world = make_world(org)
    overcharge(world, "2026-10", "F-1001")
    recording.record_period(org.id, "2026-10")
    finance = make_user(org, Role.FINANCE)
    claim = claims.prepare(finance, world.operator.id)
    claims.act(finance, claim.id, "send")
    save()
    credit_note(world, "K-1", "F-1001", "1234.50", "2026-12-10")
    claims.match_credit_notes(org.id)
    save()
    finding = finding_of("price_above_contract")
    assert finding.status == FindingStatus.CREDITED
    recording.record_period(org.id, "2026-10")  # the same month again: still credited
    save()
    assert finding_of("price_above_contract").status == FindingStatus.CREDITED
    overcharge(world, "2026-12", "F-1201", quantity="1")
    recording.record_period(org.id, "2026-12")
    save()
    finding = finding_of("price_above_contract")
    assert finding.status == FindingStatus.NEW and finding.events[-1].action == "recur"
    assert finding.events[-1].period == "2026-12" and finding.events[-1].actor_id is None
    again = claims.prepare(finance, world.operator.id)  # only December's line is left to claim
    assert [line.amount for line in again.lines] == [Decimal("123.45")]


@pytest.mark.parametrize(("status", "action", "code", "message"), [
    (FindingStatus.ACKNOWLEDGED, "acknowledge", 409, "Finding {id} is acknowledged; it cannot be acknowledged"),
    (FindingStatus.NEW, "reopen", 409, "Finding {id} is new; it cannot be reopened"),
    (FindingStatus.NEW, "claim", 409, "Finding {id} is claimed through its claim, not by hand"),
    (FindingStatus.CLAIMED, "credit", 409, "Finding {id} is credited through its claim, not by hand"),
    (FindingStatus.CLAIMED, "write_off", 409, "Finding {id} is written off through its claim, not by hand"),
    (FindingStatus.CREDITED, "recur", 409, "Finding {id} is reopened by the compliance check when it is found again"),
    (FindingStatus.NEW, "explode", 422, None),
])
def test_a_transition_the_table_does_not_allow_is_refused_with_a_clear_error(
        db, org, client, api_headers, status, action, code, message) -> None:
    world = make_world(org)
    overcharge(world, "2026-10", "F-1001")
    recording.record_period(org.id, "2026-10")
    finding = finding_of("price_above_contract")
    finding.status = status
    save()
    answer = client.post(f"/api/v1/findings/{finding.id}/transitions", headers=api_headers(Role.FINANCE),
                         json={"action": action})
    assert answer.status_code == code, answer.json
    if message:
        assert answer.json["error"] == {"code": "conflict", "message": message.format(id=finding.id), "details": []}
    else:
        assert answer.json["error"]["code"] == "validation_failed"
    assert finding_of("price_above_contract").status == status
    assert audit_actions(db, f"finding.{action}") == []


def test_only_a_price_deviation_is_claimed_and_a_page_says_a_refusal_in_swedish(db, org, client) -> None:
    world = make_world(org)
    overcharge(world, "2026-10", "F-1001", unknown=True)
    recording.record_period(org.id, "2026-10")
    unknown = finding_of("unmatched_reference")
    with pytest.raises(lifecycle.Conflict, match="not a price above contract"):
        lifecycle.fire(None, unknown, "claim", lifecycle.Actor.CLAIM)
    log_in(client, make_user(org, Role.FINANCE).username)
    path = f"/findings/{unknown.id}"
    refused = client.post(f"{path}/reopen", data={"csrf_token": csrf_token(client, path)})
    assert refused.status_code == 409
    assert f"Avvikelse {unknown.id} är ny; den kan inte bli öppnad igen" in page_text(refused)
    done = client.post(f"{path}/acknowledge", data={"csrf_token": csrf_token(client, path), "note": "Utreds"})
    assert done.status_code == 302
    db.expire_all()
    assert finding_of("unmatched_reference").status == FindingStatus.ACKNOWLEDGED
    (event,) = audit_actions(db, "finding.acknowledge")
    assert event.before == {"status": "new"} and event.after == {"status": "acknowledged", "note": "Utreds"}


def test_owner_and_note_are_set_through_the_api_and_the_page(db, org, client, api_headers) -> None:
    world = make_world(org)
    overcharge(world, "2026-10", "F-1001")
    recording.record_period(org.id, "2026-10")
    finding = finding_of("price_above_contract")
    owner = make_user(org, Role.PROCUREMENT, username="ulf")
    save()
    headers = api_headers(Role.FINANCE)
    answer = client.patch(f"/api/v1/findings/{finding.id}", headers=headers, json={"owner": "ulf", "note": "Ring dem"})
    assert answer.status_code == 200 and (answer.json["owner"], answer.json["note"]) == ("ulf", "Ring dem")
    assert client.patch(f"/api/v1/findings/{finding.id}", headers=headers, json={}).status_code == 422
    auditor = make_user(org, Role.AUDITOR, username="rut")
    save()
    bad = client.patch(f"/api/v1/findings/{finding.id}", headers=headers, json={"owner": "rut"})
    assert bad.status_code == 422 and "may not handle findings" in bad.json["error"]["message"]
    assert client.patch(f"/api/v1/findings/{finding.id}", headers=headers, json={"owner": "x"}).status_code == 404
    assert audit_actions(db, "finding.update")[0].after == {"owner": "ulf", "note": "Ring dem"}
    log_in(client, owner.username)
    page = client.get(f"/findings/{finding.id}")
    assert "Hanteras av" in page_text(page) and "Ring dem" in page_text(page)
    assert auditor.username not in page.get_data(as_text=True)  # only those who may handle findings are offered


@pytest.mark.parametrize(("role", "read", "manage"), [
    (Role.FINANCE, 200, 200), (Role.PROCUREMENT, 200, 200), (Role.AUDITOR, 200, 403),
    (Role.DEPARTMENT, 403, 403), (Role.ADMIN, 403, 403)])
def test_who_reads_and_who_handles_findings(db, org, client, api_headers, role, read, manage) -> None:
    world = make_world(org)
    overcharge(world, "2026-10", "F-1001")
    recording.record_period(org.id, "2026-10")
    finding = finding_of("price_above_contract")
    save()
    headers = api_headers(role, ["3110"] if role == Role.DEPARTMENT else [])
    assert client.get("/api/v1/findings", headers=headers).status_code == read
    assert client.get("/api/v1/claims", headers=headers).status_code == read
    answer = client.post(f"/api/v1/findings/{finding.id}/transitions", headers=headers, json={"action": "acknowledge"})
    assert answer.status_code == manage
    created = client.post("/api/v1/claims", headers=headers, json={"supplier_id": world.operator.id})
    assert created.status_code == (201 if manage == 200 else 403)


def test_the_findings_command_records_a_month(app, db, org) -> None:
    world = make_world(org)
    overcharge(world, "2026-10", "F-1001", unknown=True)
    result = app.test_cli_runner().invoke(args=["findings", "record", "2026-10"])
    assert result.exit_code == 0, result.output
    assert "2026-10: 2 finding(s) recorded: 2 new" in result.output
    assert count(db, Finding) == 2
    assert app.test_cli_runner().invoke(args=["findings", "record", "2026-13"]).exit_code != 0


def test_two_first_looks_at_a_month_at_once_keep_one_of_each_row(db, org, monkeypatch) -> None:
    """A request that read the month before another's first recording committed inserts the same
    findings, occurrences and lines again: ON CONFLICT DO NOTHING keeps one of each, and no error."""
    world = make_world(org)
    overcharge(world, "2026-10", "F-1001")
    report = compliance.check(org.id, "2026-10")
    recording.record(report)
    save()
    rows = (count(db, Finding), count(db, FindingOccurrence), count(db, FindingEvent))
    real = recording._findings_of
    monkeypatch.setattr(recording.db.session, "scalars", _seeing_nothing_first(recording.db.session.scalars))
    recording._insert_new(org.id, "2026-10", {f.fingerprint(org.id): [f] for f in report.findings})
    monkeypatch.undo()
    findings = real(org.id, [f.fingerprint(org.id) for f in report.findings])
    recording._insert_occurrences(org.id, "2026-10", {findings[f.fingerprint(org.id)].id: [f]
                                                      for f in report.findings}, [])
    save()
    assert (count(db, Finding), count(db, FindingOccurrence), count(db, FindingEvent)) == rows


def _seeing_nothing_first(scalars):
    """``session.scalars`` whose first answer is empty: what a request saw before the other committed."""
    calls = []

    def patched(statement, *args, **kwargs):
        calls.append(statement)
        return iter(()) if len(calls) == 1 else scalars(statement, *args, **kwargs)
    return patched


def test_the_findings_list_filters_by_month_status_and_kind_and_downloads_what_it_shows(db, org, client) -> None:
    world = make_world(org)
    overcharge(world, "2026-10", "F-1001", unknown=True)
    overcharge(world, "2026-11", "F-1101")
    for period in ("2026-10", "2026-11"):
        recording.record_period(org.id, period)
    save()
    log_in(client, make_user(org, Role.AUDITOR).username)
    price, unknown = finding_of("price_above_contract"), finding_of("unmatched_reference")
    november = client.get("/findings?period=2026-11").get_data(as_text=True)
    assert f"/findings/{price.id}" in november and f"/findings/{unknown.id}" not in november
    kind = client.get("/findings?kind=unmatched_reference").get_data(as_text=True)
    assert f"/findings/{unknown.id}" in kind and f"/findings/{price.id}" not in kind
    assert client.get("/findings?period=2026-13").status_code == 400  # as the compliance page says it
    csv = client.get("/findings?format=csv&period=2026-10").data.decode("utf-8-sig")
    assert "Pris över avtalspris" in csv and "1234,50" in csv and "ny" in csv
    api = client.application.test_client()
    assert api.get("/api/v1/findings?period=2026-13").status_code == 401  # the API needs a token, not a session
