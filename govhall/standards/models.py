"""The standard-hall assessment (SITE-1..8, GOV-1): versioned rule sets, site surveys, assessments with
their per-rule results, and the rectification list that follows."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class RuleSetStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"


def default_grade_bands() -> list[list[object]]:
    return [[90, "优秀"], [80, "良好"], [60, "合格"]]


class RuleSet(models.Model):
    """A named, versioned list of rules (SITE-8). Published versions never change: the bureau copies one
    into a new draft version, edits it and publishes it. Every assessment records the version it used."""

    name = models.CharField("规则集名称", max_length=80)
    version = models.CharField("版本", max_length=20)
    status = models.CharField(
        "状态", max_length=10, choices=RuleSetStatus.choices, default=RuleSetStatus.DRAFT
    )
    description = models.TextField("说明", blank=True)
    based_on = models.ForeignKey(
        "self", verbose_name="复制自", null=True, blank=True, on_delete=models.PROTECT, related_name="copies"
    )
    grade_bands = models.JSONField(
        "等级划分",
        default=default_grade_bands,
        help_text="[[最低分, 等级], …]，从高到低；低于最后一档为“不合格”",
    )
    safety_veto = models.BooleanField(
        "安全项一票否决", default=True, help_text="应急安全设施有一项不合格，等级即为“不合格”"
    )
    rectify_working_days = models.PositiveSmallIntegerField("整改期限（工作日）", default=20)
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="创建人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发布人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = verbose_name_plural = "考核规则集"
        ordering = ["name", "-published_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["name", "version"], name="ruleset_version_unique")]

    def __str__(self) -> str:
        return f"{self.name}（{self.version}）"

    @property
    def is_published(self) -> bool:
        return self.status == RuleSetStatus.PUBLISHED


class CheckKind(models.TextChoices):
    THRESHOLD = "threshold", "阈值"
    PRESENT = "present", "必备项"
    COUNT = "count", "数量"
    RATIO = "ratio", "比例"
    NAMING = "naming", "命名规则"


class Op(models.TextChoices):
    GE = ">=", "不少于"
    GT = ">", "大于"
    LE = "<=", "不超过"
    LT = "<", "小于"
    EQ = "==", "等于"
    BETWEEN = "between", "介于"


class Level(models.TextChoices):
    TOWN1 = "town1", "一类镇"
    TOWN2 = "town2", "二类镇"
    TOWN3 = "town3", "三类镇"
    VILLAGE = "village", "村（社区）"


class Rule(models.Model):
    """One check of the notice. ``levels`` lists where it applies (town classes, village). The kind says
    how ``measure`` (and ``measure2`` for a ratio) is compared with ``value`` (… ``value_max``)."""

    rule_set = models.ForeignKey(
        RuleSet, verbose_name="规则集", on_delete=models.CASCADE, related_name="rules"
    )
    code = models.CharField("规则编号", max_length=30)
    requirement = models.CharField("需求编号", max_length=12, help_text="如 SITE-1")
    title = models.CharField("考核内容", max_length=120)
    levels = models.JSONField("适用层级", default=list)
    kind = models.CharField("检查方式", max_length=10, choices=CheckKind.choices)
    measure = models.CharField("测量项", max_length=40, blank=True)
    measure2 = models.CharField("比例分母", max_length=40, blank=True)
    op = models.CharField("比较", max_length=8, choices=Op.choices, blank=True)
    value = models.DecimalField("阈值", max_digits=10, decimal_places=2, null=True, blank=True)
    value_max = models.DecimalField("阈值上限", max_digits=10, decimal_places=2, null=True, blank=True)
    weight = models.DecimalField("分值", max_digits=5, decimal_places=1, default=1)
    is_bonus = models.BooleanField("加分项", default=False)
    is_safety = models.BooleanField("安全项", default=False)
    is_active = models.BooleanField("启用", default=True)
    notice_text = models.TextField("通知原文", blank=True)
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "考核规则"
        ordering = ["rule_set", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["rule_set", "code"], name="rule_code_unique_per_set")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def applies_to(self, level: str) -> bool:
        return level in (self.levels or [])


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    FINISHED = "finished", "已完成（已签名锁定）"


class Survey(models.Model):
    """A site survey (现场勘查) of one centre by an inspector. Finished = locked and signed."""

    centre = models.ForeignKey(
        "orgs.Centre", verbose_name="服务中心", on_delete=models.PROTECT, related_name="surveys"
    )
    rule_set = models.ForeignKey(
        RuleSet, verbose_name="依据规则集", on_delete=models.PROTECT, related_name="surveys"
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="考核员",
        on_delete=models.PROTECT,
        related_name="standard_surveys",
    )
    based_on = models.ForeignKey(
        "self",
        verbose_name="沿用上次勘查",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="follow_ups",
    )
    status = models.CharField("状态", max_length=10, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT)
    note = models.TextField("总体说明", blank=True)
    created_at = models.DateTimeField("开始时间", default=timezone.now)
    updated_at = models.DateTimeField("最后保存", auto_now=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    signed_name = models.CharField("签名", max_length=40, blank=True)
    signed_at = models.DateTimeField("签名时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "现场勘查"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["centre"], condition=Q(status="draft"), name="one_draft_survey_per_centre"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.centre} 现场勘查 {timezone.localtime(self.created_at):%Y-%m-%d}"

    @property
    def is_locked(self) -> bool:
        return self.status == SurveyStatus.FINISHED


class SurveyAnswer(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="answers")
    measure = models.CharField("测量项", max_length=40)
    number = models.DecimalField("测量值", max_digits=10, decimal_places=2, null=True, blank=True)
    present = models.BooleanField("是否具备", null=True, blank=True)
    note = models.CharField("备注", max_length=300, blank=True)
    carried_over = models.BooleanField("沿用上次", default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "勘查记录"
        constraints = [models.UniqueConstraint(fields=["survey", "measure"], name="survey_answer_unique")]

    def __str__(self) -> str:
        return f"{self.measure}={self.value}"

    @property
    def value(self) -> object:
        return self.present if self.number is None else self.number

    @property
    def is_answered(self) -> bool:
        return self.number is not None or self.present is not None


def survey_photo_path(instance: SurveyPhoto, filename: str) -> str:
    return f"standards/surveys/{instance.survey_id}/{instance.token}.{instance.extension}"


def evidence_path(instance: RectificationEvidence, filename: str) -> str:
    return f"standards/evidence/{instance.item_id}/{instance.token}.{instance.extension}"


class StoredImage(models.Model):
    """An uploaded photo, checked as an image by its content; served only by an access-checked view."""

    token = models.CharField(max_length=32, unique=True)
    extension = models.CharField(max_length=8)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    original_name = models.CharField("原文件名", max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.original_name or f"{self.token}.{self.extension}"


class SurveyPhoto(StoredImage):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="photos")
    measure = models.CharField("测量项", max_length=40)
    file = models.FileField(upload_to=survey_photo_path, max_length=200)

    class Meta:
        verbose_name = verbose_name_plural = "勘查照片"
        ordering = ["uploaded_at", "pk"]


class Assessment(models.Model):
    """One scoring of one centre against one rule-set version, from a finished survey plus the
    organisation data as it was at ``assessed_at`` (kept in ``org_values``)."""

    centre = models.ForeignKey(
        "orgs.Centre", verbose_name="服务中心", on_delete=models.PROTECT, related_name="assessments"
    )
    rule_set = models.ForeignKey(
        RuleSet, verbose_name="规则集版本", on_delete=models.PROTECT, related_name="assessments"
    )
    survey = models.ForeignKey(
        Survey, verbose_name="现场勘查", on_delete=models.PROTECT, related_name="assessments"
    )
    previous = models.ForeignKey(
        "self", verbose_name="上次考核", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sequence = models.PositiveIntegerField("考核次序")
    level = models.CharField("考核层级", max_length=8, choices=Level.choices)
    assessed_at = models.DateTimeField("考核时间", default=timezone.now)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="考核人", on_delete=models.PROTECT, related_name="+"
    )
    score = models.DecimalField("总分", max_digits=5, decimal_places=1)
    base_score = models.DecimalField("基本分", max_digits=5, decimal_places=1)
    bonus_score = models.DecimalField("加分", max_digits=5, decimal_places=1, default=0)
    grade = models.CharField("等级", max_length=10)
    passed_count = models.PositiveSmallIntegerField("达标项", default=0)
    failed_count = models.PositiveSmallIntegerField("未达标项", default=0)
    safety_failed_count = models.PositiveSmallIntegerField("安全项未达标", default=0)
    org_values = models.JSONField("组织数据快照", default=dict)

    class Meta:
        verbose_name = verbose_name_plural = "考核"
        ordering = ["-assessed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "sequence"], name="assessment_sequence_unique")
        ]
        indexes = [models.Index(fields=["centre", "-sequence"])]

    def __str__(self) -> str:
        return f"{self.centre} 第{self.sequence}次考核"


class ResultChange(models.TextChoices):
    FIRST = "first", "首次"
    SAME = "same", "未变"
    FIXED = "fixed", "已达标（整改完成）"
    BROKEN = "broken", "新出现问题"


class AssessmentResult(models.Model):
    """The outcome of one rule, with a copy of what the rule said, so the scorecard stays as it was."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="results")
    rule = models.ForeignKey(Rule, on_delete=models.PROTECT, related_name="results")
    code = models.CharField("规则编号", max_length=30)
    requirement = models.CharField("需求编号", max_length=12)
    title = models.CharField("考核内容", max_length=120)
    source = models.CharField("数据来源", max_length=8)
    measured = models.JSONField("测量值", null=True)
    measured_text = models.CharField("实测", max_length=200)
    threshold_text = models.CharField("标准", max_length=200)
    passed = models.BooleanField("达标")
    weight = models.DecimalField("分值", max_digits=5, decimal_places=1)
    points = models.DecimalField("得分", max_digits=5, decimal_places=1)
    is_bonus = models.BooleanField("加分项", default=False)
    is_safety = models.BooleanField("安全项", default=False)
    change = models.CharField(
        "与上次相比", max_length=8, choices=ResultChange.choices, default=ResultChange.FIRST
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "考核结果"
        ordering = ["assessment", "-is_safety", "order", "pk"]

    def __str__(self) -> str:
        return f"{self.code} {'达标' if self.passed else '未达标'}"


class ItemStatus(models.TextChoices):
    OPEN = "open", "待整改"
    RECTIFIED = "rectified", "已整改待复核"
    VERIFIED = "verified", "复核通过"
    UNRESOLVED = "unresolved", "复核未通过"


OPEN_STATUSES = (ItemStatus.OPEN, ItemStatus.RECTIFIED)


class RectificationQuerySet(models.QuerySet["RectificationItem"]):
    def pending(self) -> RectificationQuerySet:
        """Not yet settled by a re-assessment."""
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, today: dt.date | None = None) -> RectificationQuerySet:
        return self.filter(status=ItemStatus.OPEN, due_date__lt=today or timezone.localdate())


class RectificationItem(models.Model):
    """A failed rule on the rectification list (整改清单). The director marks it rectified with evidence;
    the next assessment settles it (verified or unresolved, carried into a new item with the same due date)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="items")
    result = models.OneToOneField(AssessmentResult, on_delete=models.CASCADE, related_name="item")
    centre = models.ForeignKey("orgs.Centre", on_delete=models.PROTECT, related_name="rectification_items")
    code = models.CharField("规则编号", max_length=30)
    title = models.CharField("整改内容", max_length=120)
    is_safety = models.BooleanField("安全项", default=False)
    due_date = models.DateField("整改期限")
    # The year whose holidays a provisional (暂定) due_date waits for (STD-3); None when it is exact.
    due_waits_for = models.PositiveSmallIntegerField("整改期限待定年份", null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="责任人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="standard_items",
    )
    status = models.CharField("状态", max_length=12, choices=ItemStatus.choices, default=ItemStatus.OPEN)
    carried_from = models.ForeignKey(
        "self", verbose_name="沿自", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rectified_at = models.DateTimeField("整改时间", null=True, blank=True)
    rectified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="整改确认人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    rectify_note = models.TextField("整改说明", blank=True)
    settled_by = models.ForeignKey(
        Assessment,
        verbose_name="复核考核",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="settled_items",
    )

    objects = RectificationQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "整改事项"
        ordering = ["-is_safety", "due_date", "pk"]
        indexes = [models.Index(fields=["centre", "status"])]

    def __str__(self) -> str:
        return f"{self.code} {self.title}（{self.get_status_display()}）"

    @property
    def is_overdue(self) -> bool:
        return self.status == ItemStatus.OPEN and self.due_date < timezone.localdate()


class RectificationEvidence(StoredImage):
    item = models.ForeignKey(RectificationItem, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=evidence_path, max_length=200)

    class Meta:
        verbose_name = verbose_name_plural = "整改佐证"
        ordering = ["uploaded_at", "pk"]
