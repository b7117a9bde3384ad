"""The built-in indicators of the city view, one builder per figure, grouped by the area that owns the
source table (queueing, cases, reviews, staffing, standards). Each builder is one or two GROUP BY queries
over the centres asked for; the definitions here are the ones the pages, the API and the 通报 print."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from django.db.models import Count, F, Max, Min, Q
from django.db.models.functions import TruncDate

from govhall.cases.models import OPEN_STATUSES, Case
from govhall.cases.rules import deadline_light
from govhall.hotline.models import OPEN_STATUSES as HOTLINE_OPEN_STATUSES
from govhall.hotline.models import HotlineOrder
from govhall.onething.models import ThingCase
from govhall.queueing.models import WAITING_STATUSES, Ticket, WindowState, WindowStatus
from govhall.reports.indicators import MAX, MEAN, RATE, SUM, Day, Figure, Indicator, rate_figure, register
from govhall.reviews.models import BAD_LEVELS, OPEN_ORDER_STATUSES, Rating, WorkOrder
from govhall.staffing.models import Attendance
from govhall.standards.models import Assessment

# --- queueing (排队叫号) -----------------------------------------------------------------------------------


def tickets_issued(day: Day, centres: Sequence[int]) -> list[Figure]:

    rows = (
        Ticket.objects.filter(centre_id__in=centres, **day.dates(), issued_at__lte=day.as_of)
        .values("centre_id", "date")
        .annotate(n=Count("id"))
    )
    return [Figure(r["centre_id"], r["n"], day=r["date"]) for r in rows]


def _waiting(day: Day, centres: Sequence[int]):  # type: ignore[no-untyped-def]

    return Ticket.objects.filter(
        centre_id__in=centres, date=day.day, status__in=WAITING_STATUSES, queued_at__lte=day.as_of
    )


def tickets_waiting(day: Day, centres: Sequence[int]) -> list[Figure]:
    rows = _waiting(day, centres).values("centre_id").annotate(n=Count("id"))
    return [Figure(r["centre_id"], r["n"]) for r in rows]


def longest_wait(day: Day, centres: Sequence[int]) -> list[Figure]:
    rows = _waiting(day, centres).values("centre_id").annotate(first=Min("queued_at"))
    return [
        Figure(r["centre_id"], int((day.as_of - r["first"]).total_seconds() // 60))
        for r in rows
        if r["first"] is not None
    ]


def _window_states(centres: Sequence[int], status: str) -> list[Figure]:

    rows = WindowState.objects.filter(
        window__centre_id__in=centres, window__is_active=True, status=status
    ).values_list("window__centre_id", "window_id", "reason")
    out = [Figure(c, 1, window_id=w, key=reason or "") for c, w, reason in rows]
    totals: dict[tuple[int, str], int] = defaultdict(int)
    for c, _, reason in rows:
        totals[(c, reason or "")] += 1
    return out + [Figure(c, n, key=reason) for (c, reason), n in totals.items()]


def windows_open(day: Day, centres: Sequence[int]) -> list[Figure]:

    return _window_states(centres, WindowStatus.OPEN)


def windows_paused(day: Day, centres: Sequence[int]) -> list[Figure]:

    return _window_states(centres, WindowStatus.PAUSED)


# --- cases (办件) -----------------------------------------------------------------------------------------


def _count_by(
    qs, moment: str, centre_field: str, window_field: str | None, clerk_field: str | None
) -> list[Figure]:  # type: ignore[no-untyped-def]
    """Counts per centre, and per window / clerk, on each local day of `moment`."""
    fields = [centre_field] + [f for f in (window_field, clerk_field) if f]
    totals: dict[tuple[int, dt.date], int] = defaultdict(int)
    # Window and clerk rows of the same cases: one row per window, one per clerk.
    merged: dict[tuple[int, int | None, int | None, dt.date], int] = defaultdict(int)
    for row in qs.annotate(on=TruncDate(moment)).values("on", *fields).annotate(n=Count("id")):
        centre, on = row[centre_field], row["on"]
        totals[(centre, on)] += row["n"]
        if window_field and row[window_field]:
            merged[(centre, row[window_field], None, on)] += row["n"]
        if clerk_field and row[clerk_field]:
            merged[(centre, None, row[clerk_field], on)] += row["n"]
    return [Figure(c, n, day=on) for (c, on), n in totals.items()] + [
        Figure(c, n, window_id=w, clerk_id=k, day=on) for (c, w, k, on), n in merged.items()
    ]


def cases_received(day: Day, centres: Sequence[int]) -> list[Figure]:

    qs = Case.objects.filter(centre_id__in=centres, **day.within("received_at"))
    return _count_by(qs, "received_at", "centre_id", "window_id", "receiver_id")


def cases_accepted(day: Day, centres: Sequence[int]) -> list[Figure]:

    qs = Case.objects.filter(handling_centre_id__in=centres, **day.within("accepted_at"))
    return _count_by(qs, "accepted_at", "handling_centre_id", None, "accepted_by_id")


def cases_finished(day: Day, centres: Sequence[int]) -> list[Figure]:

    qs = Case.objects.filter(handling_centre_id__in=centres, **day.within("finished_at")).exclude(
        accepted_at__isnull=True
    )
    return _count_by(qs, "finished_at", "handling_centre_id", None, "finished_by_id")


def on_time_rate(day: Day, centres: Sequence[int]) -> list[Figure]:

    rows = (
        Case.objects.filter(
            handling_centre_id__in=centres,
            accepted_at__isnull=False,
            due_at__isnull=False,
            due_waits_for__isnull=True,
            **day.within("finished_at"),
        )
        .annotate(on=TruncDate("finished_at"))
        .values("handling_centre_id", "on")
        .annotate(total=Count("id"), on_time=Count("id", filter=Q(finished_at__lte=F("due_at"))))
    )
    return [rate_figure(r["handling_centre_id"], r["on_time"], r["total"], day=r["on"]) for r in rows]


def _open_lights(day: Day, centres: Sequence[int]) -> dict[int, dict[str, int]]:
    """centre → {green, yellow, red, paused, provisional}: open cases (accepted, not finished) of the
    handling centre, each coloured by `cases.rules.deadline_light`; a provisional (暂定) deadline, which
    waits for a year's holidays, is counted apart and in no colour."""
    from types import SimpleNamespace

    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    rows = Case.objects.filter(handling_centre_id__in=centres, status__in=OPEN_STATUSES).values_list(
        "handling_centre_id", "status", "due_at", "warn_at", "due_waits_for"
    )
    for centre_id, status, due_at, warn_at, waits_for in rows:
        if waits_for is not None:
            counts[centre_id]["provisional"] += 1
            continue
        light = deadline_light(SimpleNamespace(status=status, due_at=due_at, warn_at=warn_at), day.as_of)
        counts[centre_id][light or "green"] += 1
    return counts


def _light_builder(light: str):  # type: ignore[no-untyped-def]
    def build(day: Day, centres: Sequence[int]) -> list[Figure]:
        return [Figure(c, n[light]) for c, n in _open_lights(day, centres).items() if n.get(light)]

    build.__name__ = f"cases_open_{light}"
    return build


def immediate_share(day: Day, centres: Sequence[int]) -> list[Figure]:

    rows = (
        Case.objects.filter(handling_centre_id__in=centres, **day.within("accepted_at"))
        .annotate(on=TruncDate("accepted_at"))
        .values("handling_centre_id", "on")
        .annotate(total=Count("id"), immediate=Count("id", filter=Q(case_type=1)))
    )
    return [rate_figure(r["handling_centre_id"], r["immediate"], r["total"], day=r["on"]) for r in rows]


# --- reviews (好差评) ---------------------------------------------------------------------------------------


def satisfaction(day: Day, centres: Sequence[int]) -> list[Figure]:

    rows = (
        Rating.objects.counted()
        .filter(centre_id__in=centres, **day.within("created_at"))
        .annotate(on=TruncDate("created_at"))
        .values("centre_id", "clerk_id", "on")
        .annotate(total=Count("id"), bad=Count("id", filter=Q(level__in=BAD_LEVELS)))
    )
    per_centre: dict[tuple[int, dt.date], list[int]] = defaultdict(lambda: [0, 0])
    out: list[Figure] = []
    for r in rows:
        good = r["total"] - r["bad"]
        per_centre[(r["centre_id"], r["on"])][0] += good
        per_centre[(r["centre_id"], r["on"])][1] += r["total"]
        if r["clerk_id"]:
            out.append(rate_figure(r["centre_id"], good, r["total"], clerk_id=r["clerk_id"], day=r["on"]))
    return [rate_figure(c, g, t, day=on) for (c, on), (g, t) in per_centre.items()] + out


def hotline_open(day: Day, centres: Sequence[int]) -> list[Figure]:
    """12345 work orders sent to a centre and not yet closed (待承办, 办理中, 已回复待回访)."""
    rows = (
        HotlineOrder.objects.filter(
            centre_id__in=centres, status__in=HOTLINE_OPEN_STATUSES, received_at__lte=day.as_of
        )
        .values("centre_id")
        .annotate(n=Count("id"))
    )
    return [Figure(r["centre_id"], r["n"]) for r in rows]


def one_things_received(day: Day, centres: Sequence[int]) -> list[Figure]:
    qs = ThingCase.objects.filter(centre_id__in=centres, **day.within("received_at"))
    return _count_by(qs, "received_at", "centre_id", "window_id", None)


def bad_orders_overdue(day: Day, centres: Sequence[int]) -> list[Figure]:

    rows = (
        WorkOrder.objects.filter(
            centre_id__in=centres, status__in=OPEN_ORDER_STATUSES, stage_due_at__lt=day.as_of
        )
        .values("centre_id")
        .annotate(n=Count("id"))
    )
    return [Figure(r["centre_id"], r["n"]) for r in rows]


# --- staffing (考勤) --------------------------------------------------------------------------------------


def attendance(day: Day, centres: Sequence[int]) -> list[Figure]:
    from django.contrib.auth import get_user_model

    staff = dict(
        get_user_model()
        .objects.filter(centre_id__in=centres, is_active=True, unit_kind="centre")
        .values("centre_id")
        .annotate(n=Count("id"))
        .values_list("centre_id", "n")
    )
    signed = {
        (c, on): n
        for c, on, n in Attendance.objects.filter(
            centre_id__in=centres, **day.dates(), sign_in_at__lte=day.as_of
        )
        .values("centre_id", "date")
        .annotate(n=Count("staff_id", distinct=True))
        .values_list("centre_id", "date", "n")
    }
    return [
        rate_figure(c, signed.get((c, on), 0), n, day=on) for on in day.days() for c, n in staff.items() if n
    ]


# --- standards (标准化大厅考核) -------------------------------------------------------------------------------


def standard_score(day: Day, centres: Sequence[int]) -> list[Figure]:

    latest = (
        Assessment.objects.filter(centre_id__in=centres, assessed_at__lte=day.as_of)
        .values("centre_id")
        .annotate(at=Max("assessed_at"))
    )
    wanted = {(r["centre_id"], r["at"]) for r in latest}
    rows = Assessment.objects.filter(
        centre_id__in={c for c, _ in wanted}, assessed_at__in={a for _, a in wanted}
    ).values_list("centre_id", "assessed_at", "score")
    return [Figure(c, Decimal(score)) for c, at, score in rows if (c, at) in wanted]


def register_builtin_indicators() -> None:
    queue, case, review, staff = "排队叫号", "办件", "好差评", "人员与考核"
    for ind in [
        Indicator(
            "tickets_issued",
            "取号",
            "GOV-1",
            "当日取号的张数（现场、自助机、预约签到）。",
            tickets_issued,
            SUM,
            unit="张",
            group=queue,
            spans=True,
        ),
        Indicator(
            "tickets_waiting",
            "等候人数",
            "GOV-1",
            "当日号码中仍在等候（含转移后等候）的张数；过去的日期为当日结束时仍在等候的张数。",
            tickets_waiting,
            SUM,
            snapshot=True,
            unit="人",
            group=queue,
        ),
        Indicator(
            "longest_wait",
            "最长等候",
            "GOV-1",
            "仍在等候的号码中最早排队者已等候的分钟数。",
            longest_wait,
            MAX,
            snapshot=True,
            unit="分钟",
            group=queue,
        ),
        Indicator(
            "windows_open",
            "服务中窗口",
            "SITE-8",
            "状态为「服务中」的启用窗口数。",
            windows_open,
            SUM,
            snapshot=True,
            unit="个",
            group=queue,
        ),
        Indicator(
            "windows_paused",
            "暂停服务窗口",
            "STD-7",
            "状态为「暂停服务」的启用窗口数，按暂停原因分列。",
            windows_paused,
            SUM,
            snapshot=True,
            unit="个",
            group=queue,
        ),
        Indicator(
            "cases_received",
            "收件",
            "GOV-1",
            "当日在本中心收件的办件数（含村级代收转办）。",
            cases_received,
            SUM,
            unit="件",
            group=case,
            spans=True,
        ),
        Indicator(
            "one_things_received",
            "一件事收件",
            "GOV-1",
            "当日在本中心收件的“一件事”（一次申请、一个编号，含村级代收）数。",
            one_things_received,
            SUM,
            unit="件",
            group=case,
            spans=True,
        ),
        Indicator(
            "cases_accepted",
            "受理",
            "GOV-1",
            "当日由本中心受理的办件数。",
            cases_accepted,
            SUM,
            unit="件",
            group=case,
            spans=True,
        ),
        Indicator(
            "cases_finished",
            "办结",
            "GOV-1",
            "当日由本中心办结的已受理办件数。",
            cases_finished,
            SUM,
            unit="件",
            group=case,
            spans=True,
        ),
        Indicator(
            "on_time_rate",
            "按时办结率",
            "GOV-1",
            "当日办结的已受理办件中，在承诺办结时间之前办结的比例（承诺办结时间为暂定的不计入）。",
            on_time_rate,
            RATE,
            unit="%",
            group=case,
            spans=True,
        ),
        Indicator(
            "cases_open_green",
            "在办·绿灯",
            "GOV-1",
            "已受理未办结、计时中且未到预警时间的办件数（不含暂定时限）。",
            _light_builder("green"),
            SUM,
            snapshot=True,
            unit="件",
            group=case,
        ),
        Indicator(
            "cases_open_yellow",
            "在办·黄牌",
            "GOV-1",
            "已受理未办结、已过预警时间未过承诺办结时间的办件数（不含暂定时限）。",
            _light_builder("yellow"),
            SUM,
            snapshot=True,
            unit="件",
            group=case,
        ),
        Indicator(
            "cases_open_red",
            "在办·红牌",
            "GOV-1",
            "已受理未办结、已过承诺办结时间的办件数（不含暂定时限）。",
            _light_builder("red"),
            SUM,
            snapshot=True,
            unit="件",
            group=case,
        ),
        Indicator(
            "cases_open_paused",
            "在办·挂起",
            "GOV-1",
            "挂起（计时暂停）的办件数（不含暂定时限）。",
            _light_builder("paused"),
            SUM,
            snapshot=True,
            unit="件",
            group=case,
        ),
        Indicator(
            "cases_open_provisional",
            "在办·暂定时限",
            "GOV-1",
            "承诺办结时间为暂定（待公布节假日）的在办办件数，单列，不计入红黄绿。",
            _light_builder("provisional"),
            SUM,
            snapshot=True,
            unit="件",
            group=case,
        ),
        Indicator(
            "immediate_share",
            "即办件占比",
            "GOV-1",
            "当日受理的办件中即办件所占比例。",
            immediate_share,
            RATE,
            unit="%",
            group=case,
            spans=True,
        ),
        Indicator(
            "satisfaction",
            "满意率",
            "STD-6",
            "当日评价中非常满意、满意、基本满意的比例；申诉成立或异常的评价不计入。",
            satisfaction,
            RATE,
            unit="%",
            group=review,
            spans=True,
        ),
        Indicator(
            "bad_orders_overdue",
            "差评超期未办",
            "STD-6",
            "未办结且已过本环节期限的差评工单数。",
            bad_orders_overdue,
            SUM,
            snapshot=True,
            unit="件",
            group=review,
        ),
        Indicator(
            "hotline_open",
            "12345工单在办",
            "GOV-1",
            "派至本中心、尚未办结的12345热线工单数（待承办、办理中、已回复待回访）。",
            hotline_open,
            SUM,
            snapshot=True,
            unit="件",
            group=review,
        ),
        Indicator(
            "attendance",
            "出勤",
            "STD-7",
            "当日已签到人数 / 本中心在岗工作人员数。",
            attendance,
            RATE,
            unit="%",
            group=staff,
            spans=True,
        ),
        Indicator(
            "standard_score",
            "标准化考核得分",
            "SITE-8",
            "截至当日最近一次标准化大厅考核的总分；镇、全市为各中心得分的平均。",
            standard_score,
            MEAN,
            unit="分",
            group=staff,
        ),
    ]:
        register(ind)
