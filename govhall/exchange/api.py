"""/api/v1/exchange/: the bureau's view of the notification outbox, a manual resend, a test SMS."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from govhall.accounts.models import Role
from govhall.core.audit import audit_record
from govhall.core.errors import Forbidden
from govhall.exchange.models import Notification, NotificationStatus
from govhall.exchange.selectors import access_notification, notifications_for_outbox
from govhall.exchange.services import notification_retry, notify_sms

router = Router(tags=["通知"])


class NotificationOut(Schema):
    id: int
    channel: str
    recipient: str = Field(description="脱敏后的号码，如 138****8000")
    template: str
    text: str = Field(description="短信内容；验证码等敏感内容不予显示")
    related_type: str
    related_id: str
    status: str
    attempts: int
    last_error: str
    created_at: dt.datetime
    next_attempt_at: dt.datetime
    sent_at: dt.datetime | None

    @staticmethod
    def from_row(row: Notification) -> NotificationOut:
        return NotificationOut(
            id=row.pk, channel=row.channel, recipient=row.recipient_masked, template=row.template,
            text=row.display_text, related_type=row.related_type, related_id=row.related_id, status=row.status,
            attempts=row.attempts, last_error=row.last_error, created_at=row.created_at,
            next_attempt_at=row.next_attempt_at, sent_at=row.sent_at,
        )


class NotificationPage(Schema):
    count: int
    items: list[NotificationOut]


class OutboxFilter(Schema):
    status: NotificationStatus | None = None
    phone: str = ""
    template: str = ""
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0)


class TestSmsIn(Schema):
    phone: str = Field(min_length=1, max_length=20, description="接收测试短信的手机号码")
    text: str = Field(min_length=1, max_length=500)


def _require_bureau(request: HttpRequest) -> None:
    if not request.user.is_bureau:  # type: ignore[union-attr]
        raise Forbidden("只有市行政审批局可以查看短信发送记录。")


@router.get("/notifications", response=NotificationPage, summary="短信发送记录")
def list_notifications(request: HttpRequest, filters: Query[OutboxFilter]) -> NotificationPage:
    _require_bureau(request)
    rows = notifications_for_outbox(
        request.user, status=filters.status or "", phone=filters.phone, template=filters.template
    )
    page = rows[filters.offset : filters.offset + filters.limit]
    return NotificationPage(count=rows.count(), items=[NotificationOut.from_row(r) for r in page])


@router.get("/notifications/{notification_id}", response=NotificationOut, summary="一条短信的发送情况")
def get_notification(request: HttpRequest, notification_id: int) -> NotificationOut:
    return NotificationOut.from_row(access_notification(request.user, notification_id))


@router.post("/notifications/{notification_id}/retry", response=NotificationOut, summary="重新发送失败的短信")
def retry_notification(request: HttpRequest, notification_id: int) -> NotificationOut:
    row = access_notification(request.user, notification_id)
    if not request.user.has_role(Role.BUREAU_ADMIN) and not request.user.is_superuser:  # type: ignore[union-attr]
        raise Forbidden("只有局管理员可以重新发送短信。")
    return NotificationOut.from_row(notification_retry(notification=row, actor=request.user))


@router.post("/sms/test", response={201: NotificationOut}, summary="发送一条测试短信（检查短信网关配置）")
def send_test_sms(request: HttpRequest, payload: TestSmsIn) -> NotificationOut:
    user = request.user
    if not user.is_bureau or not (user.has_role(Role.BUREAU_ADMIN) or user.is_superuser):  # type: ignore[union-attr]
        raise Forbidden("只有局管理员可以发送测试短信。")
    with transaction.atomic():
        row = notify_sms(phone=payload.phone, text=payload.text, template="test")
        audit_record(action="notification.test_sms", obj=row, after={"recipient": row.recipient_masked},
                     actor=user)
    return NotificationOut.from_row(row)  # 201: the only status declared
