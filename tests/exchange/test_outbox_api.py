"""/api/v1/exchange/: the bureau sees the outbox (masked numbers), resends failures, sends a test SMS."""

from __future__ import annotations

import pytest

from govhall.accounts.models import Role
from govhall.core.models import AuditEntry
from govhall.exchange.models import Notification, NotificationStatus
from govhall.exchange.services import notify_sms
from tests.conftest import login
from tests.factories import UserFactory, bureau_user

pytestmark = pytest.mark.django_db

PHONE = "13912345678"


@pytest.fixture
def outbox(huey_immediate):
    sent = notify_sms(phone=PHONE, text="您的办件已受理。", template="case.accepted")
    code = notify_sms(
        phone="13800138000", text="您的验证码是 246810。", template="portal.login", sensitive=True
    )
    failed = notify_sms(phone="13700137000", text="请补正材料。", template="case.supplement")
    Notification.objects.filter(pk=sent.pk).update(status=NotificationStatus.SENT)
    Notification.objects.filter(pk=failed.pk).update(
        status=NotificationStatus.FAILED, attempts=5, last_error="短信网关返回 HTTP 500"
    )
    return {"sent": sent, "code": code, "failed": failed}


def test_bureau_lists_the_outbox_with_masked_numbers_and_hidden_codes(client, outbox):
    login(client, bureau_user(roles=[Role.INSPECTOR]))
    response = client.get("/api/v1/exchange/notifications")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    by_template = {item["template"]: item for item in body["items"]}
    assert by_template["case.accepted"]["recipient"] == "139****5678"
    assert by_template["case.accepted"]["text"] == "您的办件已受理。"
    assert "246810" not in response.content.decode()
    for number in (PHONE, "13800138000", "13700137000"):
        assert number not in response.content.decode()


def test_outbox_filters_by_status_and_by_full_number(client, outbox):
    login(client, bureau_user())
    failed = client.get("/api/v1/exchange/notifications", {"status": "failed"}).json()
    assert [i["id"] for i in failed["items"]] == [outbox["failed"].pk]
    by_phone = client.get("/api/v1/exchange/notifications", {"phone": "139 1234 5678"}).json()
    assert [i["id"] for i in by_phone["items"]] == [outbox["sent"].pk]
    assert client.get("/api/v1/exchange/notifications", {"phone": "139"}).json()["count"] == 0


def test_outbox_list_costs_the_same_queries_for_more_rows(client, outbox, django_assert_max_num_queries):
    user = bureau_user()
    login(client, user)
    client.get("/api/v1/exchange/notifications")  # warm the session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/exchange/notifications")
    for n in range(10):
        notify_sms(phone=PHONE, text=f"第{n}条")
    with django_assert_max_num_queries(len(few)):
        assert client.get("/api/v1/exchange/notifications").json()["count"] == 13


@pytest.mark.parametrize("role", [Role.DIRECTOR, Role.FRONT_DESK, Role.VILLAGE_CLERK])
def test_centre_staff_cannot_see_the_outbox(client, outbox, role):
    login(client, UserFactory(roles=[role]))
    assert client.get("/api/v1/exchange/notifications").status_code == 403
    response = client.get(f"/api/v1/exchange/notifications/{outbox['sent'].pk}")
    assert response.status_code == 404  # the same answer as for a missing row


def test_bureau_reads_one_notification(client, outbox):
    login(client, bureau_user())
    body = client.get(f"/api/v1/exchange/notifications/{outbox['failed'].pk}").json()
    assert (body["status"], body["attempts"], body["recipient"]) == ("failed", 5, "137****7000")
    assert body["last_error"] == "短信网关返回 HTTP 500"


def test_bureau_admin_resends_a_failed_notification(client, outbox, django_capture_on_commit_callbacks):
    admin = bureau_user()
    login(client, admin)
    row = outbox["failed"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/exchange/notifications/{row.pk}/retry")
    assert response.status_code == 200
    row.refresh_from_db()
    assert (row.status, row.attempts) == (NotificationStatus.SENT, 1)  # log backend, immediate worker
    entry = AuditEntry.objects.get(action="notification.retry")
    assert (entry.actor_id, entry.object_id) == (admin.pk, str(row.pk))
    assert entry.before["status"] == "failed"


def test_resending_anything_but_a_failure_is_a_conflict(client, outbox):
    login(client, bureau_user())
    response = client.post(f"/api/v1/exchange/notifications/{outbox['sent'].pk}/retry")
    assert response.status_code == 409
    assert "已发送" in response.json()["message"]
    assert not AuditEntry.objects.filter(action="notification.retry").exists()


def test_bureau_staff_without_the_admin_role_cannot_resend(client, outbox):
    login(client, bureau_user(roles=[Role.INSPECTOR]))
    response = client.post(f"/api/v1/exchange/notifications/{outbox['failed'].pk}/retry")
    assert response.status_code == 403
    assert Notification.objects.get(pk=outbox["failed"].pk).status == NotificationStatus.FAILED


def test_bureau_admin_sends_a_test_sms(client, huey_immediate, django_capture_on_commit_callbacks):
    admin = bureau_user()
    login(client, admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/exchange/sms/test",
            {"phone": PHONE, "text": "短信网关测试"},
            content_type="application/json",
        )
    assert response.status_code == 201
    row = Notification.objects.get()
    assert (row.template, row.status, row.recipient) == ("test", NotificationStatus.SENT, PHONE)
    assert AuditEntry.objects.filter(action="notification.test_sms", actor=admin).count() == 1


@pytest.mark.parametrize("role", [Role.DIRECTOR, Role.VILLAGE_CLERK])
def test_centre_staff_cannot_send_a_test_sms(client, huey_immediate, role):
    login(client, UserFactory(roles=[role]))
    response = client.post(
        "/api/v1/exchange/sms/test", {"phone": PHONE, "text": "测试"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert Notification.objects.count() == 0
