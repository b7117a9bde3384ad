"""好差评 (STD-6): ratings of a service, the rectification of bad reviews, appeals, abuse flags, and the
rating pads at the windows.

- A `Rating` is written once, by the rater, through `services.rating_submit`; nobody changes or deletes it
  afterwards (the model refuses both). What changes around it lives in other rows: its supplement
  (补充评价), its work order, its appeal, its flags. The one mutable mark on it is `excluded` — set when
  the bureau upholds an appeal or confirms an abuse flag — which takes it out of the figures while it
  stays in the records.
- A rating attaches to the case, the ticket, the clerk, the window, the matter, the department and the
  centre (and the centre's town, for the town figures) at the moment it is given: figures stay what they
  were even when a clerk later moves to another centre.
- Each 差评 (不满意/非常不满意) gets a `WorkOrder`: 回访核实 → 处理 (整改 / 台账 / 解释说明) → 答复 → 回访 →
  办结; each stage has a due time in working days from `ReviewSettings`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from govhall.core.crypto import EncryptedTextField
from govhall.core.errors import Forbidden

# --- levels, stages, channels -----------------------------------------------------------------


class Level(models.IntegerChoices):
    """GB/T 39046 满意度 codes."""

    VERY_SATISFIED = 1, "非常满意"
    SATISFIED = 2, "满意"
    BASIC = 3, "基本满意"
    DISSATISFIED = 4, "不满意"
    VERY_DISSATISFIED = 5, "非常不满意"


BAD_LEVELS = (Level.DISSATISFIED, Level.VERY_DISSATISFIED)  # 差评
TOP_LEVEL = Level.VERY_SATISFIED


class Stage(models.TextChoices):
    VISIT = "visit", "现场服务（一次一评）"
    RESULT = "result", "办结评价（一事一评）"


class Channel(models.TextChoices):
    PAD = "pad", "窗口评价器"
    QR = "qr", "扫码评价"
    ONLINE = "online", "网上评价"
    SMS = "sms", "短信评价"
    PROVINCE = "province", "省平台评价（政务服务APP）"


# Sub-ratings (GB/T 39734/39735): on site, and for online services.
ONSITE_ASPECTS: dict[str, str] = {"efficiency": "服务效率", "competence": "服务水平", "attitude": "服务态度"}
ONLINE_ASPECTS: dict[str, str] = {
    "speed": "办事效率",
    "guide": "办事指南精确度",
    "convenience": "办事便捷度",
    "usability": "平台操作性",
}
ASPECT_LABELS = {**ONSITE_ASPECTS, **ONLINE_ASPECTS}


# --- settings ------------------------------------------------------------------------------------


class ReviewSettings(models.Model):
    """Deadlines and thresholds. One city-wide row (centre empty) and optional rows per centre: places use
    anything from the same day (0) to 15 working days for the stages of a work order."""

    centre = models.OneToOneField(
        "orgs.Centre",
        verbose_name="服务中心",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="review_settings",
        help_text="为空表示全市默认；镇中心的设置也适用于其下属村中心（村中心未单独设置时）",
    )
    verify_days = models.PositiveSmallIntegerField("回访核实期限（工作日）", default=1)
    decide_days = models.PositiveSmallIntegerField("处理（整改/解释）期限（工作日）", default=3)
    reply_days = models.PositiveSmallIntegerField("答复期限（工作日）", default=1)
    visit_days = models.PositiveSmallIntegerField("回访期限（工作日）", default=2)
    warn_days = models.PositiveSmallIntegerField(
        "到期前预警（工作日）", default=0, help_text="0：到期当日预警"
    )
    appeal_days = models.PositiveSmallIntegerField("申诉期限（工作日，自评价时起）", default=5)
    appeal_decide_days = models.PositiveSmallIntegerField("申诉复核期限（工作日）", default=5)
    supplement_days = models.PositiveSmallIntegerField("补充评价期限（工作日，自评价时起）", default=5)
    result_rating_days = models.PositiveSmallIntegerField("办结后可评价期限（工作日）", default=30)
    visit_rating_hours = models.PositiveSmallIntegerField("现场服务可扫码评价期限（小时）", default=24)
    pad_minutes = models.PositiveSmallIntegerField(
        "评价器等待评价时间（分钟）", default=5, help_text="办理结束后评价器显示评价页的时间"
    )
    burst_count = models.PositiveSmallIntegerField("异常评价：同一设备/手机的“非常满意”条数", default=5)
    burst_minutes = models.PositiveSmallIntegerField("异常评价：时间窗（分钟）", default=10)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "好差评设置"
        constraints = [
            models.UniqueConstraint(
                fields=["centre"], condition=Q(centre__isnull=True), name="review_settings_one_default"
            ),
            models.CheckConstraint(
                condition=Q(verify_days__lte=15)
                & Q(decide_days__lte=15)
                & Q(reply_days__lte=15)
                & Q(visit_days__lte=15),
                name="review_settings_stage_days_max_15",
            ),
            models.CheckConstraint(
                condition=Q(burst_count__gte=2) & Q(burst_minutes__gte=1), name="review_settings_burst_sane"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.centre or '全市默认'} 好差评设置"


# --- ratings ---------------------------------------------------------------------------------------


class RatingQuerySet(models.QuerySet["Rating"]):
    def delete(self) -> Any:  # type: ignore[override]
        raise Forbidden("评价记录不能删除。")

    def update(self, **kwargs: Any) -> int:
        """Only the exclusion mark may change, and only through the services (appeal, abuse flag)."""
        if not set(kwargs) <= Rating.MUTABLE_FIELDS:
            raise Forbidden("评价内容不能修改。")
        return super().update(**kwargs)

    def counted(self) -> RatingQuerySet:
        """The ratings that count in figures: not excluded by an upheld appeal or a confirmed flag."""
        return self.filter(excluded=False)

    def bad(self) -> RatingQuerySet:
        return self.filter(level__in=BAD_LEVELS)


class Rating(models.Model):
    stage = models.CharField("评价环节", max_length=8, choices=Stage.choices)
    channel = models.CharField("评价渠道", max_length=8, choices=Channel.choices)
    level = models.PositiveSmallIntegerField("评价等级", choices=Level.choices)
    aspects = models.JSONField(
        "分项评价",
        default=dict,
        blank=True,
        help_text="分项代码 → 等级（1–5），现场：服务效率/服务水平/服务态度；网上：办事效率等",
    )
    text = models.TextField("评价内容", blank=True)

    case = models.ForeignKey(
        "cases.Case",
        verbose_name="办件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ratings",
    )
    # 一事一评 of a 一件事 (MODE-1): the parent application itself is the subject, not one of its members.
    # A result rating has exactly one subject: a case or a 一件事办件.
    thing_case = models.ForeignKey(
        "onething.ThingCase",
        verbose_name="一件事办件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ratings",
    )
    ticket = models.ForeignKey(
        "queueing.Ticket",
        verbose_name="排队号",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ratings",
    )
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="被评价人员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ratings_received",
    )
    clerk_label = models.CharField("被评价人员（工号）", max_length=80, blank=True)
    window = models.ForeignKey(
        "orgs.Window",
        verbose_name="窗口",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ratings",
    )
    matter = models.ForeignKey(
        "catalog.Matter",
        verbose_name="事项",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ratings",
    )
    department = models.ForeignKey(
        "orgs.Department",
        verbose_name="部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ratings",
    )
    centre = models.ForeignKey(
        "orgs.Centre", verbose_name="服务中心", on_delete=models.PROTECT, related_name="ratings"
    )
    town_centre = models.ForeignKey(
        "orgs.Centre", verbose_name="所属镇中心", on_delete=models.PROTECT, related_name="+"
    )

    # The rater: protected. Shown (masked) only to those whose role handles complaints.
    real_name = models.BooleanField("实名评价", default=False)
    rater_name = EncryptedTextField("评价人", blank=True)
    rater_phone = EncryptedTextField("评价人手机", blank=True)
    rater_phone_digest = models.CharField("评价人手机摘要", max_length=64, blank=True)
    device_digest = models.CharField("设备指纹摘要", max_length=64, blank=True)

    created_at = models.DateTimeField("评价时间")
    # A 差评 pushed down by the provincial 好差评 system (rated on its app): the province's id, the key that
    # makes receiving it twice harmless. Empty for the ratings given here.
    external_id = models.CharField("省平台评价编号", max_length=64, blank=True, default="")

    excluded = models.BooleanField("不计入统计", default=False)
    excluded_at = models.DateTimeField("不计入时间", null=True, blank=True)
    excluded_reason = models.CharField("不计入原因", max_length=200, blank=True)

    objects = RatingQuerySet.as_manager()

    MUTABLE_FIELDS = frozenset({"excluded", "excluded_at", "excluded_reason"})

    class Meta:
        verbose_name = verbose_name_plural = "评价"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(level__gte=1) & Q(level__lte=5), name="rating_level_1_to_5"),
            models.CheckConstraint(
                condition=Q(case__isnull=False) | Q(ticket__isnull=False) | Q(thing_case__isnull=False),
                name="rating_has_subject",
            ),
            # A result rating rates exactly one subject: a case or a 一件事办件, never both, never neither.
            models.CheckConstraint(
                condition=~Q(stage="result")
                | (Q(case__isnull=False) & Q(thing_case__isnull=True))
                | (Q(case__isnull=True) & Q(thing_case__isnull=False)),
                name="rating_result_has_one_subject",
            ),
            # A 一件事 is rated only as a whole, at the result stage.
            models.CheckConstraint(
                condition=Q(thing_case__isnull=True) | Q(stage="result"), name="rating_thing_is_result"
            ),
            # One rating per case per stage, one per visit.
            models.UniqueConstraint(
                fields=["case", "stage"], condition=Q(case__isnull=False), name="rating_one_per_case_stage"
            ),
            models.UniqueConstraint(
                fields=["thing_case"], condition=Q(thing_case__isnull=False), name="rating_one_per_thing_case"
            ),
            models.UniqueConstraint(
                fields=["ticket"],
                condition=Q(stage="visit") & Q(ticket__isnull=False),
                name="rating_one_per_visit",
            ),
            models.UniqueConstraint(
                fields=["external_id"], condition=~Q(external_id=""), name="rating_one_per_external_id"
            ),
        ]
        indexes = [
            models.Index(fields=["centre", "created_at"], name="rating_centre_at"),
            models.Index(fields=["town_centre", "created_at"], name="rating_town_at"),
            models.Index(fields=["clerk", "created_at"], name="rating_clerk_at"),
            models.Index(fields=["window", "created_at"], name="rating_window_at"),
            models.Index(fields=["matter", "created_at"], name="rating_matter_at"),
            models.Index(fields=["created_at", "level"], name="rating_at_level"),
            models.Index(fields=["device_digest", "created_at"], name="rating_device_at"),
            models.Index(fields=["rater_phone_digest", "created_at"], name="rating_phone_at"),
        ]

    def __str__(self) -> str:
        return f"评价#{self.pk} {self.get_level_display()}"

    # Integrity (STD-6): a rating is the rater's; nobody edits or deletes it, in any page, API or admin.
    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            fields = kwargs.get("update_fields")
            if fields is None or not set(fields) <= self.MUTABLE_FIELDS:
                raise Forbidden("评价内容不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise Forbidden("评价记录不能删除。")

    @property
    def is_bad(self) -> bool:
        return self.level in BAD_LEVELS

    @property
    def subject_number(self) -> str | None:
        """The number the applicant knows: the case's, or the 一件事办件's for a rating of the whole thing."""
        if self.case_id is not None:
            return self.case.number  # type: ignore[union-attr]
        if self.thing_case_id is not None:
            return self.thing_case.number  # type: ignore[union-attr]
        return None

    @property
    def aspect_rows(self) -> list[tuple[str, str]]:
        return [
            (ASPECT_LABELS.get(k, k), Level(v).label) for k, v in self.aspects.items() if v in Level.values
        ]


class RatingSupplement(models.Model):
    """补充评价: the rater adds to their rating within the configured window; one per rating."""

    rating = models.OneToOneField(
        Rating, verbose_name="评价", on_delete=models.PROTECT, related_name="supplement"
    )
    text = models.TextField("补充内容")
    channel = models.CharField("渠道", max_length=8, choices=Channel.choices)
    device_digest = models.CharField("设备指纹摘要", max_length=64, blank=True)
    created_at = models.DateTimeField("补充时间")

    class Meta:
        verbose_name = verbose_name_plural = "补充评价"

    def __str__(self) -> str:
        return f"评价#{self.rating_id} 补充"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise Forbidden("补充评价不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise Forbidden("补充评价不能删除。")


class FlagKind(models.TextChoices):
    DEVICE_BURST = "device_burst", "同一设备短时间内多次“非常满意”"
    PHONE_BURST = "phone_burst", "同一手机短时间内多次“非常满意”"
    SELF_RATING = "self_rating", "工作人员评价本人办理的业务"
    STAFF_SESSION = "staff_session", "在已登录工作人员账号的设备上评价本中心业务"


class FlagStatus(models.TextChoices):
    OPEN = "open", "待核查"
    DISMISSED = "dismissed", "核查正常"
    CONFIRMED = "confirmed", "确认异常（不计入统计）"


class RatingFlag(models.Model):
    rating = models.ForeignKey(Rating, verbose_name="评价", on_delete=models.PROTECT, related_name="flags")
    kind = models.CharField("类型", max_length=16, choices=FlagKind.choices)
    detail = models.CharField("说明", max_length=300, blank=True)
    created_at = models.DateTimeField("发现时间")
    status = models.CharField("核查状态", max_length=10, choices=FlagStatus.choices, default=FlagStatus.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="核查人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("核查时间", null=True, blank=True)
    decision_note = models.CharField("核查意见", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "异常评价线索"
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["rating", "kind"], name="rating_flag_once_per_kind")]
        indexes = [models.Index(fields=["status", "created_at"], name="rating_flag_status")]

    def __str__(self) -> str:
        return f"评价#{self.rating_id} {self.get_kind_display()}"


# --- rating pads ------------------------------------------------------------------------------------


class RatingPad(models.Model):
    """A tablet facing the visitor at a window, paired by a secret token (stored as a digest). It needs no
    staff login: the token names the window, and it can do nothing but show the clerk and take ratings."""

    window = models.ForeignKey(
        "orgs.Window", verbose_name="窗口", on_delete=models.PROTECT, related_name="rating_pads"
    )
    label = models.CharField("名称", max_length=60, blank=True)
    token_digest = models.CharField("令牌摘要", max_length=64, unique=True)
    prefix = models.CharField("令牌前缀", max_length=8)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="配对人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("配对时间")
    last_seen_at = models.DateTimeField("最近在线", null=True, blank=True)
    revoked_at = models.DateTimeField("解除配对时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "窗口评价器"
        ordering = ["window", "-created_at"]

    def __str__(self) -> str:
        return f"{self.window} 评价器 {self.prefix}…"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class Invitation(models.Model):
    """An SMS asking the applicant to rate a finished case (sent once per case)."""

    case = models.OneToOneField(
        "cases.Case", verbose_name="办件", on_delete=models.CASCADE, related_name="rating_invitation"
    )
    sent_at = models.DateTimeField("发送时间")
    phone_masked = models.CharField("手机", max_length=20, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "评价邀请短信"

    def __str__(self) -> str:
        return f"{self.case_id} {self.sent_at:%Y-%m-%d}"


# --- bad-review work orders -------------------------------------------------------------------------


class OrderStatus(models.TextChoices):
    VERIFY = "verify", "待回访核实"
    DECIDE = "decide", "待处理"
    REPLY = "reply", "待答复"
    VISIT = "visit", "待回访"
    CLOSE = "close", "待办结"
    CLOSED = "closed", "已办结"
    EXCLUDED = "excluded", "申诉成立/异常评价（终止）"


OPEN_ORDER_STATUSES = (
    OrderStatus.VERIFY,
    OrderStatus.DECIDE,
    OrderStatus.REPLY,
    OrderStatus.VISIT,
    OrderStatus.CLOSE,
)


class Finding(models.TextChoices):
    TRUE = "true", "情况属实"
    PARTLY = "partly", "部分属实"
    FALSE = "false", "情况不属实"
    UNREACHABLE = "unreachable", "无法联系评价人"


class Outcome(models.TextChoices):
    RECTIFY = "rectify", "即知即改（已整改）"
    LEDGER = "ledger", "列入整改台账（限期整改）"
    EXPLAIN = "explain", "解释说明（诉求无法律依据或不合理）"


class VisitSatisfaction(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASIC = "basic", "基本满意"
    DISSATISFIED = "dissatisfied", "不满意"
    UNREACHABLE = "unreachable", "无法联系"


class WarningLevel(models.IntegerChoices):
    NONE = 0, "正常"
    YELLOW = 1, "预警"
    RED = 2, "超期"


class WorkOrder(models.Model):
    """整改工单 for one 差评."""

    rating = models.OneToOneField(
        Rating, verbose_name="差评", on_delete=models.PROTECT, related_name="work_order"
    )
    centre = models.ForeignKey(
        "orgs.Centre", verbose_name="责任中心", on_delete=models.PROTECT, related_name="review_orders"
    )
    real_name = models.BooleanField("实名差评", default=False)
    status = models.CharField("状态", max_length=10, choices=OrderStatus.choices, default=OrderStatus.VERIFY)
    created_at = models.DateTimeField("生成时间")

    stage_due_at = models.DateTimeField("本环节期限", null=True, blank=True)
    warn_at = models.DateTimeField("预警时间", null=True, blank=True)
    warning_level = models.PositiveSmallIntegerField(
        "预警状态", choices=WarningLevel.choices, default=WarningLevel.NONE
    )
    overdue_stages = models.JSONField("超期环节", default=list, blank=True)

    verified_at = models.DateTimeField("核实时间", null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="核实人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    finding = models.CharField("核实结论", max_length=12, choices=Finding.choices, blank=True)
    verify_note = models.TextField("核实情况", blank=True)

    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="处理人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    outcome = models.CharField("处理方式", max_length=8, choices=Outcome.choices, blank=True)
    measures = models.TextField("整改措施/解释说明", blank=True)
    ledger_due = models.DateField("台账整改期限", null=True, blank=True)
    ledger_done_at = models.DateTimeField("台账整改完成时间", null=True, blank=True)
    ledger_note = models.TextField("台账整改情况", blank=True)

    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="答复人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reply_text = models.TextField("答复内容", blank=True)

    visited_at = models.DateTimeField("回访时间", null=True, blank=True)
    visited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="回访人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    visit_satisfaction = models.CharField(
        "回访满意度", max_length=12, choices=VisitSatisfaction.choices, blank=True
    )
    visit_note = models.TextField("回访情况", blank=True)

    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="办结人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = verbose_name_plural = "差评整改工单"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "warn_at"], name="review_order_warn"),
            models.Index(fields=["status", "stage_due_at"], name="review_order_due"),
            models.Index(fields=["centre", "status"], name="review_order_centre"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"ZG{self.created_at:%Y%m%d}{self.pk:05d}" if self.pk and self.created_at else "ZG（未编号）"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ORDER_STATUSES

    @property
    def is_rectified(self) -> bool:
        """整改到位: fixed at once, or its ledger entry completed (an explanation needs no rectification)."""
        return self.outcome == Outcome.RECTIFY or (
            self.outcome == Outcome.LEDGER and self.ledger_done_at is not None
        )


class AppealReason(models.TextChoices):
    MISTAKEN = "mistaken", "误评（评价对象或事项有误）"
    MALICIOUS = "malicious", "恶意差评"
    NOT_OURS = "not_ours", "非本单位职责（政策或系统原因）"
    OTHER = "other", "其他"


class AppealStatus(models.TextChoices):
    PENDING = "pending", "待复核"
    UPHELD = "upheld", "申诉成立"
    REJECTED = "rejected", "申诉不成立"


class Appeal(models.Model):
    """申诉复核: the rated unit contests a 差评; the bureau decides. Upheld → the rating is excluded from the
    figures (kept in the records)."""

    rating = models.OneToOneField(
        Rating, verbose_name="评价", on_delete=models.PROTECT, related_name="appeal"
    )
    centre = models.ForeignKey(
        "orgs.Centre", verbose_name="申诉单位", on_delete=models.PROTECT, related_name="review_appeals"
    )
    reason = models.CharField("申诉理由", max_length=10, choices=AppealReason.choices)
    statement = models.TextField("申诉说明")
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申诉人", on_delete=models.PROTECT, related_name="+"
    )
    filed_at = models.DateTimeField("申诉时间")
    due_at = models.DateTimeField("复核期限")
    status = models.CharField(
        "状态", max_length=10, choices=AppealStatus.choices, default=AppealStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="复核人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("复核时间", null=True, blank=True)
    decision_note = models.TextField("复核意见", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "差评申诉"
        ordering = ["-filed_at", "-id"]
        indexes = [models.Index(fields=["status", "due_at"], name="review_appeal_due")]

    def __str__(self) -> str:
        return f"评价#{self.rating_id} 申诉（{self.get_status_display()}）"
