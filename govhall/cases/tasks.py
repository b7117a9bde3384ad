"""Periodic case work (huey): deadline warnings and overdue flags (STD-3), 容缺 deadlines (MODE-3), and
AB re-routing of pending steps when an A is away (STD-4)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from govhall.cases.services import case_steps_reroute, cases_scan_deadlines, cases_scan_rongque


@db_periodic_task(crontab(minute="*/10"))
@lock_task("cases-scan-deadlines")
def scan_deadlines_task() -> dict[str, int]:
    return cases_scan_deadlines()


@db_periodic_task(crontab(minute="5", hour="*"))
@lock_task("cases-scan-rongque")
def scan_rongque_task() -> dict[str, int]:
    return cases_scan_rongque()


@db_periodic_task(crontab(minute="*/5"))
@lock_task("cases-reroute")
def reroute_task() -> int:
    return case_steps_reroute()
