"""Two municipalities in one deployment: nothing of Karlsborg's ledger reaches Hjo's people.

For every route of the API and the pages that names an object (by id, code or name), every role
of Hjo asks for Karlsborg's object and for one that does not exist: the two answers must be the
same refusal, so that nothing is confirmed to exist. Every list, search, export and PDF Hjo's
roles can open must hold none of Karlsborg's names and numbers.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader

from ledger.access import sso
from ledger.access.models import ApiToken, Role, User
from ledger.allocation.models import JournalEntry
from ledger.core.categories import Category
from ledger.database import db as database
from ledger.findings import claims, recording
from ledger.findings.models import Finding
from ledger.inventory import moves
from ledger.inventory.models import Subscription
from ledger.invoices.models import Invoice
from ledger.organisation.models import Supplier
from tests.conftest import PASSWORD, Org, csrf_token
from tests.factories import (
    build_year,
    make_administration,
    make_contract,
    make_coverage_exception,
    make_handset,
    make_organisation,
    make_price,
    make_supplier,
    make_token,
    make_unit,
    make_user,
    save,
)
from tests.findings.world import World as Overcharged
from tests.findings.world import overcharge

CONTRACT_TITLE = "Ramavtal Telia Test AB"
#: What would betray Karlsborg's ledger in any answer to Hjo.
KARLSBORG_MARKS = ("Förskolor centrala Karlsborg", "Ekbackeskolan", "VA-verksamheten", "Kanslienheten",
                   "0701234567", "+46701234567", "070-123 45 67", "karlsborg-admin", "Doro 8100",
                   "Täckning saknas i Forsvik", "F-1001", "REK-2026-001", CONTRACT_TITLE)
#: Routes whose parameters are no object of one municipality: files, and the supplier register,
#: which every municipality shares (an operator is the same company for all of them).
NOT_OBJECTS = {"static", "web.static", "web.supplier_edit"}
MISSING = {"int": "987654321", "code": "0000", "name": "nobody-here", "period": "1999-01"}


@dataclass
class World:
    karlsborg: dict[str, str]
    hjo: dict[Role, User]
    tokens: dict[Role, str]


@pytest.fixture
def world(db, org: Org) -> World:
    build_year(org)
    admin = make_user(org, Role.ADMIN, username="karlsborg-admin")
    department = make_user(org, Role.DEPARTMENT, ["3110"])
    token = make_token(admin, "integration")
    supplier = make_supplier("Telia Test AB")
    contract = make_contract(org, supplier)
    exception = make_coverage_exception(org, supplier, reason="Täckning saknas i Forsvik")
    handset = make_handset(org, 77, org.forskola)
    subscription = db.scalar(sa.select(Subscription).where(Subscription.organisation_id == org.id))
    request = moves.move_asset(department, subscription, org.skola, date(2026, 6, 1), reason="flytt")
    assert request.request is not None
    mapping = sso.add_mapping(admin, "GG-Karlsborg", Role.FINANCE, [])
    finding_id, claim_id = _claimed_overcharge(org, admin)
    save()
    karlsborg = {
        "code": "3110", "subscription_id": str(subscription.id), "handset_id": str(handset.id),
        "invoice_id": str(db.scalar(sa.select(Invoice.id).where(Invoice.organisation_id == org.id))),
        "entry_id": str(db.scalar(sa.select(JournalEntry.id).where(JournalEntry.organisation_id == org.id))),
        "contract_id": str(contract.id), "exception_id": str(exception.id),
        "request_id": str(request.request.id), "mapping_id": str(mapping.id),
        "name": admin.username, "token_id": str(db.scalar(sa.select(ApiToken.id).where(ApiToken.user_id == admin.id))),
        "finding_id": str(finding_id), "claim_id": str(claim_id),
        "period": "2026-03", "year": "2026", "month": "3",
    }
    assert token
    hjo = make_organisation()
    make_administration(hjo, "KS", "Kommunstyrelsen Hjo")
    make_unit(hjo, "9110", "Hjo växel")
    people = {role: make_user(hjo, role, ["9110"] if role == Role.DEPARTMENT else [], username=f"hjo-{role.value}")
              for role in Role}
    return World(karlsborg, people, {role: make_token(user) for role, user in people.items()})


def _claimed_overcharge(org: Org, actor: User) -> tuple[int, int]:
    """A price above Karlsborg's contract with its operator, found and put in a claim."""
    session = database.session
    operator = session.scalars(sa.select(Supplier).where(Supplier.name == "Operatören AB")).one()
    contract = make_contract(org, operator, [Category.SUBSCRIPTION], reference="SKÖ 2025/0145")
    make_price(contract, "MOB-OBG", "100.00")
    overcharge(Overcharged(org, operator, contract), "2026-10", "F-1001")
    recording.record_period(org.id, "2026-10")
    claim = claims.prepare(actor, operator.id)
    finding = sa.select(Finding.id).where(Finding.organisation_id == org.id, Finding.kind == "price_above_contract")
    return session.scalar(finding), claim.id


def _clients(app: Flask, world: World) -> Iterator[tuple[Role, FlaskClient]]:
    for role, user in world.hjo.items():
        client = app.test_client()
        client.post("/login", data={"username": user.username, "password": PASSWORD,
                                    "csrf_token": csrf_token(client)})
        yield role, client


def _object_rules(app: Flask) -> list[tuple[str, str, str]]:
    """(endpoint, method, rule) of every route naming an object."""
    return sorted((rule.endpoint, method, rule.rule) for rule in app.url_map.iter_rules()
                  if rule.arguments and rule.endpoint not in NOT_OBJECTS
                  for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}))


def _filled(rule: str, values: dict[str, str]) -> str:
    def one(match: re.Match[str]) -> str:
        converter, name = match.group(1), match.group(2)
        if converter and converter.startswith("any("):
            return converter[4:].split(",")[0].strip()
        # A route naming a kind of object this world does not build fails here (KeyError): give
        # the world one, so that the route is asked for Karlsborg's.
        return values[name]
    return re.sub(r"<(?:([a-z]+(?:\([^)]*\))?):)?(\w+)>", one, rule)


def _missing_values(values: dict[str, str]) -> dict[str, str]:
    return {name: MISSING["code"] if name == "code" else MISSING["name"] if name == "name"
            else MISSING["period"] if name == "period" else value if name in ("year", "month") else MISSING["int"]
            for name, value in values.items()}


def _ask(client: FlaskClient, method: str, path: str, token: str, csrf: str) -> tuple[int, str | None, str]:
    client.application.url_map.bind("localhost").match(path, method)  # the path is the route's, filled right
    if path.startswith("/api/"):
        response = client.open(path, method=method, headers={"Authorization": f"Bearer {token}"}, json={})
    else:
        response = client.open(path, method=method, data={"csrf_token": csrf} if method != "GET" else None)
    return response.status_code, response.headers.get("Location"), response.get_data(as_text=True)


def test_no_role_of_another_municipality_can_reach_an_object_by_its_id(app, world: World) -> None:
    leaks: list[str] = []
    tried = 0
    missing = _missing_values(world.karlsborg)
    for role, client in _clients(app, world):
        # A role outside a ledger starts on a page of its own: the token is read there.
        csrf = csrf_token(client, client.get("/").headers.get("Location", "/"))
        for endpoint, method, rule in _object_rules(app):
            if "<period>" in rule:  # a month is no object: Hjo's 2026-03 is Hjo's own
                continue
            if role == Role.COOPERATION and "contract_id>" in rule and method == "GET":
                continue  # the cooperation's administrator reads every contract (tests/organisation)
            path = _filled(rule, world.karlsborg)
            theirs = _ask(client, method, path, world.tokens[role], csrf)
            nothing = _ask(client, method, _filled(rule, missing), world.tokens[role], csrf)
            tried += 1
            # A refusal may repeat what was asked for ("no user named …"): that betrays nothing.
            betrayed = [mark for mark in KARLSBORG_MARKS if mark in theirs[2] and mark not in path]
            # A page may refuse by redirecting back with a message: then both must go to the same place.
            if theirs[:2] != nothing[:2] or theirs[0] < 300 or betrayed:
                leaks.append(f"{role.value} {method} {rule} ({endpoint}): {theirs[0]} for Karlsborg's, "
                             f"{nothing[0]} for none {betrayed}")

    assert leaks == []
    assert tried > 5 * 50  # every role, every route naming an object


def _list_paths(app: Flask) -> list[str]:
    plain = sorted(rule.rule for rule in app.url_map.iter_rules()
                   if not rule.arguments and "GET" in (rule.methods or set())
                   and rule.endpoint not in {"web.logout", "web.language"})
    searches = ["/inventory?q=0701234567", "/inventory?q=Karlsborg", "/inventory/directory?q=Förskolor",
                "/api/v1/subscriptions?q=0701234567", "/api/v1/handsets?q=Doro", "/api/v1/journal?period=2026-03",
                "/api/v1/exports/csv?period=2026-03", "/api/v1/exports/xlsx?period=2026-03",
                "/api/v1/exports/sie?period=2026-03", "/reports/journal.csv?period=2026-03",
                "/reports/allocation.pdf?period=2026-03", "/api/v1/reports/allocation?period=2026-03",
                "/api/v1/audit?since=2020-01-01", "/audit?since=2020-01-01", "/api/v1/periods/2026-03/status",
                "/periods/2026-03", "/api/v1/compliance?period=2026-03", "/compliance?period=2026-03",
                "/suspense?period=2026-03", "/api/v1/suspense?period=2026-03", "/?year=2026"]
    return plain + searches


def _text_of(body: bytes, content_type: str) -> str:
    if content_type.startswith("application/pdf"):
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    if "spreadsheetml" in content_type:
        from openpyxl import load_workbook

        sheets = load_workbook(io.BytesIO(body), read_only=True)
        return "\n".join(str(cell) for sheet in sheets for row in sheet.iter_rows(values_only=True) for cell in row)
    return body.decode("utf-8", errors="replace")


def test_no_list_search_export_or_report_of_another_municipality_holds_its_ledger(app, world: World) -> None:
    leaks: list[str] = []
    answered = 0
    for role, client in _clients(app, world):
        for path in _list_paths(app):
            headers = {"Authorization": f"Bearer {world.tokens[role]}"} if path.startswith("/api/") else {}
            response = client.get(path, headers=headers)
            if response.status_code >= 500:
                leaks.append(f"{role.value} GET {path}: {response.status_code}")
                continue
            answered += response.status_code == 200
            text = _text_of(response.get_data(), response.content_type or "")
            # A search page repeats its own query in its search box: that betrays nothing. The
            # cooperation's administrator reads the whole contract register, Karlsborg's contracts too.
            shared = {CONTRACT_TITLE} if role == Role.COOPERATION and "/contracts" in path else set()
            betrayed = [mark for mark in KARLSBORG_MARKS if mark in text and mark not in path and mark not in shared]
            if betrayed:
                leaks.append(f"{role.value} GET {path}: {betrayed}")

    assert leaks == []
    assert answered > 5 * 10  # the roles saw pages of their own: the absence of marks means something
