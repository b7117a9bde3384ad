"""The public portal's own data (NET-1, NET-3): citizen and enterprise accounts (separate from staff
accounts), SMS challenges, the bureau's 主题服务 (life-event) mapping and the published policies.

- `Citizen` is a web account of a person or an enterprise. It is not a `accounts.User`: it never reaches
  staff pages, the admin or the staff API, and its session lives under its own session key
  (see `govhall.portal.auth`). Mobile numbers and ID numbers are stored SM4-encrypted with a keyed
  digest for look-up; pages show them masked.
- Real-name details have an identity level (`IdentityLevel`): typed in by the account holder they are
  only *self-declared* — enough to fill application forms, never enough to see anyone's records; only the
  实名核验 backend (`govhall.portal.identity`) makes them *verified*. A verified person account sees the
  window cases received under its ID number; any account sees the cases it proved it holds (`CaseLink`).
- `SmsChallenge` holds a one-time code (as a keyed digest, never in clear) for registration, password
  reset and linking a window case; codes expire and allow a few attempts.
- `Theme` / `ThemeMatter`: the 主题服务 the bureau edits in the admin (生育, 上学, 就业 …).
- `Policy`: policy documents published on the disclosure pages (the city's, or one centre's).
"""

from __future__ import annotations

from django.contrib.auth.hashers import check_password, make_password
from django.db import models
from django.db.models import Q
from django.utils import timezone

from govhall.core.crypto import EncryptedTextField
from govhall.core.ids import mask_id_card, mask_mobile, mask_name, mask_uscc


class AccountKind(models.TextChoices):
    PERSON = "person", "个人"
    ENTERPRISE = "enterprise", "法人（企业）"


class IdentityLevel(models.TextChoices):
    NONE = "none", "未填写"
    SELF_DECLARED = "self_declared", "自行填报（未核验）"
    VERIFIED = "verified", "已核验"


class Citizen(models.Model):
    """A citizen's or an enterprise's portal account: mobile + password, then real-name details."""

    kind = models.CharField(
        "账户类型", max_length=12, choices=AccountKind.choices, default=AccountKind.PERSON
    )
    mobile = EncryptedTextField("手机号码")
    mobile_digest = models.CharField("手机号码摘要", max_length=64, unique=True)
    password = models.CharField("密码", max_length=128)

    # A person's own name and 身份证号; for an enterprise, its legal representative's.
    real_name = models.CharField("姓名", max_length=40, blank=True)
    id_number = EncryptedTextField("居民身份证号码", blank=True)
    id_digest = models.CharField("身份证号码摘要", max_length=64, blank=True, db_index=True)
    org_name = models.CharField("企业名称", max_length=100, blank=True)
    uscc = models.CharField("统一社会信用代码", max_length=18, blank=True)
    identity_level = models.CharField(
        "实名等级", max_length=14, choices=IdentityLevel.choices, default=IdentityLevel.NONE
    )
    declared_at = models.DateTimeField("实名信息填报时间", null=True, blank=True)
    # Set only by the 实名核验 backend: when, by which service, and its reference for the check.
    verified_at = models.DateTimeField("实名核验时间", null=True, blank=True)
    verified_by = models.CharField("核验方式", max_length=60, blank=True)
    verified_ref = models.CharField("核验流水号", max_length=80, blank=True)
    # Shown on the account's pages until read: e.g. its verified ID number was taken over by another account.
    identity_notice = models.CharField("账户提醒", max_length=300, blank=True)

    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("注册时间", default=timezone.now)
    last_login_at = models.DateTimeField("最近登录", null=True, blank=True)
    password_changed_at = models.DateTimeField("密码修改时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "网上办事用户"
        ordering = ["-created_at"]
        constraints = [
            # One *verified* person account per 身份证号, one verified enterprise account per 统一社会信用代码.
            # Self-declared details may repeat (they unlock nothing); a second verification takes over.
            models.UniqueConstraint(
                fields=["id_digest"],
                condition=Q(kind="person", identity_level="verified") & ~Q(id_digest=""),
                name="portal_one_verified_person_per_id",
            ),
            models.UniqueConstraint(
                fields=["uscc"],
                condition=Q(kind="enterprise", identity_level="verified") & ~Q(uscc=""),
                name="portal_one_verified_enterprise_per_uscc",
            ),
            models.CheckConstraint(
                condition=~Q(identity_level="verified") | Q(verified_at__isnull=False),
                name="portal_verified_has_a_time",
            ),
            models.CheckConstraint(
                condition=Q(kind="enterprise") | Q(uscc="", org_name=""), name="portal_person_has_no_uscc"
            ),
        ]

    def __str__(self) -> str:
        return f"网上用户{self.pk}（{self.mobile_masked}）"

    # Passwords: the same hasher (argon2) and validators as staff accounts; see services.
    def set_password(self, raw: str) -> None:
        self.password = make_password(raw)
        self.password_changed_at = timezone.now()

    def check_password(self, raw: str) -> bool:
        return check_password(raw, self.password)

    @property
    def has_identity(self) -> bool:
        """Real-name details are filled in (self-declared or verified): enough to fill application forms."""
        return self.identity_level != IdentityLevel.NONE

    @property
    def is_verified(self) -> bool:
        """Checked by the 实名核验 backend: the only level that unlocks records found by ID number."""
        return self.identity_level == IdentityLevel.VERIFIED

    @property
    def is_enterprise(self) -> bool:
        return self.kind == AccountKind.ENTERPRISE

    @property
    def mobile_masked(self) -> str:
        return mask_mobile(self.mobile or "")

    @property
    def id_masked(self) -> str:
        return mask_id_card(self.id_number or "")

    @property
    def uscc_masked(self) -> str:
        return mask_uscc(self.uscc or "")

    @property
    def real_name_masked(self) -> str:
        return mask_name(self.real_name or "")

    @property
    def display_name(self) -> str:
        if self.is_enterprise and self.org_name:
            return self.org_name
        if self.real_name:
            return mask_name(self.real_name)
        return self.mobile_masked


class SmsPurpose(models.TextChoices):
    REGISTER = "register", "注册"
    RESET = "reset", "找回密码"
    LINK = "link", "关联办件"


class SmsChallenge(models.Model):
    """A one-time code sent by SMS. The code itself is kept only as a keyed digest."""

    mobile_digest = models.CharField("手机号码摘要", max_length=64)
    purpose = models.CharField("用途", max_length=10, choices=SmsPurpose.choices)
    code_digest = models.CharField("验证码摘要", max_length=96, help_text="盐$摘要")
    created_at = models.DateTimeField("发送时间", default=timezone.now)
    expires_at = models.DateTimeField("过期时间")
    attempts = models.PositiveSmallIntegerField("已尝试次数", default=0)
    used_at = models.DateTimeField("使用时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "短信验证码"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["mobile_digest", "purpose", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.created_at:%Y-%m-%d %H:%M}"


class ThemeAudience(models.TextChoices):
    PERSON = "person", "个人办事"
    ENTERPRISE = "enterprise", "法人办事"


class Theme(models.Model):
    """A life event or business event (主题服务) grouping matters across departments."""

    slug = models.SlugField("标识", max_length=40, unique=True, help_text="网址中使用，如 shengyu")
    name = models.CharField("主题名称", max_length=40)
    audience = models.CharField(
        "面向", max_length=12, choices=ThemeAudience.choices, default=ThemeAudience.PERSON
    )
    description = models.CharField("简介", max_length=200, blank=True)
    order = models.PositiveSmallIntegerField("排序", default=100)
    is_active = models.BooleanField("发布", default=True)
    matters = models.ManyToManyField(
        "catalog.Matter", through="ThemeMatter", related_name="portal_themes", verbose_name="事项"
    )

    class Meta:
        verbose_name = verbose_name_plural = "主题服务"
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class ThemeMatter(models.Model):
    theme = models.ForeignKey(Theme, verbose_name="主题", on_delete=models.CASCADE, related_name="links")
    matter = models.ForeignKey(
        "catalog.Matter", verbose_name="事项", on_delete=models.CASCADE, related_name="portal_theme_links"
    )
    order = models.PositiveSmallIntegerField("排序", default=100)

    class Meta:
        verbose_name = verbose_name_plural = "主题事项"
        ordering = ["theme", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["theme", "matter"], name="portal_theme_matter_unique")]

    def __str__(self) -> str:
        return f"{self.theme} · {self.matter}"


class Policy(models.Model):
    """A policy published on the disclosure pages (NET-3): city-wide (no centre) or one centre's."""

    title = models.CharField("标题", max_length=200)
    doc_number = models.CharField("文号", max_length=60, blank=True, help_text="如：启政办发〔2020〕37号")
    issuer = models.CharField("发布机关", max_length=100, blank=True)
    published_on = models.DateField("发布日期")
    summary = models.CharField("摘要", max_length=300, blank=True)
    body = models.TextField("正文")
    centre = models.ForeignKey(
        "orgs.Centre",
        verbose_name="服务中心",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="portal_policies",
        help_text="为空表示全市公开",
    )
    order = models.PositiveSmallIntegerField("排序", default=100)
    is_active = models.BooleanField("发布", default=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "公开政策文件"
        ordering = ["order", "-published_on", "id"]
        indexes = [models.Index(fields=["centre", "is_active"])]

    def __str__(self) -> str:
        return f"{self.title}（{self.doc_number}）" if self.doc_number else self.title


# --- online applications (NET-1) -------------------------------------------------------------------------


class DeliveryChoice(models.TextChoices):
    WINDOW = "window", "到窗口领取"
    MAIL = "mail", "邮寄送达"


class OnlineApplication(models.Model):
    """A case a citizen applied for on the portal. `token` is the application form's one-time token: a
    second submit of the same form (double click, reload) finds this row instead of creating a second case."""

    token = models.CharField("表单令牌", max_length=64, unique=True)
    citizen = models.ForeignKey(
        Citizen, verbose_name="申请账户", on_delete=models.PROTECT, related_name="applications"
    )
    case = models.OneToOneField(
        "cases.Case",
        verbose_name="办件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="online_application",
    )
    matter = models.ForeignKey(
        "catalog.Matter", verbose_name="事项", on_delete=models.PROTECT, related_name="+"
    )
    centre = models.ForeignKey(
        "orgs.Centre", verbose_name="办理中心", on_delete=models.PROTECT, related_name="+"
    )
    delivery = models.CharField(
        "结果领取方式", max_length=8, choices=DeliveryChoice.choices, default=DeliveryChoice.WINDOW
    )
    delivery_centre = models.ForeignKey(
        "orgs.Centre",
        verbose_name="领取中心",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    mail_address = EncryptedTextField("邮寄地址", blank=True)
    submitted_at = models.DateTimeField("提交时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "网上申请"
        ordering = ["-submitted_at", "-id"]

    def __str__(self) -> str:
        return f"网上申请 {self.case.number if self.case else self.token[:8]}"


class OnlineCommitment(models.Model):
    """The applicant's 告知承诺 for one material, signed online: the full text as shown, when, by which account."""

    application = models.ForeignKey(
        OnlineApplication, verbose_name="网上申请", on_delete=models.CASCADE, related_name="commitments"
    )
    material = models.ForeignKey(
        "catalog.Material", verbose_name="材料", on_delete=models.PROTECT, related_name="+"
    )
    material_name = models.CharField("材料名称", max_length=200)
    text = models.TextField("告知承诺书全文")
    text_digest = models.CharField("全文摘要", max_length=64)
    citizen = models.ForeignKey(Citizen, verbose_name="签署账户", on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField("签署时间", default=timezone.now)
    ip = models.CharField("来源地址", max_length=45, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "网上告知承诺"
        ordering = ["application", "id"]
        constraints = [
            models.UniqueConstraint(fields=["application", "material"], name="portal_one_commitment_each")
        ]

    def __str__(self) -> str:
        return f"{self.material_name}（{self.signed_at:%Y-%m-%d %H:%M}）"


class UploadPurpose(models.TextChoices):
    APPLICATION = "application", "申请材料"
    SUPPLEMENT = "supplement", "补正材料"


class Supplement(models.Model):
    """One online 补正 submission (files for materials the centre asked for); the token makes a second submit
    of the same form a no-op. The centre's front desk then registers the materials as supplied."""

    token = models.CharField("表单令牌", max_length=64, unique=True)
    citizen = models.ForeignKey(Citizen, verbose_name="提交账户", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(
        "cases.Case", verbose_name="办件", on_delete=models.PROTECT, related_name="online_supplements"
    )
    note = models.CharField("说明", max_length=300, blank=True)
    submitted_at = models.DateTimeField("提交时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "网上补正"
        ordering = ["-submitted_at", "-id"]

    def __str__(self) -> str:
        return f"{self.case} 补正 {self.submitted_at:%Y-%m-%d %H:%M}"


class OnlineUpload(models.Model):
    """A file the applicant uploaded on the portal, stored by the case service as a CaseFile."""

    case_file = models.OneToOneField(
        "cases.CaseFile", verbose_name="办件文件", on_delete=models.CASCADE, related_name="online_upload"
    )
    purpose = models.CharField("用途", max_length=12, choices=UploadPurpose.choices)
    application = models.ForeignKey(
        OnlineApplication, null=True, blank=True, on_delete=models.CASCADE, related_name="uploads"
    )
    supplement = models.ForeignKey(
        Supplement, null=True, blank=True, on_delete=models.CASCADE, related_name="uploads"
    )
    original_size = models.PositiveIntegerField("原始大小（字节）", default=0)
    uploaded_at = models.DateTimeField("上传时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "网上上传文件"
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.case_file_id}"


class LinkMethod(models.TextChoices):
    PASSWORD = "password", "办件编号和查询密码"
    SMS = "sms", "办件登记手机的短信验证码"


class CaseLink(models.Model):
    """A window case the account proved it holds (the case's query password, or a code sent to the phone on
    the case); it then shows in 我的办件 whatever the account's identity level."""

    citizen = models.ForeignKey(
        Citizen, verbose_name="账户", on_delete=models.CASCADE, related_name="case_links"
    )
    case = models.ForeignKey(
        "cases.Case", verbose_name="办件", on_delete=models.CASCADE, related_name="portal_links"
    )
    method = models.CharField("关联方式", max_length=10, choices=LinkMethod.choices)
    linked_at = models.DateTimeField("关联时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "关联的窗口办件"
        ordering = ["-linked_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["citizen", "case"], name="portal_one_link_per_case")]

    def __str__(self) -> str:
        return f"{self.citizen} · {self.case_id}（{self.get_method_display()}）"


class ThingLink(models.Model):
    """A 一件事办件 (parent number) that belongs to the account: applied for online from it, or proved by its
    number and query password. It shows in 我的办件 with its members, and the members' cases with it."""

    ONLINE = "online"
    METHODS = [(ONLINE, "网上申请"), (LinkMethod.PASSWORD.value, LinkMethod.PASSWORD.label)]

    citizen = models.ForeignKey(
        Citizen, verbose_name="账户", on_delete=models.CASCADE, related_name="thing_links"
    )
    thing_case = models.ForeignKey(
        "onething.ThingCase", verbose_name="一件事办件", on_delete=models.CASCADE, related_name="portal_links"
    )
    method = models.CharField("关联方式", max_length=10, choices=METHODS)
    linked_at = models.DateTimeField("关联时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "我的一件事办件"
        ordering = ["-linked_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["citizen", "thing_case"], name="portal_one_link_per_thing_case")
        ]

    def __str__(self) -> str:
        return f"{self.citizen} · {self.thing_case_id}（{self.get_method_display()}）"


class CitizenAppointment(models.Model):
    """An appointment booked from the portal while signed in: it belongs to the account (我的预约)."""

    citizen = models.ForeignKey(
        Citizen, verbose_name="账户", on_delete=models.PROTECT, related_name="appointments"
    )
    appointment = models.OneToOneField(
        "queueing.Appointment", verbose_name="预约", on_delete=models.CASCADE, related_name="citizen_link"
    )
    created_at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "账户的预约"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.citizen_id} → {self.appointment_id}"
