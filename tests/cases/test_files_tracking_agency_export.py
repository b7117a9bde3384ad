"""Material uploads (type by content, size limit, stored under MEDIA_ROOT, served only through an access
check); applicant tracking by number + password or by ID number (masked); agency (STD-5); unmasking
audited; the GB/T 39046 export."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from govhall.cases.models import CaseFile, CaseStatus, ResultKind
from govhall.cases.selectors import CaseRow, agency_cases, waits_for
from govhall.cases.services import (
    case_accept,
    case_assign_agency,
    case_attach_file,
    case_finish,
    case_step_pass,
)
from govhall.core.audit import AuditEntry
from govhall.core.errors import Forbidden, ServiceError
from tests.cases.conftest import ID_AGENT, ID_ZHANG, local, receive
from tests.conftest import login

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_scan_is_stored_under_media_root_and_served_only_through_the_view(client, flow, settings):
    case = receive(flow)
    login(client, flow.front_desk)
    response = client.post(
        f"/api/v1/cases/{case.pk}/files",
        {
            "file": SimpleUploadedFile("身份证.png", PNG, content_type="image/png"),
            "material_id": case.materials.first().pk,
        },
    )
    assert response.status_code == 201, response.content
    record = CaseFile.objects.get(case=case)
    path = Path(settings.MEDIA_ROOT) / record.storage_name
    # Encrypted at rest (issue 13 hole 4; this test asserted the plaintext on disk before).
    assert PNG not in path.read_bytes() and record.kind == "png" and record.size == len(PNG)
    assert record.material == case.materials.first()
    download = client.get(f"/cases/{case.pk}/files/{record.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PNG
    assert download["Content-Type"] == "image/png" and download["X-Content-Type-Options"] == "nosniff"
    assert "身份证.png" not in record.storage_name  # random names on disk


def test_a_file_that_lies_about_its_type_is_refused(client, flow):
    case = receive(flow)
    login(client, flow.front_desk)
    response = client.post(
        f"/api/v1/cases/{case.pk}/files",
        {"file": SimpleUploadedFile("scan.pdf", PNG, content_type="application/pdf")},
    )
    assert response.status_code == 400 and "内容是 PNG" in response.json()["message"]
    response = client.post(
        f"/api/v1/cases/{case.pk}/files",
        {"file": SimpleUploadedFile("evil.pdf", b"MZ\x90\x00" + b"\x00" * 100)},
    )
    assert response.status_code == 400 and "只接受" in response.json()["message"]
    assert not CaseFile.objects.exists()


def test_a_file_over_the_limit_is_refused(flow, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    case = receive(flow)
    with pytest.raises(ServiceError) as exc:
        case_attach_file(case=case, actor=flow.front_desk, upload=io.BytesIO(PDF + b"0" * 2000), name="a.pdf")
    assert "不能超过" in exc.value.message
    assert not CaseFile.objects.exists()
    record = case_attach_file(case=case, actor=flow.front_desk, upload=io.BytesIO(PDF), name="a.pdf")
    assert record.kind == "pdf"


def test_tracking_by_number_and_password(client, flow):
    """NET-1: the applicant follows the case; a wrong password looks like a wrong number."""
    with time_machine.travel(local(2026, 3, 10, 9, 0), tick=False):
        case = case_accept(case=receive(flow), actor=flow.front_desk)
    response = client.get("/api/v1/cases/track", {"no": case.number, "password": case.query_password.lower()})
    assert response.status_code == 200
    body = response.json()
    assert body["applicant"] == "张*" and body["status"] == "办理中"
    assert [e["label"] for e in body["timeline"]] == ["收件", "受理", "审核"]
    assert client.get("/api/v1/cases/track", {"no": case.number, "password": "WRONG1"}).status_code == 404
    assert client.get("/api/v1/cases/track", {"no": "nope", "password": "x"}).status_code == 404
    page = client.post(
        "/cases/track/", {"mode": "number", "number": case.number, "password": case.query_password}
    )
    assert page.status_code == 200 and "受理" in page.content.decode() and "张*" in page.content.decode()


def test_tracking_is_throttled_after_repeated_wrong_passwords(client, flow):
    case = receive(flow)
    for _ in range(10):
        assert client.get("/api/v1/cases/track", {"no": case.number, "password": "BAD"}).status_code == 404
    response = client.get("/api/v1/cases/track", {"no": case.number, "password": case.query_password})
    assert response.status_code == 429


def test_tracking_by_id_number_is_masked(client, flow):
    case = receive(flow)
    response = client.post(
        "/api/v1/cases/track/by-id",
        {"id_type": "id_card", "id_number": ID_ZHANG},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json() == {
        "count": 1,
        "items": [
            {
                "number": case.number,
                "matter": "最低生活保障申请",
                "applicant": "张*",
                "status": "已收件（待受理）",
                "handling_centre": flow.town.name,
                "received_at": response.json()["items"][0]["received_at"],
            }
        ],
    }
    bad = client.post(
        "/api/v1/cases/track/by-id",
        {"id_type": "id_card", "id_number": "123"},
        content_type="application/json",
    )
    assert bad.status_code == 400
    page = client.post("/cases/track/", {"mode": "id", "id_type": "id_card", "id_number": ID_ZHANG})
    assert case.number in page.content.decode() and ID_ZHANG not in page.content.decode()


def test_unmasking_is_audited(client, flow):
    case = receive(flow)
    login(client, flow.front_desk)
    detail = client.get(f"/api/v1/cases/{case.pk}").json()
    assert (
        detail["applicant_id_masked"] == "110101********1233"
        and detail["applicant_phone_masked"] == "138****8000"
    )
    assert ID_ZHANG not in client.get(f"/cases/{case.pk}/").content.decode()
    body = client.post(f"/api/v1/cases/{case.pk}/reveal").json()
    assert body["applicant_id_number"] == ID_ZHANG
    assert AuditEntry.objects.filter(
        action="pii.view", object_id=str(case.pk), actor=flow.front_desk
    ).exists()


def test_agency_with_authorisation_and_the_agents_list(flow):
    """STD-5: a 代办员 acts for the applicant through every step; their list says what each case waits for."""
    case = receive(flow, actor=flow.village_clerk)
    with pytest.raises(ServiceError) as exc:
        case_assign_agency(case=case, actor=flow.village_clerk, agent_id=flow.agent.pk, authorisation="")
    assert "委托授权" in exc.value.message
    with pytest.raises(ServiceError):
        case_assign_agency(
            case=case, actor=flow.village_clerk, agent_id=flow.guide.pk, authorisation="委托书1号"
        )
    with pytest.raises(Forbidden):
        case_assign_agency(
            case=case, actor=flow.other_village_clerk, agent_id=flow.agent.pk, authorisation="x"
        )
    case = case_assign_agency(
        case=case,
        actor=flow.village_clerk,
        agent_id=flow.agent.pk,
        authorisation="委托书（2026）第12号，申请人张三签字",
    )
    assert case.agency_agent == flow.agent and case.agency_authorised_at is not None
    assert [r.number for r in agency_cases(flow.agent)[:10]] == [case.number]
    assert waits_for(agency_cases(flow.agent)[:1][0]) == "待前台受理"
    case = case_accept(case=case, actor=flow.front_desk)
    case = case_step_pass(case=case, actor=flow.back_office)
    assert waits_for(CaseRow.from_case(case)) == "「审批」环节办理中（李秀梅）"
    case = case_finish(case=case, actor=flow.approver, result=ResultKind.APPROVED)
    assert waits_for(CaseRow.from_case(case)) == "已办结，待领取或邮寄"
    from govhall.cases.services import case_deliver

    case = case_deliver(
        case=case, actor=flow.agent, method="window", collector_name="张三", collector_id_number=ID_ZHANG
    )
    assert case.status == CaseStatus.DELIVERED and agency_cases(flow.agent).count() == 0
    assert case.events.filter(action="agency").exists()


def test_gb_39046_export(client, flow):
    case = receive(
        flow, agent={"name": "李四", "id_type": "id_card", "id_number": ID_AGENT, "phone": "13900139000"}
    )
    case = case_step_pass(case=case_accept(case=case, actor=flow.front_desk), actor=flow.back_office)
    case = case_finish(case=case, actor=flow.approver, result=ResultKind.APPROVED, certificate_no="DB-9")
    login(client, flow.director)
    data = client.get(f"/api/v1/cases/{case.pk}/export").json()
    assert set(data) == {"申请", "受理", "办理", "特别程序", "办结"}
    assert data["申请"]["办件编号"] == case.number and data["申请"]["申请人证件号码"] == ID_ZHANG
    assert data["申请"]["申请人证件类型"] == "111" and data["申请"]["代理人姓名"] == "李四"
    assert data["受理"]["受理单位"] == flow.town.name and data["受理"]["办件类型"] == "2"
    assert [p["环节名称"] for p in data["办理"]] == ["审核", "审批"]
    assert data["办结"]["办结类型"] == "1" and data["办结"]["证照编号"] == "DB-9"
    assert AuditEntry.objects.filter(action="case.export", object_id=str(case.pk)).exists()
