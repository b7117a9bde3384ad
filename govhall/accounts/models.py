"""Staff accounts, their unit and roles, and API tokens. Citizens have their own accounts (portal)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q

from govhall.core.crypto import EncryptedTextField
from govhall.core.memo import ProcessMemo
from govhall.core.roles import Role, UnitKind  # the vocabulary lives in core; imported from here as before

# A user's role codes, remembered per process for a few seconds (core.memo): every page and API call
# checks them. Emptied on any change to a user or a role row (AccountsConfig.ready).
ROLES_MEMO: ProcessMemo[frozenset[str]] = ProcessMemo("user-roles")


class User(AbstractUser):
    """A staff member. `username` is the login; `staff_no` (工号) is on every record they touch (STD-7)."""

    full_name = models.CharField("姓名", max_length=40)
    staff_no = models.CharField("工号", max_length=20, unique=True, null=True, blank=True)
    unit_kind = models.CharField(
        "所属单位类型", max_length=12, choices=UnitKind.choices, default=UnitKind.CENTRE
    )
    centre = models.ForeignKey(
        "orgs.Centre",
        verbose_name="所属服务中心",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    department = models.ForeignKey(
        "orgs.Department",
        verbose_name="所属部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    is_auxiliary = models.BooleanField("辅助人员", default=False, help_text="编外辅助人员（SITE-6 配比）")
    photo = models.ImageField("工作照", upload_to="staff-photos/", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "工作人员"
        constraints = [
            models.CheckConstraint(
                condition=~Q(unit_kind="centre") | Q(centre__isnull=False) | Q(is_superuser=True),
                name="centre_staff_have_centre",
            ),
            models.CheckConstraint(
                condition=~Q(unit_kind="department") | Q(department__isnull=False),
                name="department_staff_have_department",
            ),
        ]

    def __str__(self) -> str:
        label = self.full_name or self.username
        return f"{label}（{self.staff_no}）" if self.staff_no else label

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    @property
    def role_codes(self) -> frozenset[str]:
        cached = getattr(self, "_role_codes", None)
        if cached is None:
            if self.pk:
                cached = ROLES_MEMO.get(
                    self.pk, lambda: frozenset(self.role_rows.values_list("role", flat=True))
                )
            else:
                cached = frozenset()
            self._role_codes = cached
        return cached

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_codes.intersection(roles))

    @property
    def is_bureau(self) -> bool:
        return self.is_superuser or self.unit_kind == UnitKind.BUREAU


class UserRole(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_rows")
    role = models.CharField("角色", max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = verbose_name_plural = "角色"
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="user_role_unique")]

    def __str__(self) -> str:
        return self.get_role_display()


class ApiToken(models.Model):
    """A staff member's API token: shown once, stored as a keyed SM3 digest, revocable."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("用途", max_length=60)
    prefix = models.CharField("前缀", max_length=12, db_index=True)
    digest = models.CharField("摘要", max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "接口令牌"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class StaffContact(models.Model):
    """A staff member's notification mobile: deadline warnings (黄牌/红牌), 差评整改 warnings and the
    本人评价 check of 好差评 use it. Staff accounts carry no phone number of their own."""

    user = models.OneToOneField(
        User,
        verbose_name="工作人员",
        on_delete=models.CASCADE,
        related_name="staff_contact",
    )
    mobile = EncryptedTextField("通知手机")

    class Meta:
        verbose_name = verbose_name_plural = "督办通知手机"

    def __str__(self) -> str:
        return str(self.user)
