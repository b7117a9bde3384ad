"""Each city-view indicator says what its definition says (GOV-1, GOV-2, STD-6, STD-7, SITE-8)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from govhall.cases.models import Case
from govhall.queueing import services as queue
from govhall.reports import indicators
from govhall.reviews.models import WorkOrder
from tests.reports.conftest import figure, local


def test_every_indicator_has_a_label_a_requirement_and_a_definition(db: Any) -> None:
    """GOV-1: every figure on the bureau's pages is defined in words and traced to a requirement."""
    codes = {i.code for i in indicators.registered()}
    assert {
        "tickets_issued", "tickets_waiting", "longest_wait", "windows_open", "windows_paused",
        "cases_received", "cases_accepted", "cases_finished", "cases_open_green", "cases_open_yellow",
        "cases_open_red", "cases_open_provisional", "immediate_share", "satisfaction",
        "bad_orders_overdue", "attendance", "standard_score",
    } <= codes  # fmt: skip
    for ind in indicators.registered():
        assert (
            ind.label and ind.definition and ind.requirement.split("-")[0] in {"GOV", "STD", "SITE", "SCOPE"}
        )


def test_tickets_issued_waiting_and_longest_wait(scene: Any, clock: Any) -> None:
    """GOV-1: 取号 counts today's tickets; 等候人数 those still waiting; 最长等候 the minutes the earliest
    waiting ticket has waited."""
    town, window, clerk = scene.town, scene.window, scene.front_desk
    for minute in (0, 10, 20):
        clock.move_to(local(2026, 3, 10, 9, minute))
        queue.ticket_issue(centre=town, group=window.window_class)
    queue.window_open(window=window, by=clerk)
    queue.ticket_call_next(window=window, by=clerk)  # the 9:00 ticket goes to the window
    clock.move_to(local(2026, 3, 10, 9, 40))
    assert figure("tickets_issued", town) == 3
    assert figure("tickets_waiting", town) == 2
    assert figure("longest_wait", town) == 30  # the 9:10 ticket, at 9:40
    assert figure("tickets_issued", scene.village) == 0


def test_windows_open_and_paused_with_reason(scene: Any) -> None:
    """SITE-8 / STD-7: open windows are counted; a paused window is counted apart with its reason."""
    w1, w2 = scene.windows["minsheng"], scene.windows["jianshe"]
    queue.window_open(window=w1, by=scene.front_desk)
    queue.window_open(window=w2, by=scene.back_office)
    queue.window_pause(window=w2, reason="meeting", by=scene.back_office)
    assert figure("windows_open", scene.town) == 1
    assert figure("windows_paused", scene.town) == 1
    assert figure("windows_paused", scene.town, key="meeting") == 1
    assert figure("windows_paused", scene.town, key="break") == 0


def test_cases_received_accepted_finished_and_immediate_share(scene: Any) -> None:
    """GOV-1: 收件/受理/办结 count today's cases by moment; 即办件占比 = 即办件 / cases accepted today."""
    scene.finished_case()  # 即办件: received, accepted and finished
    scene.open_case()  # 承诺件: received and accepted
    assert figure("cases_received", scene.town) == 2
    assert figure("cases_accepted", scene.town) == 2
    assert figure("cases_finished", scene.town) == 1
    assert figure("immediate_share", scene.town) == (1, 2)


def test_open_cases_by_deadline_light_provisional_apart(scene: Any, clock: Any) -> None:
    """GOV-1 (STD-3 lights): open cases are green before the warning, 黄牌 after it, 红牌 after the promised
    time; a case whose deadline is provisional (暂定) is counted apart and in no colour."""
    case = scene.open_case()
    provisional = scene.open_case()
    Case.objects.filter(pk=provisional.pk).update(due_waits_for=2027)
    assert figure("cases_open_green", scene.town) == 1
    assert figure("cases_open_provisional", scene.town) == 1
    case.refresh_from_db()
    clock.move_to(case.warn_at + dt.timedelta(minutes=1))
    assert (figure("cases_open_green", scene.town), figure("cases_open_yellow", scene.town)) == (0, 1)
    clock.move_to(case.due_at + dt.timedelta(minutes=1))
    assert figure("cases_open_red", scene.town) == 1
    assert figure("cases_open_yellow", scene.town) == 0
    assert figure("cases_open_provisional", scene.town) == 1


def test_satisfaction_rate_and_overdue_bad_review_orders(scene: Any, clock: Any) -> None:
    """STD-6: 满意率 = (非常满意+满意+基本满意) / 评价数; an open 差评 work order past its stage's due time is
    counted as 差评超期未办."""
    scene.rate_visit(scene.serve(), level=1)  # 非常满意
    scene.rate_visit(scene.serve(), level=3)  # 基本满意
    bad = scene.rate_visit(scene.serve(), level=5)  # 非常不满意: a work order opens
    assert figure("satisfaction", scene.town) == (2, 3)
    assert figure("bad_orders_overdue", scene.town) == 0
    order = WorkOrder.objects.get(rating=bad)
    clock.move_to(order.stage_due_at + dt.timedelta(minutes=1))
    assert figure("bad_orders_overdue", scene.town) == 1


def test_attendance_is_signed_in_staff_over_centre_staff(scene: Any) -> None:
    """STD-7: 出勤 = staff signed in today / active staff of the centre."""
    from django.contrib.auth import get_user_model

    from govhall.staffing.services import attendance_sign_in

    attendance_sign_in(staff=scene.front_desk, ip="10.0.0.1")
    staff = get_user_model().objects.filter(centre=scene.town, is_active=True).count()
    assert figure("attendance", scene.town) == (1, staff)


def test_standard_score_is_the_latest_assessment(scene: Any, clock: Any) -> None:
    """SITE-8: 标准化考核得分 is the score of the latest standard-hall assessment up to the day."""
    from tests.standards.builders import assess

    first = assess(scene.town, scene.inspector)
    assert figure("standard_score", scene.town) == first.score
    assert figure("standard_score", scene.village) == 0


def test_hotline_open_counts_the_12345_orders_a_centre_has_not_closed(scene: Any) -> None:
    """GOV-1 (issue 19): 12345工单在办 counts the orders sent to a centre and not yet closed; closed and
    returned orders, and another centre's, are not counted."""
    from django.utils import timezone

    from govhall.hotline.models import HotlineOrder, Status

    def order(number: str, status: str, centre: Any) -> None:
        HotlineOrder.objects.create(
            number=number,
            category="complaint",
            title="窗口排队时间长",
            content="来电反映",
            centre=centre,
            status=status,
            received_at=timezone.now(),
        )

    order("QD12345-1", Status.DISPATCHED, scene.town)
    order("QD12345-2", Status.HANDLING, scene.town)
    order("QD12345-3", Status.REPLIED, scene.town)
    order("QD12345-4", Status.CLOSED, scene.town)
    order("QD12345-5", Status.RETURNED, scene.town)
    order("QD12345-6", Status.HANDLING, scene.village)
    assert figure("hotline_open", scene.town) == 3
    assert figure("hotline_open", scene.village) == 1
