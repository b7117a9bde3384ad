"""Issue 13 hole 5: a request body over the cap is refused with 413 and a Chinese message before it is
read, and nothing is written; an ordinary upload still works (page, API, and the ASGI server path)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from govhall.cases.models import CaseFile
from tests.cases.conftest import receive
from tests.conftest import login

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _media_files(settings: Any) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def capped(settings: Any) -> Any:
    settings.UPLOAD_MAX_BYTES = 4 * MB
    settings.MAX_REQUEST_BYTES = 1 * MB
    return settings


def test_an_upload_over_the_cap_gets_413_with_a_chinese_page_and_nothing_is_written(client, flow, capped):
    case = receive(flow)
    login(client, flow.front_desk)
    big = SimpleUploadedFile("scan.pdf", PDF + b"0" * (3 * MB // 2), content_type="application/pdf")
    response = client.post(f"/cases/{case.pk}/upload/", {"file": big})
    assert response.status_code == 413
    html = response.content.decode()
    assert "上传的内容过大（超过1 MB），请压缩后分批上传" in html and "<html" in html
    assert not CaseFile.objects.exists() and not _media_files(capped)


def test_an_api_upload_over_the_cap_gets_a_structured_413(client, flow, capped):
    case = receive(flow)
    login(client, flow.front_desk)
    big = SimpleUploadedFile("scan.pdf", PDF + b"0" * (3 * MB // 2), content_type="application/pdf")
    response = client.post(f"/api/v1/cases/{case.pk}/files", {"file": big})
    assert response.status_code == 413
    assert response.json() == {
        "code": "too_large",
        "message": "上传的内容过大（超过1 MB），请压缩后分批上传。",
        "fields": {},
    }
    assert not CaseFile.objects.exists() and not _media_files(capped)


def test_a_json_body_over_the_data_cap_is_refused_too(client, flow, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1 * MB
    login(client, flow.front_desk)
    response = client.post(
        "/api/v1/cases/track/by-id",
        json.dumps({"id_type": "id_card", "id_number": "x" * (2 * MB)}),
        content_type="application/json",
    )
    assert response.status_code == 413 and response.json()["code"] == "too_large"


def test_an_ordinary_upload_under_the_cap_still_works(client, flow, capped):
    case = receive(flow)
    login(client, flow.front_desk)
    response = client.post(
        f"/cases/{case.pk}/upload/",
        {"file": SimpleUploadedFile("scan.pdf", PDF + b"0" * (MB // 2), content_type="application/pdf")},
    )
    assert response.status_code == 302
    assert CaseFile.objects.filter(case=case).count() == 1 and len(_media_files(capped)) == 1


# --- the server path (uvicorn → govhall.asgi.application) ------------------------------------------------


def _run_asgi(scope: dict[str, Any], chunks: list[bytes] | None) -> tuple[list[dict[str, Any]], int]:
    """Call the ASGI application; return what it sent and how many body messages it pulled."""
    from govhall.asgi import application

    sent: list[dict[str, Any]] = []
    pulled = 0

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        if chunks is None:
            raise AssertionError("the body was read")
        if pulled < len(chunks):
            pulled += 1
            return {"type": "http.request", "body": chunks[pulled - 1], "more_body": pulled < len(chunks)}
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(asyncio.wait_for(application(scope, receive, send), timeout=30))
    return sent, pulled


def _scope(path: str, headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1"), *headers],
        "client": ("10.1.2.3", 5555),
        "server": ("127.0.0.1", 8000),
    }


def test_the_server_refuses_a_60_mb_upload_without_reading_its_body(settings):
    """The default cap (5 files of UPLOAD_MAX_BYTES plus the form) is checked on Content-Length: `receive`
    is never called, so not one byte of the 60 MB is read."""
    assert settings.MAX_REQUEST_BYTES == 5 * settings.UPLOAD_MAX_BYTES + 512 * 1024
    sent, pulled = _run_asgi(
        _scope(
            "/portal/apply/320681MZ05001005/",
            [
                (b"content-type", b"multipart/form-data; boundary=x"),
                (b"content-length", str(60 * MB).encode()),
            ],
        ),
        None,
    )
    assert pulled == 0
    assert sent[0]["status"] == 413
    html = b"".join(m.get("body", b"") for m in sent[1:]).decode()
    assert "上传的内容过大（超过50 MB），请压缩后分批上传" in html and "返回" in html


def test_the_server_answers_the_api_in_json(settings):
    sent, pulled = _run_asgi(
        _scope(
            "/api/v1/cases/1/files",
            [
                (b"content-type", b"multipart/form-data; boundary=x"),
                (b"content-length", str(60 * MB).encode()),
            ],
        ),
        None,
    )
    assert pulled == 0 and sent[0]["status"] == 413
    assert json.loads(sent[1]["body"])["code"] == "too_large"


def test_the_server_cuts_off_a_streamed_body_without_content_length_at_the_cap(settings):
    settings.MAX_REQUEST_BYTES = 3 * MB
    chunks = [b"0" * MB] * 60  # 60 MB, chunked: no Content-Length to check first
    sent, pulled = _run_asgi(
        _scope(
            "/api/v1/cases/1/files",
            [(b"content-type", b"multipart/form-data; boundary=x"), (b"transfer-encoding", b"chunked")],
        ),
        chunks,
    )
    assert pulled == 4  # stopped at the first megabyte over the cap
    assert [m["type"] for m in sent] == ["http.response.start", "http.response.body"]
    assert sent[0]["status"] == 413 and json.loads(sent[1]["body"])["code"] == "too_large"
