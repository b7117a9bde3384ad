from django.contrib import admin

from govhall.standards.models import Assessment, RectificationItem, Rule, RuleSet, Survey


class RuleInline(admin.TabularInline):
    model = Rule
    extra = 0
    fields = (
        "order",
        "code",
        "requirement",
        "title",
        "levels",
        "kind",
        "measure",
        "measure2",
        "op",
        "value",
        "value_max",
        "weight",
        "is_bonus",
        "is_safety",
        "is_active",
    )


@admin.register(RuleSet)
class RuleSetAdmin(admin.ModelAdmin):
    list_display = ("name", "version", "status", "published_at")
    inlines = [RuleInline]
    readonly_fields = ("status", "published_at", "published_by", "based_on")

    def has_change_permission(self, request: object, obj: RuleSet | None = None) -> bool:
        # Published versions are immutable; drafts are edited here or on the rule-set page, then published there.
        return obj is None or not obj.is_published


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ("centre", "status", "inspector", "created_at", "signed_at")
    list_filter = ("status",)

    def has_change_permission(self, request: object, obj: Survey | None = None) -> bool:
        return False


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ("centre", "sequence", "rule_set", "score", "grade", "assessed_at")
    list_filter = ("grade", "level")

    def has_change_permission(self, request: object, obj: Assessment | None = None) -> bool:
        return False


@admin.register(RectificationItem)
class RectificationItemAdmin(admin.ModelAdmin):
    list_display = ("centre", "code", "title", "due_date", "status")
    list_filter = ("status", "is_safety")

    def has_change_permission(self, request: object, obj: RectificationItem | None = None) -> bool:
        return False
