"""限时办结 (STD-3): yellow warning at the configured share, red when overdue, a periodic scan that flags
and notifies the handler and the centre director through the outbox, and the supervision page per centre,
department and handler."""

from __future__ import annotations

import pytest
import time_machine

from govhall.accounts.models import StaffContact
from govhall.cases.models import CaseRules, CaseStatus, WarningLevel
from govhall.cases.rules import deadline_light as light
from govhall.cases.selectors import remaining, supervision
from govhall.cases.services import case_accept, case_finish, case_special_start, cases_scan_deadlines
from govhall.exchange.models import Notification
from tests.cases.conftest import local, receive
from tests.conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def contacts(flow):
    StaffContact.objects.create(user=flow.back_office, mobile="13911110001")
    StaffContact.objects.create(user=flow.director, mobile="13911110002")


def _accepted(flow, **kwargs):
    with time_machine.travel(local(2026, 3, 10, 9, 0), tick=False):
        return case_accept(case=receive(flow, **kwargs), actor=flow.front_desk)


def _sms_to(phone_tail: str) -> list[str]:
    return [n.text for n in Notification.objects.filter(recipient_masked__endswith=phone_tail)]


def test_yellow_then_red_with_notifications_to_handler_and_director(flow, contacts):
    case = _accepted(flow)  # due end of Tue 24 Mar; yellow once fewer than 3 working days remain
    assert case.warn_at.date().isoformat() == "2026-03-19"
    with time_machine.travel(local(2026, 3, 19, 20, 0), tick=False):
        assert cases_scan_deadlines() == {"yellow": 0, "red": 0}
        assert light(case) == "green" and remaining(case) == 3
    with time_machine.travel(local(2026, 3, 20, 8, 0), tick=False):
        assert cases_scan_deadlines() == {"yellow": 1, "red": 0}
        assert light(case) == "yellow" and remaining(case) == 2
        assert cases_scan_deadlines() == {"yellow": 0, "red": 0}  # flagged once
    case.refresh_from_db()
    assert case.warning_level == WarningLevel.YELLOW
    assert any("将于2026年03月24日" in t for t in _sms_to("0001"))
    assert _sms_to("0002") == []  # the director hears about red only
    with time_machine.travel(local(2026, 3, 25, 8, 0), tick=False):
        assert cases_scan_deadlines() == {"yellow": 0, "red": 1}
        assert light(case) == "red" and remaining(case) == -1
    case.refresh_from_db()
    assert case.warning_level == WarningLevel.RED
    assert any("已超过承诺办结时间" in t for t in _sms_to("0001"))
    assert any(t.startswith("【超期督办】") for t in _sms_to("0002"))
    assert case.events.filter(action="red", public=False).exists()


def test_yellow_share_is_a_setting(flow):
    rules = CaseRules.current()
    rules.yellow_share = "0.50"
    rules.save()
    case = _accepted(flow)
    assert case.warn_at.date().isoformat() == "2026-03-17"  # 10 - 5 = 5 working days after 10 Mar


def test_stopped_clock_is_not_flagged_and_finished_overdue_is_recorded(flow, contacts):
    paused = case_special_start(
        case=_accepted(flow), actor=flow.back_office, procedure="publicity", reason="公示"
    )
    running = _accepted(flow)
    with time_machine.travel(local(2026, 3, 26, 8, 0), tick=False):
        assert cases_scan_deadlines() == {"yellow": 0, "red": 1}
        assert light(paused) == "paused"
        running = case_finish(case=running, actor=flow.back_office, result="denied", reason="不符合条件")
    assert running.finished_overdue
    paused.refresh_from_db()
    assert paused.status == CaseStatus.SUSPENDED and paused.warning_level == WarningLevel.NONE


def test_a_handler_without_a_mobile_is_still_flagged(flow):
    case = _accepted(flow)
    with time_machine.travel(local(2026, 3, 25, 8, 0), tick=False):
        assert cases_scan_deadlines()["red"] == 1
    assert not Notification.objects.filter(template="case.supervision").exists()
    case.refresh_from_db()
    assert case.warning_level == WarningLevel.RED


def test_supervision_groups_by_centre_department_and_handler(flow):
    _accepted(flow)
    _accepted(flow, actor=flow.village_clerk)
    with time_machine.travel(local(2026, 3, 20, 8, 0), tick=False):
        late = case_accept(case=receive(flow), actor=flow.front_desk)  # not yet warned
        data = supervision(flow.director)
    assert data.open_total == 3
    assert [(r["name"], r["yellow"], r["red"]) for r in data.by_centre] == [(flow.town.name, 2, 0)]
    assert [(r["name"], r["yellow"]) for r in data.by_department] == [("启东市民政局", 2)]
    assert [(r["name"], r["extra"], r["yellow"]) for r in data.by_handler] == [
        ("张海峰", flow.back_office.staff_no, 2)
    ]
    assert late.number not in [c.number for c in data.cases] and len(data.cases) == 2
    with time_machine.travel(local(2026, 3, 20, 8, 0), tick=False):
        assert supervision(flow.other_village_clerk).open_total == 0
        village = supervision(flow.village_clerk)
    assert village.open_total == 1 and len(village.cases) == 1


def test_supervision_page_and_api_take_a_fixed_number_of_queries(client, flow, django_assert_num_queries):
    """The page costs the same queries for 3 or 8 warned cases: session, user, roles, centres, nav (5), one
    grouped query, the names of centres, departments and staff in it (3), the list and the count (2); no session
    write (the request before renewed it, core.sessions)."""
    for _ in range(3):
        _accepted(flow)
    login(client, flow.director)
    with time_machine.travel(local(2026, 3, 25, 8, 0), tick=False):
        client.get("/cases/supervision/")  # warm up the calendar
        with django_assert_num_queries(11):
            page = client.get("/cases/supervision/")
        body = client.get("/api/v1/cases/supervision?level=red").json()
    assert page.status_code == 200 and "红牌" in page.content.decode()
    assert body["open_total"] == 3 and body["by_centre"][0]["red"] == 3 and len(body["cases"]) == 3
    for _ in range(5):
        _accepted(flow)
    with time_machine.travel(local(2026, 3, 25, 8, 0), tick=False), django_assert_num_queries(11):
        assert client.get("/cases/supervision/").content.decode().count("红牌 超期") == 8
    assert body["cases"][0]["light"] == "red"


def test_one_message_per_person_per_scan(flow, contacts):
    """A director with many newly overdue cases gets one SMS listing them, not one per case."""
    first, second = _accepted(flow), _accepted(flow)
    with time_machine.travel(local(2026, 3, 25, 8, 0), tick=False):
        assert cases_scan_deadlines() == {"yellow": 0, "red": 2}
    handler, director = _sms_to("0001"), _sms_to("0002")
    assert len(handler) == 1 and len(director) == 1
    assert (
        "新增预警办件2件（2件已超期）" in handler[0]
        and first.number in handler[0]
        and second.number in handler[0]
    )
    assert director[0].startswith("【超期督办】")


def test_the_periodic_tasks_run_the_scans(flow, contacts):
    """STD-3/STD-4/MODE-3: the huey periodic tasks call the services (run here in-process)."""
    from govhall.cases import tasks

    _accepted(flow)
    with time_machine.travel(local(2026, 3, 25, 8, 0), tick=False):
        assert tasks.scan_deadlines_task.call_local() == {"yellow": 0, "red": 1}
        assert tasks.scan_rongque_task.call_local() == {"suspended": 0, "returned": 0}
        assert tasks.reroute_task.call_local() == 0
