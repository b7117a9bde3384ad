"""收件 (MODE-1, MODE-4, online): a new case, its checklist of materials, its scans."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.db import transaction
from django.utils import timezone

from govhall.accounts.models import User
from govhall.cases.applicants import Identity, clean_agent, clean_applicant
from govhall.cases.models import (
    Case,
    CaseFile,
    CaseMaterial,
    Channel,
    MaterialForm,
    MaterialStatus,
)
from govhall.cases.numbers import new_case_number, new_query_password
from govhall.cases.policy import RECEIVE_ROLES, acts_as
from govhall.cases.rules import require_action
from govhall.cases.services._shared import (
    _audit,
    _event,
    _holding,
    _lock,
    _publish,
    _state,
)
from govhall.cases.services.inputs import MaterialInput, MaterialTick
from govhall.cases.uploads import check_and_store, remove_stored
from govhall.catalog.models import (
    CentreMatter,
    CentreServiceMode,
    Material,
    Matter,
    MatterVersion,
)
from govhall.core.actors import CitizenActor, is_staff_actor
from govhall.core.errors import Conflict, Forbidden, field_error
from govhall.orgs.models import Centre, CentreLevel, Window, WindowClass
from govhall.orgs.windows import window_takes
from govhall.queueing.models import Ticket
from govhall.staffing.models import Enquiry
from govhall.staffing.services import enquiry_mark_converted


def _check_window(window: Window, version: MatterVersion, name: str) -> None:
    """一窗分类综合受理 (MODE-1): the window must take the matter (`orgs.windows.window_takes`)."""
    if window_takes(window, version):
        return
    proper = WindowClass(version.window_class).label
    raise field_error(
        "window",
        f"{window}是{window.get_window_class_display()}，不能受理「{name}」（该事项应在{proper}受理）。",
    )


def _material_rows(version: MatterVersion, materials: Sequence[MaterialInput]) -> list[CaseMaterial]:
    """The case's checklist: every material of the catalogue version, as ticked (missing when not)."""
    given = {_material_id(item): item for item in materials or []}
    catalogue = list(version.materials.all())
    unknown = sorted(set(given) - {m.pk for m in catalogue})
    if unknown:
        raise field_error("materials", f"材料编号 {unknown[0]} 不属于该事项的材料清单。")
    return [_material_row(m, _tick(given.get(m.pk), m)) for m in catalogue]


def _material_id(item: MaterialInput) -> int:
    if isinstance(item, MaterialTick):
        return item.material_id
    try:
        return int(item["material_id"])
    except (KeyError, TypeError, ValueError):
        raise field_error("materials", "材料清单格式有误：每项须有 material_id。") from None


def _tick(item: MaterialInput | None, m: Material) -> MaterialTick:
    """A page's form line parsed into a tick (its counts checked, naming the material)."""
    if isinstance(item, MaterialTick):
        return item
    item = item or {}
    return MaterialTick(
        material_id=m.pk,
        status=str(item.get("status", MaterialStatus.MISSING)),
        originals=_count(item["originals"], m.name) if "originals" in item else None,
        copies=_count(item["copies"], m.name) if "copies" in item else None,
        form=str(item.get("form", MaterialForm.PAPER)),
        note=str(item.get("note", "")),
    )


def _material_row(m: Material, tick: MaterialTick) -> CaseMaterial:
    if tick.status not in (MaterialStatus.RECEIVED, MaterialStatus.MISSING, MaterialStatus.WRONG):
        raise field_error("materials", f"材料「{m.name}」的收取情况只能是已收取、缺少或有误。")
    if tick.form not in MaterialForm.values:
        raise field_error("materials", f"材料「{m.name}」的收取方式不正确。")
    received = tick.status == MaterialStatus.RECEIVED
    originals = tick.originals if tick.originals is not None else (m.originals if received else 0)
    copies = tick.copies if tick.copies is not None else (m.copies if received else 0)
    return CaseMaterial(
        material=m,
        order=m.order,
        name=m.name,
        required=m.required,
        status=tick.status,
        form=tick.form,
        originals=_count(originals, m.name),
        copies=_count(copies, m.name),
        note=tick.note[:300],
    )


def _count(value: Any, name: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise field_error("materials", f"材料「{name}」的份数应为整数。") from None
    if not 0 <= number <= 99:
        raise field_error("materials", f"材料「{name}」的份数应在0到99之间。")
    return number


@dataclass(frozen=True)
class _Place:
    """Where a case is received and where it is handled (MODE-4: a village forwards to its town)."""

    centre: Centre
    handling: Centre
    forwarded: bool
    channel: str


@transaction.atomic
def case_receive(
    *,
    actor: User | CitizenActor,
    matter_id: Any,
    applicant: dict[str, Any],
    agent: dict[str, Any] | None = None,
    materials: Sequence[MaterialInput] = (),
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
    centre, channel = _receiving_centre(actor, channel, centre_id)
    matter, version, link = _serviceable_matter(matter_id, centre)
    place = _place(centre, link, channel)
    window = _receiving_window(actor, place, window_id, version, matter.name)
    who = _applicant(applicant, version)
    agent_who = _agent(agent) if agent else None
    rows = _material_rows(version, materials)
    ticket = _ticket(ticket_id, centre) if ticket_id not in (None, "") else None
    enquiry = _enquiry(enquiry_id, centre) if enquiry_id not in (None, "") else None

    case = _new_case(actor, place, window, matter, version, who, applicant, now)
    if agent_who is not None:
        case.agent_name, case.agent_id_type = agent_who.name, agent_who.id_type
        case.agent_id_number, case.agent_id_digest = agent_who.id_number, agent_who.digest
        case.agent_phone = agent_who.phone
    case.ticket, case.enquiry = ticket, enquiry
    case.save()
    for row in rows:
        row.case = case
    CaseMaterial.objects.bulk_create(rows)
    _record_receipt(case, actor, place, rows, now)
    if enquiry is not None:
        enquiry_mark_converted(enquiry=enquiry, case_number=case.number, actor=actor)
    # What the provincial sync reads of a new case: the rows just written, no steps, no clock stops.
    with _holding(case, materials=sorted(rows, key=lambda r: (r.order, r.pk)), steps=[], suspensions=[]):
        _publish(case, "received")
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
            "handling_centre": place.handling.pk,
            "forwarded": place.forwarded,
            "channel": place.channel,
        },
    )
    return case


def _receiving_centre(actor: User | CitizenActor, channel: str | None, centre_id: Any) -> tuple[Centre, str]:
    """The centre receiving and the channel: the one the applicant picked online, or the clerk's own."""
    centres = Centre.objects.select_related("division", "parent")
    if isinstance(actor, CitizenActor):
        channel = channel or Channel.ONLINE
        if channel not in (Channel.ONLINE, Channel.MOBILE):
            raise field_error("channel", "网上申请的渠道只能是网上申请或移动端申请。")
        try:
            return centres.get(pk=int(centre_id), is_active=True), channel
        except (Centre.DoesNotExist, TypeError, ValueError):
            raise field_error("centre_id", "请选择办理的服务中心。") from None
    if not acts_as(actor, *RECEIVE_ROLES):
        raise Forbidden("只有前台受理员、村便民服务员、代办员或中心主任可以收件。")
    if actor.centre_id is None:
        raise Forbidden("您不属于任何服务中心，不能收件。")
    centre = centres.get(pk=actor.centre_id)
    channel = channel or (Channel.VILLAGE if centre.level == CentreLevel.VILLAGE else Channel.WINDOW)
    if channel not in Channel.values:
        raise field_error("channel", "申请渠道不正确。")
    return centre, channel


def _serviceable_matter(matter_id: Any, centre: Centre) -> tuple[Matter, MatterVersion, CentreMatter]:
    """The matter in service, its current version, and its link to the receiving centre."""
    try:
        matter = Matter.objects.select_related("current_version").get(pk=int(matter_id))
    except (Matter.DoesNotExist, TypeError, ValueError):
        raise field_error("matter_id", "事项不存在，请从事项清单中选择。") from None
    if not matter.is_serviceable:
        raise field_error(
            "matter_id", f"事项「{matter.name}」当前状态为{matter.get_status_display()}，不能收件。"
        )
    version = matter.current_version
    assert version is not None  # is_serviceable
    link = CentreMatter.objects.filter(centre=centre, matter=matter, is_active=True).first()
    if link is None:
        raise field_error("matter_id", f"{centre.name}未进驻事项「{matter.name}」，不能收件。")
    return matter, version, link


def _place(centre: Centre, link: CentreMatter, channel: str) -> _Place:
    forwarded = centre.level == CentreLevel.VILLAGE and link.service_mode == CentreServiceMode.FORWARD
    if not forwarded:
        return _Place(centre=centre, handling=centre, forwarded=False, channel=channel)
    if centre.parent is None:
        raise Conflict(f"{centre.name}没有所属镇为民服务中心，无法转办。")
    return _Place(centre=centre, handling=centre.parent, forwarded=True, channel=channel)


def _receiving_window(
    actor: User | CitizenActor, place: _Place, window_id: Any, version: MatterVersion, name: str
) -> Window | None:
    """The window receiving: it must take the matter; a town's window desk must name one (MODE-1)."""
    if window_id in (None, ""):
        if (
            is_staff_actor(actor)
            and place.centre.level == CentreLevel.TOWN
            and place.channel == Channel.WINDOW
        ):
            raise field_error("window", "请选择收件的窗口（一窗分类综合受理）。")
        return None
    try:
        window = Window.objects.get(pk=int(window_id), centre=place.centre, is_active=True)
    except (Window.DoesNotExist, TypeError, ValueError):
        raise field_error("window", "窗口不存在或不属于本中心。") from None
    _check_window(window, version, name)
    return window


def _applicant(applicant: dict[str, Any], version: MatterVersion) -> Identity:
    """The applicant's identity, validated (and of a kind the matter serves)."""
    return clean_applicant(
        kind=applicant.get("kind", ""),
        name=applicant.get("name", ""),
        id_type=applicant.get("id_type", ""),
        id_number=applicant.get("id_number", ""),
        phone=applicant.get("phone", ""),
        service_objects=version.service_object_codes,
    )


def _agent(agent: dict[str, Any]) -> Identity | None:
    return clean_agent(
        name=agent.get("name", ""),
        id_type=agent.get("id_type", ""),
        id_number=agent.get("id_number", ""),
        phone=agent.get("phone", ""),
    )


def _new_case(
    actor: User | CitizenActor,
    place: _Place,
    window: Window | None,
    matter: Matter,
    version: MatterVersion,
    who: Identity,
    applicant: dict[str, Any],
    now: dt.datetime,
) -> Case:
    return Case(
        number=new_case_number(place.centre, now),
        query_password=new_query_password(),
        centre=place.centre,
        handling_centre=place.handling,
        forwarded=place.forwarded,
        window=window,
        channel=place.channel,
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


def _record_receipt(
    case: Case, actor: User | CitizenActor, place: _Place, rows: list[CaseMaterial], now: dt.datetime
) -> None:
    """The timeline rows of 收件 (and of 转办, MODE-4)."""
    version = case.matter_version
    received = sum(1 for r in rows if r.status == MaterialStatus.RECEIVED)
    _event(
        case,
        "receive",
        "收件",
        actor,
        f"事项：{version.name}（版本{version.number}）；收取材料{received}/{len(rows)}项；"
        f"渠道：{Channel(place.channel).label}",
        at=now,
        centre=place.centre,
    )
    if place.forwarded:
        _event(
            case,
            "forward",
            "转办",
            actor,
            f"由{place.centre.name}转办至{place.handling.name}受理，办件编号不变。",
            at=now,
            centre=place.centre,
        )


def _ticket(ticket_id: Any, centre: Centre) -> Ticket:
    try:
        return Ticket.objects.get(pk=int(ticket_id), centre=centre)
    except (Ticket.DoesNotExist, TypeError, ValueError):
        raise field_error("ticket_id", "排队号不存在或不属于本中心。") from None


def _enquiry(enquiry_id: Any, centre: Centre) -> Enquiry:
    try:
        return Enquiry.objects.get(pk=int(enquiry_id), centre=centre)
    except (Enquiry.DoesNotExist, TypeError, ValueError):
        raise field_error("enquiry_id", "首问登记不存在。") from None


@transaction.atomic
def case_update_materials(*, case: Case, actor: User, materials: Sequence[MaterialInput]) -> Case:
    """Tick the checklist again before the decision (收件 or 补正 stage)."""
    case = _lock(case)
    require_action(case, actor, "materials")
    fresh = {r.material_id: r for r in _material_rows(case.matter_version, materials)}
    given = {_material_id(m) for m in materials}
    changed = []
    for row in case.materials.all():
        new = fresh.get(row.material_id)
        if new is None or row.material_id not in given:
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
    *,
    case: Case,
    actor: User | CitizenActor,
    upload: IO[bytes],
    name: str,
    size: int | None = None,
    material_id: Any = None,
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
