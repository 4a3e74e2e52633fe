"""Only finance and auditors may download reports and exports, through the API and the pages."""

from __future__ import annotations

import re

import pytest

from ledger.access.models import Role
from tests.conftest import log_in

API = [
    "/api/v1/reports/allocation?period=2026-03",
    "/api/v1/reports/allocation?period=2026-03&lang=en",
    "/api/v1/exports/sie?period=2026-03",
    "/api/v1/exports/csv?period=2026-03",
    "/api/v1/exports/xlsx?period=2026-03",
]
PAGES = [
    "/reports",
    "/reports/allocation.pdf?period=2026-03",
    "/reports/journal.si?period=2026-03",
    "/reports/journal.csv?period=2026-03",
    "/reports/journal.xlsx?period=2026-03",
]
DENIED = [Role.DEPARTMENT, Role.PROCUREMENT, Role.ADMIN]
ALLOWED = [Role.FINANCE, Role.AUDITOR]


def _units(role: Role) -> list[str]:
    return ["3110"] if role == Role.DEPARTMENT else []


@pytest.mark.parametrize("url", API)
@pytest.mark.parametrize("role", DENIED)
def test_api_refuses_other_roles(client, api_headers, url: str, role: Role) -> None:
    response = client.get(url, headers=api_headers(role, _units(role)))
    assert response.status_code == 403
    assert response.json["error"]["code"] == "forbidden"


@pytest.mark.parametrize("url", API)
@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer not-a-token"}])
def test_api_needs_a_token(client, url: str, headers: dict[str, str]) -> None:
    response = client.get(url, headers=headers)
    assert response.status_code == 401
    assert response.json["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize("url", API)
@pytest.mark.parametrize("role", ALLOWED)
def test_api_serves_finance_and_auditors(client, api_headers, url: str, role: Role) -> None:
    response = client.get(url, headers=api_headers(role))
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("role", DENIED)
def test_pages_refuse_other_roles(client, make_user, url: str, role: Role) -> None:
    log_in(client, make_user(role, _units(role)).username)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", PAGES)
def test_pages_send_strangers_to_log_in(client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("role", ALLOWED)
def test_pages_serve_finance_and_auditors(client, make_user, url: str, role: Role) -> None:
    log_in(client, make_user(role).username)
    assert client.get(url).status_code == 200


@pytest.mark.parametrize(("role", "shown"), [(Role.FINANCE, True), (Role.AUDITOR, True), (Role.ADMIN, False),
                                             (Role.PROCUREMENT, False), (Role.DEPARTMENT, False)])
def test_navigation_links_the_reports_page_for_whom_may_see_it(client, make_user, role: Role, shown: bool) -> None:
    log_in(client, make_user(role, _units(role)).username)
    page = client.get("/").get_data(as_text=True)
    assert ('href="/reports"' in page) is shown


def test_reports_page_in_swedish_lists_the_downloads(client, make_user) -> None:
    log_in(client, make_user(Role.AUDITOR).username)
    page = client.get("/reports?period=2026-02&lang=en").get_data(as_text=True)
    assert "Rapporter" in page and "Fördelningsrapport" in page
    assert "/reports/allocation.pdf?period=2026-02&amp;lang=en" in page
    assert re.search(r"/reports/journal\.csv\?period=2026-02&amp;separator=(,|%2C)", page)
    assert client.get("/reports?period=2026-13").status_code == 400
