"""Supervision messages to staff (STD-3 deadline warnings, 差评整改 warnings) go to the staff member's
notification mobile, the `StaffContact` record: a staff account has no phone field of its own."""

from __future__ import annotations

import pytest

from govhall.accounts.models import StaffContact
from govhall.cases.notify import notify_staff
from govhall.exchange.models import Notification

pytestmark = pytest.mark.django_db


def test_a_warning_goes_to_the_staff_members_notification_mobile(flow):
    StaffContact.objects.create(user=flow.director, mobile="13911110002")

    assert notify_staff(flow.director, "【超期督办】测试", related=None) is True

    sent = Notification.objects.get()
    assert sent.recipient_masked.endswith("0002") and sent.text == "【超期督办】测试"


def test_only_the_notification_record_is_a_phone_source(flow):
    # `User` has no `mobile` field; a value found under that name on the object (a stray attribute, another
    # kind of account passed by mistake) is not where staff are reached.
    flow.director.mobile = "13800000000"
    StaffContact.objects.create(user=flow.director, mobile="13911110002")

    notify_staff(flow.director, "【超期督办】测试", related=None)

    assert [n.recipient_masked[-4:] for n in Notification.objects.all()] == ["0002"]


def test_a_staff_member_without_a_notification_mobile_is_skipped(flow):
    flow.director.mobile = "13800000000"

    assert notify_staff(flow.director, "【超期督办】测试", related=None) is False
    assert not Notification.objects.exists()
