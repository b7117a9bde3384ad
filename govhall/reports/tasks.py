"""Periodic roll-up work (huey): today's figures caught up every five minutes (events missed), yesterday
finalised after midnight, and the monthly 通报 drafted on the 1st for the bureau to review."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from govhall.core.calendar import previous_month
from govhall.reports.monthly import write
from govhall.reports.services import ensure_today, store_day


@db_periodic_task(crontab(minute="*/5"))
@lock_task("reports-today")
def refresh_today_task() -> bool:
    return ensure_today()


@db_periodic_task(crontab(minute="20", hour="0"))
@lock_task("reports-yesterday")
def finalise_yesterday_task() -> int:
    return store_day(timezone.localdate() - dt.timedelta(days=1))


@db_periodic_task(crontab(minute="30", hour="6", day="1"))
@lock_task("reports-monthly")
def draft_monthly_task() -> list[str]:

    return [str(p) for p in write(previous_month(timezone.localdate()))]
