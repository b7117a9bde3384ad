"""Admin pages (Chinese) for the bureau: the holiday table, and a read-only view of the audit log."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.forms import model_to_dict
from django.http import HttpRequest

from govhall.core.audit import audit_record
from govhall.core.models import WEEKDAY_NAMES, AuditEntry, CalendarDay, CalendarYear, DayKind
from govhall.core.services import deadlines_recompute


class ReadOnlyAdmin(admin.ModelAdmin):
    """List and view only, for records that only services write (audit log, outbox, tickets, ratings, cases):
    no add, no change, no delete."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AuditedAdmin(admin.ModelAdmin):
    """Admin edits are state changes too: each save and delete goes into the audit log."""

    audit_prefix = ""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before = model_to_dict(type(obj).objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        audit_record(
            action=f"{self.audit_prefix}.{'change' if change else 'create'}",
            obj=obj,
            before=before,
            after=model_to_dict(obj),
            actor=request.user,
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        before = model_to_dict(obj)
        pk = obj.pk
        super().delete_model(request, obj)
        audit_record(
            action=f"{self.audit_prefix}.delete",
            object_type=f"core.{obj._meta.model_name}",
            object_id=str(pk),
            before=before,
            actor=request.user,
        )

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(CalendarYear)
class CalendarYearAdmin(AuditedAdmin):
    """Marking a year complete here is the same as importing it: provisional deadlines that waited for it
    are recomputed in the same transaction (admin saves are atomic)."""

    audit_prefix = "calendar_year"

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        changes = deadlines_recompute(actor=request.user, note=f"{obj.year}年节假日安排（{obj.source}）")
        if changes:
            self.message_user(request, f"已按{obj.year}年节假日安排重新核定{len(changes)}个暂定期限。")

    list_display = ["year", "source", "complete", "holiday_count", "workday_count", "created_at"]
    list_filter = ["complete"]
    search_fields = ["source"]
    readonly_fields = ["created_at"]

    @admin.display(description="放假天数")
    def holiday_count(self, obj: CalendarYear) -> int:
        return CalendarDay.objects.filter(date__year=obj.year, kind=DayKind.HOLIDAY).count()

    @admin.display(description="调休上班天数")
    def workday_count(self, obj: CalendarYear) -> int:
        return CalendarDay.objects.filter(date__year=obj.year, kind=DayKind.WORKDAY).count()


@admin.register(CalendarDay)
class CalendarDayAdmin(AuditedAdmin):
    audit_prefix = "calendar_day"
    list_display = ["date", "weekday", "kind", "name"]
    list_filter = ["kind"]
    date_hierarchy = "date"
    search_fields = ["name"]

    @admin.display(description="星期", ordering="date")
    def weekday(self, obj: CalendarDay) -> str:
        return f"星期{WEEKDAY_NAMES[obj.date.weekday()]}"


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["seq", "at", "actor_label", "ip", "action", "object_type", "object_id", "note"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_label", "object_id", "action", "note"]
    date_hierarchy = "at"
    list_per_page = 50
    show_full_result_count = False
