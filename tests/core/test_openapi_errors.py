"""Issue 12, part 4: the OpenAPI document declares each error status an operation can answer, with the
project's one error schema (ErrorOut; ServerErrorOut for the 500, with its request id)."""

from __future__ import annotations

import json
from typing import Any

import pytest

RATE_LIMITED = {
    ("get", "/api/v1/cases/track"),
    ("post", "/api/v1/cases/track/by-id"),
    ("post", "/api/v1/reviews/public/lookup"),
    ("get", "/api/v1/onething/cases/track"),
}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    from govhall.api import api

    return json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/v1/")))  # as served: string keys


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method, path, op) for path, item in document["paths"].items() for method, op in item.items()]


def statuses(document: dict[str, Any], method: str, path: str) -> set[int]:
    return {int(s) for s in document["paths"][path][method]["responses"]}


def test_error_schemas_are_in_the_document(document):
    schemas = document["components"]["schemas"]
    assert set(schemas["ErrorOut"]["required"]) == {"code", "message", "fields"}
    assert set(schemas["ServerErrorOut"]["required"]) == {"code", "message", "fields", "request_id"}


def test_every_operation_declares_a_json_500_with_the_request_id(document):
    for _method, _path, op in operations(document):
        ref = op["responses"]["500"]["content"]["application/json"]["schema"]["$ref"]
        assert ref.endswith("/ServerErrorOut")


def test_every_error_response_uses_the_one_error_schema(document):
    for method, path, op in operations(document):
        for status, response in op["responses"].items():
            if 400 <= int(status) < 500:
                ref = response["content"]["application/json"]["schema"]["$ref"]
                assert ref.endswith("/ErrorOut"), (method, path, status)


def test_authenticated_operations_declare_401_403_and_404(document):
    for method, path, op in operations(document):
        if op.get("security"):
            assert {401, 403, 404} <= statuses(document, method, path), (method, path)


def test_public_operations_declare_no_401(document):
    assert 401 not in statuses(document, "get", "/api/v1/queueing/ping")
    assert 401 not in statuses(document, "get", "/api/v1/catalog/guides/{code}")


def test_operations_with_path_parameters_declare_404_and_422(document):
    for method, path, _op in operations(document):
        if "{" in path:
            assert {404, 422} <= statuses(document, method, path), (method, path)


def test_state_changes_declare_409_and_reads_do_not(document):
    assert 409 in statuses(document, "post", "/api/v1/staffing/attendance/sign-out")
    assert 409 in statuses(document, "post", "/api/v1/cases/{case_id}/accept")
    assert 409 not in statuses(document, "get", "/api/v1/cases/{case_id}")


def test_uploads_and_bodies_declare_413(document):
    assert 413 in statuses(document, "post", "/api/v1/cases/{case_id}/files")
    assert 413 in statuses(document, "post", "/api/v1/standards/surveys/{survey_id}/photos")
    assert 413 not in statuses(document, "get", "/api/v1/cases/")


def test_body_validation_declares_422(document):
    assert 422 in statuses(document, "post", "/api/v1/exchange/sms/test")
    assert 422 not in statuses(document, "post", "/api/v1/staffing/attendance/sign-out")  # takes no input


def test_only_rate_limited_operations_declare_429(document):
    declared = {
        (method, path)
        for method, path, _op in operations(document)
        if 429 in statuses(document, method, path)
    }
    assert declared == RATE_LIMITED


def test_a_too_large_json_body_is_a_json_413(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = client.post(
        "/api/v1/reviews/public/lookup",
        {"number": "x" * 2000, "password": "y"},
        content_type="application/json",
    )
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
