"""The step forms of the 12345 order page; the services check everything again."""

from __future__ import annotations

from typing import Any

from django import forms

from govhall.hotline.models import VisitResult


class DispatchForm(forms.Form):
    centre: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, label="承办中心", empty_label="请选择"
    )

    def __init__(self, *args: Any, centres: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["centre"].queryset = centres  # type: ignore[attr-defined]


class AssignForm(forms.Form):
    handler: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, label="承办人", empty_label="请选择"
    )

    def __init__(self, *args: Any, handlers: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = handlers  # type: ignore[attr-defined]


class ReplyForm(forms.Form):
    text = forms.CharField(label="回复内容", max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))


class ExtensionForm(forms.Form):
    days = forms.IntegerField(label="延期（工作日）", min_value=1, max_value=30)
    reason = forms.CharField(label="延期理由", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class ExtensionDecideForm(forms.Form):
    approve = forms.TypedChoiceField(
        label="审批意见",
        choices=(("1", "同意延期"), ("0", "不同意")),
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label="说明", max_length=500, required=False)


class ReturnForm(forms.Form):
    reason = forms.CharField(label="退单理由", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class VisitForm(forms.Form):
    result = forms.ChoiceField(label="回访结果", choices=VisitResult.choices, widget=forms.RadioSelect)
    note = forms.CharField(label="回访情况", max_length=2000, required=False)


class SettingsForm(forms.Form):
    handle_days = forms.IntegerField(label="办理期限（工作日）", min_value=1, max_value=30)
    max_extension_days = forms.IntegerField(label="单次延期上限（工作日）", min_value=1, max_value=30)
    convert_bad_reviews = forms.BooleanField(label="差评转12345工单", required=False)
