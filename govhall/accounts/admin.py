from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from govhall.accounts.models import ApiToken, StaffContact, User, UserRole


class UserRoleInline(admin.TabularInline):
    model = UserRole
    extra = 1


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "full_name", "staff_no", "unit_kind", "centre", "department", "is_active")
    list_filter = ("unit_kind", "is_active", "is_auxiliary")
    search_fields = ("username", "full_name", "staff_no")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("个人信息", {"fields": ("full_name", "staff_no", "photo")}),
        ("所属单位", {"fields": ("unit_kind", "centre", "department", "is_auxiliary")}),
        ("权限", {"fields": ("is_active", "is_staff", "is_superuser")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "full_name",
                    "staff_no",
                    "unit_kind",
                    "centre",
                    "department",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    inlines = [UserRoleInline]
    raw_id_fields = ("centre",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("user", "name", "prefix", "digest", "created_at", "last_used_at")

    def has_add_permission(self, request: object) -> bool:
        return False  # tokens are created by their owner, who sees the secret once


@admin.register(StaffContact)
class StaffContactAdmin(admin.ModelAdmin):
    list_display = ("user",)
    raw_id_fields = ("user",)
