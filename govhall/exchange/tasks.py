from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from govhall.exchange.services import notification_send, notifications_requeue_due
from govhall.exchange.sync import sync_item_send, sync_items_requeue_due


@db_task()
def send_notification_task(notification_id: int) -> str:
    return notification_send(notification_id=notification_id)


@db_periodic_task(crontab(minute="*"))
def requeue_due_notifications_task() -> int:
    return notifications_requeue_due()


@db_task()
def send_sync_item_task(item_id: int) -> str:
    return sync_item_send(item_id=item_id)


@db_periodic_task(crontab(minute="*"))
def requeue_due_sync_items_task() -> int:
    return sync_items_requeue_due()
