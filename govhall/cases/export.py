"""Case records in the GB/T 39046-2020 datasets — 申请 (table 5), 受理 (table 6), 办理 (table 7, one record
per 环节), 办结 (table 8) — as JSON for the provincial exchange (NET-2). Keys are the standard's data
item names; codes follow its appendix A (办件类型, 证件类型, 办理形式, 办结类型).

Identity numbers leave the system in full here (the exchange needs them), so every export is audited.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from govhall.cases.models import (
    CHANNEL_GB_CODES,
    ID_TYPE_GB_CODES,
    RESULT_GB_CODES,
    Case,
    CaseMaterial,
    CaseStatus,
    CaseStep,
    StepKind,
    Suspension,
)
from govhall.core.compiled import CompiledRead


def _t(moment: dt.datetime | None) -> str | None:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S") if moment else None


# A case's rows the datasets name, each read compiled once (issue 15: an action's sync reads them every time).
MATERIALS = CompiledRead(lambda case_id: CaseMaterial.objects.filter(case_id=case_id))
STEPS = CompiledRead(lambda case_id: CaseStep.objects.filter(case_id=case_id).select_related("assignee"))
SUSPENSIONS = CompiledRead(lambda case_id: Suspension.objects.filter(case_id=case_id))


def _related(case: Case, name: str, read: CompiledRead[Any]) -> list[Any]:
    """The case's rows of one relation: the ones the caller already holds (prefetched, e.g. the materials
    收件 just wrote) or one read (each model's default ordering: by material order, step number, start)."""
    held = getattr(case, "_prefetched_objects_cache", {})
    if name in held:
        return list(held[name])
    return read.all(case.pk)


def case_datasets(case: Case) -> dict[str, Any]:
    version = case.matter_version
    centre = case.handling_centre
    apply = {
        "办件编号": case.number,
        "事项编码": case.matter.code,
        "事项名称": case.matter_name,
        "事项版本": version.number,
        "申请人类型": "1" if case.applicant_kind == "person" else "2",
        "申请人名称": case.applicant_name,
        "申请人证件类型": ID_TYPE_GB_CODES.get(case.applicant_id_type, "999"),
        "申请人证件号码": case.applicant_id_number,
        "联系人手机号码": case.applicant_phone,
        "法定代表人": case.legal_representative or None,
        "代理人姓名": case.agent_name or None,
        "代理人证件类型": ID_TYPE_GB_CODES.get(case.agent_id_type) if case.agent_id_type else None,
        "代理人证件号码": case.agent_id_number or None,
        "申请方式": CHANNEL_GB_CODES.get(case.channel, "9"),
        "申请时间": _t(case.received_at),
        "收件单位": case.centre.name,
        "申请材料": [
            {
                "材料名称": m.name,
                "收取方式": m.get_form_display(),
                "原件份数": m.originals,
                "复印件份数": m.copies,
                "收取情况": m.get_status_display(),
            }
            for m in _related(case, "materials", MATERIALS)
        ],
    }
    accept = None
    if case.accepted_at or case.status == CaseStatus.NOT_ACCEPTED:
        accept = {
            "办件编号": case.number,
            "受理单位": centre.name,
            "受理单位印章": centre.seal,
            "受理人": str(case.accepted_by) if case.accepted_by_id else None,
            "受理时间": _t(case.accepted_at),
            "受理结果": "受理" if case.accepted_at else "不予受理",
            "不予受理原因": case.rejection_reason or None,
            "办件类型": str(case.case_type),
            "承诺办结时限": case.limit_value,
            "承诺办结时限单位": version.get_promised_limit_unit_display(),
            "承诺办结时间": _t(case.due_at),
            "容缺受理": case.rongque_commitment_signed_at is not None,
            "告知承诺": case.uses_commitment,
        }
    process = [
        {
            "办件编号": case.number,
            "环节名称": s.name,
            "处理人": s.handler_label or (str(s.assignee) if s.assignee_id else None),
            "处理人角色": s.handler_role or s.assignee_role or None,
            "处理意见": s.opinion or None,
            "处理结果": s.get_action_display() if s.action else None,
            "开始时间": _t(s.started_at),
            "结束时间": _t(s.finished_at),
            "状态": s.get_status_display(),
        }
        for s in _related(case, "steps", STEPS)  # in seq order
        if s.kind != StepKind.ACCEPT
    ]
    suspensions = [
        {
            "特别程序种类": s.procedure or s.get_kind_display(),
            "原因": s.reason,
            "开始时间": _t(s.started_at),
            "结束时间": _t(s.ended_at),
            "结果": s.result or None,
            "暂停工作日": s.working_days,
        }
        for s in _related(case, "suspensions", SUSPENSIONS)
    ]
    finish = None
    if case.finished_at and case.result:
        finish = {
            "办件编号": case.number,
            "办结单位": centre.name,
            "办结时间": _t(case.finished_at),
            "办结类型": RESULT_GB_CODES[case.result],
            "办结结果": case.get_result_display(),
            "结果说明": case.result_reason or None,
            "证照名称": case.certificate_name or None,
            "证照编号": case.certificate_no or None,
            "证照有效期起": case.certificate_valid_from.isoformat() if case.certificate_valid_from else None,
            "证照有效期止": case.certificate_valid_to.isoformat() if case.certificate_valid_to else None,
            "是否超期": case.finished_overdue,
            "送达方式": case.get_delivery_method_display() if case.delivery_method else None,
            "送达时间": _t(case.delivered_at),
            "快递单号": case.tracking_no or None,
        }
    return {"申请": apply, "受理": accept, "办理": process, "特别程序": suspensions, "办结": finish}
