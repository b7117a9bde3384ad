"""Input forms for the staffing pages. They parse and shape input; the rules live in services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from govhall.staffing.indicators import registered_indicators
from govhall.staffing.models import EnquiryChannel, LeaveKind, ManualItemKind, SchemeScope


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class EnquiryForm(forms.Form):
    question = forms.CharField(label="咨询内容", widget=forms.Textarea(attrs={"rows": 3}))
    channel = forms.ChoiceField(
        label="咨询方式", choices=EnquiryChannel.choices, initial=EnquiryChannel.ON_SITE
    )
    asker_name = forms.CharField(label="咨询人姓名", required=False, max_length=40)
    asker_phone = forms.CharField(label="联系电话", required=False, max_length=20)
    matter_code = forms.CharField(label="事项实施编码（可选）", required=False, max_length=24)
    answer = forms.CharField(
        label="当场答复（可选，填写即记为已答复）", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(label="答复内容", widget=forms.Textarea(attrs={"rows": 3}))


class HandOverForm(forms.Form):
    to: forms.ModelChoiceField = forms.ModelChoiceField(
        label="转交给（指定同事）",
        queryset=None,  # type: ignore[arg-type]
        empty_label="请选择",
    )
    note = forms.CharField(label="转交说明", required=False, max_length=300)

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = candidates  # type: ignore[attr-defined]
        self.fields["to"].label_from_instance = lambda u: str(u)  # type: ignore[attr-defined]


class LeaveForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=LeaveKind.choices)
    start_at = forms.DateTimeField(
        label="开始时间", widget=LocalDateTimeInput(), input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )
    end_at = forms.DateTimeField(
        label="结束时间", widget=LocalDateTimeInput(), input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )
    reason = forms.CharField(label="事由", max_length=300)


class DecisionForm(forms.Form):
    note = forms.CharField(label="审批意见", required=False, max_length=300)


class AttendanceSettingsForm(forms.Form):
    sign_in_deadline = forms.TimeField(
        label="签到截止时间", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )


def month_choices() -> list[tuple[str, str]]:
    today = timezone.localdate()
    out = []
    y, m = today.year, today.month
    for _ in range(24):
        out.append((f"{y:04d}-{m:02d}", f"{y}年{m}月"))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out


def parse_month(value: str | None) -> dt.date | None:
    try:
        year, month = (value or "").split("-")
        return dt.date(int(year), int(month), 1)
    except (ValueError, TypeError):
        return None


class ManualItemForm(forms.Form):
    staff_no = forms.CharField(label="工号", max_length=20)
    month = forms.CharField(label="考核月份（YYYY-MM）", max_length=7)
    kind = forms.ChoiceField(label="类别", choices=ManualItemKind.choices)
    points = forms.DecimalField(label="加减分（扣分填负数）", max_digits=6, decimal_places=2)
    what = forms.CharField(label="事项", max_length=200)
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 3}))
    decided_by = forms.CharField(label="决定人/决定机关", max_length=100)
    decided_on = forms.DateField(label="决定日期", widget=forms.DateInput(attrs={"type": "date"}))

    def clean_month(self) -> dt.date:
        month = parse_month(self.cleaned_data["month"])
        if month is None:
            raise forms.ValidationError("月份格式应为YYYY-MM，例如2026-03。")
        return month


class SchemeForm(forms.Form):
    """One weight field per registered indicator; leave a weight empty to leave the indicator out."""

    name = forms.CharField(label="方案名称", max_length=100)
    scope = forms.ChoiceField(label="适用范围", choices=SchemeScope.choices)
    notes = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for definition in registered_indicators():
            self.fields[f"w_{definition.code}"] = forms.DecimalField(
                label=f"{definition.label}（{definition.code}）权重",
                required=False,
                max_digits=5,
                decimal_places=2,
                help_text=definition.description,
            )

    def weights(self) -> list[tuple[str, Any]]:
        return [
            (name[2:], value)
            for name, value in self.cleaned_data.items()
            if name.startswith("w_") and value not in (None, "")
        ]
