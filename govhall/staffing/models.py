"""Staff systems (STD-1, STD-4, STD-7): 首问 enquiries, attendance and leave (which drive AB角 routing),
and the monthly assessment (考核) with its manual items (奖励, 问责, uniform checks, training)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from govhall.core.crypto import EncryptedTextField
from govhall.core.ids import mask_mobile, mask_name

DEFAULT_SIGN_IN_DEADLINE = dt.time(8, 45)


# --- attendance and leave ----------------------------------------------------------------------


class AttendanceSettings(models.Model):
    """Per-centre attendance rules. A centre without a row uses DEFAULT_SIGN_IN_DEADLINE."""

    centre = models.OneToOneField(
        "orgs.Centre", verbose_name="服务中心", on_delete=models.CASCADE, related_name="attendance_settings"
    )
    sign_in_deadline = models.TimeField(
        "签到截止时间",
        default=DEFAULT_SIGN_IN_DEADLINE,
        help_text="工作日此时间后仍未签到的A角，其工作自动转由B角办理",
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "考勤设置"

    def __str__(self) -> str:
        return f"{self.centre} 签到截止 {self.sign_in_deadline:%H:%M}"


class Attendance(models.Model):
    """One staff member's sign-in and sign-out on one day, with the client address of each."""

    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="工作人员",
        on_delete=models.PROTECT,
        related_name="attendances",
    )
    centre = models.ForeignKey(
        "orgs.Centre", verbose_name="服务中心", on_delete=models.PROTECT, related_name="attendances"
    )
    date = models.DateField("日期")
    sign_in_at = models.DateTimeField("签到时间")
    sign_in_ip = models.CharField("签到地址", max_length=45, blank=True)
    sign_out_at = models.DateTimeField("签退时间", null=True, blank=True)
    sign_out_ip = models.CharField("签退地址", max_length=45, blank=True)
    # The centre's deadline at the moment of sign-in, so a later settings change does not rewrite history.
    deadline = models.TimeField("签到截止时间", default=DEFAULT_SIGN_IN_DEADLINE)

    class Meta:
        verbose_name = verbose_name_plural = "考勤记录"
        ordering = ["-date", "staff_id"]
        constraints = [
            models.UniqueConstraint(fields=["staff", "date"], name="attendance_one_per_staff_day"),
            models.CheckConstraint(
                condition=Q(sign_out_at__isnull=True) | Q(sign_out_at__gte=F("sign_in_at")),
                name="attendance_sign_out_after_sign_in",
            ),
        ]
        indexes = [models.Index(fields=["centre", "date"])]

    def __str__(self) -> str:
        return f"{self.staff} {self.date}"

    @property
    def is_late(self) -> bool:
        from django.utils import timezone

        return timezone.localtime(self.sign_in_at).time() > self.deadline


class LeaveKind(models.TextChoices):
    PERSONAL = "personal", "事假"
    SICK = "sick", "病假"
    ANNUAL = "annual", "年休假"
    BUSINESS = "business", "公出"
    TRAINING = "training", "培训"
    MARRIAGE = "marriage", "婚假"
    MATERNITY = "maternity", "产假"
    BEREAVEMENT = "bereavement", "丧假"
    COMPENSATORY = "compensatory", "调休"
    OTHER = "other", "其他"


class LeaveStatus(models.TextChoices):
    REQUESTED = "requested", "待审批"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "已驳回"
    CANCELLED = "cancelled", "已撤销"


class LeaveQuerySet(models.QuerySet["Leave"]):
    def approved(self) -> LeaveQuerySet:
        return self.filter(status=LeaveStatus.APPROVED)

    def covering(self, at: dt.datetime) -> LeaveQuerySet:
        return self.filter(start_at__lte=at, end_at__gt=at)

    def overlapping(self, start: dt.datetime, end: dt.datetime) -> LeaveQuerySet:
        return self.filter(start_at__lt=end, end_at__gt=start)


class Leave(models.Model):
    """A leave or absence on duty (公出, 培训). Approved leave covering a moment makes the staff member
    unavailable, and their A-posts go to B (STD-4)."""

    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="工作人员", on_delete=models.PROTECT, related_name="leaves"
    )
    # The staff member's centre when they asked: its director decides.
    centre = models.ForeignKey(
        "orgs.Centre", verbose_name="服务中心", on_delete=models.PROTECT, related_name="leaves"
    )
    kind = models.CharField("类型", max_length=16, choices=LeaveKind.choices)
    start_at = models.DateTimeField("开始时间")
    end_at = models.DateTimeField("结束时间")
    reason = models.CharField("事由", max_length=300)
    status = models.CharField(
        "状态", max_length=10, choices=LeaveStatus.choices, default=LeaveStatus.REQUESTED
    )
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审批人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.CharField("审批意见", max_length=300, blank=True)

    objects = LeaveQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "请假记录"
        ordering = ["-start_at"]
        constraints = [
            models.CheckConstraint(condition=Q(end_at__gt=F("start_at")), name="leave_ends_after_start"),
        ]
        indexes = [
            models.Index(fields=["staff", "status", "start_at"]),
            models.Index(fields=["centre", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.staff} {self.get_kind_display()} {self.start_at:%Y-%m-%d}"


# --- 首问负责 enquiries (STD-1) ------------------------------------------------------------------


class EnquiryStatus(models.TextChoices):
    OPEN = "open", "待答复"
    ANSWERED = "answered", "已答复"
    HANDED_OVER = "handed_over", "已转交"
    CONVERTED = "converted", "已转为办件"


class EnquiryChannel(models.TextChoices):
    ON_SITE = "on_site", "现场"
    PHONE = "phone", "电话"
    ONLINE = "online", "网上"


class Enquiry(models.Model):
    """A 首问 record. The first staff member asked owns it until it is answered or handed over to a named
    colleague, who then owns it until answered. It can turn into a case (the Case points back here)."""

    centre = models.ForeignKey(
        "orgs.Centre", verbose_name="服务中心", on_delete=models.PROTECT, related_name="enquiries"
    )
    first_staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="首问人",
        on_delete=models.PROTECT,
        related_name="first_enquiries",
    )
    channel = models.CharField(
        "咨询方式", max_length=10, choices=EnquiryChannel.choices, default=EnquiryChannel.ON_SITE
    )
    asker_name = EncryptedTextField("咨询人姓名", blank=True)
    asker_name_digest = models.CharField(max_length=64, blank=True, db_index=True)
    asker_phone = EncryptedTextField("联系电话", blank=True)
    asker_phone_digest = models.CharField(max_length=64, blank=True, db_index=True)
    matter = models.ForeignKey(
        "catalog.Matter",
        verbose_name="咨询事项",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enquiries",
    )
    question = models.TextField("咨询内容")
    answer = models.TextField("答复内容", blank=True)
    status = models.CharField(
        "状态", max_length=12, choices=EnquiryStatus.choices, default=EnquiryStatus.OPEN
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    handed_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="转交给",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handed_enquiries",
    )
    handed_at = models.DateTimeField("转交时间", null=True, blank=True)
    handover_note = models.CharField("转交说明", max_length=300, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="答复人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    converted_case_number = models.CharField("办件编号", max_length=50, blank=True)
    converted_at = models.DateTimeField("转办件时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "首问登记"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["first_staff", "status"]),
            models.Index(fields=["handed_to", "status"]),
            models.Index(fields=["centre", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"首问#{self.pk} {self.question[:20]}"

    @property
    def owner_id(self) -> int:
        """Who currently answers for it: the named colleague after a handover, else the first staff member."""
        return self.handed_to_id if self.handed_to_id else self.first_staff_id

    @property
    def is_pending(self) -> bool:
        return self.status in (EnquiryStatus.OPEN, EnquiryStatus.HANDED_OVER)

    @property
    def asker_name_masked(self) -> str:
        return mask_name(self.asker_name or "")

    @property
    def asker_phone_masked(self) -> str:
        return mask_mobile(self.asker_phone or "")


# --- monthly assessment (考核, STD-7) ------------------------------------------------------------


class SchemeScope(models.TextChoices):
    ALL = "all", "全部服务中心"
    TOWN = "town", "镇为民服务中心"
    VILLAGE = "village", "村便民服务中心"


class AssessmentScheme(models.Model):
    """A bureau-set weighted set of indicators. Weights add up to 100; one active scheme per scope."""

    name = models.CharField("方案名称", max_length=100)
    scope = models.CharField("适用范围", max_length=8, choices=SchemeScope.choices, default=SchemeScope.ALL)
    is_active = models.BooleanField("启用", default=True)
    notes = models.TextField("说明", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="制定人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("制定时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "考核方案"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["scope"], condition=Q(is_active=True), name="one_active_assessment_scheme_per_scope"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class AssessmentIndicator(models.Model):
    """One weighted indicator of a scheme; `code` names a function in the indicator registry."""

    scheme = models.ForeignKey(
        AssessmentScheme, verbose_name="考核方案", on_delete=models.CASCADE, related_name="indicators"
    )
    code = models.CharField("指标代码", max_length=40)
    label = models.CharField("指标名称", max_length=60)
    weight = models.DecimalField("权重", max_digits=5, decimal_places=2)
    position = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "考核指标"
        ordering = ["scheme", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="indicator_code_unique_per_scheme"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="indicator_weight_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.label}（{self.weight}）"


class ManualItemKind(models.TextChoices):
    UNIFORM = "uniform", "着装与工牌检查"
    TRAINING = "training", "参加培训"
    REWARD = "reward", "奖励"
    ACCOUNTABILITY = "accountability", "问责"
    OTHER = "other", "其他"


class AssessmentItem(models.Model):
    """A manual assessment item the bureau records for one staff member and month, with its reason.
    A 奖励 adds points, a 问责 deducts them; uniform checks and training either way."""

    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="工作人员",
        on_delete=models.PROTECT,
        related_name="assessment_items",
    )
    centre = models.ForeignKey(
        "orgs.Centre", verbose_name="服务中心", on_delete=models.PROTECT, related_name="assessment_items"
    )
    month = models.DateField("考核月份", help_text="当月第一天")
    kind = models.CharField("类别", max_length=16, choices=ManualItemKind.choices)
    points = models.DecimalField("加减分", max_digits=6, decimal_places=2)
    what = models.CharField("事项", max_length=200)
    reason = models.TextField("理由")
    decided_by = models.CharField("决定人/决定机关", max_length=100)
    decided_on = models.DateField("决定日期")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "考核手工项（奖惩）"
        ordering = ["month", "staff_id", "id"]
        indexes = [models.Index(fields=["month", "staff"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="reward") | Q(points__gte=0), name="reward_not_negative"
            ),
            models.CheckConstraint(
                condition=~Q(kind="accountability") | Q(points__lte=0), name="accountability_not_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff} {self.month:%Y-%m} {self.get_kind_display()} {self.points}"


class AssessmentResult(models.Model):
    """A staff member's computed monthly score under a scheme. `breakdown` keeps every indicator's value,
    score and weight and the manual items as they were when computed, so the score stays explainable."""

    scheme = models.ForeignKey(
        AssessmentScheme, verbose_name="考核方案", on_delete=models.PROTECT, related_name="results"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="工作人员",
        on_delete=models.PROTECT,
        related_name="assessment_results",
    )
    centre = models.ForeignKey(
        "orgs.Centre", verbose_name="服务中心", on_delete=models.PROTECT, related_name="assessment_results"
    )
    month = models.DateField("考核月份")
    indicator_score = models.DecimalField("指标得分", max_digits=6, decimal_places=2)
    manual_points = models.DecimalField("手工加减分", max_digits=6, decimal_places=2)
    total = models.DecimalField("总分", max_digits=6, decimal_places=2)
    breakdown = models.JSONField("计算明细", default=dict)
    computed_at = models.DateTimeField("计算时间")

    class Meta:
        verbose_name = verbose_name_plural = "月度考核结果"
        ordering = ["-month", "-total"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "staff", "month"], name="one_result_per_staff_month"),
        ]
        indexes = [models.Index(fields=["month", "centre"]), models.Index(fields=["staff", "month"])]

    def __str__(self) -> str:
        return f"{self.staff} {self.month:%Y-%m} {self.total}"
