"""/api/v1/cases/: the case flow for staff (token or session), the online application and public tracking
for the portal (no auth). Every endpoint: one access check (`access_case`), one service or selector."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from govhall.accounts.http import StaffRequest
from govhall.cases import rules, selectors, services
from govhall.cases.applicants import applicant_actor, mask_applicant_name, mask_id
from govhall.cases.export import case_datasets
from govhall.cases.models import Case, CaseFile, CaseNotice
from govhall.cases.policy import access_case
from govhall.cases.tracking_limits import TrackClient
from govhall.cases.views import file_response, notice_response
from govhall.core.api_errors import rate_limited
from govhall.core.api_params import Id, Mapped, paged
from govhall.core.audit import audit_record
from govhall.core.calendar import provisional_note
from govhall.core.errors import NotFound
from govhall.core.ids import mask_mobile
from govhall.core.middleware import client_ip
from govhall.core.responses import StreamingFileResponse

router = Router(tags=["办件"])


# --- schemas ------------------------------------------------------------------------------------


class CasePersonIn(Schema):
    kind: str = "person"
    name: str
    id_type: str = "id_card"
    id_number: str
    phone: str
    address: str = ""
    legal_representative: str = ""


class CaseAgentIn(Schema):
    name: str
    id_type: str = "id_card"
    id_number: str
    phone: str


class CaseMaterialIn(Schema):
    material_id: Id
    status: str = "received"
    originals: int | None = None
    copies: int | None = None
    form: str = "paper"
    note: str = ""


class CaseReceiveIn(Schema):
    matter_id: Id
    applicant: CasePersonIn
    agent: CaseAgentIn | None = None
    materials: list[CaseMaterialIn] = []
    window_id: Id | None = None
    channel: str | None = None
    ticket_id: Id | None = None
    enquiry_id: Id | None = None


class CaseOnlineIn(Schema):
    centre_id: Id
    matter_id: Id
    applicant: CasePersonIn
    agent: CaseAgentIn | None = None
    channel: str = "online"


class CaseListItemOut(Schema):
    id: int
    number: str
    matter: str
    applicant: str
    status: str
    status_label: str
    centre: str
    handling_centre: str
    current_step: str | None
    assignee: str | None
    due_at: dt.datetime | None
    due_at_provisional: bool = False
    waits_for_year: int | None = None
    due_provisional_note: str = ""
    remaining: int | None
    light: str
    waits_for: str


class CaseMaterialOut(Schema):
    id: int
    name: str
    required: bool
    status: str
    status_label: str
    originals: int
    copies: int
    rongque_allowed: bool
    commitment_allowed: bool


class CaseStepOut(Schema):
    seq: int
    name: str
    post: str | None
    assignee: str | None
    assignee_role: str
    route_reason: str
    status: str
    action: str
    opinion: str
    handler: str
    handler_role: str
    started_at: dt.datetime
    finished_at: dt.datetime | None


class CaseEventOut(Schema):
    at: dt.datetime
    label: str
    actor: str
    centre: str
    detail: str


class CaseNoticeOut(Schema):
    id: int
    kind: str
    title: str
    serial: str
    issued_at: dt.datetime
    pdf: str
    docx: str


class CaseFileOut(Schema):
    id: int
    name: str
    kind: str
    size: int
    material_id: int | None
    url: str


class CaseAvailableActionOut(Schema):
    """An action the current user may take on the case now (`govhall.cases.rules`): `code` names the
    endpoint (`accept` → POST /{case_id}/accept; `finish`, `withdraw` and `void` → /finish with that
    result; `special_start`/`special_end` → /special/start|end; `check` → /commitment-check; `upload` →
    /files), `label` is the Chinese name shown to staff."""

    code: str = Field(description="动作代码，如 accept、reject、correction、pass、finish、deliver")
    label: str = Field(description="动作名称（中文）")


class CaseDetailOut(Schema):
    id: int
    number: str
    status: str
    status_label: str
    result: str
    matter_code: str
    matter: str
    matter_version: int
    centre: str
    handling_centre: str
    forwarded: bool
    channel: str
    applicant_name: str
    applicant_kind: str
    applicant_id_type: str
    applicant_id_masked: str
    applicant_phone_masked: str
    agent_name: str
    received_at: dt.datetime
    accepted_at: dt.datetime | None
    due_at: dt.datetime | None
    due_at_provisional: bool = False
    waits_for_year: int | None = None
    due_provisional_note: str = ""
    remaining: int | None
    light: str
    paused_days: int
    rongque_pending: bool
    rongque_deadline: dt.datetime | None
    rongque_deadline_provisional: bool = False
    rongque_waits_for_year: int | None = None
    uses_commitment: bool
    certificate_name: str
    certificate_no: str
    finished_at: dt.datetime | None
    delivered_at: dt.datetime | None
    tracking_no: str
    agency_agent: str | None
    current_step: str | None
    assignee: str | None
    materials: list[CaseMaterialOut]
    steps: list[CaseStepOut]
    timeline: list[CaseEventOut]
    notices: list[CaseNoticeOut]
    files: list[CaseFileOut]
    actions: list[CaseAvailableActionOut] = Field(
        description="当前用户此刻可对该办件执行的动作（与办件页面显示的操作一致；按状态与角色由同一规则表得出）"
    )


class CaseCreatedOut(Schema):
    id: int
    number: str
    query_password: str
    status: str


class CaseActionOut(Schema):
    """What an action returns: the new state, compactly (GET /{id} has the whole case)."""

    id: int
    number: str
    status: str
    status_label: str
    result: str
    current_step: str | None
    assignee: str | None
    due_at: dt.datetime | None
    due_at_provisional: bool = False
    waits_for_year: int | None = None
    due_provisional_note: str = ""
    rongque_pending: bool
    notices: list[CaseNoticeOut]


class CaseAcceptIn(Schema):
    rongque_material_ids: list[int] = []
    commitment_material_ids: list[int] = []
    rongque_signed: bool = False
    commitment_signed: bool = False
    rongque_deadline: dt.date | None = None
    opinion: str = ""


class CaseReasonIn(Schema):
    reason: str


class CaseCorrectionItemIn(Schema):
    id: int
    problem: str = "missing"
    reason: str


class CaseCorrectionIn(Schema):
    items: list[CaseCorrectionItemIn]
    note: str = ""


class CaseSupplyIn(Schema):
    material_ids: list[int]
    note: str = ""


class CaseMaterialsIn(Schema):
    materials: list[CaseMaterialIn]


class CaseOpinionIn(Schema):
    opinion: str = ""


class CaseReturnIn(Schema):
    to: str
    reason: str
    items: list[CaseCorrectionItemIn] = []


class CaseSpecialStartIn(Schema):
    procedure: str
    reason: str


class CaseSpecialEndIn(Schema):
    result: str


class CaseFinishIn(Schema):
    result: str
    reason: str = ""
    certificate_name: str = ""
    certificate_no: str = ""
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    referred_to: str = ""


class CaseDeliverIn(Schema):
    method: str
    collector_name: str = ""
    collector_id_type: str = "id_card"
    collector_id_number: str = ""
    mail_address: str = ""
    courier: str = ""
    tracking_no: str = ""


class CaseAgencyIn(Schema):
    agent_id: Id
    authorisation: str


class CaseCheckIn(Schema):
    passed: bool
    note: str


class CaseTrackIn(Schema):
    number: str
    password: str


class CaseTrackByIdIn(Schema):
    id_type: str = "id_card"
    id_number: str


class CaseTrackEventOut(Schema):
    at: dt.datetime
    label: str
    centre: str
    detail: str


class CaseTrackOut(Schema):
    number: str
    matter: str
    applicant: str
    status: str
    handling_centre: str
    received_at: dt.datetime
    due_at: dt.datetime | None
    due_at_provisional: bool = False
    waits_for_year: int | None = None
    due_provisional_note: str = ""
    finished_at: dt.datetime | None
    result: str
    timeline: list[CaseTrackEventOut]


class CaseTrackItemOut(Schema):
    number: str
    matter: str
    applicant: str
    status: str
    handling_centre: str
    received_at: dt.datetime


class CaseSupervisionRowOut(Schema):
    id: int | None
    name: str
    yellow: int
    red: int


class CaseSupervisionOut(Schema):
    open_total: int
    by_centre: list[CaseSupervisionRowOut]
    by_department: list[CaseSupervisionRowOut]
    by_handler: list[CaseSupervisionRowOut]
    cases: list[CaseListItemOut]


class CaseRevealOut(Schema):
    applicant_id_number: str
    applicant_phone: str
    agent_id_number: str
    agent_phone: str


# --- helpers ------------------------------------------------------------------------------------


def _provisional(year: int | None) -> dict[str, Any]:
    """A 暂定 deadline is never silent: the flag, the year it waits for and the one-line note (STD-3)."""
    return {
        "due_at_provisional": bool(year),
        "waits_for_year": year,
        "due_provisional_note": provisional_note(year),
    }


def _item(row: selectors.CaseRow) -> CaseListItemOut:
    return CaseListItemOut(
        id=row.pk,
        number=row.number,
        matter=row.matter_name,
        applicant=row.applicant_name,
        status=row.status,
        status_label=row.status_label,
        centre=row.centre_name,
        handling_centre=row.handling_centre_name,
        current_step=row.step_name or None,
        assignee=row.assignee_name or None,
        due_at=row.due_at,
        **_provisional(row.due_waits_for),
        remaining=selectors.remaining(row),
        light=rules.deadline_light(row),
        waits_for=selectors.waits_for(row),
    )


def case_out(case: Case, user: Any) -> CaseDetailOut:
    materials = list(case.materials.select_related("material"))
    return CaseDetailOut(
        id=case.pk,
        number=case.number,
        status=case.status,
        status_label=case.get_status_display(),
        result=case.result,
        matter_code=case.matter.code,
        matter=case.matter_name,
        matter_version=case.matter_version.number,
        centre=case.centre.name,
        handling_centre=case.handling_centre.name,
        forwarded=case.forwarded,
        channel=case.channel,
        applicant_name=case.applicant_name,
        applicant_kind=case.applicant_kind,
        applicant_id_type=case.applicant_id_type,
        applicant_id_masked=mask_id(case.applicant_id_type, case.applicant_id_number),
        applicant_phone_masked=mask_mobile(case.applicant_phone),
        agent_name=case.agent_name,
        received_at=case.received_at,
        accepted_at=case.accepted_at,
        due_at=case.due_at,
        **_provisional(case.due_waits_for),
        rongque_deadline_provisional=bool(case.rongque_waits_for),
        rongque_waits_for_year=case.rongque_waits_for,
        remaining=selectors.remaining(case),
        light=rules.deadline_light(case),
        paused_days=case.paused_days,
        rongque_pending=case.rongque_pending,
        rongque_deadline=case.rongque_deadline,
        uses_commitment=case.uses_commitment,
        certificate_name=case.certificate_name,
        certificate_no=case.certificate_no,
        finished_at=case.finished_at,
        delivered_at=case.delivered_at,
        tracking_no=case.tracking_no,
        agency_agent=str(case.agency_agent) if case.agency_agent_id else None,
        current_step=case.current_step.name if case.current_step is not None else None,
        assignee=str(case.current_assignee) if case.current_assignee_id else None,
        materials=[
            CaseMaterialOut(
                id=m.pk,
                name=m.name,
                required=m.required,
                status=m.status,
                status_label=m.get_status_display(),
                originals=m.originals,
                copies=m.copies,
                rongque_allowed=bool(m.material and m.material.rongque),
                commitment_allowed=bool(m.material and m.material.commitment),
            )
            for m in materials
        ],
        steps=[
            CaseStepOut(
                seq=s.seq,
                name=s.name,
                post=s.post.name if s.post is not None else None,
                assignee=str(s.assignee) if s.assignee_id else None,
                assignee_role=s.assignee_role,
                route_reason=s.route_reason,
                status=s.status,
                action=s.action,
                opinion=s.opinion,
                handler=s.handler_label,
                handler_role=s.handler_role,
                started_at=s.started_at,
                finished_at=s.finished_at,
            )
            for s in selectors.case_steps(case)
        ],
        timeline=[
            CaseEventOut(at=e.at, label=e.label, actor=e.actor_label, centre=e.centre_name, detail=e.detail)
            for e in selectors.timeline(case)
        ],
        notices=_notices(case),
        files=[
            CaseFileOut(
                id=f.pk,
                name=f.original_name,
                kind=f.kind,
                size=f.size,
                material_id=f.material_id,
                url=f"/api/v1/cases/{case.pk}/files/{f.pk}",
            )
            for f in selectors.case_files(case)
        ],
        actions=[
            CaseAvailableActionOut(code=a.code, label=a.label)
            for a in rules.available_actions(case, user, selectors.case_facts(case))
        ],
    )


def _notices(case: Case) -> list[CaseNoticeOut]:
    return [
        CaseNoticeOut(
            id=n.pk,
            kind=n.kind,
            title=n.get_kind_display(),
            serial=n.document_no,
            issued_at=n.issued_at,
            pdf=f"/api/v1/cases/{case.pk}/notices/{n.pk}/pdf",
            docx=f"/api/v1/cases/{case.pk}/notices/{n.pk}/docx",
        )
        for n in selectors.case_notices(case)
    ]


def _page(qs: Any) -> Any:
    return Mapped(qs, _item)


def _created(case: Case) -> CaseCreatedOut:
    return CaseCreatedOut(
        id=case.pk, number=case.number, query_password=case.query_password, status=case.status
    )


def _done(case: Case) -> CaseActionOut:
    """The service's returned case, as the action's answer (one query, for the notices)."""
    step = case.current_step if case.current_step_id else None
    return CaseActionOut(
        id=case.pk,
        number=case.number,
        status=case.status,
        status_label=case.get_status_display(),
        result=case.result,
        current_step=step.name if step else None,
        assignee=str(case.current_assignee) if case.current_assignee_id else None,
        due_at=case.due_at,
        **_provisional(case.due_waits_for),
        rongque_pending=case.rongque_pending,
        notices=_notices(case),
    )


# --- lists --------------------------------------------------------------------------------------


def _tick(m: CaseMaterialIn) -> services.MaterialTick:
    return services.MaterialTick(
        material_id=m.material_id,
        status=m.status,
        originals=m.originals,
        copies=m.copies,
        form=m.form,
        note=m.note,
    )


def _correction(i: CaseCorrectionItemIn) -> services.CorrectionItem:
    return services.CorrectionItem(material=i.id, problem=i.problem, reason=i.reason)


@router.get("/", response=list[CaseListItemOut], summary="可见的办件")
@paged
def list_cases(request: StaffRequest, status: str = "", q: str = "") -> Any:
    return _page(selectors.case_list(request.user, status=status or None, q=q))


@router.get("/tasks", response=list[CaseListItemOut], summary="我的待办（AB角分派后）")
@paged
def my_tasks(request: StaffRequest) -> Any:
    return _page(selectors.my_tasks(request.user))


@router.get("/awaiting", response=list[CaseListItemOut], summary="待受理（含村级转办）")
@paged
def awaiting(request: StaffRequest) -> Any:
    return _page(selectors.awaiting_decision(request.user))


@router.get("/agency", response=list[CaseListItemOut], summary="我代办的办件（STD-5）")
@paged
def agency(request: StaffRequest) -> Any:
    return _page(selectors.agency_cases(request.user))


@router.get("/supervision", response=CaseSupervisionOut, summary="预警与超期督办（按中心、部门、办理人）")
def supervision(
    request: StaffRequest,
    centre_id: Id | None = None,
    department_id: Id | None = None,
    handler_id: Id | None = None,
    level: str = "",
) -> CaseSupervisionOut:
    data = selectors.supervision(
        request.user, centre_id=centre_id, department_id=department_id, handler_id=handler_id, level=level
    )

    def rows(items: list[dict[str, Any]]) -> list[CaseSupervisionRowOut]:
        return [
            CaseSupervisionRowOut(
                id=r["id"], name=r["name"] or "（未分派）", yellow=r["yellow"], red=r["red"]
            )
            for r in items
        ]

    return CaseSupervisionOut(
        open_total=data.open_total,
        by_centre=rows(data.by_centre),
        by_department=rows(data.by_department),
        by_handler=rows(data.by_handler),
        cases=[_item(c) for c in data.cases],
    )


# --- receiving ----------------------------------------------------------------------------------


@router.post("/", response={201: CaseCreatedOut}, summary="收件（窗口、村级转办）")
def receive(request: StaffRequest, payload: CaseReceiveIn) -> Status:
    data = payload.dict()
    case = services.case_receive(
        actor=request.user,
        matter_id=data["matter_id"],
        applicant=data["applicant"],
        agent=data["agent"],
        materials=[_tick(m) for m in payload.materials],
        window_id=data["window_id"],
        channel=data["channel"],
        ticket_id=data["ticket_id"],
        enquiry_id=data["enquiry_id"],
    )
    return Status(201, _created(case))


@router.post("/online", response={201: CaseCreatedOut}, auth=None, summary="网上申请（门户，无需登录）")
def online(request: HttpRequest, payload: CaseOnlineIn) -> Status:
    data = payload.dict()
    who = applicant_actor(
        data["applicant"].get("kind", ""), data["applicant"].get("name", ""), data["channel"]
    )
    case = services.case_receive(
        actor=who,
        centre_id=data["centre_id"],
        matter_id=data["matter_id"],
        applicant=data["applicant"],
        agent=data["agent"],
        channel=data["channel"],
    )
    return Status(201, _created(case))


@router.get("/track", response=CaseTrackOut, auth=None, summary="凭办件编号和查询密码查询进度")
@rate_limited
def track(request: HttpRequest, no: str, password: str) -> CaseTrackOut:
    case = selectors.track_by_number(no, password, client=TrackClient(client_ip(request)))
    return CaseTrackOut(
        number=case.number,
        matter=case.matter_name,
        applicant=mask_applicant_name(case.applicant_kind, case.applicant_name),
        status=case.get_status_display(),
        handling_centre=case.handling_centre.name,
        received_at=case.received_at,
        due_at=case.due_at,
        finished_at=case.finished_at,
        **_provisional(case.due_waits_for),
        result=case.get_result_display() if case.result else "",
        timeline=[
            CaseTrackEventOut(at=e.at, label=e.label, centre=e.centre_name, detail=e.detail)
            for e in selectors.public_timeline(case)
        ],
    )


@router.post(
    "/track/by-id", response=list[CaseTrackItemOut], auth=None, summary="凭证件号码查询本人办件（脱敏）"
)
@rate_limited
@paged
def track_by_id(request: HttpRequest, payload: CaseTrackByIdIn) -> Any:
    cases = selectors.track_by_id(payload.id_type, payload.id_number, client=TrackClient(client_ip(request)))
    return [
        CaseTrackItemOut(
            number=c.number,
            matter=c.matter_name,
            applicant=mask_applicant_name(c.applicant_kind, c.applicant_name),
            status=c.get_status_display(),
            handling_centre=c.handling_centre.name,
            received_at=c.received_at,
        )
        for c in cases
    ]


# --- one case -----------------------------------------------------------------------------------


@router.get("/{case_id}", response=CaseDetailOut, summary="办件详情与时间线")
def detail(request: StaffRequest, case_id: str) -> CaseDetailOut:
    return case_out(access_case(request.user, case_id), request.user)


@router.post("/{case_id}/reveal", response=CaseRevealOut, summary="查看完整证件号码和电话（留痕）")
def reveal(request: StaffRequest, case_id: str) -> CaseRevealOut:
    return CaseRevealOut(**selectors.case_reveal_pii(request.user, access_case(request.user, case_id)))


@router.get("/{case_id}/export", summary="GB/T 39046 数据集（申请、受理、办理、办结）")
def export(request: StaffRequest, case_id: str) -> dict[str, Any]:
    case = access_case(request.user, case_id)
    selectors.case_reveal_pii(request.user, case, reason="导出GB/T 39046数据集（含完整证件号码和电话）")
    audit_record(action="case.export", obj=case, actor=request.user, note="导出GB/T 39046数据集")
    return case_datasets(case)


@router.post("/{case_id}/materials", response=CaseActionOut, summary="核对材料清单")
def update_materials(request: StaffRequest, case_id: str, payload: CaseMaterialsIn) -> CaseActionOut:
    case = access_case(request.user, case_id)
    ticks = [_tick(m) for m in payload.materials]
    return _done(services.case_update_materials(case=case, actor=request.user, materials=ticks))


@router.post("/{case_id}/files", response={201: CaseFileOut}, summary="上传材料扫描件（JPG/PNG/TIFF/PDF）")
def upload(
    request: StaffRequest, case_id: str, file: File[UploadedFile], material_id: Form[int | None] = None
) -> Status:
    case = access_case(request.user, case_id)
    record = services.case_attach_file(
        case=case,
        actor=request.user,
        upload=file,
        name=file.name or "",
        size=file.size,
        material_id=material_id,
    )
    return Status(
        201,
        CaseFileOut(
            id=record.pk,
            name=record.original_name,
            kind=record.kind,
            size=record.size,
            material_id=record.material_id,
            url=f"/api/v1/cases/{case.pk}/files/{record.pk}",
        ),
    )


@router.get("/{case_id}/files/{file_id}", summary="下载材料文件（鉴权）")
def download(request: StaffRequest, case_id: str, file_id: Id) -> StreamingFileResponse:
    case = access_case(request.user, case_id)
    try:
        record = case.files.get(pk=file_id)
    except CaseFile.DoesNotExist:
        raise NotFound() from None
    return file_response(request, record)


@router.get("/{case_id}/notices/{notice_id}/{fmt}", summary="文书（PDF/DOCX）")
def notice(request: StaffRequest, case_id: str, notice_id: Id, fmt: str) -> HttpResponse:
    case = access_case(request.user, case_id)
    try:
        record = case.notices.select_related("case__handling_centre", "sheet").get(pk=notice_id)
    except CaseNotice.DoesNotExist:
        raise NotFound() from None
    return notice_response(record, fmt)


@router.post("/{case_id}/accept", response=CaseActionOut, summary="受理（含容缺受理、告知承诺）")
def accept(request: StaffRequest, case_id: str, payload: CaseAcceptIn) -> CaseActionOut:
    case = access_case(request.user, case_id)
    return _done(services.case_accept(case=case, actor=request.user, **payload.dict()))


@router.post("/{case_id}/reject", response=CaseActionOut, summary="不予受理")
def reject(request: StaffRequest, case_id: str, payload: CaseReasonIn) -> CaseActionOut:
    case = access_case(request.user, case_id)
    return _done(services.case_reject(case=case, actor=request.user, reason=payload.reason))


@router.post("/{case_id}/correction", response=CaseActionOut, summary="一次性告知补正")
def correction(request: StaffRequest, case_id: str, payload: CaseCorrectionIn) -> CaseActionOut:
    case = access_case(request.user, case_id)
    return _done(
        services.case_request_correction(
            case=case, actor=request.user, items=[_correction(i) for i in payload.items], note=payload.note
        )
    )


@router.post("/{case_id}/supply", response=CaseActionOut, summary="补交材料（补正、容缺）")
def supply(request: StaffRequest, case_id: str, payload: CaseSupplyIn) -> CaseActionOut:
    case = access_case(request.user, case_id)
    return _done(
        services.case_supply(
            case=case, actor=request.user, material_ids=payload.material_ids, note=payload.note
        )
    )


@router.post("/{case_id}/pass", response=CaseActionOut, summary="环节通过")
def step_pass(request: StaffRequest, case_id: str, payload: CaseOpinionIn) -> CaseActionOut:
    case = access_case(request.user, case_id)
    return _done(services.case_step_pass(case=case, actor=request.user, opinion=payload.opinion))


@router.post("/{case_id}/return", response=CaseActionOut, summary="退回（前台或申请人补正）")
def step_return(request: StaffRequest, case_id: str, payload: CaseReturnIn) -> CaseActionOut:
    case = access_case(request.user, case_id)
    return _done(
        services.case_step_return(
            case=case,
            actor=request.user,
            to=payload.to,
            reason=payload.reason,
            items=[_correction(i) for i in payload.items],
        )
    )


@router.post("/{case_id}/resubmit", response=CaseActionOut, summary="前台复核后重新提交")
def resubmit(request: StaffRequest, case_id: str, payload: CaseOpinionIn) -> CaseActionOut:
    case = access_case(request.user, case_id)
    return _done(services.case_resubmit(case=case, actor=request.user, opinion=payload.opinion))


@router.post("/{case_id}/special/start", response=CaseActionOut, summary="启动特别程序（暂停计时）")
def special_start(request: StaffRequest, case_id: str, payload: CaseSpecialStartIn) -> CaseActionOut:
    case = access_case(request.user, case_id)
    return _done(
        services.case_special_start(
            case=case, actor=request.user, procedure=payload.procedure, reason=payload.reason
        )
    )


@router.post("/{case_id}/special/end", response=CaseActionOut, summary="结束特别程序（恢复计时）")
def special_end(request: StaffRequest, case_id: str, payload: CaseSpecialEndIn) -> CaseActionOut:
    case = access_case(request.user, case_id)
    return _done(services.case_special_end(case=case, actor=request.user, result=payload.result))


@router.post("/{case_id}/finish", response=CaseActionOut, summary="办结（准予、不予许可、退件、作废、转报）")
def finish(request: StaffRequest, case_id: str, payload: CaseFinishIn) -> CaseActionOut:
    case = access_case(request.user, case_id)
    return _done(services.case_finish(case=case, actor=request.user, **payload.dict()))


@router.post("/{case_id}/deliver", response=CaseActionOut, summary="送达（窗口领取或邮寄）")
def deliver(request: StaffRequest, case_id: str, payload: CaseDeliverIn) -> CaseActionOut:
    case = access_case(request.user, case_id)
    return _done(services.case_deliver(case=case, actor=request.user, **payload.dict()))


@router.post("/{case_id}/agency", response=CaseActionOut, summary="指定代办员（登记委托授权）")
def assign_agency(request: StaffRequest, case_id: str, payload: CaseAgencyIn) -> CaseActionOut:
    case = access_case(request.user, case_id)
    return _done(
        services.case_assign_agency(
            case=case, actor=request.user, agent_id=payload.agent_id, authorisation=payload.authorisation
        )
    )


@router.post("/{case_id}/commitment-check", response=CaseActionOut, summary="告知承诺核查结果")
def commitment_check(request: StaffRequest, case_id: str, payload: CaseCheckIn) -> CaseActionOut:
    case = access_case(request.user, case_id)
    return _done(
        services.case_commitment_check(
            case=case, actor=request.user, passed=payload.passed, note=payload.note
        )
    )
