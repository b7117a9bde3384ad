"""The bureau's outbox pages in the admin: read-only, masked numbers, sensitive texts hidden. The sync
records (NET-2) have their own page at /exchange/sync/ (counts, resend); the admin only lists them."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from govhall.core.admin import ReadOnlyAdmin
from govhall.core.errors import ServiceError
from govhall.exchange import policy
from govhall.exchange.models import Notification, NotificationStatus, SyncItem
from govhall.exchange.payloads import masked_payload
from govhall.exchange.selectors import (
    notifications_for_outbox,
    notifications_visible_to,
    sync_items_visible_to,
)
from govhall.exchange.services import notification_retry


class BureauReadOnlyAdmin(ReadOnlyAdmin):
    """The bureau reads; nobody adds, edits or deletes outbox rows here."""

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policy.can_see_outbox(request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)


@admin.register(Notification)
class NotificationAdmin(BureauReadOnlyAdmin):
    list_display = [
        "created_at",
        "channel",
        "recipient_masked",
        "template",
        "short_text",
        "status",
        "attempts",
        "last_error",
        "sent_at",
    ]
    list_filter = ["status", "channel", "template"]
    search_fields = ["template"]
    search_help_text = "输入完整手机号码查找发给该号码的短信，或输入模板名"
    date_hierarchy = "created_at"
    fields = (
        "channel",
        "recipient_masked",
        "template",
        "display_text",
        "related_type",
        "related_id",
        "status",
        "attempts",
        "last_error",
        "provider_ref",
        "created_at",
        "next_attempt_at",
        "sent_at",
    )
    readonly_fields = fields
    actions = ["retry_failed"]
    list_per_page = 50

    @admin.display(description="内容")
    def short_text(self, row: Notification) -> str:
        text = row.display_text
        return text if len(text) <= 40 else text[:40] + "…"

    @admin.display(description="短信内容")
    def display_text(self, row: Notification) -> str:
        return row.display_text

    def get_queryset(self, request: HttpRequest) -> QuerySet[Notification]:
        return notifications_visible_to(request.user)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Notification], search_term: str
    ) -> Any:
        term = search_term.strip()
        if term and term.lstrip("+").replace(" ", "").replace("-", "").isdigit():
            # Numbers are encrypted: search by the keyed digest of the normalised number, exact match only.
            return queryset & notifications_for_outbox(request.user, phone=term), False
        return super().get_search_results(request, queryset, search_term)

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request) and policy.can_retry(request.user)

    @admin.action(description="重新发送所选的失败短信", permissions=["retry"])
    def retry_failed(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        done = 0
        for row in queryset.filter(status=NotificationStatus.FAILED):
            try:
                notification_retry(notification=row, actor=request.user)
                done += 1
            except ServiceError as exc:
                self.message_user(request, exc.message, messages.WARNING)
        self.message_user(request, f"已重新排队 {done} 条短信。", messages.SUCCESS)


@admin.register(SyncItem)
class SyncItemAdmin(BureauReadOnlyAdmin):
    list_display = [
        "created_at",
        "kind",
        "object_label",
        "dataset",
        "status",
        "attempts",
        "last_error",
        "receipt_id",
        "sent_at",
    ]
    list_filter = ["status", "kind", "dataset"]
    search_fields = ["object_label"]
    search_help_text = "输入事项实施编码或办件编号"
    date_hierarchy = "created_at"
    fields = (
        "kind",
        "object_label",
        "object_id",
        "dataset",
        "status",
        "attempts",
        "last_error",
        "receipt_id",
        "payload_digest",
        "superseded_by",
        "created_at",
        "next_attempt_at",
        "sent_at",
        "shown_payload",
    )
    readonly_fields = fields
    list_per_page = 50

    @admin.display(description="数据内容（办件数据已脱敏）")
    def shown_payload(self, row: SyncItem) -> str:
        return json.dumps(masked_payload(row), ensure_ascii=False, indent=1)

    def get_queryset(self, request: HttpRequest) -> QuerySet[SyncItem]:
        return sync_items_visible_to(request.user).defer("payload_text")
