"""Issue 13 hole 4: scans of ID cards and 户口本 are SM4-encrypted on disk with the field key, decrypted as
they stream on an authorised download, each download audited; files from before encryption stay readable
and `govhall media encrypt` encrypts them in place (DEVELOPERS.md personal data: 个人信息保护法, 等保2.0)."""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import tracemalloc
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from govhall.cases.models import CaseFile
from govhall.cases.services import case_attach_file
from govhall.cases.uploads import media_path
from govhall.core.audit import AuditEntry
from govhall.core.filecrypt import MAGIC, SEGMENT, read_plaintext
from tests.cases.conftest import receive
from tests.conftest import login

pytestmark = pytest.mark.django_db

MARKER = "居民身份证 320681199001011234 张三".encode()
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64 + MARKER * 50


def _upload(client, case) -> CaseFile:
    response = client.post(
        f"/api/v1/cases/{case.pk}/files",
        {
            "file": SimpleUploadedFile("身份证.png", PNG, content_type="image/png"),
            "material_id": case.materials.first().pk,
        },
    )
    assert response.status_code == 201, response.content
    return CaseFile.objects.get(case=case)


def test_an_uploaded_scan_is_unreadable_on_disk_and_downloads_as_the_original(client, flow):
    case = receive(flow)
    login(client, flow.front_desk)
    record = _upload(client, case)
    on_disk = media_path(record.storage_name).read_bytes()
    assert on_disk.startswith(MAGIC)
    assert b"\x89PNG" not in on_disk and MARKER not in on_disk and b"IHDR" not in on_disk
    assert record.size == len(PNG)

    for url in (f"/cases/{case.pk}/files/{record.pk}/", f"/api/v1/cases/{case.pk}/files/{record.pk}"):
        download = client.get(url)
        assert download.status_code == 200
        assert b"".join(download.streaming_content) == PNG
        assert download["Content-Length"] == str(len(PNG)) and download["Content-Type"] == "image/png"
        assert (
            download["X-Content-Type-Options"] == "nosniff"
            and download["Cache-Control"] == "private, no-store"
        )


def test_each_download_leaves_an_audit_row_without_the_content(client, flow):
    case = receive(flow)
    login(client, flow.front_desk)
    record = _upload(client, case)
    b"".join(client.get(f"/cases/{case.pk}/files/{record.pk}/").streaming_content)
    b"".join(client.get(f"/api/v1/cases/{case.pk}/files/{record.pk}").streaming_content)
    rows = AuditEntry.objects.filter(
        action="file.download", object_type="cases.casefile", object_id=str(record.pk)
    )
    assert rows.count() == 2
    assert {r.actor_id for r in rows} == {flow.front_desk.pk}
    assert all(r.after["case"] == case.pk for r in rows)
    assert "PNG" not in str([r.after for r in rows]) and "张三" not in str([r.after for r in rows])


def test_a_user_of_another_unit_is_refused_the_file_and_nothing_is_audited(client, flow):
    case = receive(flow)
    record = case_attach_file(case=case, actor=flow.front_desk, upload=io.BytesIO(PNG), name="id.png")
    login(client, flow.other_village_clerk)
    assert client.get(f"/cases/{case.pk}/files/{record.pk}/").status_code == 404
    assert client.get(f"/api/v1/cases/{case.pk}/files/{record.pk}").status_code == 404
    client.logout()
    assert client.get(f"/api/v1/cases/{case.pk}/files/{record.pk}").status_code == 401
    assert client.get(f"/cases/{case.pk}/files/{record.pk}/").status_code == 302  # to the login page
    assert not AuditEntry.objects.filter(action="file.download").exists()


def test_a_tampered_file_is_refused_not_served(client, flow):
    case = receive(flow)
    record = case_attach_file(case=case, actor=flow.front_desk, upload=io.BytesIO(PNG), name="id.png")
    path = media_path(record.storage_name)
    data = bytearray(path.read_bytes())
    data[40] ^= 0x01
    path.write_bytes(bytes(data))
    login(client, flow.front_desk)
    response = client.get(f"/cases/{case.pk}/files/{record.pk}/")
    assert response.status_code == 404 and "无法解密" in response.content.decode()


def test_a_plaintext_file_from_before_is_served_and_then_encrypted_in_place(client, flow, settings):
    case = receive(flow)
    storage_name = "cases/2025/01/0123456789abcdef0123456789abcdef.png"
    path = media_path(storage_name)
    path.parent.mkdir(parents=True)
    path.write_bytes(PNG)
    record = CaseFile.objects.create(
        case=case,
        storage_name=storage_name,
        original_name="旧扫描件.png",
        kind="png",
        mime="image/png",
        size=len(PNG),
        sha256="0" * 64,
    )
    login(client, flow.front_desk)
    assert b"".join(client.get(f"/cases/{case.pk}/files/{record.pk}/").streaming_content) == PNG

    out = io.StringIO()
    call_command("media_encrypt", stdout=out)
    assert "已加密 1 个" in out.getvalue()
    encrypted = path.read_bytes()
    assert encrypted.startswith(MAGIC) and MARKER not in encrypted
    assert oct(path.stat().st_mode & 0o777) == "0o640"
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".")]  # no temporary file left
    assert b"".join(client.get(f"/cases/{case.pk}/files/{record.pk}/").streaming_content) == PNG

    out = io.StringIO()
    call_command("media_encrypt", stdout=out)  # a second run changes nothing
    assert "已加密 0 个" in out.getvalue() and path.read_bytes() == encrypted


def test_files_under_a_retired_key_stay_readable_and_are_rewritten_under_the_new_key(flow, settings):
    case = receive(flow)
    record = case_attach_file(case=case, actor=flow.front_desk, upload=io.BytesIO(PNG), name="id.png")
    path = media_path(record.storage_name)
    old = path.read_bytes()
    settings.FIELD_KEYS_RETIRED = [settings.FIELD_KEY]
    settings.FIELD_KEY = os.urandom(16).hex()
    assert read_plaintext(path) == PNG
    out = io.StringIO()
    call_command("media_encrypt", stdout=out)
    assert "已换用当前密钥重新加密 1 个" in out.getvalue()
    assert path.read_bytes() != old
    settings.FIELD_KEYS_RETIRED = []
    assert read_plaintext(path) == PNG


def test_online_application_files_are_encrypted_too(flow):
    """The portal's uploads and 补正 files go through the same case service (case_attach_file)."""
    case = receive(flow)
    from govhall.core.actors import CitizenActor

    record = case_attach_file(
        case=case, actor=CitizenActor("申请人 张*（网上申报）"), upload=io.BytesIO(PNG), name="户口本.png"
    )
    assert MARKER not in media_path(record.storage_name).read_bytes()
    assert read_plaintext(media_path(record.storage_name)) == PNG


def _big_file(flow, settings, size: int) -> tuple[object, CaseFile]:
    settings.UPLOAD_MAX_BYTES = size + 1
    content = b"%PDF-1.4\n" + os.urandom(size - 9)
    case = receive(flow)
    return case, case_attach_file(case=case, actor=flow.front_desk, upload=io.BytesIO(content), name="a.pdf")


def test_a_download_streams_without_holding_the_file_in_memory(client, flow, settings):
    size = 3 * 1024 * 1024
    case, record = _big_file(flow, settings, size)
    login(client, flow.front_desk)
    tracemalloc.start()
    try:
        response = client.get(f"/cases/{case.pk}/files/{record.pk}/")
        tracemalloc.reset_peak()
        baseline = tracemalloc.get_traced_memory()[0]
        total, digest = 0, hashlib.sha256()
        for chunk in response.streaming_content:
            total += len(chunk)
            digest.update(chunk)
        peak = tracemalloc.get_traced_memory()[1] - baseline
    finally:
        tracemalloc.stop()
    assert total == size and digest.hexdigest() == record.sha256
    assert peak < 512 * 1024, f"peak {peak} bytes while streaming {size} bytes"


def test_under_asgi_the_download_is_sent_segment_by_segment(client, flow, settings):
    """Django's ASGI handler iterates `async for part in response`; the default would first make a list of
    the whole file."""
    size = 2 * 1024 * 1024
    case, record = _big_file(flow, settings, size)
    login(client, flow.front_desk)
    response = client.get(f"/cases/{case.pk}/files/{record.pk}/")

    async def consume() -> tuple[int, int, int]:
        parts, total, peak = 0, 0, 0
        tracemalloc.start()
        baseline = tracemalloc.get_traced_memory()[0]
        try:
            async for part in response:
                parts += 1
                total += len(part)
                peak = max(peak, tracemalloc.get_traced_memory()[1] - baseline)
        finally:
            tracemalloc.stop()
        return parts, total, peak

    parts, total, peak = asyncio.run(consume())
    assert total == size and parts == size // SEGMENT
    assert peak < 512 * 1024, f"peak {peak} bytes while streaming {size} bytes"


def test_the_stored_path_never_leaves_media_root():
    with pytest.raises(ValueError):
        media_path("../secret_key")
    assert Path(media_path("cases/x.png")).name == "x.png"
