"""STD-1 首问负责制: the first staff member asked owns the enquiry until it is answered or handed over to a
named colleague (who then owns it until answered); recorded, audited, with the asker's data encrypted."""

from __future__ import annotations

import pytest
from django.db import connection

from govhall.core.errors import Conflict, Forbidden, ServiceError
from govhall.core.models import AuditEntry
from govhall.staffing.models import Enquiry, EnquiryStatus
from govhall.staffing.selectors import pending_enquiries_for
from govhall.staffing.services import (
    enquiry_answer,
    enquiry_create,
    enquiry_hand_over,
    enquiry_mark_converted,
)
from tests.conftest import login
from tests.factories import UserFactory


def _ask(staff, **kw):
    kw = {"question": "新生儿落户需要哪些材料？", "asker_name": "王小明", "asker_phone": "13812345678", **kw}
    return enquiry_create(staff=staff, **kw)


@pytest.mark.django_db
def test_std1_enquiry_stays_on_the_first_staff_list_until_answered(hall):
    enquiry = _ask(hall.front_desk)
    assert list(pending_enquiries_for(hall.front_desk)) == [enquiry]
    assert not pending_enquiries_for(hall.director).exists()
    enquiry_answer(enquiry=enquiry, actor=hall.front_desk, answer="户口本、出生医学证明、父母身份证。")
    assert not pending_enquiries_for(hall.front_desk).exists()
    enquiry.refresh_from_db()
    assert (enquiry.status, enquiry.answered_by) == (EnquiryStatus.ANSWERED, hall.front_desk)
    assert AuditEntry.objects.filter(action="enquiry.answer", object_id=str(enquiry.pk)).exists()


@pytest.mark.django_db
def test_std1_handover_moves_it_to_the_named_colleague_until_they_answer(hall):
    enquiry = _ask(hall.front_desk)
    enquiry_hand_over(enquiry=enquiry, actor=hall.front_desk, to=hall.back_office, note="涉及审批口径")
    assert not pending_enquiries_for(hall.front_desk).exists()
    assert list(pending_enquiries_for(hall.back_office)) == [enquiry]
    with pytest.raises(Forbidden, match="由张海峰负责"):
        enquiry_answer(enquiry=enquiry, actor=hall.front_desk, answer="试图代答")
    enquiry_answer(enquiry=enquiry, actor=hall.back_office, answer="已电话答复。")
    assert not pending_enquiries_for(hall.back_office).exists()
    enquiry.refresh_from_db()
    assert (enquiry.status, enquiry.first_staff, enquiry.handed_to) == (
        EnquiryStatus.ANSWERED,
        hall.front_desk,
        hall.back_office,
    )
    entry = AuditEntry.objects.get(action="enquiry.hand_over", object_id=str(enquiry.pk))
    assert entry.after["handed_to"] == hall.back_office.pk and entry.actor_id == hall.front_desk.pk


@pytest.mark.django_db
def test_std1_answer_on_the_spot_is_recorded_as_answered(hall):
    enquiry = _ask(hall.guide, answer="请到2号窗口办理。")
    assert enquiry.status == EnquiryStatus.ANSWERED and enquiry.answered_at is not None
    assert not pending_enquiries_for(hall.guide).exists()


@pytest.mark.django_db
def test_std1_asker_data_is_encrypted_with_digest_and_masked(hall):
    enquiry = _ask(hall.front_desk)
    with connection.cursor() as cursor:
        cursor.execute("SELECT asker_name, asker_phone FROM staffing_enquiry WHERE id = %s", [enquiry.pk])
        raw_name, raw_phone = cursor.fetchone()
    assert "王小明" not in raw_name and "13812345678" not in raw_phone
    assert (enquiry.asker_name_masked, enquiry.asker_phone_masked) == ("王**", "138****5678")
    from govhall.core.crypto import lookup_digest

    assert Enquiry.objects.filter(asker_phone_digest=lookup_digest("13812345678")).get() == enquiry


@pytest.mark.django_db
def test_std1_bad_input_is_refused_and_nothing_written(hall):
    with pytest.raises(ServiceError, match="手机号码"):
        _ask(hall.front_desk, asker_phone="12345")
    with pytest.raises(ServiceError, match="请填写咨询内容"):
        enquiry_create(staff=hall.front_desk, question="  ")
    with pytest.raises(Forbidden):
        enquiry_create(staff=hall.bureau_admin, question="局里也想登记")
    assert not Enquiry.objects.exists()


@pytest.mark.django_db
def test_std1_handover_rules(hall):
    enquiry = _ask(hall.front_desk)
    with pytest.raises(ServiceError, match="不能转交给自己"):
        enquiry_hand_over(enquiry=enquiry, actor=hall.front_desk, to=hall.front_desk)
    stranger = UserFactory(full_name="外镇人员")  # another town's centre
    with pytest.raises(ServiceError, match="本镇服务中心"):
        enquiry_hand_over(enquiry=enquiry, actor=hall.front_desk, to=stranger)
    with pytest.raises(Forbidden):
        enquiry_hand_over(enquiry=enquiry, actor=hall.director, to=hall.back_office)
    enquiry.refresh_from_db()
    assert enquiry.status == EnquiryStatus.OPEN and enquiry.handed_to is None
    # a village clerk may hand over to the town's back office
    village = _ask(hall.village_clerk)
    enquiry_hand_over(enquiry=village, actor=hall.village_clerk, to=hall.back_office)
    assert list(pending_enquiries_for(hall.back_office)) == [village]


@pytest.mark.django_db
def test_std1_convert_hook_for_the_case_app(hall):
    enquiry = _ask(hall.front_desk)
    enquiry_mark_converted(enquiry=enquiry, case_number="QD320681103-20260310-000001", actor=hall.front_desk)
    enquiry.refresh_from_db()
    assert (enquiry.status, enquiry.converted_case_number) == (
        EnquiryStatus.CONVERTED,
        "QD320681103-20260310-000001",
    )
    assert not pending_enquiries_for(hall.front_desk).exists()
    with pytest.raises(Conflict, match="已转为办件"):
        enquiry_mark_converted(enquiry=enquiry, case_number="X2", actor=hall.front_desk)
    with pytest.raises(Conflict, match="已转为办件"):
        enquiry_answer(enquiry=enquiry, actor=hall.front_desk, answer="迟到的答复")


# --- API and pages ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_std1_api_create_list_answer(client, hall):
    login(client, hall.front_desk)
    response = client.post(
        "/api/v1/staffing/enquiries",
        {"question": "营业执照变更要带什么？", "asker_name": "李四", "asker_phone": "13900001111"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["asker_phone"], body["first_staff"]["id"]) == (
        "open",
        "139****1111",
        hall.front_desk.pk,
    )
    assert [e["id"] for e in client.get("/api/v1/staffing/enquiries/pending").json()["items"]] == [body["id"]]
    response = client.post(
        f"/api/v1/staffing/enquiries/{body['id']}/answer",
        {"answer": "带原执照。"},
        content_type="application/json",
    )
    assert response.json()["status"] == "answered"
    assert client.get("/api/v1/staffing/enquiries/pending").json()["items"] == []
    contact = client.post(f"/api/v1/staffing/enquiries/{body['id']}/contact").json()
    assert contact == {"asker_name": "李四", "asker_phone": "13900001111"}
    assert AuditEntry.objects.filter(action="pii.view", object_id=str(body["id"])).count() == 1


@pytest.mark.django_db
def test_std1_api_bad_input_gives_clear_error_and_writes_nothing(client, hall):
    login(client, hall.front_desk)
    response = client.post(
        "/api/v1/staffing/enquiries",
        {"question": "问", "asker_phone": "abc"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "asker_phone" in response.json()["fields"]
    response = client.post(
        "/api/v1/staffing/enquiries",
        {"question": "问", "matter_code": "NOPE"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "matter_code" in response.json()["fields"]
    assert not Enquiry.objects.exists()


@pytest.mark.django_db
def test_std1_api_hand_over_and_wrong_owner(client, hall):
    enquiry = _ask(hall.front_desk)
    login(client, hall.back_office)  # town back office: not the owner, and sees only their own enquiries
    assert (
        client.post(
            f"/api/v1/staffing/enquiries/{enquiry.pk}/answer",
            {"answer": "x"},
            content_type="application/json",
        ).status_code
        == 404
    )
    login(client, hall.director)  # sees the centre's enquiries but does not own this one
    response = client.post(
        f"/api/v1/staffing/enquiries/{enquiry.pk}/answer", {"answer": "x"}, content_type="application/json"
    )
    assert response.status_code == 403
    login(client, hall.front_desk)
    response = client.post(
        f"/api/v1/staffing/enquiries/{enquiry.pk}/hand-over",
        {"to_user_id": hall.back_office.pk, "note": "请答复"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["handed_to"]["id"] == hall.back_office.pk
    login(client, hall.back_office)
    assert client.get(f"/api/v1/staffing/enquiries/{enquiry.pk}").status_code == 200


@pytest.mark.django_db
def test_std1_village_clerk_cannot_see_another_villages_enquiries_api_and_page(client, hall):
    mine = _ask(hall.village_clerk)
    theirs = _ask(hall.other_village_clerk)
    login(client, hall.village_clerk)
    assert [e["id"] for e in client.get("/api/v1/staffing/enquiries").json()["items"]] == [mine.pk]
    assert client.get(f"/api/v1/staffing/enquiries/{theirs.pk}").status_code == 404
    assert client.post(f"/api/v1/staffing/enquiries/{theirs.pk}/contact").status_code == 404
    assert client.get(f"/api/v1/staffing/enquiries?centre_id={hall.other_village.pk}").json()["items"] == []
    assert client.get(f"/staffing/enquiries/{theirs.pk}/").status_code == 404
    page = client.get("/staffing/enquiries/").content.decode()
    assert f"/staffing/enquiries/{mine.pk}/" in page and f"/staffing/enquiries/{theirs.pk}/" not in page
    # the town director sees both villages; the bureau sees everything
    login(client, hall.director)
    assert {e["id"] for e in client.get("/api/v1/staffing/enquiries").json()["items"]} == {mine.pk, theirs.pk}


@pytest.mark.django_db
def test_std1_pages_record_answer_and_hand_over(client, hall):
    login(client, hall.front_desk)
    response = client.post(
        "/staffing/enquiries/new/",
        {
            "question": "老年证怎么办？",
            "channel": "on_site",
            "asker_name": "",
            "asker_phone": "",
            "matter_code": "",
            "answer": "",
        },
    )
    enquiry = Enquiry.objects.get()
    assert response.status_code == 302 and enquiry.first_staff == hall.front_desk
    assert "老年证怎么办" in client.get("/staffing/enquiries/").content.decode()
    response = client.post(
        f"/staffing/enquiries/{enquiry.pk}/",
        {"action": "hand_over", "to": hall.back_office.pk, "note": "请核实"},
    )
    assert response.status_code == 302
    login(client, hall.back_office)
    pending = client.get("/staffing/enquiries/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="pending-enquiries")
    assert "老年证怎么办" in pending.content.decode() and "<html" not in pending.content.decode()
    response = client.post(f"/staffing/enquiries/{enquiry.pk}/", {"action": "answer", "answer": ""})
    assert response.status_code == 200 and "这个字段是必填项" in response.content.decode()
    client.post(f"/staffing/enquiries/{enquiry.pk}/", {"action": "answer", "answer": "带身份证到民生窗口。"})
    enquiry.refresh_from_db()
    assert enquiry.status == EnquiryStatus.ANSWERED and enquiry.answered_by == hall.back_office


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["bureau_admin", "inspector"])
def test_issue13_the_askers_contact_is_revealed_only_through_core_pii(client, hall, who):
    """Issue 13 hole 2: the bureau sees every enquiry, masked; the whole name and phone only for the roles of
    core.pii (the front desk here), each view audited, never the value in the audit."""
    enquiry = _ask(hall.front_desk)
    login(client, getattr(hall, who))
    assert client.get(f"/api/v1/staffing/enquiries/{enquiry.pk}").status_code == 200
    response = client.post(f"/api/v1/staffing/enquiries/{enquiry.pk}/contact")
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert "13812345678" not in response.content.decode()
    page = client.get(f"/staffing/enquiries/{enquiry.pk}/").content.decode()
    assert "查看完整信息" not in page and "138****5678" in page
    refused = client.post(f"/staffing/enquiries/{enquiry.pk}/", {"action": "reveal"})
    assert refused.status_code == 403 and "无权查看完整" in refused.content.decode()
    assert "13812345678" not in refused.content.decode() and "王小明" not in refused.content.decode()
    assert not AuditEntry.objects.filter(action="pii.view").exists()
    login(client, hall.front_desk)
    assert "查看完整信息" in client.get(f"/staffing/enquiries/{enquiry.pk}/").content.decode()
    shown = client.post(f"/staffing/enquiries/{enquiry.pk}/", {"action": "reveal"}).content.decode()
    assert "13812345678" in shown and "王小明" in shown
    entry = AuditEntry.objects.get(action="pii.view", object_id=str(enquiry.pk))
    assert entry.actor == hall.front_desk and "13812345678" not in str(entry.after) + entry.note
