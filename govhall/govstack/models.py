"""The GovStack Registration BB adapter's own rows: ids a GovStack client already uses for our objects, the
applicants it names by an opaque id, and documents uploaded before the application that links them.

Everything else the adapter serves lives in catalog (services, eForms) and cases (applications, tasks)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from govhall.core.crypto import EncryptedTextField


class IdKind(models.TextChoices):
    SERVICE = "service", "服务（事项）"
    EFORM = "eform", "电子表单"
    APPLICATION = "application", "申请（办件）"
    TASK = "task", "任务（办理环节）"


class ExternalId(models.Model):
    """An id a GovStack client already knows for one of our objects (a matter, a case, a step). Objects
    without one are named by a derived UUID (govhall.govstack.ids)."""

    kind = models.CharField("类型", max_length=12, choices=IdKind.choices)
    key = models.CharField("外部ID", max_length=100)
    object_id = models.BigIntegerField("本系统ID")

    class Meta:
        verbose_name = verbose_name_plural = "GovStack 外部ID"
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="govstack_external_id_unique")]
        indexes = [models.Index(fields=["kind", "object_id"], name="govstack_extid_object")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key}"


class Applicant(models.Model):
    """An applicant a GovStack client names by its `applicantId`: the identity a case needs, stored as the
    case stores it (number and phone SM4-encrypted)."""

    external_id = models.CharField("applicantId", max_length=100, unique=True)
    kind = models.CharField("申请人类型", max_length=12, default="person")
    name = models.CharField("申请人名称", max_length=100)
    id_type = models.CharField("证件类型", max_length=12, default="id_card")
    id_number = EncryptedTextField("证件号码")
    id_digest = models.CharField("证件摘要", max_length=64, db_index=True)
    phone = EncryptedTextField("联系电话")
    created_at = models.DateTimeField("登记时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "GovStack 申请人"

    def __str__(self) -> str:
        return self.external_id


class Document(models.Model):
    """A file uploaded through POST /documents, checked and stored like a case scan (cases.uploads), waiting
    for the application that names its URL; then it becomes that case's CaseFile."""

    key = models.CharField("文档ID", max_length=40, unique=True)
    storage_name = models.CharField("存储路径", max_length=200, unique=True)
    original_name = models.CharField("原文件名", max_length=200)
    kind = models.CharField("类型", max_length=10)
    size = models.PositiveIntegerField("大小")
    note = models.CharField("附加说明", max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", default=timezone.now)
    case_id = models.BigIntegerField("已关联办件", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "GovStack 上传文档"

    def __str__(self) -> str:
        return self.key
