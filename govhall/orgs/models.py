"""City → towns (and development zones) → villages, the service centres they run, their windows
and AB posts, and the departments that station staff in the halls (ORG-1..4, SITE-5, STD-4)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class DivisionKind(models.TextChoices):
    CITY = "city", "县级市"
    TOWN = "town", "镇"
    ZONE = "zone", "开发区/园区"
    VILLAGE = "village", "村"
    COMMUNITY = "community", "社区(居委会)"


class TownClass(models.IntegerChoices):
    FIRST = 1, "一类镇"
    SECOND = 2, "二类镇"
    THIRD = 3, "三类镇"


class DivisionQuerySet(models.QuerySet["Division"]):
    def active(self) -> DivisionQuerySet:
        return self.filter(valid_to__isnull=True)

    def towns(self) -> DivisionQuerySet:
        """Township-level units that run a 为民服务中心: towns and development zones."""
        return self.filter(kind__in=[DivisionKind.TOWN, DivisionKind.ZONE])

    def villages(self) -> DivisionQuerySet:
        return self.filter(kind__in=[DivisionKind.VILLAGE, DivisionKind.COMMUNITY])


class Division(models.Model):
    """An administrative division. Rows are never deleted: a rename, a merge or a conversion into a
    development zone is a DivisionChange, and records keep pointing at the division they were made in."""

    code = models.CharField("区划代码", max_length=12, unique=True)
    name = models.CharField("名称", max_length=60)
    # The NBS register's full name (e.g. 幸福一村居委会) from which `name` was derived.
    register_name = models.CharField("统计用区划名称", max_length=80, blank=True)
    kind = models.CharField("类型", max_length=12, choices=DivisionKind.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    town_class = models.PositiveSmallIntegerField("镇类别", choices=TownClass.choices, null=True, blank=True)
    valid_from = models.DateField("生效日期", null=True, blank=True)
    valid_to = models.DateField("撤销日期", null=True, blank=True, help_text="为空表示现行有效")
    successor = models.ForeignKey(
        "self",
        verbose_name="并入/继承单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
    )
    source = models.CharField("数据来源", max_length=120, blank=True)

    objects = DivisionQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "行政区划"
        ordering = ["code"]
        indexes = [models.Index(fields=["parent", "kind"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.valid_to is None

    @property
    def town(self) -> Division | None:
        """The township-level unit this division is in (itself for a town or zone)."""
        if self.kind in (DivisionKind.TOWN, DivisionKind.ZONE):
            return self
        return (
            self.parent
            if self.parent and self.parent.kind in (DivisionKind.TOWN, DivisionKind.ZONE)
            else None
        )


class DivisionChangeKind(models.TextChoices):
    CREATE = "create", "设立"
    RENAME = "rename", "更名"
    MERGE = "merge", "合并"
    CONVERT = "convert", "改设/转设"
    MOVE = "move", "调整隶属"
    ABOLISH = "abolish", "撤销"


class DivisionChange(models.Model):
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="changes")
    kind = models.CharField("变更类型", max_length=10, choices=DivisionChangeKind.choices)
    effective = models.DateField("生效日期")
    before = models.JSONField("变更前", default=dict)
    after = models.JSONField("变更后", default=dict)
    note = models.CharField("依据/说明", max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "区划变更记录"
        ordering = ["effective", "id"]

    def __str__(self) -> str:
        return f"{self.division} {self.get_kind_display()} {self.effective}"


class Department(models.Model):
    """A city department whose matters the halls take in (民政, 公安, 税务 …)."""

    code = models.CharField("部门代码", max_length=20, unique=True)
    name = models.CharField("部门名称", max_length=60)
    short_name = models.CharField("简称", max_length=20)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "部门"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.short_name or self.name


class CentreLevel(models.TextChoices):
    TOWN = "town", "镇为民服务中心"
    VILLAGE = "village", "村便民服务中心"


# What the built-in data writes where a centre's address or phone is not known yet (no public source was
# at hand): the bureau fills it in on the centre contacts page; until then the catalogue check fails the
# centre's guides (SCOPE-4).
CONTACT_PLACEHOLDER = "（待填写）"


def contact_is_missing(value: str) -> bool:
    """Blank, or still the built-in placeholder."""
    return not (value or "").strip() or "待填写" in value


class Centre(models.Model):
    """One service centre per town and per village (ORG-2). Its name is derived from the division."""

    division = models.ForeignKey(
        Division, verbose_name="行政区划", on_delete=models.PROTECT, related_name="centres"
    )
    level = models.CharField("层级", max_length=8, choices=CentreLevel.choices)
    name = models.CharField("中心名称", max_length=100, help_text="由行政区域名称派生，不可手工填写")
    parent = models.ForeignKey(
        "self",
        verbose_name="所属镇中心",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="village_centres",
    )
    address = models.CharField("地址", max_length=200, blank=True)
    location_note = models.CharField(
        "位置说明",
        max_length=200,
        blank=True,
        help_text="如何找到中心，如：镇政府大院东侧一楼，公交3路鹤城站下车",
    )
    phone = models.CharField("咨询电话", max_length=40, blank=True)
    complaint_phone = models.CharField("投诉电话", max_length=40, blank=True, default="0513-12345")
    supervision_phone = models.CharField("监督电话", max_length=40, blank=True)
    opening_hours = models.CharField(
        "办公时间",
        max_length=120,
        blank=True,
        default="周一至周五 上午8:30-12:00 下午13:30-17:30（法定节假日除外）",
    )
    seal_name = models.CharField(
        "印章名称", max_length=100, blank=True, help_text="一枚印章管审批；为空时使用中心名称"
    )
    director = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="中心主任",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="directed_centres",
    )
    is_active = models.BooleanField("运行中", default=True)
    closed_on = models.DateField("停止运行日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "服务中心"
        ordering = ["division__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["division"], condition=Q(is_active=True), name="one_active_centre_per_division"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def seal(self) -> str:
        return self.seal_name or self.name

    def contact_missing(self) -> list[str]:
        """The contact data a printed guide needs and this centre lacks (blank or placeholder)."""
        fields = (("地址", self.address), ("咨询电话", self.phone), ("办公时间", self.opening_hours))
        return [label for label, value in fields if contact_is_missing(value)]

    @property
    def town_centre(self) -> Centre:
        return self.parent if self.level == CentreLevel.VILLAGE and self.parent else self


class WindowClass(models.TextChoices):
    """Window classes of SITE-5. Ticket prefixes are settings of the queue, keyed by these."""

    MINSHENG = "minsheng", "民生综合窗口"
    JIANSHE = "jianshe", "建设综合窗口"
    SHIZHENG = "shizheng", "市政公共服务综合窗口"
    QITA = "qita", "其他事项综合窗口"
    QUANKE = "quanke", "全科窗口"
    PROFESSIONAL = "professional", "专业窗口"


COMPREHENSIVE_CLASSES = (WindowClass.MINSHENG, WindowClass.JIANSHE, WindowClass.SHIZHENG, WindowClass.QITA)


class Window(models.Model):
    centre = models.ForeignKey(
        Centre, verbose_name="服务中心", on_delete=models.PROTECT, related_name="windows"
    )
    number = models.PositiveSmallIntegerField("窗口号")
    name = models.CharField("窗口名称", max_length=60)
    window_class = models.CharField("窗口类别", max_length=16, choices=WindowClass.choices)
    department = models.ForeignKey(
        Department,
        verbose_name="进驻部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="windows",
        help_text="专业窗口必填",
    )
    same_city = models.BooleanField(
        "同城通办", default=False, help_text="出入境/税务/公积金专窗受理全市居民（一类、二类镇）"
    )
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "窗口"
        ordering = ["centre", "number"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "number"], name="window_number_unique_per_centre"),
            models.CheckConstraint(
                condition=~Q(window_class="professional") | Q(department__isnull=False),
                name="professional_window_has_department",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}号窗口（{self.name}）"


class Post(models.Model):
    """A post (岗位) with its A and B staff member (AB角工作制, STD-4)."""

    centre = models.ForeignKey(
        Centre, verbose_name="服务中心", on_delete=models.PROTECT, related_name="posts"
    )
    name = models.CharField("岗位名称", max_length=60)
    window = models.ForeignKey(
        Window, verbose_name="窗口", null=True, blank=True, on_delete=models.SET_NULL, related_name="posts"
    )
    department = models.ForeignKey(
        Department,
        verbose_name="审批部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="posts",
        help_text="后台审批岗位所属部门",
    )
    a_staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="A角", on_delete=models.PROTECT, related_name="a_posts"
    )
    b_staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="B角", on_delete=models.PROTECT, related_name="b_posts"
    )
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "岗位（AB角）"
        ordering = ["centre", "name"]
        constraints = [
            models.CheckConstraint(condition=~Q(a_staff=models.F("b_staff")), name="post_a_and_b_differ"),
        ]

    def __str__(self) -> str:
        return f"{self.centre.name} · {self.name}"
