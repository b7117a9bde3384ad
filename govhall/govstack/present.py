"""Our objects in the GovStack Registration BB's shapes (api/GovStack_Registration_BB_API.json, v0.1.1).

Status: 办理中/待受理 → PENDING; 准予许可 → APPROVED; 待补正 (补正) → SENDBACK; 不予受理, 不予许可, 退件, 作废,
撤销 → REJECTED. The title is our own Chinese label."""

from __future__ import annotations

import datetime as dt
from typing import Any

from govhall.cases.models import Case, CaseStatus, CaseStep, ResultKind, StepAction, StepStatus
from govhall.catalog.models import Matter
from govhall.govstack import selectors
from govhall.govstack.models import IdKind

REJECTED_RESULTS = {ResultKind.DENIED, ResultKind.WITHDRAWN, ResultKind.VOIDED}
ENDED = {CaseStatus.NOT_ACCEPTED, CaseStatus.FINISHED, CaseStatus.DELIVERED, CaseStatus.REVOKED}


def case_status(case: Case, sent_back: set[int] | None = None) -> dict[str, str]:
    """``sent_back``: the suspended cases waiting for 补正 (selectors.sent_back_ids), read here when not given."""
    if sent_back is None:
        sent_back = selectors.sent_back_ids([case])
    if case.result == ResultKind.APPROVED:
        code = "APPROVED"
    elif case.status in (CaseStatus.NOT_ACCEPTED, CaseStatus.REVOKED) or case.result in REJECTED_RESULTS:
        code = "REJECTED"
    elif case.status == CaseStatus.CORRECTION or case.pk in sent_back:
        code = "SENDBACK"
    else:
        code = "PENDING"
    title = case.get_result_display() if case.result else case.get_status_display()
    return {"code": code, "title": title}


def step_status(step: CaseStep) -> dict[str, str]:
    if step.status == StepStatus.PENDING:
        return {"code": "PENDING", "title": "待办"}
    if step.action in (StepAction.RETURN_APPLICANT, StepAction.RETURN_FRONT):
        return {"code": "SENDBACK", "title": step.get_action_display()}
    if step.status == StepStatus.CANCELLED:
        return {"code": "REJECTED", "title": "已取消"}
    return {"code": "APPROVED", "title": step.get_action_display() or "已办"}


def when(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def service(matter: Matter, service_id: str) -> dict[str, Any]:
    version = matter.current_version
    assert version is not None
    body = [
        {"code": "matterCode", "value": matter.code},
        {"code": "department", "value": version.department.name if version.department_id else ""},
        {"code": "promisedLimit", "value": f"{version.promised_limit}个工作日"},
        {"code": "guide", "value": f"/catalog/guide/{matter.code}/"},
    ]
    return {
        "id": service_id,
        "name": matter.name,
        "version": str(version.number),
        "type": "Public",
        "isExecutable": matter.is_serviceable,
        "isClosed": False,
        "description": version.acceptance_conditions or version.process or matter.name,
        "serviceBody": body,
    }


def services(matters: list[Matter]) -> list[dict[str, Any]]:
    names = selectors.external_ids(IdKind.SERVICE, [m.pk for m in matters])
    return [service(m, names[m.pk]) for m in matters]


_ID_TYPES = ["id_card", "passport", "hk_macau", "taiwan", "foreign_pr", "uscc"]


def eform_schema(matter: Matter) -> dict[str, Any]:
    """The application form as JSON Schema: the applicant's identity (what case_receive needs) and one
    entry per material of the current version (true = received, or a material status)."""
    props: dict[str, Any] = {
        "applicantName": {"type": "string", "title": "申请人名称", "maxLength": 100},
        "applicantKind": {"type": "string", "title": "申请人类型", "enum": ["person", "organisation"]},
        "idType": {"type": "string", "title": "证件类型", "enum": _ID_TYPES},
        "idNumber": {"type": "string", "title": "证件号码"},
        "phone": {"type": "string", "title": "联系电话", "pattern": "^1\\d{10}$"},
        "address": {"type": "string", "title": "联系地址"},
    }
    required = ["applicantName", "idType", "idNumber", "phone"]
    for m in selectors.materials(matter):
        key = f"material_{m.pk}"
        props[key] = {
            "title": m.name,
            "description": "必备材料" if m.required else "非必备材料",
            "oneOf": [{"type": "boolean"}, {"enum": ["received", "missing", "rongque", "commitment"]}],
        }
        if m.required and not (m.rongque or m.commitment):
            required.append(key)
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": matter.name,
        "type": "object",
        "properties": props,
        "required": required,
    }


def eform_item(matter: Matter, eform_id: str) -> dict[str, Any]:
    version = matter.current_version
    return {
        "eFormId": eform_id,
        "name": f"{matter.name}申请表",
        "description": f"事项编码 {matter.code}",
        "version": str(version.number if version else 1),
        "latest": True,
    }


def eform(matter: Matter, eform_id: str) -> dict[str, Any]:
    return {**eform_item(matter, eform_id), "schema": eform_schema(matter)}


def application(case: Case, file_id: str, service_id: str, applicant_id: str) -> dict[str, Any]:
    return {
        "fileId": file_id,
        "applicantId": applicant_id,
        "registered": when(case.received_at),
        "serviceId": service_id,
        "serviceName": case.matter_name,
        "status": case_status(case),
        "ended": case.status in ENDED,
        "applicationData": {
            "applicationName": case.applicant_name,
            "applicantId": applicant_id,
            "created": when(case.received_at),
        },
    }


def applications(cases: list[Case], applicant_ids: dict[int, str]) -> list[dict[str, Any]]:
    files = selectors.external_ids(IdKind.APPLICATION, [c.pk for c in cases])
    svc = selectors.external_ids(IdKind.SERVICE, sorted({c.matter_id for c in cases}))
    steps = selectors.external_ids(IdKind.TASK, [c.current_step_id for c in cases if c.current_step_id])
    eforms = selectors.external_ids(IdKind.EFORM, sorted({c.matter_id for c in cases}))
    sent_back = selectors.sent_back_ids(cases)
    rows = []
    for c in cases:
        step = c.current_step if c.current_step_id else None
        row: dict[str, Any] = {
            "fileId": files[c.pk],
            "taskTitle": step.name if step else c.get_status_display(),
            "status": case_status(c, sent_back),
            "applicantId": applicant_ids.get(c.pk, ""),
            "created": when(c.received_at),
            "registered": when(c.received_at),
            "description": c.number,
            "serviceName": c.matter_name,
            "serviceId": svc[c.matter_id],
            "eformId": eforms[c.matter_id],
            "documentUrls": [],
        }
        if step is not None:
            row["mainTaskId"] = steps[step.pk]
        assignee = c.current_assignee if c.current_assignee_id else None
        if assignee is not None:
            row["assigneeId"] = assignee.staff_no or str(assignee.pk)
            row["operatorName"] = assignee.display_name
        rows.append(row)
    return rows


def task(step: CaseStep, names: dict[str, dict[int, str]], *, detail: bool = False) -> dict[str, Any]:
    case = step.case
    row: dict[str, Any] = {
        "taskId": names["task"][step.pk],
        "created": when(step.started_at),
        "description": step.route_reason or f"{case.matter_name}：{step.name}",
        "serviceId": names["service"][case.matter_id],
        "serviceName": case.matter_name,
        "fileId": names["application"][case.pk],
        "eFormId": names["eform"][case.matter_id],
        "status": step_status(step),
        "roleId": step.assignee_role or "",
    }
    assignee = step.assignee if step.assignee_id else None
    if assignee is not None:
        row["assigneeId"] = assignee.staff_no or str(assignee.pk)
    if detail:
        row["taskName"] = step.name
        row["formVariables"] = {"opinion": {"value": step.opinion}} if step.opinion else {}
        row["data"] = {}
    else:
        row["name"] = step.name
        row["mainTaskId"] = names["application"][case.pk]
    return row


def task_names(steps: list[CaseStep]) -> dict[str, dict[int, str]]:
    matters = sorted({s.case.matter_id for s in steps})
    return {
        "task": selectors.external_ids(IdKind.TASK, [s.pk for s in steps]),
        "application": selectors.external_ids(IdKind.APPLICATION, sorted({s.case_id for s in steps})),
        "service": selectors.external_ids(IdKind.SERVICE, matters),
        "eform": selectors.external_ids(IdKind.EFORM, matters),
    }
