"""The bureau's composition form: the thing, up to four questions and up to eight members, each row a plain
form so the page works without JavaScript; ``composition_input`` turns the rows into the service's input."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django import forms

from govhall.catalog.models import Matter, MatterStatus

from .services import CompositionInput, MemberInput, QuestionInput

MAX_QUESTIONS, MAX_MEMBERS = 4, 8


class ThingForm(forms.Form):
    code = forms.CharField(
        label="一件事编码", max_length=20, required=False, help_text="如 YJS-0004；新增时填写"
    )
    name = forms.CharField(label="名称", max_length=100)
    life_event = forms.CharField(label="人生事件/企业事件", max_length=60)
    summary = forms.CharField(label="简介", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    promised_limit = forms.IntegerField(label="承诺办结时限（工作日，0为即办）", min_value=0, max_value=365)
    reason = forms.CharField(
        label="变更原因", max_length=300, required=False, help_text="修改已发布的一件事时填写"
    )


class QuestionForm(forms.Form):
    code = forms.CharField(
        label="问题代码", max_length=30, required=False, help_text="小写字母开头，如 invoice"
    )
    text = forms.CharField(label="问题", max_length=200, required=False)
    help_text = forms.CharField(label="说明", max_length=300, required=False)


def matter_choices() -> list[tuple[str, str]]:
    rows = Matter.objects.filter(status=MatterStatus.ACTIVE, current_version__isnull=False).order_by("code")
    return [("", "（不选）")] + [(m.code, f"{m.name}（{m.code}）") for m in rows]


class MemberForm(forms.Form):
    matter_code = forms.ChoiceField(label="事项", required=False)
    after = forms.CharField(
        label="前置事项序号", max_length=40, required=False, help_text="如 1 或 1,2；为空表示可并联"
    )
    condition_question = forms.CharField(label="办理条件（问题代码）", max_length=30, required=False)
    condition_answer = forms.TypedChoiceField(
        label="条件答案",
        choices=[("1", "回答“是”时办理"), ("0", "回答“否”时办理")],
        coerce=lambda v: v == "1",
        initial="1",
    )
    same_as = forms.CharField(
        label="材料视同",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="每行“本事项材料名=视同的材料名”，同一材料只收一次",
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["matter_code"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices or [("", "（不选）")]

    def clean_after(self) -> tuple[int, ...]:
        raw = self.cleaned_data.get("after", "")
        parts = [p for p in re.split(r"[,，、\s]+", raw) if p]
        if not all(p.isdigit() for p in parts):
            raise forms.ValidationError("前置事项请填写序号，如 1 或 1,2。")
        return tuple(int(p) for p in parts)

    def clean_same_as(self) -> dict[str, str]:
        links: dict[str, str] = {}
        for line in (self.cleaned_data.get("same_as") or "").splitlines():
            if not line.strip():
                continue
            if "=" not in line:
                raise forms.ValidationError(f"“{line.strip()}”应写成“材料名=视同的材料名”。")
            name, same = (x.strip() for x in line.split("=", 1))
            if not name or not same:
                raise forms.ValidationError(f"“{line.strip()}”两侧都要填写材料名。")
            links[name] = same
        return links


def formsets(
    data: Any = None,
    *,
    questions: list[dict[str, Any]] | None = None,
    members: list[dict[str, Any]] | None = None,
) -> tuple[Any, Any]:
    """The question and member rows: the existing ones, then blank rows up to four and eight."""
    questions, members = questions or [], members or []
    q_set = forms.formset_factory(
        QuestionForm, extra=max(MAX_QUESTIONS - len(questions), 0), max_num=MAX_QUESTIONS
    )
    m_set = forms.formset_factory(MemberForm, extra=max(MAX_MEMBERS - len(members), 0), max_num=MAX_MEMBERS)
    choices = matter_choices()
    return (
        q_set(data, initial=questions, prefix="q"),
        m_set(data, initial=members, prefix="m", form_kwargs={"choices": choices}),
    )


def composition_input(form: ThingForm, questions: Any, members: Any) -> CompositionInput:
    data = form.cleaned_data
    return CompositionInput(
        name=data["name"],
        life_event=data["life_event"],
        summary=data.get("summary") or "",
        promised_limit=data["promised_limit"],
        questions=[
            QuestionInput(
                q.cleaned_data["code"].strip(), q.cleaned_data["text"].strip(), q.cleaned_data["help_text"]
            )
            for q in questions.forms
            if q.cleaned_data.get("code") or q.cleaned_data.get("text")
        ],
        members=[
            MemberInput(
                matter_code=m.cleaned_data["matter_code"],
                after=m.cleaned_data["after"],
                condition_question=m.cleaned_data["condition_question"].strip(),
                condition_answer=m.cleaned_data["condition_answer"],
                same_as=m.cleaned_data["same_as"],
            )
            for m in members.forms
            if m.cleaned_data.get("matter_code")
        ],
    )


def initial_rows(version: Any) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """The form's rows for an existing version (the draft, or the current one to start a change)."""
    thing = version.thing
    head = {
        "code": thing.code,
        "name": thing.name,
        "life_event": thing.life_event,
        "summary": version.summary,
        "promised_limit": version.promised_limit,
    }
    questions = [
        {"code": q.code, "text": q.text, "help_text": q.help_text}
        for q in version.questions.order_by("order")
    ]
    members = [
        {
            "matter_code": m.matter_version.matter.code,
            "after": ",".join(str(a.order) for a in m.after.order_by("order")),
            "condition_question": m.condition_question,
            "condition_answer": "1" if m.condition_answer else "0",
            "same_as": "\n".join(f"{link.material_name}={link.same_as}" for link in m.material_links.all()),
        }
        for m in version.members.select_related("matter_version__matter").order_by("order")
    ]
    return head, questions, members


# --- the merged form of an application (one applicant, one address, the questions first) ----------------

APPLICANT_FIELDS = ("kind", "name", "id_type", "id_number", "phone", "address", "legal_representative")


def applicant_from(data: Mapping[str, Any]) -> dict[str, str]:
    """One applicant for every member (the case services validate it, once per member, the same way)."""
    return {name: str(data.get(f"applicant_{name}", "")).strip() for name in APPLICANT_FIELDS}


def materials_from(data: Any, keys: list[str]) -> dict[str, str]:
    """The one checklist: each material of the set ticked received, else missing."""
    ticked = set(data.getlist("received")) if hasattr(data, "getlist") else set(data.get("received", []))
    return {key: ("received" if key in ticked else "missing") for key in keys}


def excused_from(data: Any, name: str) -> list[str]:
    return [str(v) for v in (data.getlist(name) if hasattr(data, "getlist") else data.get(name, []))]
