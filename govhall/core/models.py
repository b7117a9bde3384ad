from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models


class AppendOnlyError(Exception):
    pass


class AuditQuerySet(models.QuerySet["AuditEntry"]):
    """Bulk update/delete would bypass AuditEntry.save()/delete(): refuse them too."""

    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("审计日志只能追加，不能修改。")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("审计日志只能追加，不能删除。")

    update.queryset_only = True  # type: ignore[attr-defined]
    delete.queryset_only = True  # type: ignore[attr-defined]


class AuditEntry(models.Model):
    """Append-only audit log. Each entry's SM3 hash covers its content and the previous entry's hash,
    so editing or deleting an old row breaks the chain (`govhall audit verify`)."""

    seq = models.BigIntegerField("序号", unique=True)
    at = models.DateTimeField("时间", db_index=True)
    # DO_NOTHING, not SET_NULL: deleting a user must not rewrite (and so break) the chained entries;
    # actor_label keeps the name.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
    )
    actor_label = models.CharField("操作人", max_length=80, blank=True)
    ip = models.CharField("来源地址", max_length=45, blank=True)
    action = models.CharField("操作", max_length=60, db_index=True)
    object_type = models.CharField("对象类型", max_length=60, blank=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True)
    before = models.JSONField("变更前", null=True, blank=True)
    after = models.JSONField("变更后", null=True, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "审计日志"
        ordering = ["seq"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("审计日志只能追加，不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError("审计日志只能追加，不能删除。")


class AuditHead(models.Model):
    """The chain's head (last seq and hash), updated in the same transaction as every append.
    Deleting the newest entries (tail truncation) leaves the head pointing past the end, which
    `govhall audit verify` reports. One row, pk=1."""

    seq = models.BigIntegerField("最新序号")
    hash = models.CharField("最新哈希", max_length=64)

    class Meta:
        verbose_name = verbose_name_plural = "审计日志链尾"

    def __str__(self) -> str:
        return f"#{self.seq}"


class CalendarYear(models.Model):
    """A year whose holidays the bureau has entered (from the State Council's notice).

    A year is known when chinesecalendar covers it or a row here says the bureau's table is complete.
    For a complete year the bureau's table is the whole truth: its CalendarDay rows, and otherwise
    Monday–Friday working. For other years single CalendarDay rows override chinesecalendar."""

    year = models.PositiveSmallIntegerField("年份", unique=True)
    source = models.CharField("依据", max_length=200, help_text="如：国办发明电〔2026〕X号")
    complete = models.BooleanField(
        "全年已录入",
        default=True,
        help_text="勾选后，本年以本表为准：表中列出的放假日和调休上班日之外，周一至周五上班、周六周日休息。",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "节假日年度"
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year}年"


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", "放假"
    WORKDAY = "workday", "调休上班"


WEEKDAY_NAMES = "一二三四五六日"


def calendar_day_problem(date: dt.date, kind: str) -> str:
    """Why this entry cannot be right, or "": a make-up working day (调休上班) is always a Saturday
    or Sunday, so one on a weekday is a typing error."""
    if kind == DayKind.WORKDAY and date.weekday() < 5:
        return f"{date:%Y-%m-%d}是星期{WEEKDAY_NAMES[date.weekday()]}，本来就是工作日；调休上班只能是周六或周日。"
    return ""


class CalendarDay(models.Model):
    """A bureau-kept holiday or make-up working day; overrides chinesecalendar for its date."""

    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=8, choices=DayKind.choices)
    name = models.CharField("名称", max_length=40, blank=True, help_text="如：春节、国庆节")

    class Meta:
        verbose_name = verbose_name_plural = "节假日与调休"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"

    def clean(self) -> None:
        if self.date and self.kind:
            problem = calendar_day_problem(self.date, self.kind)
            if problem:
                raise ValidationError({"kind": problem})


class ProvisionalDate(models.Model):
    """A stored deadline that is provisional (暂定): part of its working-day count fell in a year whose
    holidays were unknown and was counted Monday–Friday (STD-3). ``anchor`` and ``days`` are the exact
    rest of the count (``calendar.deadline(anchor, days)``), so importing that year recomputes it
    exactly (``govhall.core.provisional.recompute``). One row per (object, field); the row goes when the
    date becomes exact or its object no longer needs it."""

    model = models.CharField("对象类型", max_length=60)  # "app_label.ModelName"
    object_id = models.CharField("对象编号", max_length=64)
    field = models.CharField("字段", max_length=40)
    anchor = models.DateField("确定部分截至")
    days = models.PositiveIntegerField("其后工作日数")
    waits_for_year = models.PositiveSmallIntegerField("待定年份", db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "暂定期限"
        constraints = [
            models.UniqueConstraint(fields=["model", "object_id", "field"], name="provisional_date_unique")
        ]

    def __str__(self) -> str:
        return f"{self.model}#{self.object_id}.{self.field} 待{self.waits_for_year}年"
