"""Writes of a 一件事办件 (MODE-1, MODE-3, MODE-4, STD-3): one acceptance, members in order, 统一出件.

The parent (`ThingCase`) holds one number and query password; every included member is a child case made
by `cases.services` exactly as a single application would be (the same checks, routing to the department's
AB post, notices, timeline) — this module never copies a rule of the case flow. A member that waits for
another is received and accepted when its prerequisites finish (`on_case_closed`, connected to the cases
hook `case_closed` in OneThingConfig.ready()). Each function is one transaction: a refusal writes nothing.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from govhall.accounts.models import User
from govhall.cases import services as case_services
from govhall.cases.applicants import applicant_actor
from govhall.cases.models import Case, CaseFile, CaseStatus, MaterialForm, MaterialStatus, ResultKind
from govhall.cases.numbers import new_case_number, new_query_password
from govhall.cases.services import MaterialTick
from govhall.cases.uploads import media_path, remove_stored
from govhall.catalog.models import Material, MatterVersion
from govhall.core.actors import CitizenActor, is_staff_actor
from govhall.core.audit import audit_record
from govhall.core.compiled import CompiledRead
from govhall.core.errors import Conflict, ServiceError, field_error
from govhall.core.filecrypt import read_plaintext

from . import rules, selectors
from .models import (
    Member,
    OneThing,
    ThingCase,
    ThingCaseMember,
    ThingCaseStatus,
    ThingMemberState,
)
from .services import answers_for

CLOSED = (CaseStatus.NOT_ACCEPTED, CaseStatus.FINISHED, CaseStatus.DELIVERED, CaseStatus.REVOKED)


def _links(member: Member) -> dict[str, str]:
    return {link.material_name: link.same_as for link in member.material_links.all()}


def material_key(material: Material, links: Mapping[str, str]) -> str:
    """The identity of a member's material in the one set of materials (rules.merge_materials)."""
    return rules.material_key(links.get(material.name) or material.name)


def _ticks(
    version: MatterVersion,
    member: Member,
    given: Mapping[str, str],
    produced: Mapping[str, str],
    scanned: Sequence[str] = (),
) -> list[MaterialTick]:
    """The child's checklist from the one set: a material received once counts for every member asking for
    it (uploaded online: received as an electronic copy); a document another member produced is received
    from that department (共享调取)."""
    links = _links(member)
    ticks = []
    for m in version.materials.order_by("order"):
        key = material_key(m, links)
        if key in produced:
            ticks.append(
                MaterialTick(
                    material_id=m.pk,
                    status=MaterialStatus.RECEIVED,
                    form=MaterialForm.SHARED,
                    note=f"由「{produced[key]}」办结产生，部门间共享"[:300],
                )
            )
            continue
        if key in scanned:
            ticks.append(
                MaterialTick(
                    material_id=m.pk,
                    status=MaterialStatus.RECEIVED,
                    form=MaterialForm.ELECTRONIC,
                    note="网上申请时上传（一件事一套材料）",
                )
            )
            continue
        status = given.get(key, MaterialStatus.MISSING)
        ticks.append(MaterialTick(material_id=m.pk, status=status))
    return ticks


@dataclass(frozen=True)
class Scan:
    """One uploaded file of the one set of materials (already checked and, for photos, shrunk by the portal):
    it is attached, encrypted at rest, to every member's case that asks for that material."""

    name: str
    data: bytes


def _clean_scans(
    raw: Mapping[str, Sequence[Scan]], asked: Sequence[rules.MergedMaterial]
) -> dict[str, list[Scan]]:
    keys = {rules.material_key(m.name) for m in asked}
    out = {}
    for key, files in raw.items():
        if key not in keys:
            raise field_error("materials", f"材料「{key}」不在本一件事的材料清单中，请刷新页面后重新上传。")
        if files:
            out[key] = list(files)
    return out


def _attach_scans(
    case: Case,
    member: Member,
    actor: User | CitizenActor,
    scans: Mapping[str, Sequence[Scan]],
    stored: list[str],
) -> None:
    """Each scan onto every material of this child it serves (one upload, every member that needs it)."""
    links = _links(member)
    for row in case.materials.select_related("material").order_by("id"):
        if row.material is None:
            continue
        for scan in scans.get(material_key(row.material, links), ()):
            record = case_services.case_attach_file(
                case=case,
                actor=actor,
                upload=io.BytesIO(scan.data),
                name=scan.name,
                size=len(scan.data),
                material_id=row.pk,
            )
            stored.append(record.storage_name)


def _sibling_scans(parent: ThingCase) -> dict[str, list[Scan]]:
    """The files the applicant uploaded for the one set, as the started members hold them (material key →
    scans, each file once): a member started later gets them too."""
    out: dict[str, list[Scan]] = {}
    seen: set[tuple[str, str]] = set()
    rows: dict[int, Member] = {
        r.case_id: r.member for r in parent.members.select_related("member") if r.case_id is not None
    }
    files = CaseFile.objects.filter(case_id__in=list(rows), material__isnull=False, uploaded_by__isnull=True)
    for f in files.select_related("material__material").order_by("id"):
        catalogue = f.material.material if f.material is not None else None
        if catalogue is None:
            continue
        key = material_key(catalogue, _links(rows[f.case_id]))
        if (key, f.sha256) in seen:
            continue
        seen.add((key, f.sha256))
        out.setdefault(key, []).append(
            Scan(name=f.original_name, data=read_plaintext(media_path(f.storage_name)))
        )
    return out


def _clean_materials(raw: Mapping[str, Any], asked: Sequence[rules.MergedMaterial]) -> dict[str, str]:
    """The one checklist as ticked: material key → received / missing (unknown keys are refused)."""
    keys = {rules.material_key(m.name) for m in asked}
    result = {}
    for key, value in raw.items():
        if key not in keys:
            raise field_error("materials", f"材料「{key}」不在本一件事的材料清单中。")
        status = str(value)
        if status not in (MaterialStatus.RECEIVED, MaterialStatus.MISSING, MaterialStatus.WRONG):
            raise field_error("materials", f"材料「{key}」的收取情况只能是已收取、缺少或有误。")
        result[key] = status
    return result


def thing_case_receive(
    *,
    actor: User | CitizenActor,
    code: str,
    answers: Mapping[str, Any],
    applicant: dict[str, Any],
    agent: dict[str, Any] | None = None,
    materials: Mapping[str, Any] | None = None,
    window_id: Any = None,
    channel: str | None = None,
    centre_id: Any = None,
    scans: Mapping[str, Sequence[Scan]] | None = None,
) -> ThingCase:
    """收件 of a 一件事 at a comprehensive window, online, or at a village for its town (MODE-4): one
    parent number and password; one child case per member of the first stage through
    `cases.services.case_receive`; later members wait for their prerequisites. ``scans`` (online, NET-1):
    material key of the one set → uploaded files, attached to every member's case that asks for it (a
    member started later gets them when it starts). A refusal writes nothing, on disk either."""
    stored: list[str] = []
    try:
        return _receive(
            actor=actor,
            code=code,
            answers=answers,
            applicant=applicant,
            agent=agent,
            materials=materials,
            window_id=window_id,
            channel=channel,
            centre_id=centre_id,
            scans=scans or {},
            stored=stored,
        )
    except BaseException:
        for name in stored:
            remove_stored(name)
        raise


@transaction.atomic
def _receive(
    *,
    actor: User | CitizenActor,
    code: str,
    answers: Mapping[str, Any],
    applicant: dict[str, Any],
    agent: dict[str, Any] | None,
    materials: Mapping[str, Any] | None,
    window_id: Any,
    channel: str | None,
    centre_id: Any,
    scans: Mapping[str, Sequence[Scan]],
    stored: list[str],
) -> ThingCase:
    thing: OneThing = selectors.public_thing(code)
    version = thing.current_version
    assert version is not None
    chosen = answers_for(version, answers)
    g = selectors.guide(version, chosen)
    given = _clean_materials(materials or {}, g.materials.asked)
    uploaded = _clean_scans(scans, g.materials.asked)
    given.update(dict.fromkeys(uploaded, MaterialStatus.RECEIVED))
    now = timezone.now()
    first: Case | None = None
    rows: list[ThingCaseMember] = []
    for gm in g.included:
        child = None
        if gm.stage == 1:
            child = _receive_child(
                actor,
                gm.member,
                applicant=applicant,
                agent=agent,
                ticks_from=given,
                produced={},
                window_id=window_id,
                channel=channel,
                centre_id=centre_id,
                scanned=list(uploaded),
            )
            _attach_scans(child, gm.member, actor, uploaded, stored)
            first = first or child
        rows.append(
            ThingCaseMember(
                member=gm.member,
                order=gm.member.order,
                name=gm.member.matter_version.name,
                case=child,
                state=ThingMemberState.STARTED if child else ThingMemberState.WAITING,
            )
        )
    assert first is not None  # answers_for refuses answers that leave no member; stage 1 is never empty
    parent = ThingCase.objects.create(
        number=new_case_number(first.centre, now),
        query_password=new_query_password(),
        thing=thing,
        version=version,
        answers=chosen,
        materials=given,
        centre=first.centre,
        handling_centre=first.handling_centre,
        window=first.window,
        channel=first.channel,
        receiver=actor if is_staff_actor(actor) else None,
        applicant_kind=first.applicant_kind,
        applicant_name=first.applicant_name,
        applicant_id_digest=first.applicant_id_digest,
        promised_limit=version.promised_limit,
        members_limit_sum=g.sum_days,
        received_at=now,
    )
    for row in rows:
        row.parent = parent
    ThingCaseMember.objects.bulk_create(rows)
    audit_record(
        action="onething.case_receive",
        obj=parent,
        actor=actor,
        after={
            "thing": thing.code,
            "version": version.number,
            "children": [c.case_id for c in rows],
            "files": len(stored),
        },
    )
    return parent


def _receive_child(
    actor: User | CitizenActor,
    member: Member,
    *,
    applicant: dict[str, Any],
    agent: dict[str, Any] | None,
    ticks_from: Mapping[str, str],
    produced: Mapping[str, str],
    window_id: Any,
    channel: str | None,
    centre_id: Any,
    scanned: Sequence[str] = (),
) -> Case:
    matter = member.matter_version.matter
    version = matter.current_version or member.matter_version
    with _naming(member.matter_version.name):
        return case_services.case_receive(
            actor=actor,
            matter_id=matter.pk,
            applicant=applicant,
            agent=agent,
            materials=_ticks(version, member, ticks_from, produced, scanned),
            window_id=window_id,
            channel=channel,
            centre_id=centre_id,
        )


@contextmanager
def _naming(name: str) -> Iterator[None]:
    """A member's refusal names the member: 「出生登记」：必备材料未收齐……"""
    try:
        yield
    except ServiceError as exc:
        exc.message = f"「{name}」：{exc.message}"
        exc.args = (exc.message,)
        raise


def _lock(parent: ThingCase) -> ThingCase:
    return ThingCase.objects.select_for_update().get(pk=parent.pk)


def _children(parent: ThingCase) -> list[ThingCaseMember]:
    return list(parent.members.select_related("case", "member__matter_version__matter").order_by("order"))


def _excused_ids(case: Case, keys: Sequence[str], member: Member, allowed: str) -> list[int]:
    """The child's missing materials the clerk excuses under 容缺 or 告知承诺, where the member allows it."""
    links = _links(member)
    ids = []
    for row in case.materials.select_related("material"):
        if row.material is None or row.status == MaterialStatus.RECEIVED:
            continue
        if material_key(row.material, links) in keys and getattr(row.material, allowed):
            ids.append(row.pk)
    return ids


def _accept_child(
    row: ThingCaseMember,
    actor: User,
    *,
    rongque: Sequence[str] = (),
    commitment: Sequence[str] = (),
    rongque_signed: bool = False,
    commitment_signed: bool = False,
    opinion: str = "",
) -> None:
    case = row.case
    assert case is not None
    with _naming(row.name):
        case_services.case_accept(
            case=case,
            actor=actor,
            rongque_material_ids=_excused_ids(case, rongque, row.member, "rongque"),
            commitment_material_ids=_excused_ids(case, commitment, row.member, "commitment"),
            rongque_signed=rongque_signed,
            commitment_signed=commitment_signed,
            opinion=opinion or "一件事一次办，材料齐全，予以受理",
        )


@transaction.atomic
def thing_case_accept(
    *,
    parent: ThingCase,
    actor: User,
    rongque: Sequence[str] = (),
    commitment: Sequence[str] = (),
    rongque_signed: bool = False,
    commitment_signed: bool = False,
    opinion: str = "",
    materials: Mapping[str, Any] | None = None,
) -> ThingCase:
    """受理 of the whole thing: every member received and not yet decided is accepted through
    `cases.services.case_accept` (容缺 / 告知承诺 per material, where the member allows it, MODE-3) and goes to
    its department's back office. The parent's clock starts: the composed limit in working days.
    ``materials`` is the one checklist as verified at the window (an online application's, when the
    applicant brings the papers): each member's checklist is ticked from it first (`case_update_materials`)."""
    parent = _lock(parent)
    if parent.status != ThingCaseStatus.RECEIVED:
        raise Conflict(f"一件事办件{parent.number}当前状态为{parent.get_status_display()}，不能受理。")
    if materials is not None:
        g = selectors.guide(parent.version, parent.answers)
        parent.materials = {**parent.materials, **_clean_materials(materials, g.materials.asked)}
        parent.save(update_fields=["materials"])
    now = timezone.now()
    accepted = []
    for row in _children(parent):
        if row.case is not None and row.case.status == CaseStatus.RECEIVED:
            if materials is not None:
                version = row.case.matter_version
                ticks = _ticks(version, row.member, parent.materials, {})
                with _naming(row.name):
                    case_services.case_update_materials(case=row.case, actor=actor, materials=ticks)
            _accept_child(
                row,
                actor,
                rongque=rongque,
                commitment=commitment,
                rongque_signed=rongque_signed,
                commitment_signed=commitment_signed,
                opinion=opinion,
            )
            accepted.append(row.name)
    parent.status, parent.accepted_at, parent.accepted_by = ThingCaseStatus.PROCESSING, now, actor
    parent.save(update_fields=["status", "accepted_at", "accepted_by"])
    audit_record(action="onething.case_accept", obj=parent, actor=actor, after={"accepted": accepted})
    _settle(parent)
    return parent


@transaction.atomic
def thing_member_reject(*, parent: ThingCase, actor: User, order: int, reason: str) -> ThingCase:
    """不予受理 of one member (its own notice, `case_reject`); the others go on."""
    parent = _lock(parent)
    row = next((r for r in _children(parent) if r.order == order), None)
    if row is None or row.case is None:
        raise field_error("member", "该成员事项不存在或尚未发起。")
    with _naming(row.name):
        case_services.case_reject(case=row.case, actor=actor, reason=reason)
    return parent


def _approved(case: Case | None) -> bool:
    return case is not None and case.status in CLOSED and case.result == ResultKind.APPROVED


def _closed(row: ThingCaseMember) -> bool:
    return row.state == ThingMemberState.NOT_STARTED or (row.case is not None and row.case.status in CLOSED)


# Every case that closes asks whether it is a member of a 一件事 (one row at most: the link is one-to-one);
# compiled once per process (core.compiled, issue 15).
_MEMBER_OF = CompiledRead(
    lambda case_id: ThingCaseMember.objects.filter(case_id=case_id).select_related("parent").order_by()
)


def on_case_closed(*, case: Case, **_: Any) -> None:
    """The cases hook (in the closing transaction): start the members that waited for this one, and finish
    the 一件事 when every member is finished or lawfully refused (统一出件)."""
    rows = _MEMBER_OF.all(case.pk)
    if not rows:
        return
    row = rows[0]
    _settle(_lock(row.parent))


def _settle(parent: ThingCase) -> None:
    """Start every waiting member whose prerequisites are closed; mark the parent finished when all are."""
    if parent.status == ThingCaseStatus.RECEIVED:
        return
    rows = _children(parent)
    by_order = {r.order: r for r in rows}
    tried: set[int] = set()
    changed = True
    while changed:
        changed = False
        for row in rows:
            if row.state != ThingMemberState.WAITING or row.order in tried:
                continue
            before = [by_order[m.order] for m in row.member.after.all() if m.order in by_order]
            if not all(_closed(b) for b in before):
                continue
            refused = [b.name for b in before if not _approved(b.case)]
            if refused:
                row.state = ThingMemberState.NOT_STARTED
                row.note = ("前置事项「" + "」「".join(refused) + "」未获准予，本事项无法办理。")[:300]
                row.save(update_fields=["state", "note"])
            else:
                _start_later(parent, row, before)
            tried.add(row.order)
            changed = True
    if parent.status == ThingCaseStatus.PROCESSING and all(_closed(r) for r in rows):
        parent.status, parent.finished_at = ThingCaseStatus.FINISHED, timezone.now()
        parent.save(update_fields=["status", "finished_at"])
        audit_record(
            action="onething.case_finish",
            obj=parent,
            actor=None,
            after={r.name: (r.case.result or r.case.status) if r.case else r.state for r in rows},
        )


def _start_later(parent: ThingCase, row: ThingCaseMember, before: list[ThingCaseMember]) -> None:
    """收件 and 受理 of a member whose prerequisites finished, by the clerk who accepted the thing, with the
    applicant's identity from the first child and the produced documents handed over between departments."""
    first = next(r.case for r in parent.members.select_related("case").order_by("order") if r.case)
    assert first is not None
    clerk = parent.accepted_by
    assert clerk is not None
    applicant = {
        "kind": first.applicant_kind,
        "name": first.applicant_name,
        "id_type": first.applicant_id_type,
        "id_number": first.applicant_id_number,
        "phone": first.applicant_phone,
        "address": first.applicant_address,
        "legal_representative": first.legal_representative,
    }
    produced = {
        rules.material_key(b.case.certificate_name or b.member.matter_version.result_name): b.name
        for b in before
        if b.case is not None and (b.case.certificate_name or b.member.matter_version.result_name)
    }
    scans = _sibling_scans(parent)
    stored: list[str] = []
    try:
        with transaction.atomic():
            row.case = _receive_child(
                clerk,
                row.member,
                applicant=applicant,
                agent=None,
                ticks_from=parent.materials,
                produced=produced,
                window_id=parent.window_id,
                channel=parent.channel,
                centre_id=None,
                scanned=list(scans),
            )
            # The applicant's own uploads, so attributed to the applicant (as when applying online).
            _attach_scans(row.case, row.member, online_actor(applicant, parent.channel), scans, stored)
    except ServiceError as exc:
        for name in stored:
            remove_stored(name)
        # The prerequisite's finish stands; the member waits for the front desk, said on the parent's page.
        row.note = f"前置事项已办结，待前台收件：{exc.message}"[:300]
        row.save(update_fields=["note"])
        return
    row.state = ThingMemberState.STARTED
    row.save(update_fields=["case", "state"])
    try:
        with transaction.atomic():
            _accept_child(row, clerk)
    except ServiceError as exc:
        # Received but not accepted (e.g. a material the applicant still owes): the front desk decides it
        # on the case page like any received case (补正 or 受理); the other members go on.
        row.note = f"已收件，待前台受理：{exc.message}"[:300]
        row.save(update_fields=["note"])


def online_actor(applicant: Mapping[str, Any], channel: str = "") -> CitizenActor:
    return applicant_actor(str(applicant.get("kind", "")), str(applicant.get("name", "")), channel)


@transaction.atomic
def thing_case_deliver(
    *,
    parent: ThingCase,
    actor: User,
    method: str,
    collector_name: str = "",
    collector_id_type: str = "id_card",
    collector_id_number: str = "",
    mail_address: str = "",
    courier: str = "",
    tracking_no: str = "",
) -> ThingCase:
    """统一出件: every member's result handed over once, at this window (or the village centre, MODE-4) or by
    one mailing, through `cases.services.case_deliver` for each finished member."""
    parent = _lock(parent)
    if parent.status != ThingCaseStatus.FINISHED:
        raise Conflict(
            f"一件事办件{parent.number}当前状态为{parent.get_status_display()}，"
            "须全部成员事项办结后统一出件。"
        )
    handed = []
    for row in _children(parent):
        if row.case is None or row.case.status != CaseStatus.FINISHED:
            continue
        with _naming(row.name):
            case_services.case_deliver(
                case=row.case,
                actor=actor,
                method=method,
                collector_name=collector_name,
                collector_id_type=collector_id_type,
                collector_id_number=collector_id_number,
                mail_address=mail_address,
                courier=courier,
                tracking_no=tracking_no,
            )
        handed.append(row.name)
    centre = actor.centre
    where = "邮寄送达" if method == "mail" else f"{centre.name if centre else ''}窗口领取"
    parent.status, parent.delivered_at, parent.delivered_by = ThingCaseStatus.DELIVERED, timezone.now(), actor
    parent.delivery_centre = centre
    parent.delivery_detail = f"{where}（{'、'.join(handed) or '无需领取的结果'}）"[:300]
    parent.save(
        update_fields=["status", "delivered_at", "delivered_by", "delivery_centre", "delivery_detail"]
    )
    audit_record(action="onething.case_deliver", obj=parent, actor=actor, after={"handed": handed})
    return parent
