from django.contrib import admin

from govhall.orgs.models import Centre, Department, Division, DivisionChange, Post, Window


class BureauOnlyAdmin(admin.ModelAdmin):
    """The Django admin is the bureau's tool: only bureau staff (is_staff) reach it at all."""


class DivisionChangeInline(admin.TabularInline):
    model = DivisionChange
    extra = 0
    readonly_fields = ("kind", "effective", "before", "after", "note", "created_at")
    can_delete = False


@admin.register(Division)
class DivisionAdmin(BureauOnlyAdmin):
    list_display = ("code", "name", "kind", "town_class", "parent", "valid_to", "successor")
    list_filter = ("kind", "town_class")
    search_fields = ("code", "name", "register_name")
    readonly_fields = ("code", "register_name", "source")
    inlines = [DivisionChangeInline]

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False  # divisions are never deleted: history points at them


@admin.register(Department)
class DepartmentAdmin(BureauOnlyAdmin):
    list_display = ("code", "name", "short_name")
    search_fields = ("code", "name", "short_name")


class WindowInline(admin.TabularInline):
    model = Window
    extra = 0


@admin.register(Centre)
class CentreAdmin(BureauOnlyAdmin):
    list_display = ("name", "level", "division", "is_active")
    list_filter = ("level", "is_active")
    search_fields = ("name", "division__code")
    readonly_fields = ("name", "division", "level")
    inlines = [WindowInline]


@admin.register(Post)
class PostAdmin(BureauOnlyAdmin):
    list_display = ("name", "centre", "a_staff", "b_staff", "is_active")
    list_filter = ("is_active",)
    autocomplete_fields = ("a_staff", "b_staff")
