"""Read-only admin views of staffing records: changes go through the services (audited), never the admin."""

from django.contrib import admin

from govhall.core.admin import ReadOnlyAdmin
from govhall.staffing.models import (
    AssessmentItem,
    AssessmentResult,
    AssessmentScheme,
    Attendance,
    AttendanceSettings,
    Enquiry,
    Leave,
)


@admin.register(Attendance)
class AttendanceAdmin(ReadOnlyAdmin):
    list_display = ("date", "staff", "centre", "sign_in_at", "sign_in_ip", "sign_out_at")
    list_filter = ("date",)
    search_fields = ("staff__staff_no", "staff__full_name")


@admin.register(AttendanceSettings)
class AttendanceSettingsAdmin(ReadOnlyAdmin):
    list_display = ("centre", "sign_in_deadline", "updated_at")


@admin.register(Leave)
class LeaveAdmin(ReadOnlyAdmin):
    list_display = ("staff", "centre", "kind", "start_at", "end_at", "status", "approved_by")
    list_filter = ("status", "kind")
    search_fields = ("staff__staff_no", "staff__full_name")


@admin.register(Enquiry)
class EnquiryAdmin(ReadOnlyAdmin):
    # The asker's name and phone are personal data: not listed here (unmasking is audited on the pages).
    list_display = (
        "pk",
        "centre",
        "first_staff",
        "status",
        "handed_to",
        "created_at",
        "converted_case_number",
    )
    list_filter = ("status", "channel")
    exclude = ("asker_name", "asker_phone", "asker_name_digest", "asker_phone_digest")


@admin.register(AssessmentScheme)
class AssessmentSchemeAdmin(ReadOnlyAdmin):
    list_display = ("name", "scope", "is_active", "created_at")


@admin.register(AssessmentItem)
class AssessmentItemAdmin(ReadOnlyAdmin):
    list_display = ("month", "staff", "kind", "points", "what", "decided_by", "recorded_by")
    list_filter = ("kind",)


@admin.register(AssessmentResult)
class AssessmentResultAdmin(ReadOnlyAdmin):
    list_display = ("month", "staff", "centre", "total", "computed_at")
    list_filter = ("month",)
