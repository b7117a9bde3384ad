from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from govhall.core.audit import audit_record
from govhall.portal.models import Citizen, Policy, Theme, ThemeMatter


class ThemeMatterInline(admin.TabularInline):
    model = ThemeMatter
    extra = 1
    raw_id_fields = ("matter",)


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    """主题服务: the bureau groups matters by life event (生育, 上学, 就业 …)."""

    list_display = ("name", "slug", "audience", "order", "is_active")
    list_editable = ("order", "is_active")
    list_filter = ("audience", "is_active")
    search_fields = ("name", "slug")
    inlines = [ThemeMatterInline]


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    list_display = ("title", "doc_number", "issuer", "published_on", "centre", "is_active")
    list_filter = ("is_active",)
    search_fields = ("title", "doc_number")
    autocomplete_fields = ("centre",)


@admin.register(Citizen)
class CitizenAdmin(admin.ModelAdmin):
    """Read-only: accounts are the citizens' own. Identifiers show masked; the bureau can deactivate."""

    list_display = (
        "id",
        "kind",
        "mobile_masked",
        "display_name",
        "identity_level",
        "is_active",
        "created_at",
    )
    list_filter = ("kind", "identity_level", "is_active")
    fields = (
        "kind",
        "mobile_masked",
        "display_name",
        "org_name",
        "uscc_masked",
        "id_masked",
        "identity_level",
        "declared_at",
        "verified_at",
        "verified_by",
        "verified_ref",
        "identity_notice",
        "is_active",
        "created_at",
        "last_login_at",
    )
    readonly_fields = (
        "kind",
        "mobile_masked",
        "display_name",
        "org_name",
        "uscc_masked",
        "id_masked",
        "identity_level",
        "declared_at",
        "verified_at",
        "verified_by",
        "verified_ref",
        "identity_notice",
        "created_at",
        "last_login_at",
    )

    def save_model(self, request: HttpRequest, obj: Citizen, form: Any, change: bool) -> None:
        before = Citizen.objects.filter(pk=obj.pk).values("is_active").first()
        super().save_model(request, obj, form, change)
        if before and before["is_active"] != obj.is_active:
            audit_record(
                action="portal.citizen.activate" if obj.is_active else "portal.citizen.deactivate",
                obj=obj,
                before=dict(before),
                after={"is_active": obj.is_active},
                actor=request.user,
            )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
