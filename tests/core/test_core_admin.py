"""Admin pages for the bureau: the holiday table (STD-3) and the read-only audit log."""

from __future__ import annotations

import datetime as dt

import pytest

from govhall.accounts.models import UnitKind, User
from govhall.core.audit import audit_record, audit_verify
from govhall.core.calendar import is_working_day
from govhall.core.models import AuditEntry, CalendarDay, CalendarYear, DayKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def bureau_admin(client):
    user = User.objects.create_superuser(
        "juguan", password=None, full_name="局管理员甲", unit_kind=UnitKind.BUREAU
    )
    client.force_login(user)
    return user


def test_holiday_pages_are_in_chinese(client, bureau_admin):
    CalendarYear.objects.create(year=2027, source="国办发明电〔2026〕99号")
    CalendarDay.objects.create(date=dt.date(2027, 2, 6), kind=DayKind.WORKDAY, name="春节")
    page = client.get("/admin/core/calendaryear/").content.decode()
    assert "节假日年度" in page and "国办发明电〔2026〕99号" in page and "调休上班天数" in page
    page = client.get("/admin/core/calendarday/").content.decode()
    assert "节假日与调休" in page and "星期六" in page


def test_adding_a_day_in_admin_changes_the_calendar_and_is_audited(client, bureau_admin):
    response = client.post(
        "/admin/core/calendarday/add/", {"date": "2026-03-07", "kind": "workday", "name": "测试调休"}
    )
    assert response.status_code == 302
    assert is_working_day(dt.date(2026, 3, 7))
    entry = AuditEntry.objects.get(action="calendar_day.create")
    assert entry.actor == bureau_admin and entry.after["kind"] == "workday"


def test_make_up_day_on_a_weekday_is_refused_in_admin(client, bureau_admin):
    response = client.post(
        "/admin/core/calendarday/add/", {"date": "2026-03-04", "kind": "workday", "name": ""}
    )
    assert response.status_code == 200
    assert "2026-03-04是星期三，本来就是工作日" in response.content.decode()
    assert not CalendarDay.objects.exists()


def test_deleting_a_day_in_admin_is_audited(client, bureau_admin):
    day = CalendarDay.objects.create(date=dt.date(2026, 3, 7), kind=DayKind.WORKDAY, name="测试调休")
    response = client.post(f"/admin/core/calendarday/{day.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not CalendarDay.objects.exists()
    assert AuditEntry.objects.get(action="calendar_day.delete").before["name"] == "测试调休"
    assert not is_working_day(dt.date(2026, 3, 7))
    assert audit_verify().ok


def test_audit_log_is_read_only_in_admin(client, bureau_admin):
    entry = audit_record(action="test.entry", note="只读")
    listing = client.get("/admin/core/auditentry/").content.decode()
    assert "审计日志" in listing and "test.entry" in listing
    assert client.get("/admin/core/auditentry/add/").status_code == 403
    client.post(f"/admin/core/auditentry/{entry.pk}/change/", {"note": "改"})
    client.post(f"/admin/core/auditentry/{entry.pk}/delete/", {"post": "yes"})
    assert AuditEntry.objects.get(pk=entry.pk).note == "只读"
