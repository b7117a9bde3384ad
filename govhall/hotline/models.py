"""12345 hotline work orders (国办发〔2020〕53号): complaints and requests about a hall that reach the city
12345 platform, handled here and reported back step by step.

- A `HotlineOrder` arrives from the 12345 platform (signed push, idempotent on its 工单编号) or is made from a
  差评 where the bureau's setting says so (`HotlineSettings.convert_bad_reviews`, as in Jiangsu).
- Steps: 派单 to a centre (the bureau, or at once when the platform names the centre) → 承办 by a named clerk
  with a deadline in working days (`govhall.core.calendar`) → 回复 → 回访 result (满意 / 基本满意 closes it;
  不满意 sends it back to the clerk, 重办). On the way: 延期申请 (approved or refused by the centre's
  director) and 退单 with a reason (not this hall's business). Each step is a `HotlineStep` row and a record
  on the exchange outbox to the 12345 platform.
- The citizen's name and phone are personal data: SM4-encrypted, shown masked.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from govhall.core.crypto import EncryptedTextField


class Source(models.TextChoices):
    CITY = "12345", "12345热线转办"
    REVIEW = "review", "差评转办"


class Category(models.TextChoices):
    COMPLAINT = "complaint", "投诉"
    REQUEST = "request", "求助"
    CONSULT = "consult", "咨询"
    SUGGESTION = "suggestion", "建议"


class Status(models.TextChoices):
    RECEIVED = "received", "待派单"
    DISPATCHED = "dispatched", "待承办"
    HANDLING = "handling", "办理中"
    REPLIED = "replied", "已回复待回访"
    CLOSED = "closed", "已办结"
    RETURNED = "returned", "已退单"


OPEN_STATUSES = (Status.RECEIVED, Status.DISPATCHED, Status.HANDLING, Status.REPLIED)


class VisitResult(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASIC = "basic", "基本满意"
    DISSATISFIED = "dissatisfied", "不满意"


class StepKind(models.TextChoices):
    RECEIVE = "receive", "接收"
    CREATE = "create", "差评转办"
    DISPATCH = "dispatch", "派单"
    ASSIGN = "assign", "承办"
    REPLY = "reply", "回复"
    EXTEND = "extend", "延期申请"
    EXTEND_DECIDE = "extend_decide", "延期审批"
    RETURN = "return", "退单"
    VISIT = "visit", "回访"


class ExtensionStatus(models.TextChoices):
    NONE = "", "无"
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已同意"
    REFUSED = "refused", "未同意"


class HotlineSettings(models.Model):
    """The bureau's settings: one row (pk 1); the built-in defaults apply until it is saved."""

    handle_days = models.PositiveSmallIntegerField("办理期限（工作日）", default=5)
    max_extension_days = models.PositiveSmallIntegerField("单次延期上限（工作日）", default=5)
    convert_bad_reviews = models.BooleanField(
        "差评转12345工单", default=False, help_text="开启后，每条差评同时生成一张12345工单并报送热线平台"
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "12345工单设置"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(handle_days__gte=1) & models.Q(handle_days__lte=30),
                name="hotline_settings_days_1_30",
            ),
        ]

    def __str__(self) -> str:
        return "12345工单设置"


class HotlineOrder(models.Model):
    number = models.CharField("工单编号", max_length=40, unique=True, help_text="12345平台的工单编号")
    source = models.CharField("来源", max_length=8, choices=Source.choices, default=Source.CITY)
    category = models.CharField("类别", max_length=12, choices=Category.choices)
    title = models.CharField("标题", max_length=200)
    content = models.TextField("诉求内容")
    citizen_name = EncryptedTextField("来电人", blank=True)
    citizen_phone = EncryptedTextField("来电号码", blank=True)
    city_due_date = models.DateField("热线平台办结期限", null=True, blank=True)

    centre = models.ForeignKey(
        "orgs.Centre",
        verbose_name="承办中心",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hotline_orders",
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name="相关办件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hotline_orders",
    )
    review_order = models.OneToOneField(
        "reviews.WorkOrder",
        verbose_name="差评工单",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hotline_order",
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="承办人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hotline_orders",
    )
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.RECEIVED)
    received_at = models.DateTimeField("接收时间")
    dispatched_at = models.DateTimeField("派单时间", null=True, blank=True)
    assigned_at = models.DateTimeField("承办时间", null=True, blank=True)
    due_at = models.DateTimeField("办理期限", null=True, blank=True)
    # The year whose holidays a provisional (暂定) due_at waits for (STD-3); None when it is exact.
    due_waits_for = models.PositiveSmallIntegerField("办理期限待定年份", null=True, blank=True)
    replied_at = models.DateTimeField("回复时间", null=True, blank=True)
    reply_text = models.TextField("回复内容", blank=True)
    returned_at = models.DateTimeField("退单时间", null=True, blank=True)
    return_reason = models.TextField("退单理由", blank=True)
    visited_at = models.DateTimeField("回访时间", null=True, blank=True)
    visit_result = models.CharField("回访结果", max_length=12, choices=VisitResult.choices, blank=True)
    visit_note = models.TextField("回访情况", blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    extension_status = models.CharField(
        "延期申请", max_length=10, choices=ExtensionStatus.choices, blank=True, default=""
    )
    extension_days = models.PositiveSmallIntegerField("申请延期（工作日）", null=True, blank=True)
    extension_reason = models.TextField("延期理由", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "12345工单"
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["centre", "status"], name="hotline_centre_status"),
            models.Index(fields=["status", "due_at"], name="hotline_status_due"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.status == Status.HANDLING and self.due_at is not None and timezone.now() > self.due_at

    @property
    def can_be_returned(self) -> bool:
        return self.status in (Status.RECEIVED, Status.DISPATCHED, Status.HANDLING)


class HotlineStep(models.Model):
    """One step of a work order, in order: what was done, by whom, when (also what the 12345 platform got)."""

    order = models.ForeignKey(
        HotlineOrder, verbose_name="工单", on_delete=models.PROTECT, related_name="steps"
    )
    kind = models.CharField("环节", max_length=16, choices=StepKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="办理人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField(
        "办理人（工号）", max_length=80, blank=True, help_text="为空：系统或热线平台"
    )
    at = models.DateTimeField("时间")
    note = models.TextField("说明", blank=True)
    data = models.JSONField("数据", default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "12345工单环节"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.order.number} {self.get_kind_display()}"
