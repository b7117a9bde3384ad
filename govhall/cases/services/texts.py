"""The Chinese texts of the case services: dates as notices print them, notice payloads, SMS texts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from govhall.cases.models import (
    Case,
    CaseMaterial,
    NoticeKind,
    ResultKind,
    WarningLevel,
)
from govhall.catalog.models import CheckMethod
from govhall.core.calendar import Deadline, tentative

NOTICE_PREFIX = {
    NoticeKind.ACCEPT: "SL",
    NoticeKind.REJECT: "BSL",
    NoticeKind.CORRECTION: "GZ",
    NoticeKind.RONGQUE: "RQ",
    NoticeKind.COMMITMENT: "CN",
    NoticeKind.RESULT: "BJ",
}


def fmt_date(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y年%m月%d日") if moment else ""


def fmt_time(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y年%m月%d日 %H:%M") if moment else ""


def unit_label(case: Case) -> str:
    return {"hour": "小时", "natural_day": "自然日"}.get(case.limit_unit, "工作日")


def materials_payload(rows: Iterable[CaseMaterial]) -> list[dict[str, Any]]:
    return [
        {"name": r.name, "status": r.get_status_display(), "originals": r.originals, "copies": r.copies}
        for r in rows
    ]


def scan_digest(cases: list[Case], shown: int = 5) -> str:
    """One SMS for one person's newly flagged cases (an SMS per case would bury a director)."""
    if len(cases) == 1:
        case = cases[0]
        if case.warning_level == WarningLevel.RED:
            return f"办件{case.number}（{case.matter_name}）已超过承诺办结时间{fmt_time(case.due_at)}，请立即办理。"
        return f"办件{case.number}（{case.matter_name}）将于{fmt_time(case.due_at)}到期，请抓紧办理。"
    reds = sum(1 for c in cases if c.warning_level == WarningLevel.RED)
    parts = [f"{reds}件已超期" if reds else "", f"{len(cases) - reds}件即将到期" if len(cases) > reds else ""]
    numbers = "、".join(c.number for c in cases[:shown]) + ("等" if len(cases) > shown else "")
    return f"新增预警办件{len(cases)}件（{'，'.join(p for p in parts if p)}）：{numbers}。请登录工作台查看。"


DEADLINE_LABELS = {"due_at": "承诺办结时间", "rongque_deadline": "容缺补齐期限"}


# --- 受理 ---------------------------------------------------------------------------------------------


def accepted_detail(case: Case, due: Deadline) -> str:
    """The 受理 row of the timeline: the seal, and the promised completion (or 即办)."""
    seal = case.handling_centre.seal
    if not case.limit_value:
        return f"予以受理（{seal}），即办件当场办结。"
    return f"予以受理（{seal}）。承诺办结时间：{tentative(fmt_time(due.at), due.waits_for_year)}" + (
        f"；{due.note}" if due.provisional else ""
    )


def accepted_sms(case: Case, due: Deadline) -> str:
    return (
        f"您申请的「{case.matter_name}」已受理，办件编号{case.number}"
        + (f"，承诺办结时间{tentative(fmt_date(due.at), due.waits_for_year)}" if case.limit_value else "")
        + "。"
    )


def accept_payload(
    case: Case, now: dt.datetime, due: Deadline, promised: list[CaseMaterial]
) -> dict[str, Any]:
    """The 受理通知书's fields."""
    payload: dict[str, Any] = {
        "received_at": fmt_time(case.received_at),
        "accepted_at": fmt_time(now),
        "due_at": tentative(fmt_time(due.at), due.waits_for_year),
        "due_provisional_note": due.note,
        "limit": case.matter_version.promised_limit_display(),
        "materials": materials_payload(case.materials.all()),
    }
    if promised:
        payload["commitment"] = [r.name for r in promised]
        payload["check_method"] = CheckMethod(case.commitment_check.method).label
    return payload


def rongque_payload(
    now: dt.datetime, due: Deadline, deadline: Deadline, return_days: int, rongque: list[CaseMaterial]
) -> dict[str, Any]:
    """The 容缺受理通知书's fields: what is missing, by when, and what happens after."""
    return {
        "accepted_at": fmt_time(now),
        "deadline": tentative(fmt_date(deadline.at), deadline.waits_for_year),
        "due_at": tentative(fmt_time(due.at), due.waits_for_year),
        "due_provisional_note": due.note or deadline.note,
        "return_days": return_days,
        "missing": [
            {
                "name": r.name,
                "originals": r.material.originals if r.material else 0,
                "copies": r.material.copies if r.material else 0,
                "form": r.material.get_material_form_display() if r.material else "",
            }
            for r in rongque
        ],
    }


def rongque_detail(rongque: list[CaseMaterial], deadline: Deadline) -> str:
    return (
        f"容缺材料：{'、'.join(r.name for r in rongque)}；补齐期限："
        f"{tentative(fmt_date(deadline.at), deadline.waits_for_year)}；补齐前办理结果暂扣。"
    )


def commitment_detail(case: Case, promised: list[CaseMaterial]) -> str:
    return (
        f"以告知承诺书代替：{'、'.join(r.name for r in promised)}；核查方式："
        f"{CheckMethod(case.commitment_check.method).label}"
    )


# --- 办结 ---------------------------------------------------------------------------------------------


def finished_detail(case: Case, result: str, reason: str) -> str:
    """The 办结 row of the timeline."""
    detail = {
        ResultKind.APPROVED: f"准予。{('证照：' + case.certificate_name) if case.certificate_name else ''}"
        f"{('，编号' + case.certificate_no) if case.certificate_no else ''}",
        ResultKind.DENIED: f"不予许可。理由：{reason}",
        ResultKind.WITHDRAWN: f"退件。原因：{reason}",
        ResultKind.VOIDED: f"作废。原因：{reason}",
        ResultKind.REFERRED: f"转报{case.referred_to}。{reason}",
    }[ResultKind(result)]
    if case.rongque_pending:
        detail += "（容缺材料未补齐，结果暂扣）"
    return detail


def result_payload(case: Case, result: str, reason: str, now: dt.datetime) -> dict[str, Any]:
    """The 办结通知书's fields."""
    valid_from, valid_to = case.certificate_valid_from, case.certificate_valid_to
    return {
        "result": ResultKind(result).label,
        "reason": reason,
        "certificate_name": case.certificate_name,
        "certificate_no": case.certificate_no,
        "valid": (f"{valid_from or ''}至{valid_to or '长期'}" if (valid_from or valid_to) else ""),
        "referred_to": case.referred_to,
        "finished_at": fmt_time(now),
        "withheld": case.rongque_pending,
        "accepted_at": fmt_time(case.accepted_at),
    }


def finished_sms(case: Case, result: str) -> str:
    text = f"您的办件{case.number}（{case.matter_name}）已办结：{ResultKind(result).label}。"
    if case.rongque_pending:
        text += "容缺材料补齐后方可领取结果。"
    elif result in (ResultKind.APPROVED, ResultKind.DENIED):
        text += "请凭身份证件到窗口领取，或选择邮寄送达。"
    return text
