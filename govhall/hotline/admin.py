"""Read-only in the admin: 12345 orders change only through their services (audited, reported)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from govhall.hotline.models import HotlineOrder


@admin.register(HotlineOrder)
class HotlineOrderAdmin(admin.ModelAdmin):
    list_display = ("number", "source", "category", "title", "centre", "status", "due_at", "received_at")
    list_filter = ("status", "source", "category")
    search_fields = ("number",)
    exclude = ("citizen_name", "citizen_phone")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
