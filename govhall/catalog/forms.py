"""Page forms. They only parse input into the shapes the services take; every rule about a valid matter is
in `services.version_check`, and its messages are put back onto these fields."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.db import models
from django.forms import formset_factory
from django.forms.models import fields_for_model

from govhall.orgs.models import Department

from .models import (
    ChangeKind,
    ExerciseLevel,
    HandlingForm,
    Material,
    MatterVersion,
    ProblemKind,
    ServiceObject,
    SpecialProcedure,
)
from .services import MATERIAL_FIELDS, VERSION_FIELDS

CODE_LIST = {"levels": ExerciseLevel, "service_objects": ServiceObject, "handling_forms": HandlingForm}
UPLOAD_SUFFIXES = {".pdf", ".doc", ".docx", ".xls", ".xlsx", ".wps", ".et", ".jpg", ".jpeg", ".png", ".ofd"}
TEXTAREAS = {"legal_basis", "acceptance_conditions", "process", "fee_basis", "faq"}


def _formfield(field: Any, **kwargs: Any) -> forms.Field | None:
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


def _base_fields() -> dict[str, forms.Field]:
    fields = fields_for_model(
        MatterVersion,
        fields=[
            f
            for f in VERSION_FIELDS
            if f not in CODE_LIST
            and f not in ("approval_steps", "special_procedures", "department", "window_department")
        ],
        formfield_callback=_formfield,
    )
    for name, table in CODE_LIST.items():
        fields[name] = forms.TypedMultipleChoiceField(
            label=getattr(MatterVersion._meta.get_field(name), "verbose_name", name),
            choices=table.choices,
            coerce=int,
            required=False,
            widget=forms.CheckboxSelectMultiple,
        )
    fields["department"] = forms.ModelChoiceField(
        Department.objects.order_by("code"), label="主管部门", required=False, to_field_name="code"
    )
    fields["window_department"] = forms.ModelChoiceField(
        Department.objects.order_by("code"), label="专业窗口部门", required=False, to_field_name="code"
    )
    fields["approval_steps"] = forms.CharField(
        label="审批环节", required=False, help_text="按顺序用“→”或“、”分隔，如：受理→审核→审批"
    )
    fields["special_procedures"] = forms.MultipleChoiceField(
        label="特别程序",
        choices=SpecialProcedure.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    for name, field in fields.items():
        field.required = False  # the service names what is missing, in one place
        if name in TEXTAREAS:
            field.widget = forms.Textarea(attrs={"rows": 3})
    return fields


class MatterForm(forms.Form):
    """A matter version's content (+ codes for a new matter, + the change record for a change)."""

    code = forms.CharField(label="实施编码", max_length=24, required=False)
    basic_code = forms.CharField(label="基本编码", max_length=10, required=False)
    change_kind = forms.ChoiceField(
        label="变更类型",
        required=False,
        choices=[(ChangeKind.CHANGE, "变更"), (ChangeKind.SPLIT, "拆分"), (ChangeKind.MERGE, "合并")],
    )
    change_reason = forms.CharField(label="变更原因", max_length=300, required=False)

    def __init__(self, *args: Any, new: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(_base_fields())
        self.new = new
        if not new:
            del self.fields["code"]
        else:
            del self.fields["change_kind"], self.fields["change_reason"]

    def service_data(self) -> dict[str, Any]:
        data = {name: self.cleaned_data.get(name) for name in VERSION_FIELDS}
        for name in CODE_LIST:
            data[name] = ",".join(str(c) for c in data[name] or [])
        data["approval_steps"] = data["approval_steps"] or ""
        return data

    @classmethod
    def initial_from(cls, version: MatterVersion) -> dict[str, Any]:
        initial: dict[str, Any] = {name: getattr(version, name) for name in VERSION_FIELDS}
        for name in CODE_LIST:
            initial[name] = getattr(version, name).split(",") if getattr(version, name) else []
        initial["department"] = version.department.code if version.department_id else None
        initial["window_department"] = version.window_department.code if version.window_department else None
        initial["approval_steps"] = "→".join(version.approval_steps)
        initial["basic_code"] = version.matter.basic_code
        initial["change_reason"] = version.change_reason if version.state == "draft" else ""
        return initial


def _check_upload(upload: Any) -> Any:
    if upload in (None, False):
        return upload
    if Path(upload.name).suffix.lower() not in UPLOAD_SUFFIXES:
        raise forms.ValidationError(
            f"文件“{upload.name}”类型不支持，可上传：{'、'.join(sorted(UPLOAD_SUFFIXES))}"
        )
    if upload.size > settings.UPLOAD_MAX_BYTES:
        raise forms.ValidationError(
            f"文件“{upload.name}”超过 {settings.UPLOAD_MAX_BYTES // 1024 // 1024} MB。"
        )
    return upload


class MaterialForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_fields = fields_for_model(Material, fields=[*MATERIAL_FIELDS, "blank_form", "sample"])
        for name, field in model_fields.items():
            field.required = False
            if name in ("commitment_text", "fill_notes"):
                field.widget = forms.Textarea(attrs={"rows": 2})
            self.fields[name] = field

    def clean_blank_form(self) -> Any:
        return _check_upload(self.cleaned_data.get("blank_form"))

    def clean_sample(self) -> Any:
        return _check_upload(self.cleaned_data.get("sample"))

    def service_item(self) -> dict[str, Any]:
        item = {name: self.cleaned_data.get(name) for name in MATERIAL_FIELDS}
        item["id"] = self.cleaned_data.get("id")
        for name in ("blank_form", "sample"):
            value = self.cleaned_data.get(name)
            if value is False:  # "clear" ticked
                item[name] = False
            elif value is not None and hasattr(value, "read") and not hasattr(value, "instance"):
                item[name] = value
        for name in ("originals", "copies"):
            item[name] = item[name] or 0
        return item

    def is_blank(self) -> bool:
        return not (self.cleaned_data.get("name") or "").strip()


MaterialFormSet = formset_factory(MaterialForm, extra=3, can_delete=True, max_num=60)


def material_initial(version: MatterVersion) -> list[dict[str, Any]]:
    rows = []
    for material in version.materials.all():
        row = {name: getattr(material, name) for name in (*MATERIAL_FIELDS, "blank_form", "sample")}
        row["id"] = material.pk
        rows.append(row)
    return rows


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=300, required=False)


class SheetItemForm(forms.Form):
    """One line of a notification sheet: a material of the matter (or a free name), the problem, a reason."""

    material = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label="材料名称", max_length=200, required=False)
    problem = forms.ChoiceField(label="问题", choices=[("", "无问题"), *ProblemKind.choices], required=False)
    reason = forms.CharField(label="原因及补正要求", max_length=500, required=False)


SheetItemFormSet = formset_factory(SheetItemForm, extra=0, max_num=80)
