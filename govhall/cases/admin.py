from __future__ import annotations

from django.contrib import admin

from govhall.cases.models import ApplicantCredit, Case, CaseRules
from govhall.core.admin import ReadOnlyAdmin


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    """Read-only: cases change only through the services (pages and API), which audit every change."""

    list_display = (
        "number",
        "matter_name",
        "applicant_name",
        "status",
        "result",
        "handling_centre",
        "due_at",
    )
    list_filter = ("status", "result", "channel", "forwarded")
    search_fields = ("number", "applicant_name", "matter_name")
    list_select_related = ("handling_centre",)
    exclude = (
        "query_password",
        "applicant_id_number",
        "applicant_phone",
        "applicant_address",
        "agent_id_number",
        "agent_phone",
        "mail_address",
    )
    show_full_result_count = False


@admin.register(CaseRules)
class CaseRulesAdmin(admin.ModelAdmin):
    list_display = ("__str__", "yellow_share", "rongque_return_days", "scan_notify_director", "updated_at")


@admin.register(ApplicantCredit)
class ApplicantCreditAdmin(admin.ModelAdmin):
    """Repair goes through services.credit_repair (audited); the admin only lists."""

    list_display = ("applicant_name", "flagged_at", "case", "repaired_at")
    readonly_fields = [f.name for f in ApplicantCredit._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
