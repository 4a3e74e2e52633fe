"""A person's extract: every subscription they held, with handsets, agreements, their user account
and the audit events naming them, as JSON (command and page) and PDF (page); administrators only,
and only of their own organisation."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from ledger.access.models import Role
from ledger.core.errors import ValidationFailed
from ledger.inventory import edits
from ledger.inventory.models import Subscription
from ledger.privacy.names import names_person, person_words, pseudonymiser
from tests.conftest import audit_actions, csrf_token, log_in
from tests.factories import SUPPLIER, make_organisation, make_user, save
from tests.privacy.conftest import ANNA, CURRENT, MANAGER, OLD, OTHER, RECENT


def extract_by_command(app, person: str, *extra: str) -> dict:
    result = app.test_cli_runner().invoke(args=["privacy", "extract", person, *extra])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def post_extract(client, person: str, fmt: str):
    return client.post("/privacy", data={"person": person, "format": fmt, "csrf_token": csrf_token(client, "/privacy")})


def test_the_command_lists_every_subscription_the_holder_had(app, db, people) -> None:
    found = extract_by_command(app, "anna  SVENSSON")
    assert [s["number"] for s in found["subscriptions"]] == [OLD, CURRENT]  # not Johanna Svensson's
    old = found["subscriptions"][0]
    assert (old["start_date"], old["end_date"], old["as_holder"], old["as_signer"]) == (
        "2023-01-01", "2024-03-10", True, True)
    assert old["units"] == [{"ansvar": "3110", "name": "Förskolor centrala Karlsborg", "first_day": "2023-01-01",
                             "last_day": "2024-03-10"}]
    assert found["names_found"] == [ANNA]
    assert found["agreements"] == [{"number": OLD, "reference": "PA-7", "signed_on": "2023-01-02",
                                    "signed_by": ANNA}]
    assert [(h["imei"], h["subscription_number"]) for h in found["handsets"]] == [(people.handset.imei, OLD)]
    actions = [e["action"] for e in found["events"]]
    assert "inventory.import" in actions and "subscription.update" in actions
    listed = json.dumps(found["events"], ensure_ascii=False)
    assert "Johanna" not in listed and "Bertil" not in listed
    (recorded,) = audit_actions(db, "privacy.extract")
    assert recorded.after["subscriptions"] == 2 and ANNA not in json.dumps(recorded.after, ensure_ascii=False)


def test_other_peoples_names_in_an_event_are_hidden(app, db, people) -> None:
    found = extract_by_command(app, "Svensson Anna")  # any order
    (listing,) = [e for e in found["events"] if e["action"] == "inventory.import"]
    assert {row["number"]: row["changes"]["holder_name"] for row in listing["after"]["updated"]} == {
        OLD: [None, ANNA], CURRENT: [None, ANNA]}
    edits.update_subscription(people.admin, people.current, {"holder_name": "Cecilia Ceder"})
    save()
    found = extract_by_command(app, ANNA)
    (changed,) = [e for e in found["events"] if e["action"] == "subscription.update" and e["after"].get(
        "holder_name")]
    assert changed["before"]["holder_name"] == ANNA and changed["after"]["holder_name"] == "***"


def test_a_manager_is_found_by_a_name_written_with_letters_beyond_ascii(app, db, people) -> None:
    found = extract_by_command(app, "örjan chef")
    assert found["subscriptions"] == []
    assert [(h["imei"], h["reported_to_manager"]) for h in found["handsets"]] == [(people.handset.imei, MANAGER)]
    assert [e["action"] for e in found["events"]] == ["handset.report_loss"]  # stored as \\u00d6 in the JSON


def test_a_user_account_and_what_they_did(app, db, people) -> None:
    found = extract_by_command(app, "karlsborg admin")  # words of the log-in name
    assert [a["username"] for a in found["accounts"]] == ["karlsborg-admin"]
    reasons = {reason for event in found["events"] for reason in event["reasons"]}
    assert {"by", "account"} <= reasons


def test_a_pdf_needs_a_file_and_a_name_needs_three_letters(app, db, people, tmp_path) -> None:
    runner = app.test_cli_runner()
    assert runner.invoke(args=["privacy", "extract", ANNA, "--format", "pdf"]).exit_code == 2
    short = runner.invoke(args=["privacy", "extract", "Al"])
    assert short.exit_code == 1 and "at least 3 letters" in short.output
    out = tmp_path / "utdrag.pdf"
    wrote = runner.invoke(args=["privacy", "extract", ANNA, "--format", "pdf", "-o", str(out), "--lang", "en"])
    assert wrote.exit_code == 0, wrote.output
    assert "2 subscriptions" in wrote.output
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(out.read_bytes())).pages)
    assert "Personal data extract" in text and OLD in text and CURRENT in text


def test_names_are_whole_words_in_any_order() -> None:
    wanted = person_words("Anna Svensson")
    assert names_person("Svensson, Anna", wanted) and names_person("ANNA  SVENSSON (vikarie)", wanted)
    assert not names_person("Johanna Svensson", wanted) and not names_person("Anna Berg", wanted)
    assert names_person("Åsa Öberg", person_words("åsa öberg"))
    with pytest.raises(ValidationFailed):
        person_words(" a. b ")


def test_the_page_downloads_the_extract_as_json_and_pdf(client, db, people) -> None:
    log_in(client, "karlsborg-admin")
    page = client.get("/privacy")
    assert page.status_code == 200 and 'name="csrf_token"' in page.get_data(as_text=True)
    shown = post_extract(client, ANNA, "page")
    assert shown.status_code == 200 and "070-555 00 01" in shown.get_data(as_text=True)
    downloaded = post_extract(client, ANNA, "json")
    assert downloaded.status_code == 200 and downloaded.mimetype == "application/json"
    assert "attachment" in downloaded.headers["Content-Disposition"] and "Svensson" not in downloaded.headers[
        "Content-Disposition"]
    assert [s["number"] for s in downloaded.get_json()["subscriptions"]] == [OLD, CURRENT]
    pdf = post_extract(client, ANNA, "pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Registerutdrag" in text and OLD in text and CURRENT in text and OTHER not in text
    assert len(audit_actions(db, "privacy.extract")) == 3


def test_the_form_needs_its_token_and_a_name(client, db, people) -> None:
    log_in(client, "karlsborg-admin")
    assert client.post("/privacy", data={"person": ANNA, "format": "json"}).status_code == 400  # no CSRF token
    assert post_extract(client, "", "json").status_code == 422
    assert audit_actions(db, "privacy.extract") == []


@pytest.mark.parametrize("role", [Role.FINANCE, Role.AUDITOR, Role.DEPARTMENT, Role.PROCUREMENT])
def test_only_administrators_may(client, db, people, role) -> None:
    user = make_user(people.org, role, ["3110"] if role == Role.DEPARTMENT else [])
    log_in(client, user.username)
    assert client.get("/privacy").status_code == 403
    token = csrf_token(client, "/inventory")
    assert client.post("/privacy", data={"person": ANNA, "format": "json", "csrf_token": token}).status_code == 403
    assert audit_actions(db, "privacy.extract") == []


def test_the_users_page_links_to_it(client, db, people) -> None:
    log_in(client, "karlsborg-admin")
    assert 'href="/privacy"' in client.get("/users").get_data(as_text=True)


def test_another_organisations_admin_sees_nothing_of_these_people(app, client, db, people) -> None:
    hjo = make_organisation()
    hjo_admin = make_user(hjo, Role.ADMIN, username="hjo-admin")
    edits.create_subscription(hjo_admin, {"number": "0709990001", "kind": "mobile_voice", "operator_reference": "H-1",
                                          "supplier": SUPPLIER, "start_date": date(2022, 1, 1),
                                          "end_date": date(2023, 1, 31), "holder_name": ANNA})
    save()
    log_in(client, "hjo-admin")
    found = post_extract(client, ANNA, "json").get_json()
    assert [s["number"] for s in found["subscriptions"]] == ["+46709990001"]  # Hjo's own Anna only
    text = json.dumps(found, ensure_ascii=False)
    for karlsborg in (OLD, CURRENT, RECENT, "karlsborg-admin", "Förskolor", MANAGER):
        assert karlsborg not in text

    karlsborg = extract_by_command(app, ANNA, "--organisation", "212000-1629")  # a command is not scoped by a log-in
    assert [s["number"] for s in karlsborg["subscriptions"]] == [OLD, CURRENT]
    runner = app.test_cli_runner()
    purged = runner.invoke(args=["privacy", "purge", "--organisation", hjo.organisation_number])
    assert purged.exit_code == 0, purged.output
    assert "Hjo kommun: 1 subscriptions and handsets" in purged.output and "1 holder names" in purged.output
    assert [s["number"] for s in extract_by_command(app, ANNA, "--organisation", "212000-1629")["subscriptions"]] == [
        OLD, CURRENT]  # Karlsborg's names are untouched
    hjo_anna = db.scalar(sa.select(Subscription.holder_name).where(Subscription.organisation_id == hjo.id))
    assert hjo_anna == pseudonymiser("test-secret-key", hjo.id)(ANNA) != pseudonymiser("test-secret-key",
                                                                                        people.org.id)(ANNA)
    every = runner.invoke(args=["privacy", "purge", "--every-organisation", "--dry-run"])
    assert "Karlsborgs kommun: 2 subscriptions" in every.output and "Hjo kommun: 0 subscriptions" in every.output
