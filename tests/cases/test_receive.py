"""收件: front desk at a comprehensive window (MODE-1), village forwarding with one number (MODE-4), the
online API for the portal, applicant identity validated and encrypted, bad input refused with nothing
written."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.db import connection

from govhall.cases.models import Case, CaseEvent, CaseMaterial, CaseStatus, Channel, MaterialStatus
from govhall.cases.numbers import NUMBER_RE
from govhall.cases.services import case_receive
from govhall.core.audit import AuditEntry
from govhall.core.crypto import lookup_digest
from govhall.core.errors import Forbidden, ServiceError
from tests.cases.conftest import ID_AGENT, ID_ZHANG, USCC, all_received, applicant, local, receive
from tests.conftest import login
from tests.factories import WindowFactory

pytestmark = pytest.mark.django_db


@time_machine.travel(local(2026, 3, 10, 9, 30), tick=False)
def test_front_desk_receives_a_matter_of_the_windows_class(flow):
    """MODE-1: a 民生 window takes a 民生 matter; the case keeps the catalogue version it came in under."""
    case = receive(flow, missing=("近期免冠照片",))
    assert case.status == CaseStatus.RECEIVED
    assert case.centre == case.handling_centre == flow.town
    assert case.matter_version == flow.matter.current_version
    assert case.window == flow.windows["minsheng"]
    assert case.receiver == flow.front_desk
    assert NUMBER_RE.match(case.number)
    assert case.number.startswith("202603100930-" + flow.town.division.code)
    assert len(case.query_password) == 6
    rows = {m.name: m.status for m in case.materials.all()}
    assert rows["申请人居民身份证"] == MaterialStatus.RECEIVED
    assert rows["近期免冠照片"] == MaterialStatus.MISSING
    assert CaseEvent.objects.filter(case=case, action="receive").exists()
    assert AuditEntry.objects.filter(action="case.receive", object_id=str(case.pk)).exists()


def test_identity_is_stored_encrypted_with_a_digest(flow):
    case = receive(flow)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT applicant_id_number, applicant_phone, query_password FROM cases_case WHERE id=%s",
            [case.pk],
        )
        raw_id, raw_phone, raw_password = cursor.fetchone()
    assert ID_ZHANG not in raw_id and raw_id.startswith("sm4g1:")
    assert "13800138000" not in raw_phone
    assert raw_password.startswith("sm4g1:")
    assert case.applicant_id_digest == lookup_digest(f"id_card:{ID_ZHANG}")
    assert Case.objects.get(pk=case.pk).applicant_id_number == ID_ZHANG


def test_case_numbers_are_unique_time_sortable_and_carry_the_centre(flow):
    with time_machine.travel(local(2026, 3, 10, 9, 0), tick=False):
        first = receive(flow)
        second = receive(flow)
    with time_machine.travel(local(2026, 3, 10, 14, 5), tick=False):
        third = receive(flow)
    with time_machine.travel(local(2026, 3, 11, 8, 1), tick=False):
        fourth = receive(flow)
    numbers = [first.number, second.number, third.number, fourth.number]
    assert len(set(numbers)) == 4
    assert numbers == sorted(numbers)
    assert [n.rsplit("-", 1)[1] for n in numbers] == ["00001", "00002", "00003", "00001"]
    assert all(flow.town.division.code in n for n in numbers)
    assert all(len(n) <= 50 for n in numbers)


def test_wrong_window_class_is_refused_and_nothing_written(flow):
    """MODE-1: a 建设 window cannot take a 民生 matter."""
    with pytest.raises(ServiceError) as exc:
        receive(flow, window_id=flow.windows["jianshe"].pk)
    assert "建设综合窗口" in exc.value.message and "民生综合窗口" in exc.value.message
    assert Case.objects.count() == 0 and CaseMaterial.objects.count() == 0


def test_a_professional_window_refuses_a_comprehensive_matter_of_its_own_department(flow):
    """SITE-5, MODE-1: a 民政 专窗 does not take the 民政 matter classed for the 民生 window (the receiving
    check used to let it, while the wizard and the queue did not)."""
    desk = WindowFactory(centre=flow.town, number=20, window_class="professional", department=flow.department)
    with pytest.raises(ServiceError) as exc:
        receive(flow, window_id=desk.pk)
    assert "民生综合窗口" in exc.value.message
    assert Case.objects.count() == 0


@time_machine.travel(local(2026, 3, 10, 9, 30), tick=False)
def test_a_quanke_window_takes_the_comprehensive_matter(flow):
    """SITE-5: the 全科窗口 takes every comprehensive matter."""
    quanke = WindowFactory(centre=flow.town, number=21, window_class="quanke")
    assert receive(flow, window_id=quanke.pk).window == quanke


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("id_number", "110101199003071234", "校验位"),
        ("id_number", "12345", "18位"),
        ("phone", "0513-1234", "手机号码"),
        ("name", "", "申请人名称"),
    ],
)
def test_bad_applicant_identity_is_refused(flow, field, value, message):
    with pytest.raises(ServiceError) as exc:
        receive(flow, applicant=applicant(**{field: value}))
    assert message in exc.value.message
    assert f"applicant.{field}" in exc.value.fields
    assert Case.objects.count() == 0


def test_organisation_applies_with_its_credit_code_and_an_agent(flow):
    flow.matter.current_version.service_objects = "1,2"
    flow.matter.current_version.save(update_fields=["service_objects"])
    case = receive(
        flow,
        applicant=applicant(
            kind="organisation",
            name="启东市某某养老服务有限公司",
            id_type="uscc",
            id_number=USCC.lower(),
            legal_representative="王五",
        ),
        agent={"name": "李四", "id_type": "id_card", "id_number": ID_AGENT, "phone": "13900139000"},
    )
    assert case.applicant_id_number == USCC
    assert case.agent_name == "李四" and case.agent_id_number == ID_AGENT
    with pytest.raises(ServiceError) as exc:
        receive(flow, applicant=applicant(kind="organisation", id_type="id_card"))
    assert "统一社会信用代码" in exc.value.message


def test_person_matter_refuses_an_organisation(flow):
    with pytest.raises(ServiceError) as exc:
        receive(flow, applicant=applicant(kind="organisation", name="某公司", id_type="uscc", id_number=USCC))
    assert "服务对象" in exc.value.message


def test_unknown_matter_and_suspended_matter_are_refused(flow):
    with pytest.raises(ServiceError) as exc:
        case_receive(
            actor=flow.front_desk,
            matter_id=999999,
            applicant=applicant(),
            window_id=flow.windows["minsheng"].pk,
        )
    assert "事项不存在" in exc.value.message
    flow.matter.status = "suspended"
    flow.matter.save(update_fields=["status"])
    with pytest.raises(ServiceError) as exc:
        receive(flow)
    assert "暂停" in exc.value.message
    assert Case.objects.count() == 0


def test_material_of_another_matter_is_refused(flow):
    other = flow.immediate.current_version.materials.first()
    with pytest.raises(ServiceError) as exc:
        case_receive(
            actor=flow.front_desk,
            matter_id=flow.matter.pk,
            applicant=applicant(),
            window_id=flow.windows["minsheng"].pk,
            materials=[{"material_id": other.pk, "status": "received"}],
        )
    assert "不属于该事项" in exc.value.message


def test_guide_cannot_receive(flow):
    with pytest.raises(Forbidden):
        receive(flow, actor=flow.guide)


def test_town_window_is_required_at_a_town_centre(flow):
    with pytest.raises(ServiceError) as exc:
        case_receive(
            actor=flow.front_desk,
            matter_id=flow.matter.pk,
            applicant=applicant(),
            materials=all_received(flow.matter),
        )
    assert "窗口" in exc.value.message


@time_machine.travel(local(2026, 3, 10, 10, 0), tick=False)
def test_village_clerk_forwards_a_town_matter_under_one_number(flow):
    """MODE-4: received at the village, accepted by the town, one number end to end (the village's code)."""
    case = receive(flow, actor=flow.village_clerk)
    assert case.forwarded and case.channel == Channel.VILLAGE
    assert case.centre == flow.village and case.handling_centre == flow.town
    assert flow.village.division.code in case.number
    labels = list(case.events.values_list("label", flat=True))
    assert labels == ["收件", "转办"]


def test_receive_api_creates_the_case(client, flow):
    login(client, flow.front_desk)
    response = client.post(
        "/api/v1/cases/",
        {
            "matter_id": flow.matter.pk,
            "window_id": flow.windows["minsheng"].pk,
            "applicant": applicant(),
            "materials": all_received(flow.matter),
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    case = Case.objects.get(number=body["number"])
    assert body["query_password"] == case.query_password
    assert case.status == CaseStatus.RECEIVED


def test_receive_api_bad_input_is_a_clear_error(client, flow):
    login(client, flow.front_desk)
    response = client.post(
        "/api/v1/cases/",
        {
            "matter_id": flow.matter.pk,
            "window_id": flow.windows["minsheng"].pk,
            "applicant": applicant(id_number="110101199003071234"),
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "applicant.id_number" in response.json()["fields"]
    assert Case.objects.count() == 0


def test_receive_api_wrong_role_is_403(client, flow):
    login(client, flow.guide)
    response = client.post(
        "/api/v1/cases/",
        {"matter_id": flow.matter.pk, "applicant": applicant()},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert Case.objects.count() == 0


def test_online_application_through_the_public_api(client, flow):
    """NET-1: the portal posts an application without a staff login; it waits for the front desk."""
    response = client.post(
        "/api/v1/cases/online",
        {"centre_id": flow.town.pk, "matter_id": flow.matter.pk, "applicant": applicant()},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    case = Case.objects.get(number=response.json()["number"])
    assert case.channel == Channel.ONLINE and case.receiver is None and case.status == CaseStatus.RECEIVED
    response = client.post(
        "/api/v1/cases/online",
        {"centre_id": flow.town.pk, "matter_id": flow.matter.pk, "applicant": applicant(phone="123")},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert Case.objects.count() == 1


def test_number_format_is_documented():
    from govhall.cases import numbers

    assert "YYYYMMDDHHMM" in (numbers.__doc__ or "")
    assert re.match(numbers.NUMBER_RE, "202603150930-320681100201-00042")
