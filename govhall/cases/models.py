"""Cases (办件) after GB/T 39046-2020 tables 5–8: receiving, acceptance (受理/不予受理/补正, 容缺受理,
告知承诺), back-office steps routed to AB posts, clock stops, results, delivery, agency.

- A `Case` keeps the `MatterVersion` it was received under; the version never changes afterwards.
- `centre` is where the case was received (a village for a forwarded case, MODE-4); `handling_centre` is
  the centre whose seal accepts it (ORG-4). The case number carries `centre` and never changes.
- Lists read denormalised columns on `Case` (status, due_at, warn_at, current_assignee …) so that a
  handler's inbox and the supervision page stay indexed with 100,000 open cases.
- Every state change goes through `services.py`; every step is a `CaseEvent` (the timeline) and an
  audit entry.
"""

from __future__ import annotations

import copy

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from govhall.core.crypto import EncryptedTextField
from govhall.core.memo import ProcessMemo


class Channel(models.TextChoices):
    WINDOW = "window", "窗口受理"
    VILLAGE = "village", "村（社区）便民服务中心转办"
    ONLINE = "online", "网上申请"
    MOBILE = "mobile", "移动端申请"
    EXPRESS = "express", "快递申请"


# GB/T 39046 办理形式 code of each channel.
CHANNEL_GB_CODES = {"window": "1", "village": "1", "online": "2", "mobile": "3", "express": "4"}


class CaseStatus(models.TextChoices):
    RECEIVED = "received", "已收件（待受理）"
    CORRECTION = "correction", "待补正（已一次性告知）"
    NOT_ACCEPTED = "not_accepted", "不予受理"
    PROCESSING = "processing", "办理中"
    RETURNED = "returned", "退回前台"
    SUSPENDED = "suspended", "挂起（计时暂停）"
    FINISHED = "finished", "已办结"
    DELIVERED = "delivered", "已送达"
    REVOKED = "revoked", "已撤销"


PENDING_STATUSES = (CaseStatus.RECEIVED, CaseStatus.CORRECTION)
# Accepted and not finished: the clock runs (PROCESSING, RETURNED) or is stopped (SUSPENDED).
OPEN_STATUSES = (CaseStatus.PROCESSING, CaseStatus.RETURNED, CaseStatus.SUSPENDED)
CLOCK_RUNNING = (CaseStatus.PROCESSING, CaseStatus.RETURNED)
CLOSED_STATUSES = (CaseStatus.NOT_ACCEPTED, CaseStatus.FINISHED, CaseStatus.DELIVERED, CaseStatus.REVOKED)


class ResultKind(models.TextChoices):
    APPROVED = "approved", "准予许可/出证"
    DENIED = "denied", "不予许可"
    WITHDRAWN = "withdrawn", "退件"
    VOIDED = "voided", "作废"
    REFERRED = "referred", "转报"


# GB/T 39046 办结类型 codes (准予许可 1, 不予许可 2, 退件 3, 作废 4, 转报 5 in the exchange specs in use).
RESULT_GB_CODES = {"approved": "1", "denied": "2", "withdrawn": "3", "voided": "4", "referred": "5"}


class ApplicantKind(models.TextChoices):
    PERSON = "person", "自然人"
    ORGANISATION = "organisation", "法人或其他组织"


class IdType(models.TextChoices):
    ID_CARD = "id_card", "居民身份证"
    PASSPORT = "passport", "护照"
    HK_MACAU = "hk_macau", "港澳居民来往内地通行证"
    TAIWAN = "taiwan", "台湾居民来往大陆通行证"
    FOREIGN_PR = "foreign_pr", "外国人永久居留身份证"
    USCC = "uscc", "统一社会信用代码"


PERSON_ID_TYPES = (IdType.ID_CARD, IdType.PASSPORT, IdType.HK_MACAU, IdType.TAIWAN, IdType.FOREIGN_PR)
# GB/T 39046 证件类型 codes used by the provincial exchange.
ID_TYPE_GB_CODES = {
    "id_card": "111",
    "passport": "414",
    "hk_macau": "516",
    "taiwan": "511",
    "foreign_pr": "553",
    "uscc": "001",
}


class WarningLevel(models.IntegerChoices):
    NONE = 0, "正常"
    YELLOW = 1, "黄牌预警"
    RED = 2, "红牌（超期）"


class DeliveryMethod(models.TextChoices):
    WINDOW = "window", "窗口领取"
    MAIL = "mail", "邮寄送达"


class Case(models.Model):
    number = models.CharField("办件编号", max_length=50, unique=True)
    query_password = EncryptedTextField("查询密码")

    centre = models.ForeignKey(
        "orgs.Centre", verbose_name="收件中心", on_delete=models.PROTECT, related_name="cases"
    )
    handling_centre = models.ForeignKey(
        "orgs.Centre", verbose_name="受理中心", on_delete=models.PROTECT, related_name="handled_cases"
    )
    forwarded = models.BooleanField("村级转办", default=False)
    window = models.ForeignKey(
        "orgs.Window",
        verbose_name="收件窗口",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    channel = models.CharField("申请渠道", max_length=10, choices=Channel.choices, default=Channel.WINDOW)
    receiver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="收件人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="received_cases",
    )
    ticket = models.ForeignKey(
        "queueing.Ticket",
        verbose_name="排队号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    enquiry = models.ForeignKey(
        "staffing.Enquiry",
        verbose_name="首问登记",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )

    matter = models.ForeignKey(
        "catalog.Matter", verbose_name="事项", on_delete=models.PROTECT, related_name="cases"
    )
    matter_version = models.ForeignKey(
        "catalog.MatterVersion", verbose_name="事项版本", on_delete=models.PROTECT, related_name="cases"
    )
    matter_name = models.CharField("事项名称", max_length=200)
    department = models.ForeignKey(
        "orgs.Department", verbose_name="主管部门", on_delete=models.PROTECT, related_name="cases"
    )
    case_type = models.PositiveSmallIntegerField("办件类型", default=2)

    applicant_kind = models.CharField("申请人类型", max_length=12, choices=ApplicantKind.choices)
    applicant_name = models.CharField("申请人名称", max_length=100)
    applicant_id_type = models.CharField("申请人证件类型", max_length=12, choices=IdType.choices)
    applicant_id_number = EncryptedTextField("申请人证件号码")
    applicant_id_digest = models.CharField("申请人证件摘要", max_length=64, db_index=True)
    applicant_phone = EncryptedTextField("联系电话")
    applicant_address = EncryptedTextField("联系地址", blank=True)
    legal_representative = models.CharField("法定代表人", max_length=40, blank=True)

    agent_name = models.CharField("代理人姓名", max_length=40, blank=True)
    agent_id_type = models.CharField("代理人证件类型", max_length=12, choices=IdType.choices, blank=True)
    agent_id_number = EncryptedTextField("代理人证件号码", blank=True)
    agent_id_digest = models.CharField("代理人证件摘要", max_length=64, blank=True, db_index=True)
    agent_phone = EncryptedTextField("代理人电话", blank=True)

    status = models.CharField("状态", max_length=12, choices=CaseStatus.choices, default=CaseStatus.RECEIVED)
    received_at = models.DateTimeField("收件时间", default=timezone.now)
    accepted_at = models.DateTimeField("受理时间", null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="受理人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rejection_reason = models.TextField("不予受理理由", blank=True)

    # Time limit (snapshot of the version's promised limit) and the clock.
    limit_value = models.PositiveIntegerField("承诺时限", default=0)
    limit_unit = models.CharField("时限单位", max_length=12, default="workday")
    due_at = models.DateTimeField("承诺办结时间", null=True, blank=True)
    # The year whose holidays a provisional (暂定) due_at waits for (STD-3); None when it is exact.
    due_waits_for = models.PositiveSmallIntegerField("承诺办结时间待定年份", null=True, blank=True)
    warn_at = models.DateTimeField("预警时间", null=True, blank=True)
    paused_days = models.PositiveIntegerField("暂停计时工作日", default=0)
    clock_stopped_at = models.DateTimeField("计时暂停于", null=True, blank=True)
    warning_level = models.PositiveSmallIntegerField(
        "预警状态", choices=WarningLevel.choices, default=WarningLevel.NONE
    )
    yellow_notified_at = models.DateTimeField("黄牌通知时间", null=True, blank=True)
    red_notified_at = models.DateTimeField("红牌通知时间", null=True, blank=True)

    current_step = models.ForeignKey(
        "CaseStep",
        verbose_name="当前环节",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    current_post = models.ForeignKey(
        "orgs.Post",
        verbose_name="当前岗位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    current_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="当前办理人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    # 容缺受理 (MODE-3): the result is withheld while `rongque_pending`.
    rongque_pending = models.BooleanField("容缺材料待补", default=False)
    rongque_deadline = models.DateTimeField("容缺补齐期限", null=True, blank=True)
    rongque_waits_for = models.PositiveSmallIntegerField("容缺补齐期限待定年份", null=True, blank=True)
    rongque_commitment_signed_at = models.DateTimeField("容缺受理承诺书签署时间", null=True, blank=True)
    rongque_return_at = models.DateTimeField("逾期未补退件时间", null=True, blank=True)
    # 告知承诺 (MODE-2).
    uses_commitment = models.BooleanField("告知承诺", default=False)

    result = models.CharField("办结结果", max_length=10, choices=ResultKind.choices, blank=True)
    result_reason = models.TextField("办结说明", blank=True)
    certificate_name = models.CharField("证照名称", max_length=200, blank=True)
    certificate_no = models.CharField("证照编号", max_length=100, blank=True)
    certificate_valid_from = models.DateField("有效期起", null=True, blank=True)
    certificate_valid_to = models.DateField("有效期止", null=True, blank=True)
    referred_to = models.CharField("转报单位", max_length=100, blank=True)
    finished_at = models.DateTimeField("办结时间", null=True, blank=True, db_index=True)
    finished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="办结人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    finished_overdue = models.BooleanField("超期办结", default=False)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)

    delivery_method = models.CharField("送达方式", max_length=8, choices=DeliveryMethod.choices, blank=True)
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="出件人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    delivery_centre = models.ForeignKey(
        "orgs.Centre",
        verbose_name="出件中心",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    collector_name = models.CharField("领取人", max_length=40, blank=True)
    collector_id_digest = models.CharField("领取人证件摘要", max_length=64, blank=True)
    mail_address = EncryptedTextField("邮寄地址", blank=True)
    courier = models.CharField("快递公司", max_length=40, blank=True)
    tracking_no = models.CharField("快递单号", max_length=40, blank=True)

    # 代办 (STD-5): a designated agent (代办员, staff) acting for the applicant.
    agency_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="代办员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agency_cases",
    )
    agency_authorised_at = models.DateTimeField("委托时间", null=True, blank=True)
    agency_authorisation = models.CharField("委托书/授权说明", max_length=300, blank=True)

    fee_amount = models.DecimalField("收费金额（元）", max_digits=12, decimal_places=2, null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "办件"
        ordering = ["-received_at", "-id"]
        indexes = [
            # A handler's inbox: open cases by deadline (partial: closed cases never enter it).
            models.Index(
                fields=["current_assignee", "due_at"],
                name="case_inbox",
                condition=Q(status__in=["processing", "returned", "suspended"]),
            ),
            # Running clocks by deadline (red cases, the scan). The matching index on warn_at (yellow,
            # supervision) is made by migration 0002: covering on PostgreSQL, plain on SQLite.
            models.Index(
                fields=["due_at"], name="case_running_due", condition=Q(status__in=["processing", "returned"])
            ),
            models.Index(fields=["status", "due_at"], name="case_status_due"),
            models.Index(fields=["handling_centre", "status", "received_at"], name="case_centre_status_recv"),
            models.Index(fields=["centre", "status", "received_at"], name="case_origin_status"),
            models.Index(fields=["department", "status", "received_at"], name="case_dept_status_recv"),
            models.Index(fields=["agency_agent", "status"], name="case_agency"),
            models.Index(fields=["status", "rongque_pending", "rongque_deadline"], name="case_rongque"),
            models.Index(fields=["received_at", "id"], name="case_received"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="finished") | ~Q(result=""), name="finished_case_has_result"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def clock_running(self) -> bool:
        return self.status in CLOCK_RUNNING

    @property
    def result_withheld(self) -> bool:
        """A 容缺 case's result is withheld until every missing material is in (MODE-3)."""
        return self.rongque_pending


class MaterialStatus(models.TextChoices):
    RECEIVED = "received", "已收取"
    MISSING = "missing", "缺少"
    WRONG = "wrong", "有误"
    RONGQUE = "rongque", "容缺（限期补齐）"
    COMMITMENT = "commitment", "告知承诺代替"


class MaterialForm(models.TextChoices):
    PAPER = "paper", "纸质"
    ELECTRONIC = "electronic", "电子"
    SHARED = "shared", "共享调取"


class CaseMaterial(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="materials")
    material = models.ForeignKey(
        "catalog.Material",
        verbose_name="事项材料",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    order = models.PositiveSmallIntegerField("序号", default=1)
    name = models.CharField("材料名称", max_length=200)
    required = models.BooleanField("必备", default=True)
    status = models.CharField(
        "收取情况", max_length=10, choices=MaterialStatus.choices, default=MaterialStatus.MISSING
    )
    form = models.CharField(
        "收取方式", max_length=10, choices=MaterialForm.choices, default=MaterialForm.PAPER
    )
    originals = models.PositiveSmallIntegerField("原件份数", default=0)
    copies = models.PositiveSmallIntegerField("复印件份数", default=0)
    note = models.CharField("说明", max_length=300, blank=True)
    supplied_at = models.DateTimeField("补齐时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "办件材料"
        ordering = ["case_id", "order", "id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_status_display()}）"


class CaseFile(models.Model):
    """A scan or photo of a material, stored under MEDIA_ROOT (never a web root) and served only through
    the access-checked download view."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="files")
    material = models.ForeignKey(
        CaseMaterial, null=True, blank=True, on_delete=models.SET_NULL, related_name="files"
    )
    storage_name = models.CharField("存储路径", max_length=200, unique=True)
    original_name = models.CharField("原文件名", max_length=200)
    kind = models.CharField("类型", max_length=10)
    mime = models.CharField("MIME", max_length=60)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "材料文件"
        ordering = ["case_id", "id"]

    def __str__(self) -> str:
        return self.original_name


class StepKind(models.TextChoices):
    ACCEPT = "accept", "受理"
    APPROVE = "approve", "审批环节"
    FRONT = "front", "前台复核"


class StepStatus(models.TextChoices):
    PENDING = "pending", "待办"
    DONE = "done", "已办"
    CANCELLED = "cancelled", "已取消"


class StepAction(models.TextChoices):
    ACCEPT = "accept", "受理"
    PASS = "pass", "通过"
    RETURN_FRONT = "return_front", "退回前台"
    RETURN_APPLICANT = "return_applicant", "退回申请人补正"
    RESUBMIT = "resubmit", "前台复核后重新提交"
    FINISH = "finish", "办结"


class CaseStep(models.Model):
    """One 环节: routed to a post (AB角, STD-4); `assignee` is who has it now and `assignee_role` why."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="steps")
    seq = models.PositiveSmallIntegerField("序号")
    step_index = models.PositiveSmallIntegerField("事项环节序号", default=0)
    name = models.CharField("环节名称", max_length=40)
    kind = models.CharField("类型", max_length=8, choices=StepKind.choices, default=StepKind.APPROVE)
    post = models.ForeignKey(
        "orgs.Post",
        verbose_name="岗位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="case_steps",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="办理人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="case_steps",
    )
    assignee_role = models.CharField("角色", max_length=10, blank=True, help_text="A / B / director")
    route_reason = models.CharField("分派原因", max_length=200, blank=True)
    status = models.CharField("状态", max_length=10, choices=StepStatus.choices, default=StepStatus.PENDING)
    action = models.CharField("处理结果", max_length=20, choices=StepAction.choices, blank=True)
    opinion = models.TextField("意见", blank=True)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="处理人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    handler_label = models.CharField("处理人（工号）", max_length=80, blank=True)
    handler_role = models.CharField("处理人角色", max_length=10, blank=True)  # A, B, director, 即办
    started_at = models.DateTimeField("开始时间", default=timezone.now)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "办理环节"
        ordering = ["case_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["case", "seq"], name="case_step_seq_unique")]
        indexes = [models.Index(fields=["status", "post"], name="case_step_pending_post")]

    def __str__(self) -> str:
        return f"{self.case_id} · {self.name}"


class SuspensionKind(models.TextChoices):
    CORRECTION = "correction", "补正"
    SPECIAL = "special", "特别程序"
    RONGQUE = "rongque", "容缺逾期未补"


class Suspension(models.Model):
    """A clock stop (STD-3). Its working days extend the promised completion time when it ends."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="suspensions")
    kind = models.CharField("类型", max_length=12, choices=SuspensionKind.choices)
    procedure = models.CharField("特别程序", max_length=20, blank=True)
    reason = models.TextField("原因")
    started_at = models.DateTimeField("开始时间")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateTimeField("结束时间", null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    result = models.TextField("结果", blank=True)
    working_days = models.PositiveIntegerField("暂停工作日", null=True, blank=True)
    # 补正: the CaseMaterial ids asked for; the clock restarts when all of them are in.
    materials = models.JSONField("补正材料", default=list, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "计时暂停"
        ordering = ["case_id", "started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(ended_at__isnull=True), name="one_open_suspension_per_case"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.started_at:%Y-%m-%d}"


# The applicant's timeline (portal 我的办件, the tracking pages and kiosk, the tracking API) is this
# allow-list and nothing else: which step, when, at which centre. Each public action maps to what the
# applicant reads under it: None = the event's own detail, written for the applicant (what to supply, the
# reason of a refusal, the result); a text = that text in place of the stored detail, which names staff,
# their leave and the AB角 routing, or carries an internal opinion. Every other action (materials checked,
# uploads, warnings, AB转交, returns to the front desk, agency, commitment checks, …) is internal.
PUBLIC_EVENTS: dict[str, str | None] = {
    "receive": None,
    "forward": None,
    "accept": None,
    "rongque": None,
    "commitment": None,
    "reject": None,
    "correction": None,
    "return_applicant": None,
    "supply": None,
    "rongque_done": None,
    "rongque_overdue": None,
    "route": "办理中",
    "special_start": "特别程序期间暂停计时。",
    "special_end": "特别程序结束，恢复计时。",
    "resume": "恢复计时，承诺办结时间相应顺延。",
    "deadline_recompute": None,
    "finish": None,
    "deliver": None,
    "stop": None,
    "revoke": None,
}
PUBLIC_EVENT_ACTIONS: frozenset[str] = frozenset(PUBLIC_EVENTS)


def shown_as_stored(action: str) -> bool:
    """The value of `CaseEvent.public`: the row, label and detail as stored, may be shown to the applicant."""
    return action in PUBLIC_EVENTS and PUBLIC_EVENTS[action] is None


def public_detail(action: str, detail: str) -> str:
    """What the applicant reads under a public event (see PUBLIC_EVENTS)."""
    fixed = PUBLIC_EVENTS[action]
    return detail if fixed is None else fixed


class CaseEvent(models.Model):
    """The timeline: every step with time, who and what. The applicant sees only the actions of
    `PUBLIC_EVENTS` (through `selectors.public_timeline`); `public` marks the rows shown as stored."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField("时间", default=timezone.now)
    action = models.CharField("动作", max_length=40)
    label = models.CharField("环节", max_length=60)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField("处理人", max_length=80, blank=True)
    centre_name = models.CharField("中心", max_length=100, blank=True)
    detail = models.TextField("说明", blank=True)
    public = models.BooleanField("对申请人公开", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "办件时间线"
        ordering = ["case_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.label}"


class NoticeKind(models.TextChoices):
    ACCEPT = "accept", "受理通知书"
    REJECT = "reject", "不予受理通知书"
    CORRECTION = "correction", "一次性告知单"
    RONGQUE = "rongque", "容缺受理通知书"
    COMMITMENT = "commitment", "告知承诺书"
    RESULT = "result", "办结通知书"


class CaseNotice(models.Model):
    """A dated written notice issued on a decision. `payload` freezes what it says; PDF/DOCX are rendered
    from it on demand, so a re-print reads exactly like the original."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField("文书", max_length=12, choices=NoticeKind.choices)
    serial = models.CharField("文号", max_length=60, unique=True)
    issued_at = models.DateTimeField("出具时间")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sheet = models.ForeignKey(
        "catalog.NotificationSheet", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    payload = models.JSONField("内容", default=dict)

    class Meta:
        verbose_name = verbose_name_plural = "办件文书"
        ordering = ["case_id", "issued_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.document_no}"

    @property
    def document_no(self) -> str:
        """The number printed on the document and shown everywhere (staff page, portal, API): a 一次性告知单
        carries its catalogue sheet's serial (GZ…), never a second number of its own (STD-2)."""
        if self.kind == NoticeKind.CORRECTION and self.sheet is not None:
            return self.sheet.serial
        return self.serial


class CheckStatus(models.TextChoices):
    PLANNED = "planned", "待核查"
    PASSED = "passed", "核查属实"
    FAILED = "failed", "承诺不实"
    EXEMPT = "exempt", "免予核查"


class CommitmentCheck(models.Model):
    """告知承诺 (MODE-2): which proofs the signed commitment replaced and the check plan."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="commitment_check")
    replaced = models.JSONField("被替代的证明材料", default=list)
    signed_at = models.DateTimeField("承诺书签署时间")
    method = models.CharField("核查方式", max_length=10)
    due_at = models.DateTimeField("核查期限", null=True, blank=True)
    status = models.CharField(
        "核查状态", max_length=10, choices=CheckStatus.choices, default=CheckStatus.PLANNED
    )
    checked_at = models.DateTimeField("核查时间", null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField("核查说明", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "告知承诺核查"
        indexes = [models.Index(fields=["status", "due_at"], name="commitment_check_due")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_status_display()}"


class ApplicantCredit(models.Model):
    """A bad-credit flag keyed by the applicant's ID digest: while unrepaired it bars 告知承诺 and 容缺."""

    id_digest = models.CharField("证件摘要", max_length=64, db_index=True)
    applicant_name = models.CharField("申请人", max_length=100)
    reason = models.TextField("原因")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    flagged_at = models.DateTimeField("记录时间", default=timezone.now)
    flagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    repaired_at = models.DateTimeField("信用修复时间", null=True, blank=True)
    repaired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    repair_note = models.CharField("修复说明", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "申请人失信记录"
        ordering = ["-flagged_at"]

    def __str__(self) -> str:
        return f"{self.applicant_name} {self.flagged_at:%Y-%m-%d}"


class CaseCounter(models.Model):
    """Per centre and day sequence for case numbers (locked row: numbers never repeat or skip under load)."""

    centre = models.ForeignKey("orgs.Centre", on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["centre", "day"], name="case_counter_unique")]

    def __str__(self) -> str:
        return f"{self.centre_id} {self.day} #{self.last}"


RULES_MEMO: ProcessMemo[CaseRules] = ProcessMemo("case-rules")


class CaseRules(models.Model):
    """The bureau's settings for the case flow (one row). Local practice, so data rather than constants."""

    yellow_share = models.DecimalField(
        "黄牌预警比例",
        max_digits=3,
        decimal_places=2,
        default=0.25,
        help_text="剩余工作日少于承诺时限的该比例（向上取整）时亮黄牌，例如 0.25：20个工作日的事项剩5个工作日前起预警",
    )
    rongque_return_days = models.PositiveSmallIntegerField(
        "容缺逾期后退件期限（工作日）",
        default=15,
        help_text="容缺材料逾期未补、办件挂起后，再过该期限仍未补齐的作退件处理",
    )
    scan_notify_director = models.BooleanField("红牌通知中心主任", default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "办件规则"

    def __str__(self) -> str:
        return "办件规则"

    @classmethod
    def current(cls) -> CaseRules:
        """The rules in force: kept a few seconds per process (core.memo, emptied when they are saved)."""
        return copy.copy(RULES_MEMO.get("current", lambda: cls.objects.get_or_create(pk=1)[0]))
