"""Periodic 好差评 work (huey): work-order deadline warnings and overdue flags, and the SMS rating links for
finished cases."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from govhall.reviews.services import invitations_send, work_orders_scan_deadlines


@db_periodic_task(crontab(minute="*/10"))
@lock_task("reviews-scan-deadlines")
def scan_deadlines_task() -> dict[str, int]:
    return work_orders_scan_deadlines()


@db_periodic_task(crontab(minute="*/5"))
@lock_task("reviews-invitations")
def invitations_task() -> int:
    return invitations_send()
