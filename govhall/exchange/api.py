"""/api/v1/exchange/: the bureau's view of the notification outbox, a manual resend, a test SMS; and of the
provincial platform sync records (NET-2), with a manual resend."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from govhall.core.api_params import Id, Page
from govhall.core.audit import audit_record
from govhall.exchange import policy
from govhall.exchange.models import (
    Notification,
    NotificationStatus,
    SyncDataset,
    SyncItem,
    SyncKind,
    SyncStatus,
)
from govhall.exchange.payloads import masked_payload
from govhall.exchange.provincial import is_configured
from govhall.exchange.selectors import (
    access_notification,
    access_sync_item,
    notifications_for_outbox,
    sync_items_for_outbox,
    sync_status_counts,
)
from govhall.exchange.services import notification_retry, notify_sms
from govhall.exchange.sync import sync_item_retry

router = Router(tags=["通知与省平台同步"])


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
            id=row.pk,
            channel=row.channel,
            recipient=row.recipient_masked,
            template=row.template,
            text=row.display_text,
            related_type=row.related_type,
            related_id=row.related_id,
            status=row.status,
            attempts=row.attempts,
            last_error=row.last_error,
            created_at=row.created_at,
            next_attempt_at=row.next_attempt_at,
            sent_at=row.sent_at,
        )


class NotificationPage(Schema):
    count: int
    items: list[NotificationOut]


class OutboxFilter(Page):
    status: NotificationStatus | None = None
    phone: str = ""
    template: str = ""


class TestSmsIn(Schema):
    phone: str = Field(min_length=1, max_length=20, description="接收测试短信的手机号码")
    text: str = Field(min_length=1, max_length=500)


@router.get("/notifications", response=NotificationPage, summary="短信发送记录")
def list_notifications(request: HttpRequest, filters: Query[OutboxFilter]) -> NotificationPage:
    policy.require_see_notifications(request.user)
    rows = notifications_for_outbox(
        request.user, status=filters.status or "", phone=filters.phone, template=filters.template
    )
    page = filters.of(rows)
    return NotificationPage(count=rows.count(), items=[NotificationOut.from_row(r) for r in page])


@router.get("/notifications/{notification_id}", response=NotificationOut, summary="一条短信的发送情况")
def get_notification(request: HttpRequest, notification_id: Id) -> NotificationOut:
    return NotificationOut.from_row(access_notification(request.user, notification_id))


@router.post("/notifications/{notification_id}/retry", response=NotificationOut, summary="重新发送失败的短信")
def retry_notification(request: HttpRequest, notification_id: Id) -> NotificationOut:
    row = access_notification(request.user, notification_id)
    policy.require_retry_notification(request.user, row)
    return NotificationOut.from_row(notification_retry(notification=row, actor=request.user))


@router.post("/sms/test", response={201: NotificationOut}, summary="发送一条测试短信（检查短信网关配置）")
def send_test_sms(request: HttpRequest, payload: TestSmsIn) -> NotificationOut:
    user = request.user
    policy.require_send_test_sms(user)
    with transaction.atomic():
        row = notify_sms(phone=payload.phone, text=payload.text, template="test")
        audit_record(
            action="notification.test_sms", obj=row, after={"recipient": row.recipient_masked}, actor=user
        )
    return NotificationOut.from_row(row)  # 201: the only status declared


# --- provincial platform sync (NET-2) ----------------------------------------------------------------


class SyncItemOut(Schema):
    id: int
    kind: str = Field(description="matter 事项、case 办件")
    object_id: str
    object_label: str = Field(description="事项实施编码或办件编号")
    dataset: str = Field(description="matter 事项、apply 申请、accept 受理、process 办理、finish 办结")
    dataset_name: str
    status: str = Field(
        description="queued 待发送、sending 发送中、sent 已发送、failed 发送失败、superseded 已被替代"
    )
    status_name: str
    attempts: int
    last_error: str = Field(description="最近一次发送失败的原因（含省平台返回的信息）")
    receipt_id: str = Field(description="省平台回执编号")
    payload_digest: str
    superseded_by: int | None
    created_at: dt.datetime
    next_attempt_at: dt.datetime
    sent_at: dt.datetime | None
    updated_at: dt.datetime

    @staticmethod
    def fields_of(row: SyncItem) -> dict[str, Any]:
        return {
            "id": row.pk,
            "kind": row.kind,
            "object_id": row.object_id,
            "object_label": row.object_label,
            "dataset": row.dataset,
            "dataset_name": row.get_dataset_display(),
            "status": row.status,
            "status_name": row.get_status_display(),
            "attempts": row.attempts,
            "last_error": row.last_error,
            "receipt_id": row.receipt_id,
            "payload_digest": row.payload_digest,
            "superseded_by": row.superseded_by_id,
            "created_at": row.created_at,
            "next_attempt_at": row.next_attempt_at,
            "sent_at": row.sent_at,
            "updated_at": row.updated_at,
        }


class SyncItemDetail(SyncItemOut):
    payload: dict[str, object] = Field(description="发送的数据；办件数据中的证件号码、手机号码和姓名已脱敏")


class SyncPage(Schema):
    configured: bool = Field(
        description="是否已配置省平台地址（GOVHALL_PROVINCE_URL）；未配置时记录保持待发送"
    )
    count: int
    counts: dict[str, int] = Field(description="各状态的记录数")
    items: list[SyncItemOut]


class SyncFilter(Page):
    status: SyncStatus | None = None
    kind: SyncKind | None = None
    dataset: SyncDataset | None = None
    q: str = Field("", max_length=60, description="按事项编码或办件编号查找（包含即可）")


@router.get("/sync", response=SyncPage, summary="省平台同步记录（NET-2）")
def list_sync_items(request: HttpRequest, filters: Query[SyncFilter]) -> SyncPage:
    policy.require_see_sync(request.user)
    rows = sync_items_for_outbox(
        request.user,
        status=filters.status or "",
        kind=filters.kind or "",
        dataset=filters.dataset or "",
        q=filters.q,
    )
    page = filters.of(rows)
    return SyncPage(
        configured=is_configured(),
        count=rows.count(),
        counts=sync_status_counts(request.user, kind=filters.kind or ""),
        items=[SyncItemOut(**SyncItemOut.fields_of(r)) for r in page],
    )


@router.get("/sync/{item_id}", response=SyncItemDetail, summary="一条省平台同步记录及其数据")
def get_sync_item(request: HttpRequest, item_id: Id) -> SyncItemDetail:
    row = access_sync_item(request.user, item_id)
    return SyncItemDetail(**SyncItemOut.fields_of(row), payload=masked_payload(row))


@router.post("/sync/{item_id}/retry", response=SyncItemOut, summary="重新发送失败的省平台同步记录")
def retry_sync_item(request: HttpRequest, item_id: Id) -> SyncItemOut:
    row = access_sync_item(request.user, item_id)
    policy.require_retry_sync(request.user, row)
    row = sync_item_retry(item=row, actor=request.user)
    row.refresh_from_db()  # the send may already have run on commit
    return SyncItemOut(**SyncItemOut.fields_of(row))
