"""STD-7 attendance at the workbench (time and client address recorded) and STD-4 the daily roster: who is on
which post and who handles it (A, or B / the director with the reason)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from govhall.core.errors import Conflict, Forbidden, ServiceError
from govhall.staffing.models import Attendance, AttendanceSettings, Leave, LeaveKind, LeaveStatus
from govhall.staffing.selectors import roster_for
from govhall.staffing.services import attendance_settings_update, attendance_sign_in, attendance_sign_out
from tests.conftest import login
from tests.staffing.conftest import local

MORNING = local(2026, 3, 10, 8, 31)


@pytest.mark.django_db
def test_std7_sign_in_and_out_record_time_and_address_once_a_day(hall):
    row = attendance_sign_in(staff=hall.front_desk, ip="10.2.3.4", at=MORNING)
    assert (row.date, row.sign_in_ip, row.is_late) == (dt.date(2026, 3, 10), "10.2.3.4", False)
    with pytest.raises(Conflict, match="今天已于08:31签到"):
        attendance_sign_in(staff=hall.front_desk, ip="10.2.3.4", at=local(2026, 3, 10, 9, 0))
    row = attendance_sign_out(staff=hall.front_desk, ip="10.2.3.5", at=local(2026, 3, 10, 17, 35))
    assert row.sign_out_ip == "10.2.3.5"
    with pytest.raises(Conflict, match="已于17:35签退"):
        attendance_sign_out(staff=hall.front_desk, ip="x", at=local(2026, 3, 10, 17, 40))
    with pytest.raises(Conflict, match="尚未签到"):
        attendance_sign_out(staff=hall.back_office, ip="x", at=local(2026, 3, 10, 17, 40))
    late = attendance_sign_in(staff=hall.back_office, ip="x", at=local(2026, 3, 10, 9, 2))
    assert late.is_late
    with pytest.raises(Forbidden):
        attendance_sign_in(staff=hall.bureau_admin, ip="x", at=MORNING)


@pytest.mark.django_db
def test_std7_deadline_setting_only_by_the_director_and_sane(hall):
    with pytest.raises(Forbidden):
        attendance_settings_update(centre=hall.town, sign_in_deadline=dt.time(9, 0), actor=hall.front_desk)
    with pytest.raises(ServiceError, match="06:00至12:00"):
        attendance_settings_update(centre=hall.town, sign_in_deadline=dt.time(13, 0), actor=hall.director)
    assert not AttendanceSettings.objects.exists()
    attendance_settings_update(centre=hall.town, sign_in_deadline=dt.time(9, 0), actor=hall.director)
    assert attendance_sign_in(staff=hall.front_desk, ip="", at=local(2026, 3, 10, 8, 55)).is_late is False


@pytest.mark.django_db
@time_machine.travel(MORNING, tick=False)
def test_std7_api_sign_in_records_the_client_address(client, hall):
    login(client, hall.front_desk)
    response = client.post("/api/v1/staffing/attendance/sign-in", REMOTE_ADDR="192.168.8.20")
    assert response.status_code == 201, response.content
    assert response.json()["sign_in_ip"] == "192.168.8.20"
    assert Attendance.objects.get(staff=hall.front_desk).sign_in_at == MORNING
    response = client.post("/api/v1/staffing/attendance/sign-in", REMOTE_ADDR="192.168.8.20")
    assert response.status_code == 409 and "已于08:31签到" in response.json()["message"]
    assert Attendance.objects.count() == 1
    login(client, hall.village_clerk)
    assert client.get("/api/v1/staffing/attendance").json()["items"] == []
    login(client, hall.director)
    assert [a["staff"]["id"] for a in client.get("/api/v1/staffing/attendance").json()["items"]] == [
        hall.front_desk.pk
    ]


@pytest.mark.django_db
@time_machine.travel(MORNING, tick=False)
def test_std7_workbench_page_signs_in(client, hall):
    login(client, hall.back_office)
    assert "今日尚未签到" in client.get("/staffing/").content.decode()
    response = client.post("/staffing/attendance/sign-in/", REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 302
    assert Attendance.objects.get(staff=hall.back_office).sign_in_ip == "10.0.0.9"
    assert "10.0.0.9" in client.get("/staffing/attendance/").content.decode()


@pytest.mark.django_db
def test_std4_roster_shows_each_post_with_its_effective_handler(hall, post, django_assert_max_num_queries):
    from tests.factories import PostFactory

    second = PostFactory(centre=hall.town, name="建设受理岗", a_staff=hall.front_desk, b_staff=hall.guide)
    at = local(2026, 3, 10, 10, 0)
    for user in (post.b_staff, hall.front_desk):
        Attendance.objects.create(
            staff=user, centre=hall.town, date=at.date(), sign_in_at=local(2026, 3, 10, 8, 20)
        )
    Leave.objects.create(
        staff=post.a_staff,
        centre=hall.town,
        kind=LeaveKind.SICK,
        reason="x",
        status=LeaveStatus.APPROVED,
        start_at=local(2026, 3, 10, 0, 0),
        end_at=local(2026, 3, 11, 0, 0),
    )
    with django_assert_max_num_queries(8):
        roster = roster_for(centre=hall.town, at=at)
    rows = {r.post.name: r for r in roster.rows}
    assert rows["民政审批岗"].handler.reason == "A角张海峰请假（病假）中，由B角李秀梅办理"
    assert rows["民政审批岗"].a_status == "请假（病假）中"
    assert (rows["建设受理岗"].handler.user, rows["建设受理岗"].b_status) == (
        hall.front_desk,
        "未在08:45前签到",
    )
    assert second.pk == rows["建设受理岗"].post.pk
    absent = {u.pk: why for u, why in roster.absent}
    assert absent[post.a_staff.pk] == "请假（病假）中" and post.b_staff.pk not in absent


@pytest.mark.django_db
def test_std4_roster_page_and_api_access(client, hall, post):
    login(client, hall.front_desk)
    page = client.get("/staffing/roster/?date=2026-03-10").content.decode()
    assert "民政审批岗" in page and "未在08:45前签到" in page
    data = client.get("/api/v1/staffing/roster?at=2026-03-10T10:00:00%2B08:00").json()
    assert data["posts"][0]["role"] == "director" and "由中心主任陈主任办理" in data["posts"][0]["reason"]
    handler = client.get(f"/api/v1/staffing/posts/{post.pk}/handler?at=2026-03-10T08:00:00%2B08:00").json()
    assert (handler["role"], handler["user"]["id"]) == ("A", post.a_staff.pk)
    login(client, hall.village_clerk)
    assert client.get(f"/staffing/roster/?centre={hall.town.pk}").status_code == 404
    assert client.get(f"/api/v1/staffing/roster?centre_id={hall.town.pk}").status_code == 404
    assert client.get(f"/api/v1/staffing/posts/{post.pk}/handler").status_code == 404
    assert client.get(f"/api/v1/staffing/roster?centre_id={hall.other_village.pk}").status_code == 404
    assert client.get("/api/v1/staffing/roster").status_code == 200  # their own village


@pytest.mark.django_db
def test_std7_api_sign_out_after_sign_in_only(client, hall):
    with time_machine.travel(local(2026, 3, 10, 17, 0), tick=False):  # sessions follow the clock
        login(client, hall.guide)
        response = client.post("/api/v1/staffing/attendance/sign-out")
        assert response.status_code == 409 and "尚未签到" in response.json()["message"]
        client.post("/api/v1/staffing/attendance/sign-in", REMOTE_ADDR="10.1.1.1")
    with time_machine.travel(local(2026, 3, 10, 17, 35), tick=False):
        login(client, hall.guide)
        response = client.post("/api/v1/staffing/attendance/sign-out", REMOTE_ADDR="10.1.1.2")
    assert response.status_code == 200 and response.json()["sign_out_ip"] == "10.1.1.2"
    row = Attendance.objects.get(staff=hall.guide)
    assert row.sign_out_at == local(2026, 3, 10, 17, 35) and row.sign_out_ip == "10.1.1.2"
