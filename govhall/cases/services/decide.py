"""The front desk's decisions: 受理 (with 容缺, MODE-3, and 告知承诺, MODE-2), 不予受理, 补正 (STD-2), and
the applicant supplying materials."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from govhall.accounts.models import User
from govhall.cases import clock
from govhall.cases.correction_texts import correction_sms
from govhall.cases.export import MATERIALS
from govhall.cases.materials import MaterialState, missing_required
from govhall.cases.models import (
    ApplicantCredit,
    Case,
    CaseMaterial,
    CaseRules,
    CaseStatus,
    CheckStatus,
    CommitmentCheck,
    MaterialStatus,
    NoticeKind,
    StepAction,
    StepKind,
    StepStatus,
    SuspensionKind,
    WarningLevel,
)
from govhall.cases.notify import notify_applicant
from govhall.cases.rules import require_action
from govhall.cases.services import texts
from govhall.cases.services._shared import (
    _audit,
    _event,
    _holding,
    _issue_notice,
    _label,
    _lock,
    _pick,
    _publish,
    _set_deadline,
    _set_deadlines,
    _state,
)
from govhall.cases.services.finish import case_closed
from govhall.cases.services.inputs import CorrectionInput, CorrectionItem
from govhall.cases.services.steps import (
    _new_step,
    _resume,
    _route,
    back_office_steps,
)
from govhall.cases.services.texts import (
    fmt_date,
    fmt_time,
)
from govhall.catalog.models import (
    CaseType,
    CheckMethod,
    MatterVersion,
    NotificationSheet,
)
from govhall.catalog.services import notification_sheet_create
from govhall.core.actors import is_staff_actor
from govhall.core.calendar import Deadline, end_of_day
from govhall.core.errors import Conflict, ServiceError, field_error


@transaction.atomic
def case_accept(
    *,
    case: Case,
    actor: User,
    rongque_material_ids: Sequence[Any] = (),
    commitment_material_ids: Sequence[Any] = (),
    rongque_signed: bool = False,
    commitment_signed: bool = False,
    rongque_deadline: dt.date | None = None,
    opinion: str = "",
) -> Case:
    """受理. Materials must be complete, except those accepted under 容缺 (MODE-3, only 可容缺 materials,
    with the signed 容缺受理承诺书 and a deadline not after the promised completion) or replaced by a signed
    告知承诺书 (MODE-2, only 可告知承诺 materials). Neither for an applicant with a bad-credit flag."""
    case = _lock(case)
    require_action(case, actor, "accept")
    _check_serviceable(case)
    rongque = _pick(case, rongque_material_ids, "rongque_material_ids")
    promised = _pick(case, commitment_material_ids, "commitment_material_ids")
    _check_excused(rongque, promised)
    materials = MATERIALS.all(case.pk)  # compiled once (core.compiled); the sync lists them too
    _check_complete(materials, rongque, promised)
    _check_excuses_allowed(case, rongque, promised, rongque_signed, commitment_signed)

    now = timezone.now()
    rules = CaseRules.current()
    due = clock.due_moment(now, case.limit_value, case.limit_unit)
    warn = clock.warn_moment(now, case.limit_value, case.limit_unit, rules.yellow_share)
    deadline = _rongque_deadline(case.matter_version, now, due, rongque_deadline) if rongque else None

    before = _state(case)
    case.status, case.accepted_at, case.accepted_by = CaseStatus.PROCESSING, now, actor
    _set_deadlines(case, {"due_at": due, "warn_at": warn})
    case.warning_level = WarningLevel.NONE
    _record_excuses(case, rongque, promised, deadline, now)
    excused = {r.pk: r.status for r in (*rongque, *promised)}
    for row in materials:  # as _record_excuses saved them
        row.status = excused.get(row.pk, row.status)
    _close_accept_step(case, actor, opinion, now)
    _event(case, "accept", "受理", actor, texts.accepted_detail(case, due), at=now)
    _first_step(case, actor, now)
    case.save()
    with _holding(case, materials=materials):  # the notice and the provincial sync list them
        _accept_notices(
            case,
            actor,
            now,
            due=due,
            deadline=deadline,
            rongque=rongque,
            promised=promised,
            return_days=rules.rongque_return_days,
        )
        notify_applicant(case, texts.accepted_sms(case, due))
        _publish(case, "accepted")
    _audit(
        case,
        "accept",
        actor,
        before,
        {**_state(case), "rongque": [r.name for r in rongque], "commitment": [r.name for r in promised]},
    )
    return case


def _check_serviceable(case: Case) -> None:
    if not case.matter.is_serviceable:
        raise Conflict(f"事项「{case.matter_name}」已暂停或取消，不能受理。", code="matter_not_serviceable")


def _check_excused(rongque: list[CaseMaterial], promised: list[CaseMaterial]) -> None:
    """Only missing 可容缺 materials under 容缺, only missing 可告知承诺 materials under 告知承诺, never both."""
    if {r.pk for r in rongque} & {r.pk for r in promised}:
        raise field_error("commitment_material_ids", "同一材料不能既容缺又告知承诺。")
    for row in rongque:
        if row.status == MaterialStatus.RECEIVED:
            raise field_error("rongque_material_ids", f"材料「{row.name}」已收取，无需容缺。")
        if row.material is None or not row.material.rongque:
            raise field_error("rongque_material_ids", f"材料「{row.name}」不是可容缺材料，不能容缺受理。")
    for row in promised:
        if row.status == MaterialStatus.RECEIVED:
            raise field_error("commitment_material_ids", f"材料「{row.name}」已收取，无需告知承诺。")
        if row.material is None or not row.material.commitment:
            raise field_error("commitment_material_ids", f"材料「{row.name}」不可告知承诺，须提交证明材料。")


def _check_complete(
    materials: list[CaseMaterial], rongque: list[CaseMaterial], promised: list[CaseMaterial]
) -> None:
    """Every required material received, under 容缺 or replaced by a 告知承诺 (`cases.materials`)."""
    rongque_ids, promised_ids = {r.pk for r in rongque}, {r.pk for r in promised}
    missing = missing_required(
        MaterialState(
            key=r.pk,
            name=r.name,
            required=r.required,
            given=r.status == MaterialStatus.RECEIVED,
            rongque=r.pk in rongque_ids,
            commitment=r.pk in promised_ids,
        )
        for r in materials
    )
    if missing:
        names = "、".join(m.name for m in missing)
        raise ServiceError(
            f"必备材料未收齐：{names}。请出具一次性告知单要求补正，或对可容缺材料办理容缺受理。",
            code="materials_incomplete",
            fields={"materials": names},
        )


def _check_excuses_allowed(
    case: Case,
    rongque: list[CaseMaterial],
    promised: list[CaseMaterial],
    rongque_signed: bool,
    commitment_signed: bool,
) -> None:
    """容缺 and 告知承诺 need the applicant's signature and a clean credit record."""
    if (rongque or promised) and has_bad_credit(case.applicant_id_digest):
        field = "rongque_material_ids" if rongque else "commitment_material_ids"
        raise field_error(
            field, "申请人有虚假承诺等失信记录，信用修复前不能适用告知承诺或容缺受理。", code="bad_credit"
        )
    if rongque and not rongque_signed:
        raise field_error("rongque_signed", "容缺受理须申请人签署《容缺受理承诺书》。")
    if promised and not commitment_signed:
        raise field_error("commitment_signed", "告知承诺须申请人签署《告知承诺书》。")


def _record_excuses(
    case: Case,
    rongque: list[CaseMaterial],
    promised: list[CaseMaterial],
    deadline: Deadline | None,
    now: dt.datetime,
) -> None:
    """The materials under 容缺 (with their deadline) and those replaced by a 告知承诺 (with its check)."""
    for rows, status in ((rongque, MaterialStatus.RONGQUE), (promised, MaterialStatus.COMMITMENT)):
        for row in rows:
            row.status = status
            row.save(update_fields=["status"])
    if rongque:
        case.rongque_pending, case.rongque_commitment_signed_at = True, now
        _set_deadline(case, "rongque_deadline", deadline)
    if promised:
        case.uses_commitment = True
        _plan_commitment_check(case, promised, now)


def _plan_commitment_check(case: Case, promised: list[CaseMaterial], now: dt.datetime) -> None:
    """The 告知承诺 check to come (MODE-2): its method and, unless exempt, its due date."""
    version = case.matter_version
    method = version.check_method or CheckMethod.EXEMPT
    check = CommitmentCheck.objects.create(
        case=case,
        replaced=[r.name for r in promised],
        signed_at=now,
        method=method,
        status=CheckStatus.EXEMPT if method == CheckMethod.EXEMPT else CheckStatus.PLANNED,
    )
    if method != CheckMethod.EXEMPT and version.check_days:
        _set_deadline(check, "due_at", clock.add_units(now, version.check_days, "workday"))
        check.save(update_fields=["due_at"])


def _close_accept_step(case: Case, actor: User, opinion: str, now: dt.datetime) -> None:
    """The front desk's own step on the timeline of steps: 受理, written done (as `_close_step` would)."""
    _new_step(
        case,
        name="受理",
        kind=StepKind.ACCEPT,
        assignee=actor,
        assignee_role="",
        started_at=case.received_at,
        status=StepStatus.DONE,
        action=StepAction.ACCEPT,
        opinion=(opinion or "材料齐全，予以受理")[:4000],
        finished_at=now,
        handler=actor if is_staff_actor(actor) else None,
        handler_label=_label(actor),
        handler_role="前台",
    )


def _first_step(case: Case, actor: User, now: dt.datetime) -> None:
    """A 即办件 stays with the clerk who accepted it; any other goes to its first back-office post."""
    if case.case_type != CaseType.IMMEDIATE and case.limit_value != 0:
        _route(case, 0, now)
        return
    step = _new_step(
        case,
        step_index=len(back_office_steps(case.matter_version)) - 1,
        name="即办",
        kind=StepKind.APPROVE,
        assignee=actor,
        assignee_role="即办",
        route_reason="即办件由受理人当场办结",
        started_at=now,
    )
    case.current_step, case.current_post, case.current_assignee = step, None, actor


def _accept_notices(
    case: Case,
    actor: User,
    now: dt.datetime,
    *,
    due: Deadline,
    deadline: Deadline | None,
    rongque: list[CaseMaterial],
    promised: list[CaseMaterial],
    return_days: int,
) -> None:
    """受理通知书, and the 容缺受理通知书 with its timeline row, and the 告知承诺 timeline row."""
    _issue_notice(case, NoticeKind.ACCEPT, actor, texts.accept_payload(case, now, due, promised), at=now)
    if rongque and deadline is not None:
        payload = texts.rongque_payload(now, due, deadline, return_days, rongque)
        _issue_notice(case, NoticeKind.RONGQUE, actor, payload, at=now)
        _event(case, "rongque", "容缺受理", actor, texts.rongque_detail(rongque, deadline), at=now)
    if promised:
        _event(case, "commitment", "告知承诺", actor, texts.commitment_detail(case, promised), at=now)


def _rongque_deadline(
    version: MatterVersion, now: dt.datetime, due: Deadline, chosen: dt.date | None
) -> Deadline:
    if chosen is not None:
        deadline = end_of_day(chosen)
        if deadline <= now:
            raise field_error("rongque_deadline", "容缺补齐期限应在今天之后。")
        if deadline > due.at:
            raise field_error(
                "rongque_deadline",
                f"容缺补齐期限（{fmt_date(deadline)}）不能晚于承诺办结时间（{fmt_date(due.at)}）。",
            )
        return Deadline(at=deadline)
    if not version.rongque_supply_days:
        raise field_error("rongque_deadline", "该事项未设定容缺补齐期限，请填写补齐期限。")
    supply = clock.add_units(now, version.rongque_supply_days, "workday")
    # The earlier of the two; on a tie the promised completion's count (it is the case's own clock).
    return supply if supply.at < due.at else due


def has_bad_credit(digest: str) -> bool:
    return ApplicantCredit.objects.filter(id_digest=digest, repaired_at__isnull=True).exists()


@transaction.atomic
def case_reject(*, case: Case, actor: User, reason: str) -> Case:
    """不予受理, with the reason on a dated 不予受理通知书."""
    case = _lock(case)
    require_action(case, actor, "reject")
    reason = (reason or "").strip()
    if not reason:
        raise field_error("reason", "不予受理须写明理由。")
    now = timezone.now()
    before = _state(case)
    case.status, case.rejection_reason, case.finished_at, case.finished_by = (
        CaseStatus.NOT_ACCEPTED,
        reason,
        now,
        actor,
    )
    case.save()
    _issue_notice(
        case, NoticeKind.REJECT, actor, {"received_at": fmt_time(case.received_at), "reason": reason}, at=now
    )
    _event(case, "reject", "不予受理", actor, f"理由：{reason}", at=now)
    notify_applicant(
        case, f"您申请的「{case.matter_name}」（办件编号{case.number}）不予受理，理由：{reason[:60]}。"
    )
    _publish(case, "rejected")
    _audit(case, "reject", actor, before, {**_state(case), "reason": reason})
    case_closed.send(case=case)
    return case


def _correction_items(case: Case, items: Sequence[CorrectionInput]) -> list[tuple[CaseMaterial, str, str]]:
    """The lines of a 一次性告知单: every one names a material of this case, its problem and what to bring,
    none twice."""
    if not items:
        raise field_error("items", "请一次性列出需要补正的全部材料（一次性告知）。")
    out = []
    seen: set[int] = set()
    for item in map(_correction_item, items):
        try:
            row = case.materials.select_related("material").get(pk=item.material)
        except CaseMaterial.DoesNotExist:
            raise field_error("items", "补正的材料不属于本办件。") from None
        if item.problem not in (MaterialStatus.MISSING, MaterialStatus.WRONG):
            raise field_error("items", f"材料「{row.name}」的问题只能是缺少或有误。")
        reason = item.reason.strip()
        if not reason:
            raise field_error("items", f"请写明材料「{row.name}」的补正要求。")
        if row.pk in seen:
            raise field_error("items", f"材料「{row.name}」重复列出。")
        seen.add(row.pk)
        out.append((row, item.problem, reason[:500]))
    return out


def _correction_item(item: CorrectionInput) -> CorrectionItem:
    """A page's form line parsed into a `CorrectionItem`."""
    if isinstance(item, CorrectionItem):
        return item
    try:
        material = int(item.get("id") or item.get("material_id") or "")
    except (TypeError, ValueError):
        raise field_error("items", "补正的材料不属于本办件。") from None
    return CorrectionItem(
        material=material,
        problem=str(item.get("problem") or MaterialStatus.MISSING),
        reason=str(item.get("reason") or ""),
    )


def _issue_correction(
    case: Case, actor: User, rows: list[tuple[CaseMaterial, str, str]], note: str, at: dt.datetime
) -> NotificationSheet:
    """The 一次性告知单: the catalogue's notification sheet (STD-2), the materials marked, the case notice."""
    sheet = notification_sheet_create(
        matter_version=case.matter_version,
        centre=case.handling_centre,
        clerk=actor,
        items=[(row.material or row.name, problem, reason) for row, problem, reason in rows],
        case=case,
        applicant_name=case.applicant_name,
        note=note,
    )
    for row, problem, _reason in rows:
        row.status = problem
        row.save(update_fields=["status"])
    _issue_notice(
        case,
        NoticeKind.CORRECTION,
        actor,
        {
            "sheet": sheet.serial,
            "received_at": fmt_time(case.received_at),
            "note": note,
            "items": [
                {"name": r.name, "problem": MaterialStatus(p).label, "reason": why} for r, p, why in rows
            ],
        },
        sheet=sheet,
        at=at,
    )
    return sheet


@transaction.atomic
def case_request_correction(
    *, case: Case, actor: User, items: Sequence[CorrectionInput], note: str = ""
) -> Case:
    """补齐补正告知 (STD-2, 行政许可法 art. 32): one 一次性告知单 listing every missing or wrong material."""
    case = _lock(case)
    require_action(case, actor, "correction")
    rows = _correction_items(case, items)
    now = timezone.now()
    before = _state(case)
    sheet = _issue_correction(case, actor, rows, note, now)
    case.status = CaseStatus.CORRECTION
    case.save()
    _event(
        case,
        "correction",
        "一次性告知（补正）",
        actor,
        "需补正：" + "；".join(f"{r.name}（{MaterialStatus(p).label}：{why}）" for r, p, why in rows),
        at=now,
    )
    notify_applicant(case, correction_sms(case, sheet.supply_deadline()))
    _publish(case, "correction")
    _audit(case, "correction", actor, before, {**_state(case), "sheet": sheet.serial})
    return case


@transaction.atomic
def case_supply(*, case: Case, actor: User, material_ids: Sequence[Any], note: str = "") -> Case:
    """The applicant brings missing material: 补正 before acceptance, 补正 during processing (restarts the
    clock once everything asked for is in), or 容缺 material (lifts the withheld result, MODE-3)."""
    case = _lock(case)
    require_action(case, actor, "supply")
    rows = _pick(case, material_ids, "material_ids")
    if not rows:
        raise field_error("material_ids", "请选择补交的材料。")
    for row in rows:
        if row.status not in (MaterialStatus.MISSING, MaterialStatus.WRONG, MaterialStatus.RONGQUE):
            raise field_error(
                "material_ids", f"材料「{row.name}」当前为{row.get_status_display()}，无需补交。"
            )
    if case.status == CaseStatus.FINISHED and any(r.status != MaterialStatus.RONGQUE for r in rows):
        raise field_error("material_ids", "办件已办结，只能补交容缺材料。")
    now = timezone.now()
    before = _state(case)
    rongque_rows = [r for r in rows if r.status == MaterialStatus.RONGQUE]
    for row in rows:
        row.status, row.supplied_at = MaterialStatus.RECEIVED, now
        row.save(update_fields=["status", "supplied_at"])
    # The applicant sees this row (PUBLIC_EVENTS): the materials only; the clerk's note stays in the audit log.
    _event(case, "supply", "补交材料", actor, "补交：" + "、".join(r.name for r in rows), at=now)
    if case.status == CaseStatus.CORRECTION:
        case.status = CaseStatus.RECEIVED
    open_stop = case.suspensions.filter(ended_at__isnull=True).first()
    if open_stop is not None and open_stop.kind == SuspensionKind.CORRECTION:
        asked = set(open_stop.materials)
        outstanding = case.materials.filter(pk__in=asked).exclude(status=MaterialStatus.RECEIVED).exists()
        if not outstanding:
            _resume(case, open_stop, actor=actor, at=now, result="补正材料已补齐")
    if (
        rongque_rows
        and case.rongque_pending
        and not case.materials.filter(status=MaterialStatus.RONGQUE).exists()
    ):
        case.rongque_pending = False
        case.rongque_return_at = None
        _event(case, "rongque_done", "容缺材料补齐", actor, "容缺材料已全部补齐，办理结果解除暂扣。", at=now)
        if open_stop is not None and open_stop.kind == SuspensionKind.RONGQUE:
            _resume(case, open_stop, actor=actor, at=now, result="容缺材料已补齐")
    case.save()
    _publish(case, "supplied")
    _audit(
        case,
        "supply",
        actor,
        before,
        {**_state(case), "materials": [r.name for r in rows]},
        note=(note or "").strip()[:300],
    )
    return case
