"""notify_sms: the outbox row is written in the caller's transaction and sent after it commits."""

from __future__ import annotations

import logging

import pytest
from django.db import connection, transaction

from govhall.core.crypto import lookup_digest
from govhall.core.errors import ServiceError
from govhall.exchange.models import Notification, NotificationStatus
from govhall.exchange.services import notify_sms
from tests.factories import TownCentreFactory

pytestmark = pytest.mark.django_db

PHONE = "13912345678"


def test_queued_in_the_transaction_and_sent_once_it_commits(
    huey_immediate, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.INFO, logger="govhall.sms")
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        row = notify_sms(phone=PHONE, text="您的办件已受理，受理编号 QD2026-0001。", template="case.accepted")
        assert Notification.objects.get().status == NotificationStatus.QUEUED  # nothing sent yet
        assert "QD2026-0001" not in caplog.text
    assert len(callbacks) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (NotificationStatus.SENT, 1, "")
    assert row.sent_at is not None
    assert "139****5678：您的办件已受理，受理编号 QD2026-0001。" in caplog.text  # log backend, masked number


def test_a_rolled_back_action_sends_nothing(huey_immediate, caplog, django_capture_on_commit_callbacks):
    caplog.set_level(logging.INFO, logger="govhall.sms")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            notify_sms(phone=PHONE, text="您的办件已受理。")
            raise RuntimeError("the case acceptance failed")
    assert callbacks == []
    assert Notification.objects.count() == 0
    assert "办件已受理" not in caplog.text


def test_number_is_stored_encrypted_with_a_digest_and_a_masked_copy(huey_immediate):
    row = notify_sms(phone="+86 139-1234-5678", text="测试")
    with connection.cursor() as cursor:
        cursor.execute("SELECT recipient, text FROM exchange_notification WHERE id = %s", [row.pk])
        stored_phone, stored_text = cursor.fetchone()
    assert PHONE not in stored_phone and stored_phone.startswith("sm4g1:")
    assert "测试" not in stored_text
    row.refresh_from_db()
    assert row.recipient == PHONE  # normalised
    assert row.recipient_masked == "139****5678"
    assert row.recipient_digest == lookup_digest(PHONE)


def test_related_object_is_recorded(huey_immediate):
    centre = TownCentreFactory()
    row = notify_sms(phone=PHONE, text="测试", related=centre)
    assert (row.related_type, row.related_id) == ("orgs.centre", str(centre.pk))
    row = notify_sms(phone=PHONE, text="测试", related=("cases.case", 42))
    assert (row.related_type, row.related_id) == ("cases.case", "42")


@pytest.mark.parametrize(
    ("phone", "text", "field", "says"),
    [
        ("12345", "测试", "phone", "手机号码"),
        ("23912345678", "测试", "phone", "手机号码"),
        (PHONE, "   ", "text", "不能为空"),
        (PHONE, "字" * 501, "text", "不能超过500字"),
    ],
)
def test_bad_input_is_refused_with_the_field_and_nothing_is_written(huey_immediate, phone, text, field, says):
    with pytest.raises(ServiceError) as caught:
        notify_sms(phone=phone, text=text)
    assert list(caught.value.fields) == [field]
    assert says in caught.value.fields[field]
    assert Notification.objects.count() == 0


def test_sensitive_text_is_sent_but_not_displayed(huey_immediate):
    row = notify_sms(phone=PHONE, text="您的验证码是 246810。", sensitive=True)
    assert row.text == "您的验证码是 246810。"
    assert "246810" not in row.display_text
