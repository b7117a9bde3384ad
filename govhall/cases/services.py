"""Every change to a case. Pages and the API call these and nothing else.

Each function is one transaction: it locks the case row, checks the state (refusing with a Chinese
message naming the current state), the actor's role, and the input; changes the rows; writes the
timeline (CaseEvent) and the audit log; and queues notifications and events for after the commit.
Callers look the case up with `govhall.cases.policy.access_case` first (visibility); the services check
what the actor may *do* to it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import IO, Any

from django.db import transaction
from django.utils import timezone

from govhall.accounts.models import Role
from govhall.cases import clock
from govhall.cases.applicants import Identity, clean_agent, clean_applicant, id_digest, normalize_id
from govhall.cases.models import (
    CLOCK_RUNNING,
    OPEN_STATUSES,
    ApplicantCredit,
    Case,
    CaseEvent,
    CaseFile,
    CaseMaterial,
    CaseNotice,
    CaseRules,
    CaseStatus,
    CaseStep,
    Channel,
    CheckStatus,
    CommitmentCheck,
    DeliveryMethod,
    MaterialForm,
    MaterialStatus,
    NoticeKind,
    ResultKind,
    StepAction,
    StepKind,
    StepStatus,
    Suspension,
    SuspensionKind,
    WarningLevel,
    shown_as_stored,
)
from govhall.cases.numbers import new_case_number, new_query_password
from govhall.cases.policy import RECEIVE_ROLES, acts_as, pending_step, step_role
from govhall.cases.rules import RED, YELLOW, Facts, light_lookups, require_action, warning_level
from govhall.cases.uploads import check_and_store, remove_stored
from govhall.catalog.models import (
    CaseType,
    CentreMatter,
    CentreServiceMode,
    CheckMethod,
    Matter,
    SpecialProcedure,
)
from govhall.core import provisional
from govhall.core.actors import Actor, CitizenActor, actor_label, is_staff_actor, system
from govhall.core.audit import audit_record
from govhall.core.calendar import Deadline, tentative
from govhall.core.errors import Conflict, Forbidden, ServiceError, field_error
from govhall.core.events import publish_on_commit
from govhall.exchange.sync import on_case_changed
from govhall.orgs.models import Centre, CentreLevel, Post, Window, WindowClass
from govhall.orgs.windows import window_takes

# The system's jobs, named on the timeline and in the audit log.
ROUTING = system("流转")
DEADLINE_SCAN = system("期限预警")
RONGQUE_SCAN = system("容缺期限检查")
REROUTING = system("AB角转交")
DEADLINE_RECOMPUTE = system("期限重新核定")


# --- small helpers ------------------------------------------------------------------------------


def _label(actor: Actor | None) -> str:
    return actor_label(actor)


def _lock(case: Case) -> Case:
    """Re-read the case under a row lock (SQLite: the IMMEDIATE transaction already serialises)."""
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related(
            "centre__division",
            "handling_centre__division",
            "matter",
            "matter_version",
            "department",
            "current_step__post",
            "current_post",
            "current_assignee",
        )
        .get(pk=case.pk)
    )


def _event(
    case: Case,
    action: str,
    label: str,
    actor: Actor | None,
    detail: str = "",
    *,
    at: dt.datetime | None = None,
    centre: Centre | None = None,
) -> CaseEvent:
    """One timeline row. Whether the applicant sees it is not the caller's choice: the allow-list
    `PUBLIC_EVENTS` decides (and `selectors.public_timeline` applies it again when reading)."""
    staff = actor if is_staff_actor(actor) else None
    if centre is None:
        centre = staff.centre if staff is not None and staff.centre is not None else case.handling_centre
    return CaseEvent.objects.create(
        case=case,
        at=at or timezone.now(),
        action=action,
        label=label,
        actor=staff,
        actor_label=_label(actor),
        centre_name=centre.name,
        detail=detail[:2000],
        public=shown_as_stored(action),
    )


def _audit(
    case: Case,
    action: str,
    actor: Any,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    note: str = "",
) -> None:
    audit_record(action=f"case.{action}", obj=case, actor=actor, before=before, after=after, note=note)


def _state(case: Case) -> dict[str, Any]:
    return {
        "number": case.number,
        "status": case.status,
        "result": case.result,
        "assignee": case.current_assignee_id,
        "due_at": case.due_at,
    }


def _publish(case: Case, what: str) -> None:
    on_case_changed(case=case)  # NET-2: the datasets this step reached go to the provincial platform

    payload = {"case": case.number, "status": case.status, "what": what}
    publish_on_commit(f"cases.centre.{case.handling_centre_id}.{what}", payload)
    if case.centre_id != case.handling_centre_id:
        publish_on_commit(f"cases.centre.{case.centre_id}.{what}", payload)


def has_bad_credit(digest: str) -> bool:
    return ApplicantCredit.objects.filter(id_digest=digest, repaired_at__isnull=True).exists()


def back_office_steps(version: Any) -> list[str]:
    """The matter's approval steps after acceptance (a leading 受理 is the front desk's own act)."""
    names = [str(n).strip() for n in (version.approval_steps or []) if str(n).strip()]
    if names and names[0] == "受理":
        names = names[1:]
    return names or ["审批"]


# --- notifications (outbox) -----------------------------------------------------------------------


def _notify_applicant(case: Case, text: str) -> None:
    from govhall.cases.notify import notify_applicant

    notify_applicant(case, text)


# --- receiving (收件) -------------------------------------------------------------------------------


def _check_window(window: Window, version: Any, name: str) -> None:
    """一窗分类综合受理 (MODE-1): the window must take the matter (`orgs.windows.window_takes`)."""
    if window_takes(window, version):
        return
    proper = WindowClass(version.window_class).label
    raise field_error(
        "window",
        f"{window}是{window.get_window_class_display()}，不能受理「{name}」（该事项应在{proper}受理）。",
    )


def _material_rows(version: Any, materials: Sequence[dict[str, Any]]) -> list[CaseMaterial]:
    given: dict[int, dict[str, Any]] = {}
    for item in materials or []:
        try:
            given[int(item["material_id"])] = item
        except (KeyError, TypeError, ValueError):
            raise field_error("materials", "材料清单格式有误：每项须有 material_id。") from None
    catalogue = list(version.materials.all())
    known = {m.pk for m in catalogue}
    unknown = sorted(set(given) - known)
    if unknown:
        raise field_error("materials", f"材料编号 {unknown[0]} 不属于该事项的材料清单。")
    rows = []
    for m in catalogue:
        item = given.get(m.pk, {})
        status = item.get("status", MaterialStatus.MISSING)
        if status not in (MaterialStatus.RECEIVED, MaterialStatus.MISSING, MaterialStatus.WRONG):
            raise field_error("materials", f"材料「{m.name}」的收取情况只能是已收取、缺少或有误。")
        form = item.get("form", MaterialForm.PAPER)
        if form not in MaterialForm.values:
            raise field_error("materials", f"材料「{m.name}」的收取方式不正确。")
        rows.append(
            CaseMaterial(
                material=m,
                order=m.order,
                name=m.name,
                required=m.required,
                status=status,
                form=form,
                originals=_count(
                    item.get("originals", m.originals if status == MaterialStatus.RECEIVED else 0), m.name
                ),
                copies=_count(
                    item.get("copies", m.copies if status == MaterialStatus.RECEIVED else 0), m.name
                ),
                note=str(item.get("note", ""))[:300],
            )
        )
    return rows


def _count(value: Any, name: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise field_error("materials", f"材料「{name}」的份数应为整数。") from None
    if not 0 <= number <= 99:
        raise field_error("materials", f"材料「{name}」的份数应在0到99之间。")
    return number


@transaction.atomic
def case_receive(
    *,
    actor: Any,
    matter_id: Any,
    applicant: dict[str, Any],
    agent: dict[str, Any] | None = None,
    materials: Sequence[dict[str, Any]] = (),
    window_id: Any = None,
    channel: str | None = None,
    centre_id: Any = None,
    ticket_id: Any = None,
    enquiry_id: Any = None,
) -> Case:
    """收件: a front-desk clerk at a window (MODE-1), a village clerk for a town or city matter (MODE-4,
    forwarded to the town centre under the same number), or an online application (the applicant acting, a
    `CitizenActor` from `applicants.applicant_actor`)."""
    now = timezone.now()
    if isinstance(actor, CitizenActor):
        channel = channel or Channel.ONLINE
        if channel not in (Channel.ONLINE, Channel.MOBILE):
            raise field_error("channel", "网上申请的渠道只能是网上申请或移动端申请。")
        try:
            centre = Centre.objects.select_related("division", "parent").get(
                pk=int(centre_id), is_active=True
            )
        except (Centre.DoesNotExist, TypeError, ValueError):
            raise field_error("centre_id", "请选择办理的服务中心。") from None
    else:
        if not acts_as(actor, *RECEIVE_ROLES):
            raise Forbidden("只有前台受理员、村便民服务员、代办员或中心主任可以收件。")
        if actor.centre_id is None:
            raise Forbidden("您不属于任何服务中心，不能收件。")
        centre = Centre.objects.select_related("division", "parent").get(pk=actor.centre_id)
        channel = channel or (Channel.VILLAGE if centre.level == CentreLevel.VILLAGE else Channel.WINDOW)
        if channel not in Channel.values:
            raise field_error("channel", "申请渠道不正确。")

    try:
        matter = Matter.objects.select_related("current_version").get(pk=int(matter_id))
    except (Matter.DoesNotExist, TypeError, ValueError):
        raise field_error("matter_id", "事项不存在，请从事项清单中选择。") from None
    if not matter.is_serviceable:
        raise field_error(
            "matter_id", f"事项「{matter.name}」当前状态为{matter.get_status_display()}，不能收件。"
        )
    version = matter.current_version
    link = CentreMatter.objects.filter(centre=centre, matter=matter, is_active=True).first()
    if link is None:
        raise field_error("matter_id", f"{centre.name}未进驻事项「{matter.name}」，不能收件。")

    forwarded = centre.level == CentreLevel.VILLAGE and link.service_mode == CentreServiceMode.FORWARD
    if forwarded and centre.parent is None:
        raise Conflict(f"{centre.name}没有所属镇为民服务中心，无法转办。")
    handling = centre.parent if forwarded else centre

    window = None
    if window_id not in (None, ""):
        try:
            window = Window.objects.get(pk=int(window_id), centre=centre, is_active=True)
        except (Window.DoesNotExist, TypeError, ValueError):
            raise field_error("window", "窗口不存在或不属于本中心。") from None
        _check_window(window, version, matter.name)
    elif is_staff_actor(actor) and centre.level == CentreLevel.TOWN and channel == Channel.WINDOW:
        raise field_error("window", "请选择收件的窗口（一窗分类综合受理）。")

    who = clean_applicant(
        kind=applicant.get("kind", ""),
        name=applicant.get("name", ""),
        id_type=applicant.get("id_type", ""),
        id_number=applicant.get("id_number", ""),
        phone=applicant.get("phone", ""),
        service_objects=version.service_object_codes,
    )
    agent_who: Identity | None = None
    if agent:
        agent_who = clean_agent(
            name=agent.get("name", ""),
            id_type=agent.get("id_type", ""),
            id_number=agent.get("id_number", ""),
            phone=agent.get("phone", ""),
        )
    rows = _material_rows(version, materials)

    ticket = _ticket(ticket_id, centre) if ticket_id not in (None, "") else None
    enquiry = _enquiry(enquiry_id, centre) if enquiry_id not in (None, "") else None

    case = Case(
        number=new_case_number(centre, now),
        query_password=new_query_password(),
        centre=centre,
        handling_centre=handling,
        forwarded=forwarded,
        window=window,
        channel=channel,
        receiver=actor if is_staff_actor(actor) else None,
        matter=matter,
        matter_version=version,
        matter_name=version.name,
        department_id=version.department_id,
        case_type=version.case_type,
        applicant_kind=who.kind,
        applicant_name=who.name,
        applicant_id_type=who.id_type,
        applicant_id_number=who.id_number,
        applicant_id_digest=who.digest,
        applicant_phone=who.phone,
        applicant_address=str(applicant.get("address", "") or "")[:200],
        legal_representative=str(applicant.get("legal_representative", "") or "")[:40],
        limit_value=version.promised_limit,
        limit_unit=version.promised_limit_unit,
        fee_amount=version.fee_amount if version.charges else None,
        received_at=now,
    )
    if agent_who is not None:
        case.agent_name, case.agent_id_type = agent_who.name, agent_who.id_type
        case.agent_id_number, case.agent_id_digest, case.agent_phone = (
            agent_who.id_number,
            agent_who.digest,
            agent_who.phone,
        )
    case.ticket, case.enquiry = ticket, enquiry
    case.save()
    for row in rows:
        row.case = case
    CaseMaterial.objects.bulk_create(rows)

    received = sum(1 for r in rows if r.status == MaterialStatus.RECEIVED)
    detail = f"事项：{version.name}（版本{version.number}）；收取材料{received}/{len(rows)}项；渠道：{Channel(channel).label}"
    _event(case, "receive", "收件", actor, detail, at=now, centre=centre)
    if forwarded:
        _event(
            case,
            "forward",
            "转办",
            actor,
            f"由{centre.name}转办至{handling.name}受理，办件编号不变。",
            at=now,
            centre=centre,
        )
    if enquiry is not None:
        from govhall.staffing.services import enquiry_mark_converted

        enquiry_mark_converted(enquiry=enquiry, case_number=case.number, actor=actor)
    _audit(
        case,
        "receive",
        actor,
        None,
        {
            **_state(case),
            "matter": matter.code,
            "version": version.number,
            "centre": centre.pk,
            "handling_centre": handling.pk,
            "forwarded": forwarded,
            "channel": channel,
        },
    )
    _publish(case, "received")
    return case


def _ticket(ticket_id: Any, centre: Centre) -> Any:
    from govhall.queueing.models import Ticket

    try:
        return Ticket.objects.get(pk=int(ticket_id), centre=centre)
    except (Ticket.DoesNotExist, TypeError, ValueError):
        raise field_error("ticket_id", "排队号不存在或不属于本中心。") from None


def _enquiry(enquiry_id: Any, centre: Centre) -> Any:
    from govhall.staffing.models import Enquiry

    try:
        return Enquiry.objects.get(pk=int(enquiry_id), centre=centre)
    except (Enquiry.DoesNotExist, TypeError, ValueError):
        raise field_error("enquiry_id", "首问登记不存在。") from None


@transaction.atomic
def case_update_materials(*, case: Case, actor: Any, materials: Sequence[dict[str, Any]]) -> Case:
    """Tick the checklist again before the decision (收件 or 补正 stage)."""
    case = _lock(case)
    require_action(case, actor, "materials")
    fresh = {r.material_id: r for r in _material_rows(case.matter_version, materials)}
    changed = []
    for row in case.materials.all():
        new = fresh.get(row.material_id)
        given = any(int(m.get("material_id", 0)) == row.material_id for m in materials)
        if new is None or not given:
            continue
        if (row.status, row.originals, row.copies, row.form) != (
            new.status,
            new.originals,
            new.copies,
            new.form,
        ):
            changed.append(f"{row.name}：{row.get_status_display()}→{MaterialStatus(new.status).label}")
            row.status, row.originals, row.copies, row.form, row.note = (
                new.status,
                new.originals,
                new.copies,
                new.form,
                new.note,
            )
            row.save(update_fields=["status", "originals", "copies", "form", "note"])
    if changed:
        _event(case, "materials", "核对材料", actor, "；".join(changed))
        _audit(case, "materials", actor, None, {"changed": changed})
    return case


@transaction.atomic
def case_attach_file(
    *, case: Case, actor: Any, upload: IO[bytes], name: str, size: int | None = None, material_id: Any = None
) -> CaseFile:
    """Attach a scan or photo (高拍仪/scanner image, PDF). Type by content, size capped."""
    case = _lock(case)
    require_action(case, actor, "upload")
    material = None
    if material_id not in (None, ""):
        try:
            material = case.materials.get(pk=int(material_id))
        except (CaseMaterial.DoesNotExist, TypeError, ValueError):
            raise field_error("material_id", "该材料不属于本办件。") from None
    stored = check_and_store(upload, name=name, size=size)
    try:
        record = CaseFile.objects.create(
            case=case,
            material=material,
            storage_name=stored.storage_name,
            original_name=stored.original_name,
            kind=stored.kind,
            mime=stored.mime,
            size=stored.size,
            sha256=stored.sha256,
            uploaded_by=actor if is_staff_actor(actor) else None,
        )
        _event(
            case,
            "upload",
            "上传材料",
            actor,
            f"{stored.original_name}（{stored.kind.upper()}，{stored.size // 1024 + 1} KB）"
            + (f"，对应材料「{material.name}」" if material else ""),
        )
        _audit(
            case,
            "file.upload",
            actor,
            None,
            {"file": record.pk, "sha256": stored.sha256, "size": stored.size},
        )
    except Exception:
        remove_stored(stored.storage_name)
        raise
    return record


# --- notices ---------------------------------------------------------------------------------------

NOTICE_PREFIX = {
    NoticeKind.ACCEPT: "SL",
    NoticeKind.REJECT: "BSL",
    NoticeKind.CORRECTION: "GZ",
    NoticeKind.RONGQUE: "RQ",
    NoticeKind.COMMITMENT: "CN",
    NoticeKind.RESULT: "BJ",
}


def _issue_notice(
    case: Case,
    kind: str,
    actor: Any,
    payload: dict[str, Any],
    *,
    sheet: Any = None,
    at: dt.datetime | None = None,
) -> CaseNotice:
    n = CaseNotice.objects.filter(case=case, kind=kind).count() + 1
    base = {
        "centre": case.handling_centre.name,
        "seal": case.handling_centre.seal,
        "received_centre": case.centre.name,
        "matter": case.matter_name,
        "matter_code": case.matter.code,
        "version": case.matter_version.number,
        "applicant": case.applicant_name,
        "issuer": _label(actor),
    }
    return CaseNotice.objects.create(
        case=case,
        kind=kind,
        serial=f"{NOTICE_PREFIX[NoticeKind(kind)]}-{case.number}-{n}",
        issued_at=at or timezone.now(),
        issued_by=actor if getattr(actor, "pk", None) else None,
        sheet=sheet,
        payload={**base, **payload},
    )


def _fmt(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y年%m月%d日") if moment else ""


def _fmt_time(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y年%m月%d日 %H:%M") if moment else ""


def _set_deadline(obj: Any, field: str, deadline: Deadline | None) -> None:
    """Store a deadline on a case (or its check), keeping a provisional one recomputable."""
    provisional.apply(obj, field, deadline)


def _materials_payload(rows: Iterable[CaseMaterial]) -> list[dict[str, Any]]:
    return [
        {"name": r.name, "status": r.get_status_display(), "originals": r.originals, "copies": r.copies}
        for r in rows
    ]


def _pick(case: Case, ids: Iterable[Any], field: str) -> list[CaseMaterial]:
    wanted: list[int] = []
    for value in ids or []:
        try:
            wanted.append(int(value))
        except (TypeError, ValueError):
            raise field_error(field, "材料编号应为整数。") from None
    rows = list(case.materials.select_related("material").filter(pk__in=wanted))
    if len(rows) != len(set(wanted)):
        raise field_error(field, "所选材料不属于本办件。")
    return rows


# --- the clock ----------------------------------------------------------------------------------


def _suspend(
    case: Case,
    *,
    kind: str,
    actor: Any,
    at: dt.datetime,
    reason: str,
    procedure: str = "",
    materials: Sequence[int] = (),
) -> Suspension:
    if case.suspensions.filter(ended_at__isnull=True).exists():
        raise Conflict(f"办件{case.number}已处于挂起状态，不能重复挂起。", code="wrong_state")
    suspension = Suspension.objects.create(
        case=case,
        kind=kind,
        procedure=procedure,
        reason=reason,
        started_at=at,
        started_by=actor if getattr(actor, "pk", None) else None,
        materials=list(materials),
    )
    case.status = CaseStatus.SUSPENDED
    case.clock_stopped_at = at
    return suspension


def _resume(case: Case, suspension: Suspension, *, actor: Any, at: dt.datetime, result: str) -> int:
    """End a clock stop: the deadline and the warning moment move out by the stopped units."""
    units = clock.stopped_units(suspension.started_at, at, case.limit_unit)
    _set_deadline(case, "due_at", clock.extend(case, "due_at", units, case.limit_unit))
    _set_deadline(case, "warn_at", clock.extend(case, "warn_at", units, case.limit_unit))
    case.paused_days += units
    case.clock_stopped_at = None
    case.status = CaseStatus.PROCESSING
    case.warning_level = warning_level(case, at)
    suspension.ended_at, suspension.result, suspension.working_days = at, result[:2000], units
    suspension.ended_by = actor if getattr(actor, "pk", None) else None
    suspension.save(update_fields=["ended_at", "ended_by", "result", "working_days"])
    if suspension.kind == SuspensionKind.CORRECTION and case.current_step is not None:
        _route(case, case.current_step.step_index, at)
    _event(
        case,
        "resume",
        "恢复计时",
        actor,
        f"{suspension.get_kind_display()}结束（{result}）；暂停{units}个{_unit_label(case)}，"
        f"承诺办结时间顺延至{tentative(_fmt_time(case.due_at), case.due_waits_for)}。",
        at=at,
    )
    return units


def _unit_label(case: Case) -> str:
    return {"hour": "小时", "natural_day": "自然日"}.get(case.limit_unit, "工作日")


# --- routing to AB posts (STD-4) -------------------------------------------------------------------


def _post_for(case: Case, step_name: str) -> Post:
    posts = list(
        Post.objects.filter(
            is_active=True, department_id=case.department_id, centre_id=case.handling_centre_id
        )
        .select_related("a_staff", "b_staff", "centre")
        .order_by("pk")
    )
    if not posts:
        raise Conflict(
            f"{case.handling_centre.name}没有设置{case.department.name}的后台审批岗位（AB角），"
            f"办件无法流转到「{step_name}」环节。请中心主任先设置岗位。",
            code="no_post",
        )
    for post in posts:
        if step_name in post.name:
            return post
    return posts[0]


def _next_seq(case: Case) -> int:
    last = case.steps.order_by("-seq").values_list("seq", flat=True).first()
    return (last or 0) + 1


def _route(case: Case, index: int, at: dt.datetime) -> CaseStep:
    from govhall.staffing.services import post_handler

    names = back_office_steps(case.matter_version)
    name = names[index]
    post = _post_for(case, name)
    handler = post_handler(post=post, at=at)
    step = CaseStep.objects.create(
        case=case,
        seq=_next_seq(case),
        step_index=index,
        name=name,
        kind=StepKind.APPROVE,
        post=post,
        assignee=handler.user,
        assignee_role=handler.role,
        route_reason=handler.reason[:200],
        started_at=at,
    )
    case.current_step, case.current_post, case.current_assignee = step, post, handler.user
    _event(
        case,
        "route",
        name,
        ROUTING,
        f"流转至{post.name}：{handler.reason}",
        at=at,
        centre=case.handling_centre,
    )
    return step


def _close_step(
    step: CaseStep,
    *,
    actor: Any,
    role: str,
    action: str,
    opinion: str,
    at: dt.datetime,
    status: str = StepStatus.DONE,
) -> None:
    step.status, step.action, step.opinion, step.finished_at = status, action, opinion[:4000], at
    step.handler = actor if getattr(actor, "pk", None) else None
    step.handler_label, step.handler_role = _label(actor), role
    step.save(
        update_fields=[
            "status",
            "action",
            "opinion",
            "finished_at",
            "handler",
            "handler_label",
            "handler_role",
        ]
    )


def _step_actor(
    case: Case, actor: Any, action: str, *, facts: Facts | None = None, doing: str | None = None
) -> tuple[CaseStep, str]:
    """`require_action` for an act on the pending step; that step and the role the actor acts in (A, B,
    director …)."""
    require_action(case, actor, action, facts=facts, doing=doing)
    step, role = pending_step(case), step_role(actor, case)
    assert step is not None and role is not None  # the rules checked both
    return step, role


# --- decisions at the front desk (受理 / 不予受理 / 补正) ----------------------------------------------


@transaction.atomic
def case_accept(
    *,
    case: Case,
    actor: Any,
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
    if not case.matter.is_serviceable:
        raise Conflict(f"事项「{case.matter_name}」已暂停或取消，不能受理。", code="matter_not_serviceable")
    version = case.matter_version
    now = timezone.now()
    rongque = _pick(case, rongque_material_ids, "rongque_material_ids")
    promised = _pick(case, commitment_material_ids, "commitment_material_ids")
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
    chosen = {r.pk for r in rongque} | {r.pk for r in promised}
    rows = list(case.materials.all())
    missing = [
        r.name for r in rows if r.required and r.status != MaterialStatus.RECEIVED and r.pk not in chosen
    ]
    if missing:
        raise ServiceError(
            f"必备材料未收齐：{'、'.join(missing)}。请出具一次性告知书要求补正，或对可容缺材料办理容缺受理。",
            code="materials_incomplete",
            fields={"materials": "、".join(missing)},
        )
    if (rongque or promised) and has_bad_credit(case.applicant_id_digest):
        field = "rongque_material_ids" if rongque else "commitment_material_ids"
        raise field_error(
            field, "申请人有虚假承诺等失信记录，信用修复前不能适用告知承诺或容缺受理。", code="bad_credit"
        )
    if rongque and not rongque_signed:
        raise field_error("rongque_signed", "容缺受理须申请人签署《容缺受理承诺书》。")
    if promised and not commitment_signed:
        raise field_error("commitment_signed", "告知承诺须申请人签署《告知承诺书》。")

    rules = CaseRules.current()
    due = clock.due_moment(now, case.limit_value, case.limit_unit)
    warn = clock.warn_moment(now, case.limit_value, case.limit_unit, rules.yellow_share)
    deadline = None
    if rongque:
        deadline = _rongque_deadline(version, now, due, rongque_deadline)

    before = _state(case)
    case.status, case.accepted_at, case.accepted_by = CaseStatus.PROCESSING, now, actor
    _set_deadline(case, "due_at", due)
    _set_deadline(case, "warn_at", warn)
    case.warning_level = WarningLevel.NONE
    for row in rongque:
        row.status = MaterialStatus.RONGQUE
        row.save(update_fields=["status"])
    for row in promised:
        row.status = MaterialStatus.COMMITMENT
        row.save(update_fields=["status"])
    if rongque:
        case.rongque_pending, case.rongque_commitment_signed_at = True, now
        _set_deadline(case, "rongque_deadline", deadline)
    if promised:
        case.uses_commitment = True
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

    accept_step = CaseStep.objects.create(
        case=case,
        seq=_next_seq(case),
        name="受理",
        kind=StepKind.ACCEPT,
        assignee=actor,
        assignee_role="",
        started_at=case.received_at,
    )
    _close_step(
        accept_step,
        actor=actor,
        role="前台",
        action=StepAction.ACCEPT,
        opinion=opinion or "材料齐全，予以受理",
        at=now,
    )
    _event(
        case,
        "accept",
        "受理",
        actor,
        f"予以受理（{case.handling_centre.seal}）。承诺办结时间：{tentative(_fmt_time(due.at), due.waits_for_year)}"
        + (f"；{due.note}" if due.provisional else "")
        if case.limit_value
        else f"予以受理（{case.handling_centre.seal}），即办件当场办结。",
        at=now,
    )
    if case.case_type == CaseType.IMMEDIATE or case.limit_value == 0:
        step = CaseStep.objects.create(
            case=case,
            seq=_next_seq(case),
            step_index=len(back_office_steps(version)) - 1,
            name="即办",
            kind=StepKind.APPROVE,
            assignee=actor,
            assignee_role="即办",
            route_reason="即办件由受理人当场办结",
            started_at=now,
        )
        case.current_step, case.current_post, case.current_assignee = step, None, actor
    else:
        _route(case, 0, now)
    case.save()

    payload: dict[str, Any] = {
        "received_at": _fmt_time(case.received_at),
        "accepted_at": _fmt_time(now),
        "due_at": tentative(_fmt_time(due.at), due.waits_for_year),
        "due_provisional_note": due.note,
        "limit": version.promised_limit_display(),
        "materials": _materials_payload(case.materials.all()),
    }
    if promised:
        payload["commitment"] = [r.name for r in promised]
        payload["check_method"] = CheckMethod(case.commitment_check.method).label
    _issue_notice(case, NoticeKind.ACCEPT, actor, payload, at=now)
    if rongque:
        _issue_notice(
            case,
            NoticeKind.RONGQUE,
            actor,
            {
                "accepted_at": _fmt_time(now),
                "deadline": tentative(_fmt(deadline.at), deadline.waits_for_year),
                "due_at": tentative(_fmt_time(due.at), due.waits_for_year),
                "due_provisional_note": due.note or deadline.note,
                "return_days": rules.rongque_return_days,
                "missing": [
                    {
                        "name": r.name,
                        "originals": r.material.originals if r.material else 0,
                        "copies": r.material.copies if r.material else 0,
                        "form": r.material.get_material_form_display() if r.material else "",
                    }
                    for r in rongque
                ],
            },
            at=now,
        )
        _event(
            case,
            "rongque",
            "容缺受理",
            actor,
            f"容缺材料：{'、'.join(r.name for r in rongque)}；补齐期限："
            f"{tentative(_fmt(deadline.at), deadline.waits_for_year)}；补齐前办理结果暂扣。",
            at=now,
        )
    if promised:
        _event(
            case,
            "commitment",
            "告知承诺",
            actor,
            f"以告知承诺书代替：{'、'.join(r.name for r in promised)}；核查方式："
            f"{CheckMethod(case.commitment_check.method).label}",
            at=now,
        )
    _notify_applicant(
        case,
        f"您申请的「{case.matter_name}」已受理，办件编号{case.number}"
        + (f"，承诺办结时间{tentative(_fmt(due.at), due.waits_for_year)}" if case.limit_value else "")
        + "。",
    )
    _audit(
        case,
        "accept",
        actor,
        before,
        {**_state(case), "rongque": [r.name for r in rongque], "commitment": [r.name for r in promised]},
    )
    _publish(case, "accepted")
    return case


def _rongque_deadline(version: Any, now: dt.datetime, due: Deadline, chosen: dt.date | None) -> Deadline:
    from govhall.core.calendar import end_of_day

    if chosen is not None:
        deadline = end_of_day(chosen)
        if deadline <= now:
            raise field_error("rongque_deadline", "容缺补齐期限应在今天之后。")
        if deadline > due.at:
            raise field_error(
                "rongque_deadline",
                f"容缺补齐期限（{_fmt(deadline)}）不能晚于承诺办结时间（{_fmt(due.at)}）。",
            )
        return Deadline(at=deadline)
    if not version.rongque_supply_days:
        raise field_error("rongque_deadline", "该事项未设定容缺补齐期限，请填写补齐期限。")
    supply = clock.add_units(now, version.rongque_supply_days, "workday")
    # The earlier of the two; on a tie the promised completion's count (it is the case's own clock).
    return supply if supply.at < due.at else due


@transaction.atomic
def case_reject(*, case: Case, actor: Any, reason: str) -> Case:
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
        case, NoticeKind.REJECT, actor, {"received_at": _fmt_time(case.received_at), "reason": reason}, at=now
    )
    _event(case, "reject", "不予受理", actor, f"理由：{reason}", at=now)
    _notify_applicant(
        case, f"您申请的「{case.matter_name}」（办件编号{case.number}）不予受理，理由：{reason[:60]}。"
    )
    _audit(case, "reject", actor, before, {**_state(case), "reason": reason})
    _publish(case, "rejected")
    return case


def _correction_items(case: Case, items: Sequence[dict[str, Any]]) -> list[tuple[CaseMaterial, str, str]]:
    if not items:
        raise field_error("items", "请一次性列出需要补正的全部材料（一次性告知）。")
    out = []
    seen: set[int] = set()
    for item in items:
        try:
            row = case.materials.select_related("material").get(
                pk=int(item.get("id") or item.get("material_id"))
            )
        except (CaseMaterial.DoesNotExist, TypeError, ValueError):
            raise field_error("items", "补正的材料不属于本办件。") from None
        problem = item.get("problem") or MaterialStatus.MISSING
        if problem not in (MaterialStatus.MISSING, MaterialStatus.WRONG):
            raise field_error("items", f"材料「{row.name}」的问题只能是缺少或有误。")
        reason = str(item.get("reason") or "").strip()
        if not reason:
            raise field_error("items", f"请写明材料「{row.name}」的补正要求。")
        if row.pk in seen:
            raise field_error("items", f"材料「{row.name}」重复列出。")
        seen.add(row.pk)
        out.append((row, problem, reason[:500]))
    return out


def _issue_correction(
    case: Case, actor: Any, rows: list[tuple[CaseMaterial, str, str]], note: str, at: dt.datetime
) -> Any:
    """The 一次性告知书: the catalogue's notification sheet (STD-2), the materials marked, the case notice."""
    from govhall.catalog.services import notification_sheet_create

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
            "received_at": _fmt_time(case.received_at),
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
    *, case: Case, actor: Any, items: Sequence[dict[str, Any]], note: str = ""
) -> Case:
    """补齐补正告知 (STD-2, 行政许可法 art. 32): one 一次性告知书 listing every missing or wrong material."""
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
    _notify_applicant(
        case,
        f"您申请的「{case.matter_name}」（办件编号{case.number}）材料需补正，"
        f"请按一次性告知书补齐后再来办理。",
    )
    _audit(case, "correction", actor, before, {**_state(case), "sheet": sheet.serial})
    _publish(case, "correction")
    return case


@transaction.atomic
def case_supply(*, case: Case, actor: Any, material_ids: Sequence[Any], note: str = "") -> Case:
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
    _audit(
        case,
        "supply",
        actor,
        before,
        {**_state(case), "materials": [r.name for r in rows]},
        note=(note or "").strip()[:300],
    )
    _publish(case, "supplied")
    return case


# --- back office (后台分类审批, MODE-1) ----------------------------------------------------------------


@transaction.atomic
def case_step_pass(*, case: Case, actor: Any, opinion: str = "") -> Case:
    """通过: close the current step and route the next one to its post."""
    case = _lock(case)
    step, role = _step_actor(case, actor, "pass")
    names = back_office_steps(case.matter_version)
    if step.name == "即办" or step.step_index >= len(names) - 1:
        raise Conflict(
            f"「{step.name}」是最后一个环节，请作出办结决定（准予、不予许可或转报）。", code="last_step"
        )
    now = timezone.now()
    before = _state(case)
    _close_step(step, actor=actor, role=role, action=StepAction.PASS, opinion=opinion or "同意", at=now)
    _event(case, "pass", step.name, actor, f"通过。意见：{opinion or '同意'}", at=now)
    _route(case, step.step_index + 1, now)
    case.save()
    _audit(case, "step.pass", actor, before, {**_state(case), "step": step.name, "role": role})
    _publish(case, "step")
    return case


@transaction.atomic
def case_step_return(
    *, case: Case, actor: Any, to: str, reason: str, items: Sequence[dict[str, Any]] = ()
) -> Case:
    """退回: to the front desk (it re-checks and resubmits; the clock runs) or to the applicant for 补正
    (a 一次性告知书; the clock stops until the materials are in, STD-3)."""
    case = _lock(case)
    step, role = _step_actor(case, actor, "return")
    reason = (reason or "").strip()
    if not reason:
        raise field_error("reason", "退回须写明原因。")
    if to not in ("front", "applicant"):
        raise field_error("to", "退回对象只能是前台（front）或申请人（applicant）。")
    now = timezone.now()
    before = _state(case)
    if to == "front":
        _close_step(step, actor=actor, role=role, action=StepAction.RETURN_FRONT, opinion=reason, at=now)
        clerk = case.accepted_by or case.receiver
        front = CaseStep.objects.create(
            case=case,
            seq=_next_seq(case),
            step_index=step.step_index,
            name="前台复核",
            kind=StepKind.FRONT,
            assignee=clerk,
            assignee_role="前台",
            route_reason="退回受理人复核",
            started_at=now,
        )
        case.status = CaseStatus.RETURNED
        case.current_step, case.current_post, case.current_assignee = front, None, clerk
        _event(case, "return_front", f"{step.name}：退回前台", actor, f"原因：{reason}", at=now)
    else:
        rows = _correction_items(case, items)
        _issue_correction(case, actor, rows, reason, now)
        _close_step(step, actor=actor, role=role, action=StepAction.RETURN_APPLICANT, opinion=reason, at=now)
        _suspend(
            case,
            kind=SuspensionKind.CORRECTION,
            actor=actor,
            at=now,
            reason=reason,
            materials=[row.pk for row, _p, _w in rows],
        )
        case.current_assignee = None
        _event(
            case,
            "return_applicant",
            f"{step.name}：退回补正",
            actor,
            "需补正：" + "；".join(f"{r.name}（{why}）" for r, _p, why in rows) + "。补正期间暂停计时。",
            at=now,
        )
        _notify_applicant(case, f"您的办件{case.number}需补正材料，请按一次性告知书补齐，补正期间暂停计时。")
    case.save()
    _audit(case, f"step.return_{to}", actor, before, {**_state(case), "step": step.name, "reason": reason})
    _publish(case, "step")
    return case


@transaction.atomic
def case_resubmit(*, case: Case, actor: Any, opinion: str = "") -> Case:
    """The front desk has re-checked a returned case: route the step that returned it again."""
    case = _lock(case)
    require_action(case, actor, "resubmit")
    step = pending_step(case)
    assert step is not None  # the rules checked it
    now = timezone.now()
    before = _state(case)
    _close_step(
        step, actor=actor, role="前台", action=StepAction.RESUBMIT, opinion=opinion or "已复核", at=now
    )
    case.status = CaseStatus.PROCESSING
    _event(case, "resubmit", "前台复核", actor, f"复核后重新提交。{opinion}", at=now)
    _route(case, step.step_index, now)
    case.save()
    _audit(case, "resubmit", actor, before, _state(case))
    _publish(case, "step")
    return case


@transaction.atomic
def case_special_start(*, case: Case, actor: Any, procedure: str, reason: str) -> Case:
    """特别程序 (延长审批, 听证, 公示, 核实, 现场勘查, 检验检测, 专家评审 …): the clock stops (STD-3)."""
    case = _lock(case)
    _step, role = _step_actor(case, actor, "special_start")
    if procedure not in SpecialProcedure.values:
        raise field_error("procedure", "特别程序种类不正确。")
    allowed = set(case.matter_version.special_procedures or []) | {SpecialProcedure.EXTENSION.value}
    if procedure not in allowed:
        names = "、".join(SpecialProcedure(p).label for p in sorted(allowed) if p in SpecialProcedure.values)
        raise field_error(
            "procedure", f"本事项的特别程序不含「{SpecialProcedure(procedure).label}」（可用：{names}）。"
        )
    reason = (reason or "").strip()
    if not reason:
        raise field_error("reason", "启动特别程序须写明原因。")
    now = timezone.now()
    before = _state(case)
    _suspend(case, kind=SuspensionKind.SPECIAL, actor=actor, at=now, reason=reason, procedure=procedure)
    case.save()
    _event(
        case,
        "special_start",
        f"特别程序：{SpecialProcedure(procedure).label}",
        actor,
        f"原因：{reason}。特别程序期间暂停计时。",
        at=now,
    )
    _notify_applicant(
        case, f"您的办件{case.number}进入特别程序（{SpecialProcedure(procedure).label}），期间暂停计时。"
    )
    _audit(case, "special.start", actor, before, {**_state(case), "procedure": procedure, "role": role})
    _publish(case, "suspended")
    return case


@transaction.atomic
def case_special_end(*, case: Case, actor: Any, result: str) -> Case:
    case = _lock(case)
    stop = case.suspensions.filter(ended_at__isnull=True).first()
    _step_actor(case, actor, "special_end", facts=Facts(suspension=stop.kind if stop else ""))
    assert stop is not None  # the rules checked it is a 特别程序
    result = (result or "").strip()
    if not result:
        raise field_error("result", "请填写特别程序的结果。")
    now = timezone.now()
    before = _state(case)
    label = (
        SpecialProcedure(stop.procedure).label if stop.procedure in SpecialProcedure.values else "特别程序"
    )
    _event(case, "special_end", f"特别程序结束：{label}", actor, f"结果：{result}", at=now)
    _resume(case, stop, actor=actor, at=now, result=f"{label}：{result}")
    case.save()
    _audit(case, "special.end", actor, before, {**_state(case), "result": result})
    _publish(case, "resumed")
    return case


# --- results (办结) ---------------------------------------------------------------------------------


@transaction.atomic
def case_finish(
    *,
    case: Case,
    actor: Any,
    result: str,
    reason: str = "",
    certificate_name: str = "",
    certificate_no: str = "",
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    referred_to: str = "",
) -> Case:
    """办结: 准予/出证 (at the last step), 不予许可 or 转报 (by the step's handler); 退件 (the front desk or
    the director; the system for 容缺 materials never supplied); 作废 (the director)."""
    case = _lock(case)
    if result not in ResultKind.values:
        raise field_error("result", "办结结果应为准予、不予许可、退件、作废或转报。")
    reason = (reason or "").strip()
    role = ""
    step = case.current_step
    if result in (ResultKind.APPROVED, ResultKind.DENIED, ResultKind.REFERRED):
        step, role = _step_actor(case, actor, "finish", doing=f"办结（{ResultKind(result).label}）")
        names = back_office_steps(case.matter_version)
        if result == ResultKind.APPROVED and step.name != "即办" and step.step_index < len(names) - 1:
            raise Conflict(
                f"当前环节「{step.name}」不是最后一个环节，不能准予办结；请先通过本环节。",
                code="not_last_step",
            )
        if result == ResultKind.DENIED and not reason:
            raise field_error("reason", "不予许可须写明理由。")
        if result == ResultKind.REFERRED and not referred_to.strip():
            raise field_error("referred_to", "转报须写明报送的单位。")
        if result == ResultKind.APPROVED:
            certificate_name = (certificate_name or case.matter_version.result_name or "").strip()
            if valid_from and valid_to and valid_to < valid_from:
                raise field_error("valid_to", "证照有效期止不能早于有效期起。")
    elif result == ResultKind.WITHDRAWN:
        require_action(case, actor, "withdraw")
        if not reason:
            raise field_error("reason", "退件须写明原因。")
    else:  # VOIDED
        require_action(case, actor, "void")
        if not reason:
            raise field_error("reason", "作废须写明原因。")

    now = timezone.now()
    before = _state(case)
    if step is not None and step.status == StepStatus.PENDING:
        if result in (ResultKind.WITHDRAWN, ResultKind.VOIDED):
            _close_step(
                step,
                actor=actor,
                role=role,
                action=StepAction.FINISH,
                opinion=reason,
                at=now,
                status=StepStatus.CANCELLED,
            )
        else:
            _close_step(
                step,
                actor=actor,
                role=role,
                action=StepAction.FINISH,
                opinion=f"{ResultKind(result).label}。{reason}".strip("。") + "。",
                at=now,
            )
    stop = case.suspensions.filter(ended_at__isnull=True).first()
    if stop is not None:
        stop.ended_at, stop.result = now, f"办件{ResultKind(result).label}"
        stop.ended_by = actor if getattr(actor, "pk", None) else None
        stop.save(update_fields=["ended_at", "ended_by", "result"])
    case.status, case.result, case.result_reason = CaseStatus.FINISHED, result, reason
    case.certificate_name, case.certificate_no = certificate_name[:200], (certificate_no or "").strip()[:100]
    case.certificate_valid_from, case.certificate_valid_to = valid_from, valid_to
    case.referred_to = (referred_to or "").strip()[:100]
    case.finished_at, case.finished_by = now, actor if getattr(actor, "pk", None) else None
    case.finished_overdue = bool(
        case.accepted_at and case.due_at and now > case.due_at and case.clock_stopped_at is None
    )
    case.clock_stopped_at = None
    case.warning_level = WarningLevel.NONE
    case.current_assignee, case.current_post = None, None
    case.save()
    detail = {
        ResultKind.APPROVED: f"准予。{('证照：' + certificate_name) if certificate_name else ''}"
        f"{('，编号' + case.certificate_no) if case.certificate_no else ''}",
        ResultKind.DENIED: f"不予许可。理由：{reason}",
        ResultKind.WITHDRAWN: f"退件。原因：{reason}",
        ResultKind.VOIDED: f"作废。原因：{reason}",
        ResultKind.REFERRED: f"转报{case.referred_to}。{reason}",
    }[ResultKind(result)]
    if case.rongque_pending:
        detail += "（容缺材料未补齐，结果暂扣）"
    _event(case, "finish", "办结", actor, detail, at=now)
    _issue_notice(
        case,
        NoticeKind.RESULT,
        actor,
        {
            "result": ResultKind(result).label,
            "reason": reason,
            "certificate_name": case.certificate_name,
            "certificate_no": case.certificate_no,
            "valid": (f"{valid_from or ''}至{valid_to or '长期'}" if (valid_from or valid_to) else ""),
            "referred_to": case.referred_to,
            "finished_at": _fmt_time(now),
            "withheld": case.rongque_pending,
            "accepted_at": _fmt_time(case.accepted_at),
        },
        at=now,
    )
    text = f"您的办件{case.number}（{case.matter_name}）已办结：{ResultKind(result).label}。"
    if case.rongque_pending:
        text += "容缺材料补齐后方可领取结果。"
    elif result in (ResultKind.APPROVED, ResultKind.DENIED):
        text += "请凭身份证件到窗口领取，或选择邮寄送达。"
    _notify_applicant(case, text)
    _audit(
        case,
        "finish",
        actor,
        before,
        {**_state(case), "reason": reason, "certificate_no": case.certificate_no},
    )
    _publish(case, "finished")
    return case


# --- delivery (综合窗口出件) ----------------------------------------------------------------------


@transaction.atomic
def case_deliver(
    *,
    case: Case,
    actor: Any,
    method: str,
    collector_name: str = "",
    collector_id_type: str = "id_card",
    collector_id_number: str = "",
    mail_address: str = "",
    courier: str = "",
    tracking_no: str = "",
) -> Case:
    """Hand the result out at a window (the collector's ID must be the applicant's or the agent's) or mail
    it (tracking number). A withheld 容缺 result cannot go out (MODE-3)."""
    case = _lock(case)
    require_action(case, actor, "deliver")
    now = timezone.now()
    before = _state(case)
    if method == DeliveryMethod.WINDOW:
        name = (collector_name or "").strip()
        if not name:
            raise field_error("collector_name", "请填写领取人姓名。")
        number = normalize_id(collector_id_type, collector_id_number, field="collector_id_number")
        digest = id_digest(collector_id_type, number)
        if digest not in {case.applicant_id_digest, case.agent_id_digest}:
            raise field_error("collector_id_number", "领取人证件与申请人或代理人的证件不一致，不能领取。")
        case.collector_name, case.collector_id_digest = name[:40], digest
        detail = f"窗口领取，领取人：{name}（已核验证件）"
    elif method == DeliveryMethod.MAIL:
        tracking_no = (tracking_no or "").strip()
        if not tracking_no:
            raise field_error("tracking_no", "邮寄送达须填写快递单号。")
        address = (mail_address or case.applicant_address or "").strip()
        if not address:
            raise field_error("mail_address", "请填写邮寄地址。")
        case.mail_address, case.courier, case.tracking_no = (
            address[:200],
            (courier or "EMS").strip()[:40],
            tracking_no[:40],
        )
        detail = f"邮寄送达：{case.courier} {tracking_no}"
    else:
        raise field_error("method", "送达方式只能是窗口领取或邮寄送达。")
    case.status, case.delivery_method, case.delivered_at, case.delivered_by = (
        CaseStatus.DELIVERED,
        method,
        now,
        actor,
    )
    case.delivery_centre_id = actor.centre_id
    case.save()
    _event(case, "deliver", "送达", actor, detail, at=now)
    if method == DeliveryMethod.MAIL:
        _notify_applicant(case, f"您的办件{case.number}办理结果已邮寄（{case.courier} {case.tracking_no}）。")
    _audit(
        case, "deliver", actor, before, {**_state(case), "method": method, "tracking_no": case.tracking_no}
    )
    _publish(case, "delivered")
    return case


# --- agency (代办, STD-5) ---------------------------------------------------------------------------


@transaction.atomic
def case_assign_agency(*, case: Case, actor: Any, agent_id: Any, authorisation: str) -> Case:
    """Assign a 代办员 who acts for the applicant through every step; the authorisation is recorded."""
    from govhall.accounts.models import User

    case = _lock(case)
    require_action(case, actor, "agency")
    try:
        agent = User.objects.get(pk=int(agent_id), is_active=True)
    except (User.DoesNotExist, TypeError, ValueError):
        raise field_error("agent_id", "代办员不存在。") from None
    if not agent.has_role(Role.AGENT, Role.VILLAGE_CLERK) or agent.centre_id not in (
        case.centre_id,
        case.handling_centre_id,
    ):
        raise field_error("agent_id", "代办员须是收件或受理中心的代办员（或村便民服务员）。")
    authorisation = (authorisation or "").strip()
    if not authorisation:
        raise field_error("authorisation", "请登记申请人的委托授权（委托书编号或授权说明）。")
    now = timezone.now()
    before = {"agency_agent": case.agency_agent_id}
    case.agency_agent, case.agency_authorised_at, case.agency_authorisation = agent, now, authorisation[:300]
    case.save()
    _event(case, "agency", "代办", actor, f"申请人委托代办员{agent}全程代办。授权：{authorisation}", at=now)
    _audit(case, "agency", actor, before, {"agency_agent": agent.pk, "authorisation": authorisation})
    return case


# --- 告知承诺 checks and credit (MODE-2) ----------------------------------------------------------------


@transaction.atomic
def case_commitment_check(*, case: Case, actor: Any, passed: bool, note: str) -> Case:
    """Record the check of a 告知承诺. A false promise stops an open case (不予许可) or revokes a decided
    one, and flags the applicant's credit, which bars 告知承诺 and 容缺 until repaired."""
    case = _lock(case)
    check = CommitmentCheck.objects.select_for_update().filter(case=case).first()
    require_action(case, actor, "check", facts=Facts(check=check.status if check else ""))
    assert check is not None  # the rules checked it
    note = (note or "").strip()
    if not note:
        raise field_error("note", "请填写核查情况。")
    now = timezone.now()
    before = {**_state(case), "check": check.status}
    check.status = CheckStatus.PASSED if passed else CheckStatus.FAILED
    check.checked_at, check.checked_by, check.note = now, actor, note[:2000]
    check.save(update_fields=["status", "checked_at", "checked_by", "note"])
    if passed:
        _event(case, "check_pass", "告知承诺核查", actor, f"核查属实。{note}", at=now)
    else:
        ApplicantCredit.objects.create(
            id_digest=case.applicant_id_digest,
            applicant_name=case.applicant_name,
            reason=f"办件{case.number}告知承诺核查不实：{note}"[:2000],
            case=case,
            flagged_by=actor,
        )
        _event(case, "check_fail", "告知承诺核查", actor, f"承诺不实：{note}。已记入申请人信用记录。", at=now)
        if case.status in OPEN_STATUSES:
            stop = case.suspensions.filter(ended_at__isnull=True).first()
            if stop is not None:
                stop.ended_at, stop.ended_by, stop.result = now, actor, "告知承诺不实，终止办理"
                stop.save(update_fields=["ended_at", "ended_by", "result"])
            if case.current_step is not None and case.current_step.status == StepStatus.PENDING:
                _close_step(
                    case.current_step,
                    actor=actor,
                    role="核查",
                    action=StepAction.FINISH,
                    opinion="告知承诺不实，终止办理",
                    at=now,
                    status=StepStatus.CANCELLED,
                )
            case.status, case.result = CaseStatus.FINISHED, ResultKind.DENIED
            case.result_reason = f"告知承诺核查不实，终止办理：{note}"[:2000]
            case.finished_at, case.finished_by = now, actor
            case.current_assignee, case.current_post, case.clock_stopped_at = None, None, None
            case.warning_level = WarningLevel.NONE
            _event(case, "stop", "终止办理", actor, "因告知承诺不实终止办理（不予许可）。", at=now)
        elif (
            case.status in (CaseStatus.FINISHED, CaseStatus.DELIVERED) and case.result == ResultKind.APPROVED
        ):
            case.status, case.revoked_at = CaseStatus.REVOKED, now
            _event(case, "revoke", "撤销许可", actor, "因告知承诺不实，撤销准予许可决定。", at=now)
        _notify_applicant(
            case,
            f"您的办件{case.number}告知承诺经核查不实，"
            + ("已撤销许可决定" if case.status == CaseStatus.REVOKED else "已终止办理")
            + "，并记入信用记录。",
        )
    case.save()
    _audit(case, "commitment.check", actor, before, {**_state(case), "check": check.status})
    return case


@transaction.atomic
def credit_repair(*, credit: ApplicantCredit, actor: Any, note: str) -> ApplicantCredit:
    """信用修复: only the bureau lifts a flag."""
    if not (
        is_staff_actor(actor)
        and (actor.is_superuser or (actor.is_bureau and actor.has_role(Role.BUREAU_ADMIN)))
    ):
        raise Forbidden("只有市行政审批局管理员可以办理信用修复。")
    credit = ApplicantCredit.objects.select_for_update().get(pk=credit.pk)
    if credit.repaired_at is not None:
        raise Conflict("该失信记录已修复。", code="wrong_state")
    note = (note or "").strip()
    if not note:
        raise field_error("note", "请填写信用修复依据。")
    credit.repaired_at, credit.repaired_by, credit.repair_note = timezone.now(), actor, note[:300]
    credit.save(update_fields=["repaired_at", "repaired_by", "repair_note"])
    audit_record(action="case.credit.repair", obj=credit, actor=actor, after={"note": note})
    return credit


# --- periodic work: warnings, 容缺 deadlines, AB re-routing ------------------------------------------------


def cases_scan_deadlines(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Flag running cases that crossed their warning moment (黄牌) or deadline (红牌) since the last scan,
    and notify through the outbox: each handler once about their newly flagged cases, each centre director
    once about the newly overdue ones. Two indexed queries find them; flagged cases are not touched again."""
    from govhall.cases.notify import notify_staff, staff_phones

    now = now or timezone.now()
    running = Case.objects.filter(status__in=CLOCK_RUNNING)
    lookups = light_lookups(now)
    red = list(
        running.filter(**lookups[RED], warning_level__lt=WarningLevel.RED).values_list("pk", flat=True)
    )
    yellow = list(
        running.filter(**lookups[YELLOW], warning_level__lt=WarningLevel.YELLOW).values_list("pk", flat=True)
    )
    if not red and not yellow:
        return {"yellow": 0, "red": 0}
    notify_director = CaseRules.current().scan_notify_director
    with transaction.atomic():
        running.filter(pk__in=red).update(warning_level=WarningLevel.RED, red_notified_at=now)
        running.filter(pk__in=yellow).update(warning_level=WarningLevel.YELLOW, yellow_notified_at=now)
        flagged = list(
            running.filter(pk__in=red + yellow)
            .select_related("current_assignee", "handling_centre__director")
            .only(
                "pk",
                "number",
                "matter_name",
                "due_at",
                "warning_level",
                "current_assignee",
                "handling_centre__name",
                "handling_centre__director",
            )
        )
        handlers: dict[int, list[Case]] = {}
        directors: dict[int, list[Case]] = {}
        events = []
        for case in flagged:
            is_red = case.warning_level == WarningLevel.RED
            text = (
                f"办件{case.number}（{case.matter_name}）已超过承诺办结时间{_fmt_time(case.due_at)}，请立即办理。"
                if is_red
                else f"办件{case.number}（{case.matter_name}）将于{_fmt_time(case.due_at)}到期，请抓紧办理。"
            )
            if case.current_assignee_id:
                handlers.setdefault(case.current_assignee_id, []).append(case)
            director_id = case.handling_centre.director_id
            if is_red and notify_director and director_id and director_id != case.current_assignee_id:
                directors.setdefault(director_id, []).append(case)
            events.append(
                CaseEvent(
                    case=case,
                    at=now,
                    action="red" if is_red else "yellow",
                    label="红牌（超期）" if is_red else "黄牌预警",
                    actor_label=DEADLINE_SCAN.label,
                    centre_name=case.handling_centre.name,
                    detail=text,
                    public=False,
                )
            )
        CaseEvent.objects.bulk_create(events, batch_size=1000)
        phones = staff_phones(set(handlers) | set(directors))
        for cases in handlers.values():
            notify_staff(
                cases[0].current_assignee,
                _digest(cases),
                related=cases[0] if len(cases) == 1 else None,
                phones=phones,
            )
        for cases in directors.values():
            notify_staff(
                cases[0].handling_centre.director,
                "【超期督办】" + _digest(cases),
                related=cases[0] if len(cases) == 1 else None,
                phones=phones,
            )
        audit_record(
            action="case.scan.deadlines",
            object_type="cases.case",
            actor=DEADLINE_SCAN,
            after={"yellow": len(yellow), "red": len(red), "ids": (red + yellow)[:1000]},
        )
    return {"yellow": len(yellow), "red": len(red)}


def _digest(cases: list[Case], shown: int = 5) -> str:
    """One SMS for one person's newly flagged cases (an SMS per case would bury a director)."""
    if len(cases) == 1:
        case = cases[0]
        if case.warning_level == WarningLevel.RED:
            return f"办件{case.number}（{case.matter_name}）已超过承诺办结时间{_fmt_time(case.due_at)}，请立即办理。"
        return f"办件{case.number}（{case.matter_name}）将于{_fmt_time(case.due_at)}到期，请抓紧办理。"
    reds = sum(1 for c in cases if c.warning_level == WarningLevel.RED)
    parts = [f"{reds}件已超期" if reds else "", f"{len(cases) - reds}件即将到期" if len(cases) > reds else ""]
    numbers = "、".join(c.number for c in cases[:shown]) + ("等" if len(cases) > shown else "")
    return f"新增预警办件{len(cases)}件（{'，'.join(p for p in parts if p)}）：{numbers}。请登录工作台查看。"


def cases_scan_rongque(*, now: dt.datetime | None = None) -> dict[str, int]:
    """容缺 (MODE-3): a case whose missing materials are past their deadline is suspended (补正); still
    missing `rongque_return_days` working days after the deadline, it is returned (退件)."""
    now = now or timezone.now()
    suspended = returned = 0
    rules = CaseRules.current()
    late = Case.objects.filter(status=CaseStatus.PROCESSING, rongque_pending=True, rongque_deadline__lt=now)
    for pk in list(late.values_list("pk", flat=True)):
        with transaction.atomic():
            case = _lock(Case(pk=pk))
            if case.status != CaseStatus.PROCESSING or not case.rongque_pending:
                continue
            missing = "、".join(
                case.materials.filter(status=MaterialStatus.RONGQUE).values_list("name", flat=True)
            )
            _suspend(
                case,
                kind=SuspensionKind.RONGQUE,
                actor=RONGQUE_SCAN,
                at=now,
                reason=f"容缺材料逾期未补齐：{missing}",
            )
            _set_deadline(
                case,
                "rongque_return_at",
                clock.extend(case, "rongque_deadline", rules.rongque_return_days, "workday"),
            )
            case.save()
            _event(
                case,
                "rongque_overdue",
                "容缺逾期挂起",
                RONGQUE_SCAN,
                f"容缺材料（{missing}）未在{_fmt(case.rongque_deadline)}前补齐，办件挂起；"
                f"{_fmt(case.rongque_return_at)}前仍未补齐的，作退件处理。",
                at=now,
            )
            _notify_applicant(
                case,
                f"您的办件{case.number}容缺材料逾期未补齐，已暂停办理，"
                f"请于{_fmt(case.rongque_return_at)}前补齐，逾期作退件处理。",
            )
            _audit(case, "rongque.suspend", RONGQUE_SCAN, {"status": CaseStatus.PROCESSING}, _state(case))
            _publish(case, "suspended")
            suspended += 1
    expired = Case.objects.filter(
        status=CaseStatus.SUSPENDED,
        rongque_pending=True,
        rongque_return_at__lt=now,
        suspensions__ended_at__isnull=True,
        suspensions__kind=SuspensionKind.RONGQUE,
    )
    for pk in list(expired.values_list("pk", flat=True)):
        case_finish(
            case=Case(pk=pk),
            actor=RONGQUE_SCAN,
            result=ResultKind.WITHDRAWN,
            reason="容缺材料逾期未补齐，挂起期满仍未补齐，作退件处理",
        )
        returned += 1
    return {"suspended": suspended, "returned": returned}


def case_steps_reroute(*, now: dt.datetime | None = None, post_ids: Iterable[int] | None = None) -> int:
    """AB角 (STD-4): give every pending step to whoever handles its post now (A away on leave or not
    signed in → B; both away → the director). Returns how many steps changed hands."""
    from govhall.staffing.services import Availability, post_handler

    now = now or timezone.now()
    pending = CaseStep.objects.filter(status=StepStatus.PENDING, kind=StepKind.APPROVE, post__isnull=False)
    if post_ids is not None:
        pending = pending.filter(post_id__in=list(post_ids))
    posts = list(
        Post.objects.filter(pk__in=pending.values("post_id")).select_related("a_staff", "b_staff", "centre")
    )
    if not posts:
        return 0
    board = Availability([u for p in posts for u in (p.a_staff, p.b_staff)], now)
    moved = 0
    for post in posts:
        handler = post_handler(post=post, at=now, availability=board)
        stale = list(pending.filter(post=post).exclude(assignee=handler.user).values_list("pk", "case_id"))
        if not stale:
            continue
        step_ids, case_ids = [s for s, _c in stale], [c for _s, c in stale]
        with transaction.atomic():
            CaseStep.objects.filter(pk__in=step_ids).update(
                assignee=handler.user, assignee_role=handler.role, route_reason=handler.reason[:200]
            )
            Case.objects.filter(pk__in=case_ids, current_step_id__in=step_ids).update(
                current_assignee=handler.user
            )
            CaseEvent.objects.bulk_create(
                [
                    CaseEvent(
                        case_id=c,
                        at=now,
                        action="reroute",
                        label="AB角转交",
                        actor_label=REROUTING.label,
                        centre_name=post.centre.name,
                        detail=f"{post.name}：{handler.reason}",
                        public=False,
                    )
                    for c in case_ids
                ]
            )
            audit_record(
                action="case.reroute",
                object_type="orgs.post",
                object_id=str(post.pk),
                actor=REROUTING,
                after={"assignee": handler.user.pk, "role": handler.role, "steps": step_ids[:1000]},
            )
        moved += len(step_ids)
    return moved


# --- provisional deadlines (STD-3) -----------------------------------------------------------------

_DEADLINE_LABELS = {"due_at": "承诺办结时间", "rongque_deadline": "容缺补齐期限"}


def _case_deadline_recomputed(case: Case, field: str, before: Any, after: Any, deadline: Deadline) -> None:
    """A provisional date of this case was recomputed on the import of its year's holidays: the timeline
    says so; the applicant gets an SMS when the date moved."""
    label = _DEADLINE_LABELS.get(field)
    if label is None:  # warn_at, rongque_return_at: internal moments, nothing to tell
        return
    fmt = _fmt_time if field == "due_at" else _fmt
    new = tentative(fmt(after), deadline.waits_for_year)
    moved = before != after
    detail = (
        f"节假日安排已录入，{label}由{fmt(before)}（暂定）重新核定为{new}。"
        if moved
        else f"节假日安排已录入，{label}{new}经重新核定不变。"
    )
    _event(case, "deadline_recompute", "期限重新核定", DEADLINE_RECOMPUTE, detail)
    if moved:
        _notify_applicant(
            case,
            f"您的办件{case.number}（{case.matter_name}）{label}已按节假日安排重新核定为"
            f"{tentative(_fmt(after), deadline.waits_for_year)}。",
        )
    _publish(case, "deadline")


def track_deadlines() -> None:
    """Declare the case deadlines that may be provisional (from CasesConfig.ready)."""
    provisional.track(
        Case,
        "due_at",
        flag="due_waits_for",
        is_open=lambda c: c.is_open,
        on_recomputed=_case_deadline_recomputed,
    )
    provisional.track(Case, "warn_at", is_open=lambda c: c.is_open)
    provisional.track(
        Case,
        "rongque_deadline",
        flag="rongque_waits_for",
        is_open=lambda c: c.is_open and c.rongque_pending,
        on_recomputed=_case_deadline_recomputed,
    )
    provisional.track(Case, "rongque_return_at", is_open=lambda c: c.is_open and c.rongque_pending)
    provisional.track(CommitmentCheck, "due_at", is_open=lambda c: c.status == CheckStatus.PLANNED)
