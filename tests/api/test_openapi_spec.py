"""``/api/openapi.json`` is a valid OpenAPI document and says what the API does: the error body it
really sends, the statuses each operation can answer, amounts and periods as strings, uploads as
multipart, files as binary, one way of paging, and an ``operationId`` on every operation."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from openapi_spec_validator import validate

from ledger.api.openapi import required_permission

METHODS = ("get", "post", "put", "patch", "delete")
UPLOADS = {("post", "/api/v1/invoices"), ("post", "/api/v1/budgets/import"), ("post", "/api/v1/inventory/import"),
           ("post", "/api/v1/contracts/{contract_id}/prices")}
#: Lists with a hard bound, answered whole: a user holds at most ``access.service.MAX_TOKENS`` tokens.
BOUNDED_LISTS = {"list_tokens"}
FILES = {"/api/v1/reports/allocation": "application/pdf", "/api/v1/exports/sie": "text/plain; charset=IBM437",
         "/api/v1/exports/csv": "text/csv; charset=utf-8", "/api/v1/directory": "text/csv",
         "/api/v1/exports/xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@pytest.fixture(scope="module")
def document(app: Flask) -> dict[str, Any]:
    return app.test_client().get("/api/openapi.json").get_json()


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method, path, operation) for path, item in document["paths"].items()
            for method, operation in item.items() if method in METHODS]


def resolve(document: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        *_, section, name = node["$ref"].split("/")
        node = document["components"][section][name]
    return node


def test_the_document_is_valid_openapi(document) -> None:
    validate(document)
    assert document["openapi"].startswith("3.")


def test_every_operation_has_its_own_operation_id(document) -> None:
    ids = [operation.get("operationId") for _, _, operation in operations(document)]
    assert len(ids) > 50 and None not in ids
    assert len(set(ids)) == len(ids)


def test_errors_are_documented_in_the_shape_the_api_sends(document) -> None:
    body = resolve(document, document["components"]["schemas"]["Error"]["properties"]["error"])
    assert body["required"] == ["code", "details", "message"]
    for _, _, operation in operations(document):
        assert "default" not in operation["responses"]
        for status, response in operation["responses"].items():
            if int(status) >= 400:
                schema = resolve(document, response)["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Error"}, (operation["operationId"], status)
    assert "PaginationMetadata" not in document["components"]["schemas"]


def test_every_operation_behind_a_permission_documents_401_and_403(app, document) -> None:
    views = {rule.rule: app.view_functions[rule.endpoint] for rule in app.url_map.iter_rules()}
    guarded = 0
    for _, path, operation in operations(document):
        flask_rule = next(rule for rule in views if _openapi(rule) == path)
        if required_permission(views[flask_rule]):
            guarded += 1
            assert {"401", "403"} <= set(operation["responses"]), operation["operationId"]
        if "{" in path:
            assert "404" in operation["responses"], operation["operationId"]
    assert guarded == len(operations(document))


def _openapi(rule: str) -> str:
    import re

    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def test_what_the_code_raises_is_documented(document) -> None:
    paths = document["paths"]
    assert {"409", "413", "422"} <= set(paths["/api/v1/invoices"]["post"]["responses"])
    assert "409" in paths["/api/v1/periods/{period}/close"]["post"]["responses"]
    assert "409" in paths["/api/v1/suppliers"]["post"]["responses"]
    assert "413" in paths["/api/v1/inventory/import"]["post"]["responses"]
    assert "422" in paths["/api/v1/contracts/{contract_id}"]["patch"]["responses"]


def test_amounts_and_periods_are_strings_of_their_form(document) -> None:
    schemas = document["components"]["schemas"]
    amounts = [schemas["Price"]["properties"]["unit_price"], schemas["Invoice"]["properties"]["net_total"],
               schemas["Entry"]["properties"]["amount"]]
    for amount in amounts:
        assert amount["type"] == "string" and amount["pattern"] == r"^-?[0-9]+\.[0-9]{2}$"
    for name, schema in schemas.items():
        for field, prop in schema.get("properties", {}).items():
            assert prop != {}, f"{name}.{field} has no type"
    period = next(p for p in document["paths"]["/api/v1/compliance"]["get"]["parameters"] if p["name"] == "period")
    assert period["schema"] == {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"}


def test_uploads_are_multipart_with_a_binary_file(document) -> None:
    for method, path, operation in operations(document):
        content = operation.get("requestBody", {}).get("content", {})
        if (method, path) in UPLOADS:
            schema = resolve(document, content["multipart/form-data"]["schema"])
            assert "file" in schema["required"], path
            assert resolve(document, schema["properties"]["file"]) == {"type": "string", "format": "binary"}
        else:
            assert "multipart/form-data" not in content, path


def test_downloads_are_binary_of_their_media_type(document) -> None:
    for path, media_type in FILES.items():
        content = document["paths"][path]["get"]["responses"]["200"]["content"]
        assert content[media_type]["schema"] == {"type": "string", "format": "binary"}, path


def test_every_list_is_paged_the_same_way(document) -> None:
    header = document["components"]["headers"]["PAGINATION"]
    assert header["schema"] == {"type": "string"} and "next_page" in header["description"]
    lists = 0
    for _, _, operation in operations(document):
        response = operation["responses"].get("200", {}).get("content", {}).get("application/json", {})
        if response.get("schema", {}).get("type") != "array" or operation["operationId"] in BOUNDED_LISTS:
            continue
        lists += 1
        names = {parameter["name"] for parameter in operation.get("parameters", [])}
        assert {"page", "page_size"} <= names, operation["operationId"]
        assert operation["responses"]["200"]["headers"]["X-Pagination"] == {"$ref": "#/components/headers/PAGINATION"}
        assert not {"limit", "offset"} & names
    assert lists >= 12
