"""The service-matter catalogue (事项清单, SCOPE-1..4) after GB/T 39046-2020 table 4, and the one-time
notification sheets (一次性告知单, STD-2) issued from it.

- `Matter` is the stable identity (实施编码) of a matter; its content lives in `MatterVersion` rows.
- A published `MatterVersion` is never edited: a change is a new version (新增/变更/暂停/取消 …, with who
  and why). Cases keep a FK to the version they were accepted under.
- `Material` rows belong to one version.
- `CentreMatter` says which centre's hall serves which matter (SCOPE-3, 应进必进).
- `NotificationSheet` records every 一次性告知单 issued.

Multi-valued GB code fields whose codes are single digits (行使层级, 服务对象, 办理形式) are stored as a
comma-separated code string ("4,5,6"), so `levels__contains="6"` filters on SQLite and PostgreSQL alike;
the model exposes them as lists of codes.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from govhall.core.calendar import Deadline, deadline
from govhall.orgs.models import WindowClass

# 补正 period printed on every 一次性告知单 unless the clerk sets another: the 15 working days local practice
# gives a suspended case to bring its materials (docs/shared domain.md, 容缺受理), counted on the calendar.
SUPPLY_DAYS_DEFAULT = 15
SUPPLY_DAYS_MAX = 60

# --- code tables (GB/T 39046-2020 附录A, and the notice's categories) -----------------------------


class MatterType(models.TextChoices):
    """事项类型."""

    LICENSING = "01", "行政许可"
    PENALTY = "02", "行政处罚"
    ENFORCEMENT = "03", "行政强制"
    LEVY = "04", "行政征收"
    BENEFIT = "05", "行政给付"
    INSPECTION = "06", "行政检查"
    CONFIRMATION = "07", "行政确认"
    REWARD = "08", "行政奖励"
    ADJUDICATION = "09", "行政裁决"
    OTHER_POWER = "10", "其他行政权力"
    PUBLIC_SERVICE = "20", "公共服务"


class ExerciseLevel(models.IntegerChoices):
    """行使层级."""

    NATIONAL = 1, "国家级"
    PROVINCE = 2, "省级"
    PREFECTURE = 3, "市级"
    COUNTY = 4, "县级"
    TOWN = 5, "镇（乡、街道）级"
    VILLAGE = 6, "村（社区）级"


class ServiceObject(models.IntegerChoices):
    """服务对象."""

    PERSON = 1, "自然人"
    ENTERPRISE = 2, "企业法人"
    INSTITUTION = 3, "事业法人"
    SOCIAL_ORG = 4, "社会组织法人"
    GOVERNMENT = 5, "行政机关"
    OTHER = 6, "其他组织"


class HandlingForm(models.IntegerChoices):
    """办理形式."""

    WINDOW = 1, "窗口办理"
    ONLINE_PC = 2, "电脑端网上办理"
    ONLINE_MOBILE = 3, "移动端网上申请"
    EXPRESS = 4, "快递申请"
    OTHER = 9, "其他"


class CaseType(models.IntegerChoices):
    """办件类型: 即办件 are finished in one visit; 承诺件 carry a promised completion time."""

    IMMEDIATE = 1, "即办件"
    PROMISED = 2, "承诺件"
    OTHER = 9, "其他"


class TimeUnit(models.TextChoices):
    """时限单位."""

    WORKDAY = "workday", "工作日"
    NATURAL_DAY = "natural_day", "自然日"
    HOUR = "hour", "小时"


class SpecialProcedure(models.TextChoices):
    """特别程序 (GB: 1 延长审批, 2 其他 — 其他 split into the kinds staff name). Time spent in one does not
    count against the time limit (STD-3)."""

    EXTENSION = "extension", "延长审批"
    HEARING = "hearing", "听证"
    PUBLICITY = "publicity", "公示"
    VERIFICATION = "verification", "核实"
    SITE_SURVEY = "site_survey", "现场勘查"
    TESTING = "testing", "检验检测"
    EXPERT_REVIEW = "expert_review", "专家评审"
    OTHER = "other", "其他"


class NoticeCategory(models.TextChoices):
    """The notice's categories (SCOPE-2): five for town halls, five for village halls."""

    SOCIAL_MANAGEMENT = "social_management", "社会管理"
    PUBLIC_SERVICE = "public_service", "公共服务"
    PRODUCTION = "production", "生产相关"
    LIVING = "living", "生活相关"
    OTHER_AFFAIRS = "other_affairs", "其他社会事务"
    V_RELIEF = "v_relief", "民政救助"
    V_FAMILY_PLANNING = "v_family_planning", "计生服务"
    V_EMPLOYMENT = "v_employment", "就业保障"
    V_MEDIATION = "v_mediation", "民事调解"
    V_AGENCY = "v_agency", "咨询代办"


TOWN_CATEGORIES = (
    NoticeCategory.SOCIAL_MANAGEMENT,
    NoticeCategory.PUBLIC_SERVICE,
    NoticeCategory.PRODUCTION,
    NoticeCategory.LIVING,
    NoticeCategory.OTHER_AFFAIRS,
)
VILLAGE_CATEGORIES = (
    NoticeCategory.V_RELIEF,
    NoticeCategory.V_FAMILY_PLANNING,
    NoticeCategory.V_EMPLOYMENT,
    NoticeCategory.V_MEDIATION,
    NoticeCategory.V_AGENCY,
)


class DeliveryMode(models.TextChoices):
    """How a matter reaches the town hall (SCOPE-1)."""

    DELEGATED = "delegated", "依法下放"
    EXTENDED = "extended", "延伸服务"


class CheckMethod(models.TextChoices):
    """告知承诺 check plan (国办发〔2020〕42号): how the commitment is verified afterwards."""

    WRITTEN = "written", "书面核查"
    ONLINE = "online", "网络核验"
    SITE = "site", "实地调查"
    PUBLICITY = "publicity", "公示核查"
    EXEMPT = "exempt", "免予核查"


class MatterStatus(models.TextChoices):
    DRAFT = "draft", "草稿（未发布）"
    ACTIVE = "active", "在用"
    SUSPENDED = "suspended", "暂停"
    CANCELLED = "cancelled", "取消"


class VersionState(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "现行"
    SUPERSEDED = "superseded", "历史"


class ChangeKind(models.TextChoices):
    """Why a version exists (GB/T 39046: 新增, 变更, 拆分, 合并, 暂停, 取消; 恢复 lifts a 暂停)."""

    CREATE = "create", "新增"
    CHANGE = "change", "变更"
    SPLIT = "split", "拆分"
    MERGE = "merge", "合并"
    SUSPEND = "suspend", "暂停"
    RESUME = "resume", "恢复"
    CANCEL = "cancel", "取消"


class MaterialForm(models.TextChoices):
    PAPER = "paper", "纸质"
    ELECTRONIC = "electronic", "电子"
    BOTH = "both", "纸质或电子"


DEFAULT_APPROVAL_STEPS = ["受理", "审核", "审批"]


def default_approval_steps() -> list[str]:
    return list(DEFAULT_APPROVAL_STEPS)


def parse_codes(value: str) -> list[int]:
    return [int(part) for part in value.split(",") if part.strip()]


# --- matters ------------------------------------------------------------------------------------


class Matter(models.Model):
    """A matter's stable identity. Its content is `current_version` (the published one); an unpublished
    new matter has only a draft version and status 草稿."""

    code = models.CharField(
        "实施编码", max_length=24, unique=True, help_text="GB/T 39046 实施编码，不超过24位，全市唯一"
    )
    basic_code = models.CharField("基本编码", max_length=10, db_index=True, help_text="不超过10位")
    # Denormalised from the current (or, before the first publication, the draft) version for lists.
    name = models.CharField("事项名称", max_length=200)
    status = models.CharField("状态", max_length=10, choices=MatterStatus.choices, default=MatterStatus.DRAFT)
    current_version = models.OneToOneField(
        "MatterVersion",
        verbose_name="现行版本",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="current_of",
    )
    # Search keys (services.search_keys), kept on this narrow table so a search scans short rows, not the
    # versions' long texts: name, codes and full pinyin, lower case; and the pinyin initials alone, so
    # `dbsq` matches 最低生活保障申请 as a subsequence of zdshbzsq.
    # Everyday words people use for the matter (开饭店, 办证, 新生儿), kept by the bureau; part of the search key.
    keywords = models.CharField(
        "检索关键词",
        max_length=300,
        blank=True,
        help_text="群众的常用说法，用顿号或空格分隔，如：开饭店、餐馆、办证",
    )
    search_key = models.CharField("检索键", max_length=1000, blank=True, editable=False)
    pinyin_initials = models.CharField("拼音首字母", max_length=200, blank=True, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "事项"
        ordering = ["code"]
        indexes = [models.Index(fields=["status", "code"])]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def is_published(self) -> bool:
        return self.current_version_id is not None

    @property
    def is_serviceable(self) -> bool:
        """New cases may be accepted only for a matter in use (not 暂停, not 取消)."""
        return self.status == MatterStatus.ACTIVE and self.current_version_id is not None


class MatterVersion(models.Model):
    """One snapshot of a matter's content. Drafts are edited in place; a published version is immutable
    and a change publishes a new version (number + 1) that supersedes it."""

    matter = models.ForeignKey(Matter, verbose_name="事项", on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField("版本号")
    state = models.CharField(
        "版本状态", max_length=12, choices=VersionState.choices, default=VersionState.DRAFT
    )

    # Change record: what kind of change, why, who made and who published it.
    change_kind = models.CharField(
        "变更类型", max_length=10, choices=ChangeKind.choices, default=ChangeKind.CREATE
    )
    change_reason = models.CharField("变更原因", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="编辑人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("编辑时间", auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发布人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    superseded_at = models.DateTimeField("被替代时间", null=True, blank=True)

    # Identity and classification.
    name = models.CharField("事项名称", max_length=200)
    matter_type = models.CharField("事项类型", max_length=2, choices=MatterType.choices)
    legal_basis = models.TextField("设定依据")
    levels = models.CharField(
        "行使层级",
        max_length=20,
        default="5",
        help_text="可办理的层级代码，逗号分隔：4 县级、5 镇（乡、街道）级、6 村（社区）级",
    )
    max_town_class = models.PositiveSmallIntegerField(
        "进驻镇类别",
        null=True,
        blank=True,
        choices=[(1, "仅一类镇"), (2, "一类、二类镇")],
        help_text="为空表示所有镇均应进驻（如出入境、同城通办专窗事项仅一类、二类镇）",
    )
    department = models.ForeignKey(
        "orgs.Department", verbose_name="主管部门", on_delete=models.PROTECT, related_name="matter_versions"
    )
    implementing_body = models.CharField("实施主体", max_length=100)
    implementing_body_credit_code = models.CharField("实施主体统一社会信用代码", max_length=18, blank=True)
    handling_org = models.CharField("承办机构", max_length=100, blank=True)
    category = models.CharField(
        "清单类别",
        max_length=20,
        choices=NoticeCategory.choices,
        help_text="启政办发〔2020〕37号：镇五类、村五类",
    )
    delivery_mode = models.CharField(
        "进驻方式", max_length=10, choices=DeliveryMode.choices, default=DeliveryMode.EXTENDED
    )
    window_class = models.CharField(
        "受理窗口类别", max_length=16, choices=WindowClass.choices, default=WindowClass.MINSHENG
    )
    window_department = models.ForeignKey(
        "orgs.Department",
        verbose_name="专业窗口部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="受理窗口为专业窗口时必填",
    )

    # Time limits. A 即办件 has a promised limit of 0 (finished on the spot).
    legal_limit = models.PositiveIntegerField(
        "法定办结时限", null=True, blank=True, help_text="为空表示无法定时限"
    )
    legal_limit_unit = models.CharField(
        "法定时限单位", max_length=12, choices=TimeUnit.choices, default=TimeUnit.WORKDAY
    )
    legal_limit_note = models.CharField("法定时限说明", max_length=300, blank=True)
    promised_limit = models.PositiveIntegerField("承诺办结时限", default=0)
    promised_limit_unit = models.CharField(
        "承诺时限单位", max_length=12, choices=TimeUnit.choices, default=TimeUnit.WORKDAY
    )
    promised_limit_note = models.CharField("承诺时限说明", max_length=300, blank=True)
    case_type = models.PositiveSmallIntegerField(
        "办件类型", choices=CaseType.choices, default=CaseType.PROMISED
    )

    # What, how, where.
    acceptance_conditions = models.TextField("受理条件", blank=True)
    process = models.TextField("办理流程", blank=True)
    approval_steps = models.JSONField(
        "审批环节",
        default=default_approval_steps,
        help_text='办件流转的环节名称，按顺序，如 ["受理", "审核", "审批"]；每个环节由主管部门的后台岗位办理',
    )
    special_procedures = models.JSONField(
        "特别程序", default=list, blank=True, help_text="特别程序代码列表（延长审批、听证、公示、现场勘查等）"
    )
    result_name = models.CharField("结果名称", max_length=200, blank=True)
    result_sample = models.FileField("结果样本", upload_to="catalog/results/", blank=True)
    charges = models.BooleanField("是否收费", default=False)
    fee_basis = models.TextField("收费依据", blank=True)
    fee_amount = models.DecimalField("收费金额（元）", max_digits=12, decimal_places=2, null=True, blank=True)
    fee_note = models.CharField("收费说明", max_length=300, blank=True)
    service_objects = models.CharField(
        "服务对象",
        max_length=20,
        default="1",
        help_text="代码，逗号分隔：1 自然人、2 企业法人、3 事业法人、4 社会组织法人、5 行政机关、6 其他组织",
    )
    handling_forms = models.CharField(
        "办理形式",
        max_length=20,
        default="1",
        help_text="代码，逗号分隔：1 窗口办理、2 电脑端网上办理、3 移动端网上申请、4 快递申请、9 其他",
    )
    visits = models.PositiveSmallIntegerField("到办事现场次数", default=1)
    in_person_reason = models.CharField(
        "须本人到场原因",
        max_length=100,
        blank=True,
        help_text="填写即表示该事项须申请人本人到场（如：采集指纹、现场照相），不能全程网办、到现场次数至少1次",
    )
    supports_appointment = models.BooleanField("支持预约办理", default=False)
    supports_online = models.BooleanField("支持网上办理", default=False)
    supports_online_payment = models.BooleanField("支持网上支付", default=False)
    supports_express = models.BooleanField("支持物流快递", default=False)
    online_url = models.URLField("网上办理地址", blank=True)
    location = models.CharField(
        "办理地点", max_length=200, blank=True, help_text="为空时指南显示各服务中心的地址"
    )
    office_hours = models.CharField(
        "办理时间", max_length=200, blank=True, help_text="为空时指南显示各服务中心的办公时间"
    )
    consult_phone = models.CharField("咨询电话", max_length=60, blank=True)
    supervision_phone = models.CharField("监督电话", max_length=60, blank=True)
    faq = models.TextField("常见问题", blank=True)

    # 告知承诺 check plan and 容缺 supply period.
    check_method = models.CharField(
        "告知承诺核查方式",
        max_length=10,
        choices=CheckMethod.choices,
        blank=True,
        help_text="有可告知承诺材料时必填",
    )
    check_days = models.PositiveSmallIntegerField(
        "核查时限（工作日）", null=True, blank=True, help_text="承诺后多少个工作日内完成核查；免予核查时为空"
    )
    rongque_supply_days = models.PositiveSmallIntegerField(
        "容缺补齐期限（工作日）", null=True, blank=True, help_text="有可容缺材料时必填；不得超过承诺办结时限"
    )

    class Meta:
        verbose_name = verbose_name_plural = "事项版本"
        ordering = ["matter", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["matter", "number"], name="matter_version_number_unique"),
            models.UniqueConstraint(
                fields=["matter"], condition=Q(state="draft"), name="one_draft_per_matter"
            ),
            models.UniqueConstraint(
                fields=["matter"], condition=Q(state="published"), name="one_published_version_per_matter"
            ),
            models.CheckConstraint(
                condition=~Q(window_class="professional") | Q(window_department__isnull=False),
                name="matter_professional_window_has_department",
            ),
        ]
        indexes = [models.Index(fields=["state", "category"])]

    def __str__(self) -> str:
        return f"{self.name} v{self.number}"

    @property
    def level_codes(self) -> list[int]:
        return parse_codes(self.levels)

    @property
    def service_object_codes(self) -> list[int]:
        return parse_codes(self.service_objects)

    @property
    def handling_form_codes(self) -> list[int]:
        return parse_codes(self.handling_forms)

    def levels_display(self) -> str:
        return "、".join(ExerciseLevel(c).label for c in self.level_codes)

    def service_objects_display(self) -> str:
        return "、".join(ServiceObject(c).label for c in self.service_object_codes)

    def handling_forms_display(self) -> str:
        return "、".join(HandlingForm(c).label for c in self.handling_form_codes)

    def special_procedures_display(self) -> str:
        return "、".join(SpecialProcedure(c).label for c in self.special_procedures) or "无"

    def legal_limit_display(self) -> str:
        if self.legal_limit is None:
            return "无法定时限"
        return f"{self.legal_limit}个{self.get_legal_limit_unit_display()}"

    def promised_limit_display(self) -> str:
        if self.case_type == CaseType.IMMEDIATE or self.promised_limit == 0:
            return "即办"
        return f"{self.promised_limit}个{self.get_promised_limit_unit_display()}"

    def fee_display(self) -> str:
        if not self.charges:
            return "不收费"
        amount = f"{self.fee_amount}元" if self.fee_amount is not None else "按标准收费"
        return f"收费：{amount}" + (f"（{self.fee_note}）" if self.fee_note else "")

    @property
    def is_editable(self) -> bool:
        return self.state == VersionState.DRAFT


class Material(models.Model):
    """A material (申请材料) of one matter version."""

    version = models.ForeignKey(
        MatterVersion, verbose_name="事项版本", on_delete=models.CASCADE, related_name="materials"
    )
    order = models.PositiveSmallIntegerField("序号", default=1)
    name = models.CharField("材料名称", max_length=200)
    issuer = models.CharField("出具机构", max_length=100, blank=True, help_text="如：申请人自备、公安机关")
    material_form = models.CharField(
        "材料形式", max_length=10, choices=MaterialForm.choices, default=MaterialForm.PAPER
    )
    originals = models.PositiveSmallIntegerField("原件份数", default=0)
    copies = models.PositiveSmallIntegerField("复印件份数", default=0)
    required = models.BooleanField("是否必备", default=True)
    rongque = models.BooleanField("可容缺", default=False, help_text="受理时可暂缺，限期补齐（MODE-3）")
    commitment = models.BooleanField(
        "可告知承诺", default=False, help_text="申请人可以书面承诺代替该材料（MODE-2）"
    )
    commitment_text = models.TextField(
        "告知承诺书", blank=True, help_text="可告知承诺时必填：证明义务、证明内容、虚假承诺的法律责任"
    )
    blank_form = models.FileField("空白表格", upload_to="catalog/forms/", blank=True)
    sample = models.FileField("示例样表", upload_to="catalog/samples/", blank=True)
    fill_notes = models.TextField("填报须知", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "申请材料"
        ordering = ["version", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(commitment=False) | ~Q(commitment_text=""), name="commitment_material_has_text"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def copies_display(self) -> str:
        parts = []
        if self.originals:
            parts.append(f"原件{self.originals}份")
        if self.copies:
            parts.append(f"复印件{self.copies}份")
        return "，".join(parts) or "—"


# --- which centre serves what (SCOPE-3) -------------------------------------------------------


class CentreMatterSource(models.TextChoices):
    LEVEL = "level", "按层级进驻"
    ASSIGNED = "assigned", "市局指定"
    IMPORTED = "imported", "批量导入"


class CentreServiceMode(models.TextChoices):
    """How the centre serves the matter: handles it itself, or (villages, MODE-4) consults, forwards and
    acts as agent for the town or city."""

    HANDLE = "handle", "受理办理"
    FORWARD = "forward", "帮办代办（转办）"


class CentreMatter(models.Model):
    """A matter present in a centre's hall. Removing it keeps the row (is_active False) for history."""

    centre = models.ForeignKey(
        "orgs.Centre", verbose_name="服务中心", on_delete=models.PROTECT, related_name="centre_matters"
    )
    matter = models.ForeignKey(
        Matter, verbose_name="事项", on_delete=models.PROTECT, related_name="centre_links"
    )
    service_mode = models.CharField(
        "服务方式", max_length=10, choices=CentreServiceMode.choices, default=CentreServiceMode.HANDLE
    )
    source = models.CharField(
        "进驻方式", max_length=10, choices=CentreMatterSource.choices, default=CentreMatterSource.ASSIGNED
    )
    is_active = models.BooleanField("在驻", default=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="指定人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assigned_at = models.DateTimeField("进驻时间", auto_now_add=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="撤出人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    removed_at = models.DateTimeField("撤出时间", null=True, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "中心进驻事项"
        ordering = ["centre", "matter__code"]
        constraints = [models.UniqueConstraint(fields=["centre", "matter"], name="centre_matter_unique")]
        indexes = [models.Index(fields=["centre", "is_active"])]

    def __str__(self) -> str:
        return f"{self.centre} · {self.matter}"


# --- one-time notification sheets (STD-2) -------------------------------------------------------


class ProblemKind(models.TextChoices):
    MISSING = "missing", "缺少"
    WRONG = "wrong", "有误"


class NotificationSheet(models.Model):
    """A 一次性告知单 issued at a centre: every missing or wrong material, at once, with a reason each."""

    serial = models.CharField("编号", max_length=40, unique=True)
    year = models.PositiveSmallIntegerField("年度")
    seq = models.PositiveIntegerField("年度流水号")
    centre = models.ForeignKey(
        "orgs.Centre", verbose_name="服务中心", on_delete=models.PROTECT, related_name="notification_sheets"
    )
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="经办人", on_delete=models.PROTECT, related_name="+"
    )
    clerk_staff_no = models.CharField("经办人工号", max_length=20)
    clerk_name = models.CharField("经办人姓名", max_length=40)
    matter_version = models.ForeignKey(
        MatterVersion, verbose_name="事项版本", on_delete=models.PROTECT, related_name="notification_sheets"
    )
    applicant_name = models.CharField("申请人", max_length=100, blank=True)
    # The case app owns cases; the link is kept by id so catalog does not depend on it.
    case_id = models.BigIntegerField("办件ID", null=True, blank=True, db_index=True)
    case_no = models.CharField("办件编号", max_length=50, blank=True)
    note = models.TextField("其他告知事项", blank=True)
    supply_days = models.PositiveSmallIntegerField(
        "补正期限（工作日）",
        default=SUPPLY_DAYS_DEFAULT,
        help_text="申请人应在告知之日起该数量的工作日内补齐或更正材料；期限按节假日日历计算",
    )
    created_at = models.DateTimeField("告知时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "一次性告知单"
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["centre", "year", "seq"], name="sheet_seq_unique")]

    def __str__(self) -> str:
        return self.serial

    def supply_deadline(self) -> Deadline:
        """The 补正 deadline: `supply_days` working days after the day of issue (core calendar, STD-3);
        provisional (暂定) while a year's holidays are not yet published, exact once they are."""
        return deadline(self.created_at, self.supply_days)


class NotificationItem(models.Model):
    sheet = models.ForeignKey(
        NotificationSheet, verbose_name="告知单", on_delete=models.CASCADE, related_name="items"
    )
    order = models.PositiveSmallIntegerField("序号")
    material = models.ForeignKey(
        Material, verbose_name="材料", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField("材料名称", max_length=200)
    problem = models.CharField("问题", max_length=10, choices=ProblemKind.choices)
    reason = models.CharField("原因及补正要求", max_length=500)

    class Meta:
        verbose_name = verbose_name_plural = "告知事项"
        ordering = ["sheet", "order"]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_problem_display()}）"
