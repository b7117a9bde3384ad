"""Two outboxes, both written in the caller's transaction and sent by the task worker afterwards, so a
rolled-back action sends nothing and a committed one is not lost: every SMS the system sends
(`Notification`), and every dataset reported to the provincial platform (`SyncItem`, NET-2)."""

from __future__ import annotations

import json
from typing import Any

from django.db import models
from django.utils import timezone

from govhall.core.crypto import EncryptedTextField


class Channel(models.TextChoices):
    SMS = "sms", "短信"


class NotificationStatus(models.TextChoices):
    QUEUED = "queued", "待发送"
    SENDING = "sending", "发送中"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"


class Notification(models.Model):
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices, default=Channel.SMS)
    # The number is personal data: stored SM4-encrypted, a keyed digest for look-up, a masked copy for lists.
    recipient = EncryptedTextField("接收号码")
    recipient_digest = models.CharField("号码摘要", max_length=64, db_index=True)
    recipient_masked = models.CharField("接收号码", max_length=20)
    template = models.CharField("模板", max_length=60, blank=True, help_text="如 queue.called、case.accepted")
    text = EncryptedTextField("短信内容")
    sensitive = models.BooleanField("含验证码等敏感内容", default=False, help_text="敏感内容不在管理页面显示")
    related_type = models.CharField("关联对象类型", max_length=60, blank=True)
    related_id = models.CharField("关联对象编号", max_length=64, blank=True)
    status = models.CharField(
        "状态",
        max_length=10,
        choices=NotificationStatus.choices,
        default=NotificationStatus.QUEUED,
        db_index=True,
    )
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    last_error = models.CharField("最近错误", max_length=300, blank=True)
    provider_ref = models.CharField("网关回执编号", max_length=80, blank=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now, db_index=True)
    next_attempt_at = models.DateTimeField("下次尝试时间", default=timezone.now)
    claimed_at = models.DateTimeField("开始发送时间", null=True, blank=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "短信通知"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="exchange_notif_due")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient_masked}（{self.get_status_display()}）"

    @property
    def display_text(self) -> str:
        return "（含验证码等敏感内容，不予显示）" if self.sensitive else self.text


# --- provincial platform sync (NET-2) ------------------------------------------------------------


class SyncKind(models.TextChoices):
    MATTER = "matter", "事项"
    CASE = "case", "办件"
    RATING = "rating", "好差评评价"
    REVIEW_ORDER = "review_order", "差评整改工单"
    APPEAL = "appeal", "差评申诉"
    HOTLINE = "hotline", "12345工单"


class SyncTarget(models.TextChoices):
    """Where a kind of record goes: the provincial platform (NET-2), the provincial 好差评 system (STD-6,
    国办发〔2019〕51号), the city 12345 hotline platform (国办发〔2020〕53号)."""

    PROVINCE = "province", "省政务服务平台"
    REVIEWS = "reviews", "省好差评系统"
    HOTLINE = "hotline", "12345热线平台"


TARGET_OF_KIND: dict[str, str] = {
    "matter": SyncTarget.PROVINCE,
    "case": SyncTarget.PROVINCE,
    "rating": SyncTarget.REVIEWS,
    "review_order": SyncTarget.REVIEWS,
    "appeal": SyncTarget.REVIEWS,
    "hotline": SyncTarget.HOTLINE,
}


class SyncDataset(models.TextChoices):
    """The GB/T 39046 dataset a record carries: 事项 (table 4) for a matter, 申请/受理/办理/办结 (tables 5–8)
    for a case."""

    MATTER = "matter", "事项"
    APPLY = "apply", "申请"
    ACCEPT = "accept", "受理"
    PROCESS = "process", "办理"
    FINISH = "finish", "办结"
    # 好差评 (GB/T 39734/39735): a rating, the steps of a 差评 work order, an appeal's result
    RATING = "rating", "评价"
    VERIFY = "verify", "回访核实"
    DECIDE = "decide", "整改处理"
    LEDGER = "ledger", "台账整改完成"
    REPLY = "reply", "答复"
    VISIT = "visit", "回访"
    CLOSE = "close", "办结"
    APPEAL = "appeal", "申诉复核结果"
    # 12345 work orders: every step reported back to the hotline platform
    CREATE = "create", "差评转办"
    DISPATCH = "dispatch", "派单"
    ASSIGN = "assign", "承办"
    EXTEND = "extend", "延期申请"
    EXTEND_DECIDE = "extend_decide", "延期审批"
    RETURN = "return", "退单"


DATASETS_OF_KIND: dict[str, tuple[str, ...]] = {
    SyncKind.MATTER: (SyncDataset.MATTER,),
    SyncKind.CASE: (SyncDataset.APPLY, SyncDataset.ACCEPT, SyncDataset.PROCESS, SyncDataset.FINISH),
    SyncKind.RATING: (SyncDataset.RATING,),
    SyncKind.REVIEW_ORDER: (
        SyncDataset.VERIFY,
        SyncDataset.DECIDE,
        SyncDataset.LEDGER,
        SyncDataset.REPLY,
        SyncDataset.VISIT,
        SyncDataset.CLOSE,
    ),
    SyncKind.APPEAL: (SyncDataset.APPEAL,),
    SyncKind.HOTLINE: (
        SyncDataset.CREATE,
        SyncDataset.DISPATCH,
        SyncDataset.ASSIGN,
        SyncDataset.REPLY,
        SyncDataset.EXTEND,
        SyncDataset.EXTEND_DECIDE,
        SyncDataset.RETURN,
        SyncDataset.VISIT,
    ),
}


class SyncStatus(models.TextChoices):
    QUEUED = "queued", "待发送"
    SENDING = "sending", "发送中"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"
    SUPERSEDED = "superseded", "已被新数据替代"


class SyncItem(models.Model):
    """One dataset snapshot of one object to report to the provincial platform (江苏政务服务网 / 一窗综合受理
    平台). Written in the transaction of the change it reports, sent by the task worker after commit.

    The payload is frozen when queued: what is sent is what the object looked like then. It can hold an
    applicant's identity number, so it is stored SM4-encrypted; `payload_digest` (keyed SM3 over the
    canonical JSON) tells whether a payload was already queued or sent without decrypting it."""

    kind = models.CharField("对象类型", max_length=16, choices=SyncKind.choices)
    object_id = models.CharField("对象编号", max_length=64)
    object_label = models.CharField("对象", max_length=120, help_text="事项实施编码或办件编号")
    dataset = models.CharField("数据集", max_length=16, choices=SyncDataset.choices)
    stream = models.CharField(
        "发送顺序组",
        max_length=40,
        blank=True,
        default="",
        help_text="同组记录按生成顺序发送（如全部好差评数据）；为空时同一对象的记录按顺序发送",
    )
    payload_text = EncryptedTextField("数据内容")
    payload_digest = models.CharField("数据摘要", max_length=64)
    status = models.CharField(
        "状态", max_length=12, choices=SyncStatus.choices, default=SyncStatus.QUEUED, db_index=True
    )
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    last_error = models.CharField("最近错误", max_length=500, blank=True)
    receipt_id = models.CharField("省平台回执编号", max_length=100, blank=True)
    superseded_by = models.ForeignKey(
        "self", verbose_name="被替代为", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", default=timezone.now, db_index=True)
    next_attempt_at = models.DateTimeField("下次尝试时间", default=timezone.now)
    claimed_at = models.DateTimeField("开始发送时间", null=True, blank=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "省平台同步记录"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="exchange_sync_due"),
            models.Index(fields=["kind", "object_id", "dataset"], name="exchange_sync_object"),
            models.Index(fields=["stream", "status"], name="exchange_sync_stream"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.object_label} · {self.get_dataset_display()}（{self.get_status_display()}）"

    @property
    def payload(self) -> dict[str, Any]:
        return json.loads(self.payload_text)

    @property
    def target(self) -> str:
        return TARGET_OF_KIND[self.kind]
