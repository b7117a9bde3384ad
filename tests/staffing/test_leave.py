"""STD-7 leave, STD-4 its effect: staff ask, only the director of their own centre decides (a director's
own leave goes to the bureau admin); approved leave moves the A-post to B."""

from __future__ import annotations

import pytest
import time_machine

from govhall.core.errors import Conflict, Forbidden, ServiceError
from govhall.core.models import AuditEntry
from govhall.staffing.models import Leave, LeaveKind, LeaveStatus
from govhall.staffing.services import leave_approve, leave_cancel, leave_reject, leave_request, post_handler
from tests.conftest import login
from tests.factories import UserFactory
from tests.staffing.conftest import local

NOW = local(2026, 3, 9, 16, 0)


def _ask(staff, **kw):
    kw = {
        "kind": LeaveKind.SICK,
        "start_at": local(2026, 3, 10, 8, 0),
        "end_at": local(2026, 3, 10, 18, 0),
        "reason": "发烧就医",
        **kw,
    }
    return leave_request(staff=staff, **kw)


@pytest.mark.django_db
def test_std7_director_of_the_centre_approves_and_the_post_moves_to_b(hall, post):
    leave = _ask(post.a_staff)
    assert leave.status == LeaveStatus.REQUESTED
    assert post_handler(post=post, at=local(2026, 3, 10, 8, 30)).role == "A"  # requested only
    leave_approve(leave=leave, actor=hall.director, note="同意")
    leave.refresh_from_db()
    assert (leave.status, leave.approved_by, leave.decision_note) == (
        LeaveStatus.APPROVED,
        hall.director,
        "同意",
    )
    assert leave.decided_at is not None
    handler = post_handler(post=post, at=local(2026, 3, 10, 8, 30))
    assert handler.role == "B" and handler.reason == "A角张海峰请假（病假）中，由B角李秀梅办理"
    assert AuditEntry.objects.filter(action="leave.approve", object_id=str(leave.pk)).exists()


@pytest.mark.django_db
def test_std7_leave_approval_only_by_the_director_of_that_centre(hall):
    other_director = UserFactory(roles=["director"], full_name="外镇主任")  # another town
    town_leave = _ask(hall.front_desk)
    for actor in (hall.front_desk, hall.back_office, other_director, hall.bureau_admin, hall.village_clerk):
        with pytest.raises(Forbidden):
            leave_approve(leave=town_leave, actor=actor)
    # a village's leave is decided by the village centre's director, not by the town director
    hall.village.director = hall.village_clerk
    hall.village.save()
    helper = UserFactory(centre=hall.village, roles=["village_clerk"])
    village_leave = _ask(helper)
    with pytest.raises(Forbidden):
        leave_approve(leave=village_leave, actor=hall.director)
    leave_approve(leave=village_leave, actor=hall.village_clerk)
    town_leave.refresh_from_db()
    assert town_leave.status == LeaveStatus.REQUESTED


@pytest.mark.django_db
def test_std7_a_directors_own_leave_goes_to_the_bureau_admin(hall):
    leave = _ask(hall.director)
    with pytest.raises(Forbidden):
        leave_approve(leave=leave, actor=hall.director)
    leave_approve(leave=leave, actor=hall.bureau_admin)
    leave.refresh_from_db()
    assert leave.status == LeaveStatus.APPROVED


@pytest.mark.django_db
def test_std7_leave_bad_input_and_wrong_state(hall):
    with pytest.raises(ServiceError, match="结束时间应晚于开始时间"):
        _ask(hall.front_desk, end_at=local(2026, 3, 10, 7, 0))
    with pytest.raises(ServiceError, match="请填写请假事由"):
        _ask(hall.front_desk, reason=" ")
    with pytest.raises(ServiceError, match="请假类型无效"):
        _ask(hall.front_desk, kind="holiday")
    with pytest.raises(Forbidden):
        _ask(hall.front_desk, actor=hall.back_office)  # a colleague cannot ask for someone else
    assert not Leave.objects.exists()
    leave = _ask(hall.front_desk)
    with pytest.raises(Conflict, match="时间重叠"):
        _ask(hall.front_desk, start_at=local(2026, 3, 10, 12, 0), end_at=local(2026, 3, 11, 12, 0))
    with pytest.raises(ServiceError, match="驳回请假须填写理由"):
        leave_reject(leave=leave, actor=hall.director, note="")
    leave_reject(leave=leave, actor=hall.director, note="当天窗口人手不足")
    with pytest.raises(Conflict, match="已驳回"):
        leave_approve(leave=leave, actor=hall.director)


@pytest.mark.django_db
def test_std7_director_records_leave_for_staff_and_staff_cancel_their_own(hall):
    leave = _ask(hall.front_desk, actor=hall.director)
    assert leave.staff == hall.front_desk and leave.status == LeaveStatus.REQUESTED
    with pytest.raises(Forbidden):
        leave_cancel(leave=leave, actor=hall.director)
    with time_machine.travel(NOW, tick=False):
        leave_cancel(leave=leave, actor=hall.front_desk)
    leave.refresh_from_db()
    assert leave.status == LeaveStatus.CANCELLED


# --- API and pages ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_std7_leave_api_request_and_approve(client, hall):
    login(client, hall.front_desk)
    response = client.post(
        "/api/v1/staffing/leaves",
        {
            "kind": "annual",
            "start_at": "2026-03-10T08:00:00+08:00",
            "end_at": "2026-03-11T18:00:00+08:00",
            "reason": "探亲",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    leave_id = response.json()["id"]
    # one's own leave: visible, but not one's to approve
    assert (
        client.post(
            f"/api/v1/staffing/leaves/{leave_id}/approve", {}, content_type="application/json"
        ).status_code
        == 403
    )
    login(client, hall.back_office)  # not theirs to see
    assert (
        client.post(
            f"/api/v1/staffing/leaves/{leave_id}/approve", {}, content_type="application/json"
        ).status_code
        == 404
    )
    login(client, hall.director)
    assert [lv["id"] for lv in client.get("/api/v1/staffing/leaves?status=requested").json()["items"]] == [
        leave_id
    ]
    response = client.post(
        f"/api/v1/staffing/leaves/{leave_id}/approve", {"note": "同意"}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["status"] == "approved"
    assert Leave.objects.get(pk=leave_id).approved_by == hall.director


@pytest.mark.django_db
def test_std7_leave_api_bad_input_and_town_director_cannot_decide_village_leave(client, hall):
    login(client, hall.front_desk)
    response = client.post(
        "/api/v1/staffing/leaves",
        {
            "kind": "sick",
            "start_at": "2026-03-10T08:00:00+08:00",
            "end_at": "2026-03-09T18:00:00+08:00",
            "reason": "x",
        },
        content_type="application/json",
    )
    assert response.status_code == 400 and "end_at" in response.json()["fields"]
    response = client.post(
        "/api/v1/staffing/leaves",
        {"kind": "sick", "start_at": "not a date", "end_at": "2026-03-09T18:00:00+08:00", "reason": "x"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert not Leave.objects.exists()
    village_leave = _ask(hall.village_clerk)
    login(client, hall.director)  # sees the village's leave (town network) but may not decide it
    response = client.post(
        f"/api/v1/staffing/leaves/{village_leave.pk}/approve", {}, content_type="application/json"
    )
    assert response.status_code == 403
    login(client, hall.other_village_clerk)
    assert client.get("/api/v1/staffing/leaves").json()["items"] == []


@pytest.mark.django_db
def test_std7_leave_pages_request_and_decide(client, hall):
    login(client, hall.front_desk)
    response = client.post(
        "/staffing/leaves/",
        {
            "kind": "personal",
            "start_at": "2026-03-10T08:00",
            "end_at": "2026-03-10T12:00",
            "reason": "办理房产手续",
        },
    )
    assert response.status_code == 302
    leave = Leave.objects.get()
    login(client, hall.director)
    page = client.get("/staffing/leaves/").content.decode()
    assert "待我审批" in page and "办理房产手续" in page
    assert client.post(f"/staffing/leaves/{leave.pk}/approve/", {"note": ""}).status_code == 302
    leave.refresh_from_db()
    assert leave.status == LeaveStatus.APPROVED
    login(client, hall.guide)
    assert client.post(f"/staffing/leaves/{leave.pk}/approve/").status_code == 404


@pytest.mark.django_db
def test_std7_leave_api_cancel_only_own(client, hall):
    leave = _ask(hall.front_desk)
    login(client, hall.director)
    assert client.post(f"/api/v1/staffing/leaves/{leave.pk}/cancel").status_code == 403
    with time_machine.travel(NOW, tick=False):  # sessions follow the clock: log in inside it
        login(client, hall.front_desk)
        response = client.post(f"/api/v1/staffing/leaves/{leave.pk}/cancel")
        assert response.status_code == 200 and response.json()["status"] == "cancelled"
        assert Leave.objects.get(pk=leave.pk).status == LeaveStatus.CANCELLED
        assert client.post(f"/api/v1/staffing/leaves/{leave.pk}/cancel").status_code == 409
