"""The bureau's outbox page (Django admin): masked numbers, hidden codes, search by number, resend."""

from __future__ import annotations

import pytest
from django.urls import reverse

from govhall.accounts.models import Role
from govhall.exchange.models import Notification, NotificationStatus
from govhall.exchange.services import notify_sms
from tests.conftest import login
from tests.factories import UserFactory, bureau_user

pytestmark = pytest.mark.django_db

URL = reverse("admin:exchange_notification_changelist")


@pytest.fixture
def rows(huey_immediate):
    one = notify_sms(phone="13912345678", text="您的办件已受理。")
    code = notify_sms(phone="13800138000", text="您的验证码是 246810。", sensitive=True)
    return one, code


def test_bureau_sees_masked_numbers_and_no_codes(client, rows):
    login(client, bureau_user(is_staff=True))
    page = client.get(URL).content.decode()
    assert "139****5678" in page and "您的办件已受理。" in page
    assert "13912345678" not in page
    assert "246810" not in page
    detail = client.get(reverse("admin:exchange_notification_change", args=[rows[1].pk])).content.decode()
    assert "246810" not in detail and "13800138000" not in detail


def test_search_by_the_full_number_finds_its_messages(client, rows):
    login(client, bureau_user(is_staff=True))
    page = client.get(URL, {"q": "13912345678"}).content.decode()
    assert "您的办件已受理。" in page
    assert "138****8000" not in page


def test_staff_outside_the_bureau_cannot_open_the_outbox(client, rows):
    login(client, UserFactory(roles=[Role.DIRECTOR], is_staff=True))
    assert client.get(URL).status_code == 403


def test_the_outbox_cannot_be_edited_or_deleted(client, rows):
    login(client, bureau_user(is_staff=True, is_superuser=True))
    assert client.get(reverse("admin:exchange_notification_add")).status_code == 403
    response = client.post(reverse("admin:exchange_notification_delete", args=[rows[0].pk]), {"post": "yes"})
    assert response.status_code == 403
    assert Notification.objects.count() == 2


def test_bureau_admin_resends_failed_rows_from_the_list(client, rows, django_capture_on_commit_callbacks):
    Notification.objects.filter(pk=rows[0].pk).update(status=NotificationStatus.FAILED)
    login(client, bureau_user(is_staff=True))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            URL, {"action": "retry_failed", "_selected_action": [rows[0].pk, rows[1].pk]}, follow=True
        )
    assert "已重新排队 1 条短信" in response.content.decode()
    assert Notification.objects.get(pk=rows[0].pk).status == NotificationStatus.SENT


def test_the_resend_action_is_for_the_bureau_admin_only(client, rows):
    Notification.objects.filter(pk=rows[0].pk).update(status=NotificationStatus.FAILED)
    login(client, bureau_user(is_staff=True, roles=[Role.INSPECTOR]))
    client.post(URL, {"action": "retry_failed", "_selected_action": [rows[0].pk]})
    assert Notification.objects.get(pk=rows[0].pk).status == NotificationStatus.FAILED


def test_bureau_nav_links_to_the_outbox(client):
    login(client, bureau_user(is_staff=True))
    assert URL in client.get("/").content.decode()
