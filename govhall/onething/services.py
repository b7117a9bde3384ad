"""Writes of 一件事: compose a draft, publish it, withdraw it (MODE-1, SCOPE-4). Every rule of what a valid
composition is lives in ``rules``; this module turns input into rows inside one transaction, or refuses with a
Chinese message and writes nothing."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from govhall.catalog.models import Matter, MatterStatus, VersionState
from govhall.core.audit import audit_record
from govhall.core.errors import Conflict, ServiceError, field_error

from . import rules
from .models import (
    MaterialLink,
    Member,
    OneThing,
    OneThingVersion,
    Question,
    ThingStatus,
    ThingVersionState,
)
from .policy import require_compose
from .selectors import member_spec

CODE_RE = re.compile(r"^YJS-\d{4}$")


@dataclass(frozen=True)
class QuestionInput:
    code: str
    text: str
    help_text: str = ""


@dataclass(frozen=True)
class MemberInput:
    matter_code: str
    after: tuple[int, ...] = ()  # positions (1-based) of members that must finish first
    condition_question: str = ""
    condition_answer: bool = True
    same_as: Mapping[str, str] = field(default_factory=dict)  # material name → the document it is


@dataclass(frozen=True)
class CompositionInput:
    name: str
    life_event: str
    promised_limit: int
    members: Sequence[MemberInput]
    questions: Sequence[QuestionInput] = ()
    summary: str = ""


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _check_input(data: CompositionInput) -> None:
    if not data.name.strip():
        raise field_error("name", "请填写“一件事”名称。")
    if not data.life_event.strip():
        raise field_error("life_event", "请填写对应的人生事件或企业事件。")
    codes = [q.code for q in data.questions]
    if len(set(codes)) != len(codes):
        raise field_error("questions", "情形问题的代码不能重复。")
    for q in data.questions:
        if not re.fullmatch(r"[a-z][a-z0-9_]{0,29}", q.code) or not q.text.strip():
            raise field_error("questions", f"情形问题「{q.text or q.code}」的代码或内容不正确。")
    for i, m in enumerate(data.members, start=1):
        if m.condition_question and m.condition_question not in codes:
            raise field_error(
                "members", f"第{i}个成员事项的办理条件引用了不存在的问题「{m.condition_question}」。"
            )
        for pos in m.after:
            if not 1 <= pos <= len(data.members):
                raise field_error("members", f"第{i}个成员事项的前置事项序号{pos}不存在。")


def _write(version: OneThingVersion, data: CompositionInput) -> None:
    """Replace the draft's content with ``data`` and check the result against the rules."""
    version.questions.all().delete()
    version.members.all().delete()
    version.summary = data.summary.strip()
    version.promised_limit = data.promised_limit
    version.save()
    Question.objects.bulk_create(
        Question(version=version, order=i, code=q.code, text=q.text.strip(), help_text=q.help_text.strip())
        for i, q in enumerate(data.questions, start=1)
    )
    members: list[Member] = []
    for i, m in enumerate(data.members, start=1):
        matter = Matter.objects.select_related("current_version").filter(code=m.matter_code.strip()).first()
        if matter is None or matter.current_version is None or not matter.is_serviceable:
            raise field_error("members", f"第{i}个成员事项（实施编码 {m.matter_code}）不存在或未在用。")
        members.append(
            Member.objects.create(
                version=version,
                order=i,
                matter_version=matter.current_version,
                condition_question=m.condition_question,
                condition_answer=m.condition_answer,
            )
        )
        MaterialLink.objects.bulk_create(
            MaterialLink(member=members[-1], material_name=name, same_as=same)
            for name, same in m.same_as.items()
            if same.strip()
        )
    for member, m in zip(members, data.members, strict=True):
        member.after.set([members[pos - 1] for pos in m.after])
    _check_version(version)


def _check_version(version: OneThingVersion) -> None:
    specs = [member_spec(m) for m in version.members.order_by("order")]
    errors = rules.composition_errors(version.promised_limit, specs)
    if errors:
        raise ServiceError(errors[0], fields={"composition": "；".join(errors)})


def thing_create(*, actor: Any, code: str, data: CompositionInput, is_sample: bool = False) -> OneThing:
    """A new 一件事 with its first draft; ``thing_publish`` makes it public."""
    require_compose(actor)
    code = (code or "").strip().upper()
    if not CODE_RE.match(code):
        raise field_error("code", "一件事编码应为“YJS-”加4位数字，如 YJS-0001。")
    _check_input(data)
    with transaction.atomic():
        if OneThing.objects.filter(code=code).exists():
            raise Conflict(f"一件事编码“{code}”已存在。", fields={"code": "编码已存在。"})
        thing = OneThing.objects.create(
            code=code, name=data.name.strip(), life_event=data.life_event.strip(), is_sample=is_sample
        )
        version = OneThingVersion.objects.create(thing=thing, number=1, created_by=_user(actor))
        _write(version, data)
        audit_record(action="onething.create", obj=thing, after={"version": 1}, actor=_user(actor))
    return thing


def _lock(thing: OneThing) -> OneThing:
    return OneThing.objects.select_for_update().get(pk=thing.pk)


def thing_draft_save(
    *, actor: Any, thing: OneThing, data: CompositionInput, reason: str = ""
) -> OneThingVersion:
    """Edit the draft, opening one from the current version's number + 1 when there is none."""
    require_compose(actor)
    _check_input(data)
    with transaction.atomic():
        thing = _lock(thing)
        draft = thing.versions.filter(state=ThingVersionState.DRAFT).first()
        if draft is None:
            last = thing.versions.order_by("-number").first()
            draft = OneThingVersion.objects.create(
                thing=thing, number=(last.number if last else 0) + 1, created_by=_user(actor)
            )
        draft.change_reason = reason.strip()[:300]
        _write(draft, data)
        thing.name, thing.life_event = data.name.strip(), data.life_event.strip()
        thing.save(update_fields=["name", "life_event"])
        audit_record(
            action="onething.draft_save", obj=thing, after={"version": draft.number}, actor=_user(actor)
        )
    return draft


def _stale_members(version: OneThingVersion) -> list[str]:
    """Members whose matter version is no longer the one in force (withdrawn, suspended or superseded)."""
    stale = []
    for member in version.members.select_related("matter_version__matter"):
        mv = member.matter_version
        if mv.state != VersionState.PUBLISHED or mv.matter.status != MatterStatus.ACTIVE:
            stale.append(mv.name)
    return stale


def thing_publish(*, actor: Any, thing: OneThing, reason: str = "") -> OneThingVersion:
    require_compose(actor)
    with transaction.atomic():
        thing = _lock(thing)
        draft = thing.versions.filter(state=ThingVersionState.DRAFT).first()
        if draft is None:
            raise Conflict("该“一件事”没有待发布的草稿。")
        stale = _stale_members(draft)
        if stale:
            raise ServiceError(
                "成员事项「" + "」「".join(stale) + "」的版本已停用或被替代，请重新保存草稿以采用现行版本。",
                fields={"composition": "成员事项版本已不在用。"},
            )
        _check_version(draft)
        previous = thing.current_version
        reason = (reason or draft.change_reason).strip()
        if previous is not None and not reason:
            raise field_error("change_reason", "发布变更必须填写「变更原因」。")
        now = timezone.now()
        if previous is not None:
            previous.state = ThingVersionState.SUPERSEDED
            previous.superseded_at = now
            previous.save(update_fields=["state", "superseded_at"])
        draft.state = ThingVersionState.PUBLISHED
        draft.published_by, draft.published_at = _user(actor), now
        draft.change_reason = (reason or "新增一件事")[:300]
        draft.save()
        thing.current_version = draft
        thing.status = ThingStatus.ACTIVE
        thing.save(update_fields=["current_version", "status"])
        audit_record(
            action="onething.publish",
            obj=thing,
            before={"version": previous.number} if previous else None,
            after={"version": draft.number, "reason": draft.change_reason},
            actor=_user(actor),
        )
    return draft


def thing_withdraw(*, actor: Any, thing: OneThing, reason: str) -> OneThing:
    require_compose(actor)
    if not (reason or "").strip():
        raise field_error("reason", "停用必须填写原因。")
    with transaction.atomic():
        thing = _lock(thing)
        if thing.status != ThingStatus.ACTIVE:
            raise Conflict("该“一件事”不在用，无需停用。")
        thing.status = ThingStatus.WITHDRAWN
        thing.save(update_fields=["status"])
        audit_record(action="onething.withdraw", obj=thing, note=reason.strip()[:300], actor=_user(actor))
    return thing


def answers_for(version: OneThingVersion, raw: Mapping[str, Any]) -> dict[str, bool]:
    """The applicant's yes/no answers to every question of the version; refuses a missing or odd answer and
    answers that leave nothing to handle."""
    answers: dict[str, bool] = {}
    for q in version.questions.order_by("order"):
        value = str(raw.get(q.code, "")).strip().lower()
        if value in {"1", "yes", "true", "是", "on"}:
            answers[q.code] = True
        elif value in {"0", "no", "false", "否"}:
            answers[q.code] = False
        else:
            raise field_error(q.code, f"请回答：{q.text}")
    specs = [member_spec(m) for m in version.members.order_by("order")]
    if not rules.included_members(specs, answers):
        raise ServiceError(
            "按您的回答，没有需要办理的事项，请检查后重新选择。", fields={"answers": "没有需要办理的事项。"}
        )
    return answers


def answers_from_query(version: OneThingVersion, query: Mapping[str, Any]) -> dict[str, bool] | None:
    """The answers in a query string (the guide page, its files, the API): None when no question is
    answered (the whole composition shows); a missing or odd answer is refused by ``answers_for``."""
    if not any(code in query for code in version.questions.values_list("code", flat=True)):
        return None
    return answers_for(version, query)
