"""Reads of 一件事: the public list, a version's members as rule values, and the merged guide."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from govhall.catalog.models import CaseType, Material, MatterVersion, TimeUnit
from govhall.core.errors import NotFound

from . import rules
from .models import Member, OneThing, OneThingVersion, Question, ThingStatus, ThingVersionState


def member_days(version: MatterVersion) -> int:
    """A member's promised limit in working days for the sum rule (rules.limit_errors): 即办 is 0; natural
    days count one for one (an upper bound); hours count as started working days of eight hours."""
    if version.case_type == CaseType.IMMEDIATE or not version.promised_limit:
        return 0
    if version.promised_limit_unit == TimeUnit.HOUR:
        return math.ceil(version.promised_limit / 8)
    return int(version.promised_limit)


def _material_spec(material: Material, links: Mapping[str, str]) -> rules.MaterialSpec:
    return rules.MaterialSpec(
        name=material.name,
        issuer=material.issuer,
        originals=material.originals,
        copies=material.copies,
        required=material.required,
        rongque=material.rongque,
        commitment=material.commitment,
        same_as=links.get(material.name, ""),
    )


def member_spec(member: Member) -> rules.MemberSpec:
    mv = member.matter_version
    links = {link.material_name: link.same_as for link in member.material_links.all()}
    condition = (
        rules.Condition(member.condition_question, member.condition_answer)
        if member.condition_question
        else None
    )
    return rules.MemberSpec(
        key=str(member.order),
        name=mv.name,
        promised_days=member_days(mv),
        result=mv.result_name,
        after=tuple(str(m.order) for m in member.after.all()),
        condition=condition,
        materials=tuple(_material_spec(m, links) for m in mv.materials.all()),
    )


def _members(version: OneThingVersion) -> QuerySet[Member]:
    return (
        version.members.select_related("matter_version__department", "matter_version__matter")
        .prefetch_related(
            "after",
            "material_links",
            Prefetch("matter_version__materials", queryset=Material.objects.order_by("order")),
        )
        .order_by("order")
    )


def public_things() -> QuerySet[OneThing]:
    return (
        OneThing.objects.filter(status=ThingStatus.ACTIVE, current_version__isnull=False)
        .select_related("current_version")
        .order_by("code")
    )


def things_with_matter(matter_id: int) -> list[OneThing]:
    """The published 一件事 whose current version includes the matter (shown on the matter's guide)."""
    return list(
        public_things().filter(current_version__members__matter_version__matter_id=matter_id).distinct()
    )


def public_thing(code: str) -> OneThing:
    thing = public_things().filter(code=code).first()
    if thing is None:
        raise NotFound("未找到该“一件事”，或它已停用。")
    return thing


def all_things() -> list[OneThing]:
    """Every 一件事 for the bureau, drafts and withdrawn ones included; ``draft`` is its open draft or None."""
    drafts = Prefetch(
        "versions", queryset=OneThingVersion.objects.filter(state=ThingVersionState.DRAFT), to_attr="drafts"
    )
    things: list[OneThing] = list(
        OneThing.objects.select_related("current_version").prefetch_related(drafts).order_by("code")
    )
    for thing in things:
        thing.draft = thing.drafts[0] if thing.drafts else None  # type: ignore[attr-defined]
    return things


def thing_for_edit(code: str) -> OneThing:
    thing = OneThing.objects.filter(code=code).first()
    if thing is None:
        raise NotFound("未找到该“一件事”。")
    return thing


def editable_version(thing: OneThing) -> OneThingVersion:
    """The draft if there is one, else the current version (a change starts from it)."""
    draft = thing.versions.filter(state=ThingVersionState.DRAFT).first()
    version = draft or thing.current_version
    if version is None:
        raise NotFound("该“一件事”没有可编辑的版本。")
    return version


@dataclass
class GuideMember:
    member: Member
    spec: rules.MemberSpec
    stage: int
    included: bool


@dataclass
class Guide:
    """One guide for a version (SCOPE-4): members in stages, one set of materials, the merged conditions."""

    thing: OneThing
    version: OneThingVersion
    questions: list[Question]
    members: list[GuideMember]
    materials: rules.MergedMaterials
    answers: dict[str, bool]
    sum_days: int
    path_days: int

    @property
    def question_rows(self) -> list[tuple[Question, bool | None]]:
        return [(q, self.answers.get(q.code)) for q in self.questions]

    @property
    def included(self) -> list[GuideMember]:
        return [m for m in self.members if m.included]

    @property
    def departments(self) -> list[str]:
        names: list[str] = []
        for m in self.included:
            name = m.member.matter_version.department.name
            if name not in names:
                names.append(name)
        return names


def guide(version: OneThingVersion, answers: Mapping[str, bool] | None = None) -> Guide:
    answers = dict(answers or {})
    members = list(_members(version))
    specs = [member_spec(m) for m in members]
    chosen = rules.included_members(specs, answers)
    chosen_keys = {s.key for s in chosen}
    stage_of = {s.key: i for i, stage in enumerate(rules.stages(chosen), start=1) for s in stage}
    return Guide(
        thing=version.thing,
        version=version,
        questions=list(version.questions.order_by("order")),
        members=[
            GuideMember(member=m, spec=s, stage=stage_of.get(s.key, 0), included=s.key in chosen_keys)
            for m, s in zip(members, specs, strict=True)
        ],
        materials=rules.merge_materials(chosen),
        answers=answers,
        sum_days=rules.members_limit_sum(chosen),
        path_days=rules.critical_path_days(chosen),
    )
