"""一件事 (事项组合): the bureau's composition of the matters one life event needs (MODE-1, SCOPE-4).

A composition is versioned like a matter: a draft is edited in place, publishing freezes it, a change
publishes a new version that supersedes the old one, and whatever started under a version keeps it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from govhall.core.crypto import EncryptedTextField


class ThingStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    ACTIVE = "active", "在用"
    WITHDRAWN = "withdrawn", "已停用"


class ThingVersionState(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "现行"
    SUPERSEDED = "superseded", "已替代"


class OneThing(models.Model):
    code = models.CharField("一件事编码", max_length=20, unique=True, help_text="如 YJS-0001")
    name = models.CharField("名称", max_length=100)
    life_event = models.CharField("人生事件/企业事件", max_length=60, help_text="如：新生儿出生、开办餐饮店")
    status = models.CharField("状态", max_length=10, choices=ThingStatus.choices, default=ThingStatus.DRAFT)
    current_version = models.OneToOneField(
        "OneThingVersion",
        verbose_name="现行版本",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_sample = models.BooleanField("样例", default=False, help_text="内置样例，待市行政审批局以正式组合替换")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "一件事"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_public(self) -> bool:
        return self.status == ThingStatus.ACTIVE and self.current_version_id is not None


class OneThingVersion(models.Model):
    thing = models.ForeignKey(
        OneThing, verbose_name="一件事", on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField("版本号")
    state = models.CharField(
        "版本状态", max_length=12, choices=ThingVersionState.choices, default=ThingVersionState.DRAFT
    )
    summary = models.TextField("简介", blank=True)
    promised_limit = models.PositiveIntegerField("承诺办结时限（工作日）", default=0)
    change_reason = models.CharField("变更原因", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("编辑时间", auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    superseded_at = models.DateTimeField("被替代时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "一件事版本"
        ordering = ["thing", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["thing", "number"], name="onething_version_number_unique"),
            models.UniqueConstraint(fields=["thing"], condition=Q(state="draft"), name="onething_one_draft"),
            models.UniqueConstraint(
                fields=["thing"], condition=Q(state="published"), name="onething_one_published"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.thing.name} v{self.number}"


class Question(models.Model):
    """A yes/no question asked before the form; members may depend on its answer."""

    version = models.ForeignKey(OneThingVersion, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField("序号", default=1)
    code = models.SlugField("代码", max_length=30)
    text = models.CharField("问题", max_length=200, help_text="如：是否需要办理社会保障卡")
    help_text = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "情形问题"
        ordering = ["version", "order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="onething_question_code_unique")
        ]

    def __str__(self) -> str:
        return self.text


class Member(models.Model):
    version = models.ForeignKey(OneThingVersion, on_delete=models.CASCADE, related_name="members")
    order = models.PositiveSmallIntegerField("序号", default=1)
    matter_version = models.ForeignKey(
        "catalog.MatterVersion", verbose_name="成员事项（版本）", on_delete=models.PROTECT, related_name="+"
    )
    after = models.ManyToManyField(
        "self", verbose_name="前置事项", symmetrical=False, blank=True, related_name="followers"
    )
    condition_question = models.CharField(
        "办理条件（问题代码）", max_length=30, blank=True, help_text="为空表示总是办理"
    )
    condition_answer = models.BooleanField("条件答案", default=True, help_text="回答为此值时办理本事项")

    class Meta:
        verbose_name = verbose_name_plural = "成员事项"
        ordering = ["version", "order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "order"], name="onething_member_order_unique"),
            models.UniqueConstraint(
                fields=["version", "matter_version"], name="onething_member_matter_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.matter_version.name


class MaterialLink(models.Model):
    """The bureau's statement that a member's material is the same document as another name (e.g. 「经办人身份
    证件」 is 「申请人居民身份证」), so the applicant is asked once."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="material_links")
    material_name = models.CharField("材料名称", max_length=200)
    same_as = models.CharField("视同材料", max_length=200)

    class Meta:
        verbose_name = verbose_name_plural = "材料合并"
        constraints = [
            models.UniqueConstraint(fields=["member", "material_name"], name="onething_material_link_unique")
        ]

    def __str__(self) -> str:
        return f"{self.material_name} = {self.same_as}"


# --- one acceptance (一件事办件) ----------------------------------------------------------------------


class ThingCaseStatus(models.TextChoices):
    RECEIVED = "received", "已收件（待受理）"
    PROCESSING = "processing", "办理中"
    FINISHED = "finished", "已办结（待统一出件）"
    DELIVERED = "delivered", "已送达"


class ThingCase(models.Model):
    """One application of a 一件事 (MODE-1, MODE-4): one number and query password for the applicant; each
    included member is a child `cases.Case` received through the ordinary case flow. The parent keeps no
    personal data beyond the applicant's name and the digest of the ID (the children hold it encrypted)."""

    number = models.CharField("一件事办件编号", max_length=50, unique=True)
    query_password = EncryptedTextField("查询密码")
    thing = models.ForeignKey(OneThing, verbose_name="一件事", on_delete=models.PROTECT, related_name="cases")
    version = models.ForeignKey(
        OneThingVersion, verbose_name="一件事版本", on_delete=models.PROTECT, related_name="cases"
    )
    answers = models.JSONField("情形回答", default=dict)
    materials = models.JSONField("收取材料", default=dict, help_text="材料标识 → 收取情况（一套材料）")
    centre = models.ForeignKey(
        "orgs.Centre", verbose_name="收件中心", on_delete=models.PROTECT, related_name="+"
    )
    handling_centre = models.ForeignKey(
        "orgs.Centre", verbose_name="受理中心", on_delete=models.PROTECT, related_name="+"
    )
    window = models.ForeignKey(
        "orgs.Window",
        verbose_name="收件窗口",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    channel = models.CharField("申请渠道", max_length=10)
    receiver = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    applicant_kind = models.CharField("申请人类型", max_length=12, default="person")
    applicant_name = models.CharField("申请人", max_length=100)
    applicant_id_digest = models.CharField("申请人证件摘要", max_length=64, db_index=True)
    status = models.CharField(
        "状态", max_length=12, choices=ThingCaseStatus.choices, default=ThingCaseStatus.RECEIVED
    )
    promised_limit = models.PositiveIntegerField("承诺办结时限（工作日）", default=0)
    members_limit_sum = models.PositiveIntegerField("成员事项时限之和（工作日）", default=0)
    received_at = models.DateTimeField("收件时间")
    accepted_at = models.DateTimeField("受理时间", null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    finished_at = models.DateTimeField("办结时间", null=True, blank=True)
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    delivery_centre = models.ForeignKey(
        "orgs.Centre",
        verbose_name="出件中心",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    delivery_detail = models.CharField("送达情况", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "一件事办件"
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["handling_centre", "status", "received_at"], name="thingcase_centre_status"),
            models.Index(fields=["status", "finished_at"], name="thingcase_finished"),
        ]

    def __str__(self) -> str:
        return self.number


class ThingMemberState(models.TextChoices):
    WAITING = "waiting", "待前置事项办结"
    STARTED = "started", "已发起"
    NOT_STARTED = "not_started", "无法办理（前置事项未获准予）"


class ThingCaseMember(models.Model):
    """One included member of an application: its child case once started (order as composed)."""

    parent = models.ForeignKey(ThingCase, on_delete=models.CASCADE, related_name="members")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField("序号")
    name = models.CharField("事项名称", max_length=200)
    case = models.OneToOneField(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="thing_member"
    )
    state = models.CharField("状态", max_length=12, choices=ThingMemberState.choices)
    note = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "一件事办件成员"
        ordering = ["parent", "order"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "member"], name="thingcase_member_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.parent_id} · {self.name}"
