"""Built-in: the city-wide 好差评 settings row (the defaults of ReviewSettings). Demo: a morning of served
tickets at 吕四港镇's window 1 rated on site, one of them a real-name 差评 with its work order."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from govhall.accounts.models import User
from govhall.core.errors import ServiceError
from govhall.queueing import services as queue
from govhall.reviews import services
from govhall.reviews.models import Rating, ReviewSettings

DEMO_LEVELS = [1, 1, 2, 1, 3, 4]


def load_builtin() -> str:
    _, created = ReviewSettings.objects.get_or_create(centre=None)
    return "好差评设置：已建立全市默认设置" if created else "好差评设置：已存在，未改动"


def load_demo() -> str:
    clerk = User.objects.filter(username="lvsi_front").select_related("centre").first()
    if clerk is None or clerk.centre is None:
        return "好差评演示数据：缺少吕四港镇演示人员，跳过"
    window = clerk.centre.windows.filter(number=1, is_active=True).first()
    if window is None:
        return "好差评演示数据：吕四港镇没有1号窗口，跳过"
    if Rating.objects.filter(centre=clerk.centre).exists():
        return "好差评演示数据：已存在，未改动"
    day = timezone.localdate() - dt.timedelta(days=1)
    start = dt.datetime.combine(day, dt.time(9, 0), tzinfo=timezone.get_default_timezone())
    try:
        queue.window_open(window=window, by=clerk, now=start)
        for i, level in enumerate(DEMO_LEVELS):
            at = start + dt.timedelta(minutes=12 * i)
            phone = "13800000001" if level >= 4 else ""
            ticket = queue.ticket_issue(
                centre=clerk.centre, group=window.window_class, phone=phone, now=at
            ).ticket
            queue.ticket_call_next(window=window, by=clerk, now=at + dt.timedelta(minutes=1))
            queue.ticket_start(window=window, ticket_id=ticket.pk, by=clerk, now=at + dt.timedelta(minutes=2))
            queue.ticket_finish(
                window=window, ticket_id=ticket.pk, by=clerk, now=at + dt.timedelta(minutes=9)
            )
            services.rating_submit_visit(
                ticket_id=ticket.pk,
                channel="qr",
                level=level,
                now=at + dt.timedelta(minutes=10),
                aspects={"efficiency": level, "competence": level, "attitude": min(level, 3)},
                text="材料清单没讲清楚，跑了两趟" if level >= 4 else "",
                rater=services.Rater(device=f"demo-{i}"),
            )
        queue.window_close(window=window, by=clerk, now=start + dt.timedelta(hours=2))
    except ServiceError as exc:
        return f"好差评演示数据：未能生成（{exc.message}）"
    return f"好差评演示数据：{window}的{len(DEMO_LEVELS)}条现场评价（含1条差评工单）"
