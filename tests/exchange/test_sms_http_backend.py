"""The http SMS backend against a real local HTTP server: delivery, retries with backoff, final failure."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from govhall.exchange.models import Notification, NotificationStatus
from govhall.exchange.services import (
    MAX_ATTEMPTS,
    RETRY_DELAYS,
    notification_send,
    notifications_requeue_due,
    notify_sms,
)
from govhall.exchange.tasks import send_notification_task

pytestmark = pytest.mark.django_db

PHONE = "13912345678"


def queue_one(captured, **kwargs) -> Notification:
    with captured(execute=True):
        row = notify_sms(phone=PHONE, text=kwargs.pop("text", "您的办件已办结，请到窗口领取证照。"), **kwargs)
    row.refresh_from_db()
    return row


def test_gateway_receives_json_with_token_and_idempotency_key(
    huey_immediate, sms_gateway, django_capture_on_commit_callbacks
):
    row = queue_one(django_capture_on_commit_callbacks, template="case.done", related=("cases.case", 7))
    assert row.status == NotificationStatus.SENT
    assert row.provider_ref == "gw-1"
    [request] = sms_gateway.requests
    assert request["path"] == "/sms/send"
    assert request["body"] == {
        "id": f"govhall-{row.pk}",
        "phone": PHONE,
        "text": "您的办件已办结，请到窗口领取证照。",
        "template": "case.done",
    }
    assert request["headers"]["Authorization"] == "Bearer gateway-secret"
    assert request["headers"]["Idempotency-Key"] == f"govhall-sms-{row.pk}"
    assert request["headers"]["Content-Type"].startswith("application/json")


def test_a_failure_is_retried_after_the_backoff_and_then_delivered(
    huey_immediate, sms_gateway, django_capture_on_commit_callbacks
):
    sms_gateway.responses = [(503, {"error": "busy"})]
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        row = queue_one(django_capture_on_commit_callbacks)
    assert (row.status, row.attempts) == (NotificationStatus.QUEUED, 1)
    assert "HTTP 503" in row.last_error
    assert row.next_attempt_at == start + dt.timedelta(seconds=RETRY_DELAYS[0])

    with time_machine.travel(start + dt.timedelta(seconds=RETRY_DELAYS[0] - 1), tick=False):
        assert send_notification_task(row.pk).get() == "skipped"  # a duplicate task before it is due
    assert len(sms_gateway.requests) == 1

    with time_machine.travel(start + dt.timedelta(seconds=RETRY_DELAYS[0] + 1), tick=False):
        assert notification_send(notification_id=row.pk) == "sent"  # what the scheduled task does
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (NotificationStatus.SENT, 2, "")
    assert len(sms_gateway.requests) == 2
    keys = {r["headers"]["Idempotency-Key"] for r in sms_gateway.requests}
    assert keys == {f"govhall-sms-{row.pk}"}  # the gateway can drop a duplicate


def test_the_retry_is_scheduled_in_the_task_queue(
    huey_immediate, sms_gateway, django_capture_on_commit_callbacks
):
    sms_gateway.responses = [(500, {})]
    row = queue_one(django_capture_on_commit_callbacks)
    scheduled = huey_immediate.scheduled()
    assert [(t.name, t.args) for t in scheduled] == [("send_notification_task", (row.pk,))]
    eta = scheduled[0].eta.replace(tzinfo=dt.UTC)  # huey keeps naive UTC
    assert abs(eta - row.next_attempt_at) < dt.timedelta(seconds=2)


def test_refusal_by_the_gateway_is_final(huey_immediate, sms_gateway, django_capture_on_commit_callbacks):
    sms_gateway.responses = [(400, {"error": "号码无效"})]
    row = queue_one(django_capture_on_commit_callbacks)
    assert (row.status, row.attempts) == (NotificationStatus.FAILED, 1)
    assert "HTTP 400" in row.last_error
    assert huey_immediate.scheduled() == []


def test_gives_up_after_the_last_attempt(huey_immediate, sms_gateway, django_capture_on_commit_callbacks):
    sms_gateway.responses = [(500, {})] * MAX_ATTEMPTS
    moment = timezone.now()
    with time_machine.travel(moment, tick=False):
        row = queue_one(django_capture_on_commit_callbacks)
    for delay in RETRY_DELAYS:
        moment += dt.timedelta(seconds=delay)
        with time_machine.travel(moment, tick=False):
            notification_send(notification_id=row.pk)
    row.refresh_from_db()
    assert (row.status, row.attempts) == (NotificationStatus.FAILED, MAX_ATTEMPTS)
    assert len(sms_gateway.requests) == MAX_ATTEMPTS


def test_unreachable_gateway_is_retried(huey_immediate, settings, django_capture_on_commit_callbacks):
    settings.SMS_BACKEND = "http"
    settings.SMS_URL = "http://127.0.0.1:1/sms"  # nothing listens there
    row = queue_one(django_capture_on_commit_callbacks)
    assert (row.status, row.attempts) == (NotificationStatus.QUEUED, 1)
    assert "无法连接短信网关" in row.last_error


def test_sweep_sends_rows_whose_task_was_lost_and_revives_interrupted_sends(huey_immediate, sms_gateway):
    lost = notify_sms(phone=PHONE, text="任务丢失的短信")  # on_commit never ran: the queue was down
    interrupted = notify_sms(phone=PHONE, text="发送中断的短信")
    now = timezone.now()
    Notification.objects.filter(pk=interrupted.pk).update(
        status=NotificationStatus.SENDING, attempts=1, claimed_at=now - dt.timedelta(minutes=11)
    )
    fresh = notify_sms(phone=PHONE, text="刚排队的短信")  # its task is presumably still on its way
    Notification.objects.filter(pk=lost.pk).update(next_attempt_at=now - dt.timedelta(minutes=5))
    Notification.objects.filter(pk=fresh.pk).update(next_attempt_at=now)

    assert notifications_requeue_due(now=now) == 2
    statuses = dict(Notification.objects.values_list("pk", "status"))
    assert statuses == {lost.pk: "sent", interrupted.pk: "sent", fresh.pk: "queued"}
    assert sorted(r["body"]["text"] for r in sms_gateway.requests) == ["任务丢失的短信", "发送中断的短信"]


def test_a_row_is_never_sent_twice_by_two_workers(huey_immediate, sms_gateway):
    row = notify_sms(phone=PHONE, text="只发一次")
    assert notification_send(notification_id=row.pk) == "sent"
    assert notification_send(notification_id=row.pk) == "skipped"
    assert len(sms_gateway.requests) == 1
