"""Admin: ratings and everything about them are read-only here (STD-6: staff never choose, change or delete
a rating; work orders, appeals and flags change only through their services, which check who acts and audit
it). Only the settings are edited in the admin, audited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from govhall.core.admin import AuditedAdmin
from govhall.core.admin import ReadOnlyAdmin as CoreReadOnlyAdmin
from govhall.reviews.models import (
    Appeal,
    Invitation,
    Rating,
    RatingFlag,
    RatingPad,
    RatingSupplement,
    ReviewSettings,
    WorkOrder,
)


class ReadOnlyAdmin(CoreReadOnlyAdmin):
    """Ratings and work orders: read-only, and no bulk actions at all."""

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        return {}


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "created_at",
        "stage",
        "channel",
        "level",
        "centre",
        "window",
        "clerk_label",
        "excluded",
    ]
    list_filter = ["stage", "channel", "level", "excluded"]
    search_fields = ["clerk_label", "case__number"]
    date_hierarchy = "created_at"
    # The rater's name and phone are not shown here at all (identity protection; see the rating page).
    exclude = ["rater_name", "rater_phone", "rater_phone_digest", "device_digest"]
    list_select_related = ["centre", "window"]


@admin.register(RatingSupplement)
class RatingSupplementAdmin(ReadOnlyAdmin):
    list_display = ["rating", "created_at", "channel"]
    exclude = ["device_digest"]


@admin.register(RatingFlag)
class RatingFlagAdmin(ReadOnlyAdmin):
    list_display = ["rating", "kind", "status", "created_at", "decided_at"]
    list_filter = ["kind", "status"]


@admin.register(WorkOrder)
class WorkOrderAdmin(ReadOnlyAdmin):
    list_display = ["number", "centre", "status", "real_name", "warning_level", "created_at", "closed_at"]
    list_filter = ["status", "warning_level", "outcome"]


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = ["rating", "centre", "reason", "status", "filed_at", "decided_at"]
    list_filter = ["status", "reason"]


@admin.register(RatingPad)
class RatingPadAdmin(ReadOnlyAdmin):
    list_display = ["window", "label", "prefix", "created_at", "last_seen_at", "revoked_at"]
    exclude = ["token_digest"]


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = ["case", "sent_at", "phone_masked"]


@admin.register(ReviewSettings)
class ReviewSettingsAdmin(AuditedAdmin):
    audit_prefix = "review_settings"
    list_display = [
        "__str__",
        "verify_days",
        "decide_days",
        "reply_days",
        "visit_days",
        "appeal_days",
        "supplement_days",
        "updated_at",
    ]
