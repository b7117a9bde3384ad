"""Forms for the rating pages (public) and the work-order, appeal and flag pages (staff). The services check
everything again; these only shape the input."""

from __future__ import annotations

from typing import Any

from django import forms

from govhall.reviews.models import (
    AppealReason,
    Finding,
    Level,
    Outcome,
    ReviewSettings,
    VisitSatisfaction,
)
from govhall.reviews.services import SETTING_FIELDS

LEVEL_CHOICES = [(str(v), label) for v, label in Level.choices]


class RatingForm(forms.Form):
    level = forms.ChoiceField(
        label="总体评价",
        choices=LEVEL_CHOICES,
        widget=forms.RadioSelect,
        error_messages={
            "required": "请选择总体评价。",
            "invalid_choice": "评价等级应为1（非常满意）至5（非常不满意）。",
        },
    )
    text = forms.CharField(
        label="意见或建议（选填）", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    phone = forms.CharField(label="手机号码（选填，便于我们回访）", required=False, max_length=20)

    def __init__(self, *args: Any, aspects: dict[str, str], ask_phone: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.aspect_codes = list(aspects)
        for code, label in aspects.items():
            self.fields[f"aspect_{code}"] = forms.ChoiceField(
                label=label, choices=[("", "—"), *LEVEL_CHOICES], required=False, widget=forms.RadioSelect
            )
        if not ask_phone:
            del self.fields["phone"]

    def aspect_fields(self) -> list[Any]:
        return [self[f"aspect_{c}"] for c in self.aspect_codes]

    def aspects(self) -> dict[str, str]:
        return {c: self.cleaned_data.get(f"aspect_{c}") or "" for c in self.aspect_codes}


class SupplementForm(forms.Form):
    text = forms.CharField(label="补充评价", max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class LookupForm(forms.Form):
    number = forms.CharField(label="办件编号", max_length=50)
    password = forms.CharField(label="查询密码", max_length=20)


class VerifyForm(forms.Form):
    finding = forms.ChoiceField(label="核实结论", choices=Finding.choices)
    note = forms.CharField(label="核实情况", widget=forms.Textarea(attrs={"rows": 3}))


class DecideForm(forms.Form):
    outcome = forms.ChoiceField(label="处理方式", choices=Outcome.choices, widget=forms.RadioSelect)
    measures = forms.CharField(label="整改措施 / 解释说明", widget=forms.Textarea(attrs={"rows": 3}))
    ledger_due = forms.DateField(
        label="台账整改期限（列入台账时填写）", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class NoteForm(forms.Form):
    note = forms.CharField(label="说明", widget=forms.Textarea(attrs={"rows": 2}))


class ReplyForm(forms.Form):
    text = forms.CharField(
        label="答复内容（将短信发送给评价人）", max_length=400, widget=forms.Textarea(attrs={"rows": 3})
    )


class VisitForm(forms.Form):
    satisfaction = forms.ChoiceField(label="回访满意度", choices=VisitSatisfaction.choices)
    note = forms.CharField(label="回访情况", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AppealForm(forms.Form):
    reason = forms.ChoiceField(label="申诉理由", choices=AppealReason.choices)
    statement = forms.CharField(label="事实和理由", widget=forms.Textarea(attrs={"rows": 3}))


class DecisionForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label="复核结论",
        choices=[("1", "申诉成立（不计入统计）"), ("0", "申诉不成立")],
        coerce=lambda v: v == "1",
    )
    note = forms.CharField(label="复核意见", widget=forms.Textarea(attrs={"rows": 2}))


class FlagDecisionForm(forms.Form):
    confirmed = forms.TypedChoiceField(
        label="核查结论",
        choices=[("0", "核查正常"), ("1", "确认异常（不计入统计）")],
        coerce=lambda v: v == "1",
    )
    note = forms.CharField(label="核查意见", max_length=300)


class SettingsForm(forms.ModelForm):
    class Meta:
        model = ReviewSettings
        fields = list(SETTING_FIELDS)
