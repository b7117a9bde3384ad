"""The notification outbox: every SMS the system sends, written in the caller's transaction and sent
by the task worker afterwards, so a rolled-back action sends nothing and a committed one is not lost."""

from __future__ import annotations

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
    sensitive = models.BooleanField("含验证码等敏感内容", default=False,
                                    help_text="敏感内容不在管理页面显示")
    related_type = models.CharField("关联对象类型", max_length=60, blank=True)
    related_id = models.CharField("关联对象编号", max_length=64, blank=True)
    status = models.CharField("状态", max_length=10, choices=NotificationStatus.choices,
                              default=NotificationStatus.QUEUED, db_index=True)
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
