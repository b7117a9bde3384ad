"""The bureau's view of the queue in the Django admin: settings and notices are editable; tickets, calls,
pauses and bookings are records and stay read-only."""

from __future__ import annotations

from django.contrib import admin

from govhall.core.admin import ReadOnlyAdmin
from govhall.queueing.models import (
    Appointment,
    AppointmentSlot,
    CallLog,
    DisplayNotice,
    QueueSettings,
    Ticket,
    WindowPause,
)


@admin.register(QueueSettings)
class QueueSettingsAdmin(admin.ModelAdmin):
    list_display = ("centre", "opening_time", "closing_time", "reinstate_minutes", "elderly_age")
    search_fields = ("centre__name",)
    raw_id_fields = ("centre",)


@admin.register(DisplayNotice)
class DisplayNoticeAdmin(admin.ModelAdmin):
    list_display = ("centre", "title", "order", "is_active", "valid_until")
    list_filter = ("is_active",)
    search_fields = ("centre__name", "title", "text")
    raw_id_fields = ("centre",)


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    list_display = (
        "code",
        "centre",
        "date",
        "window_class",
        "status",
        "priority",
        "called_window",
        "served_by",
        "issued_at",
    )
    list_filter = ("status", "window_class", "priority", "date")
    search_fields = ("centre__name", "prefix")
    exclude = ("phone", "id_number", "phone_digest", "id_digest")  # personal data: not shown here


@admin.register(CallLog)
class CallLogAdmin(ReadOnlyAdmin):
    list_display = ("at", "centre", "text", "kind", "by")
    list_filter = ("kind",)


@admin.register(WindowPause)
class WindowPauseAdmin(ReadOnlyAdmin):
    list_display = ("window", "reason", "note", "by", "started_at", "ended_at")
    list_filter = ("reason",)


@admin.register(AppointmentSlot)
class AppointmentSlotAdmin(admin.ModelAdmin):
    list_display = ("centre", "date", "start", "end", "window_class", "capacity", "booked")
    list_filter = ("window_class", "date")
    raw_id_fields = ("centre",)
    readonly_fields = ("booked",)


@admin.register(Appointment)
class AppointmentAdmin(ReadOnlyAdmin):
    list_display = ("code", "slot", "matter", "status", "created_at", "checked_in_at")
    list_filter = ("status",)
    exclude = ("phone", "id_number", "phone_digest", "id_digest")
