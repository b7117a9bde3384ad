from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from govhall.exchange.services import notification_send, notifications_requeue_due


@db_task()
def send_notification_task(notification_id: int) -> str:
    return notification_send(notification_id=notification_id)


@db_periodic_task(crontab(minute="*"))
def requeue_due_notifications_task() -> int:
    return notifications_requeue_due()
