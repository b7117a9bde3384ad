"""Periodic queue work (huey): end-of-day closing, appointment no-shows and SMS reminders."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from govhall.queueing import services


@db_periodic_task(crontab(minute="*/10"))
def close_queues() -> int:
    """Halls close at different times (a setting per centre): check every ten minutes."""
    return services.queue_close_day().tickets


@db_periodic_task(crontab(minute="*/5"))
def mark_no_shows() -> int:
    return services.appointments_mark_no_shows()


@db_periodic_task(crontab(minute="*/15"))
def send_reminders() -> int:
    return services.appointments_send_reminders()
