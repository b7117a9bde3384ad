"""The daily roll-up (GOV-1): one row per centre × day × indicator, and per window / clerk (or a breakdown
key such as a pause reason) where the indicator needs it. Dashboards, exports and the monthly 通报 read
these rows, never the case table. Rows are derived data: `govhall reports rebuild` recomputes any day."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class DailyFigure(models.Model):
    centre = models.ForeignKey(
        "orgs.Centre", verbose_name="服务中心", on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField("日期")
    indicator = models.CharField("指标", max_length=40)
    window = models.ForeignKey(
        "orgs.Window", verbose_name="窗口", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="工作人员",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    key = models.CharField("分项", max_length=20, blank=True, help_text="如暂停原因")
    # Counts are exact integers in `value`; a rate keeps its numerator and denominator (the value is the
    # percentage to two places, for reading only: sums over centres use the parts).
    value = models.DecimalField("数值", max_digits=14, decimal_places=2)
    numerator = models.BigIntegerField("分子", null=True, blank=True)
    denominator = models.BigIntegerField("分母", null=True, blank=True)
    computed_at = models.DateTimeField("计算时间")

    class Meta:
        verbose_name = verbose_name_plural = "每日统计"
        indexes = [
            models.Index(fields=["day", "indicator", "centre"], name="figure_day_indicator"),
            models.Index(fields=["centre", "day"], name="figure_centre_day"),
        ]

    def __str__(self) -> str:
        return f"{self.centre_id} {self.day} {self.indicator}={self.value}"


class Generation(models.Model):
    """The roll-up's past-days generation: one row whose `value` goes up whenever past days' rows are
    rewritten (`reports rebuild`, yesterday finalised). Cached city tables of past periods carry it in
    their keys, so a rebuild invalidates them at once in every process."""

    value = models.BigIntegerField("代次", default=0)
    changed_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "统计代次"

    def __str__(self) -> str:
        return f"generation {self.value}"
