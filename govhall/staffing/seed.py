"""Built-in assessment scheme and a small demo set (enquiries, attendance and a leave in 吕四港镇)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from govhall.accounts.models import User
from govhall.staffing.indicators import get_indicator
from govhall.staffing.models import (
    AssessmentIndicator,
    AssessmentScheme,
    Attendance,
    Enquiry,
    EnquiryStatus,
    Leave,
    LeaveKind,
    LeaveStatus,
    SchemeScope,
)

BUILTIN_SCHEME = "启东市镇村服务中心工作人员月度考核方案（试行）"
BUILTIN_WEIGHTS = [("attendance", "50"), ("punctuality", "20"), ("enquiry_handling", "30")]


def load_builtin() -> str:
    """A starting scheme from the built-in indicators; the bureau replaces it (with ratings, overdue cases,
    差评 rectification and volume once those apps register their indicators)."""
    if AssessmentScheme.objects.filter(name=BUILTIN_SCHEME).exists():
        return "考核方案：已存在，未改动"
    active = AssessmentScheme.objects.filter(scope=SchemeScope.ALL, is_active=True).exists()
    scheme = AssessmentScheme.objects.create(
        name=BUILTIN_SCHEME,
        scope=SchemeScope.ALL,
        is_active=not active,
        notes="内置初始方案：出勤率50、准时签到率20、首问办结率30",
    )
    for position, (code, weight) in enumerate(BUILTIN_WEIGHTS):
        definition = get_indicator(code)
        assert definition is not None
        AssessmentIndicator.objects.create(
            scheme=scheme, code=code, label=definition.label, weight=Decimal(weight), position=position
        )
    return f"考核方案：{BUILTIN_SCHEME}"


def load_demo() -> str:
    users: dict[str, Any] = {
        u.username: u
        for u in User.objects.filter(
            username__in=[
                "lvsi_front",
                "lvsi_front2",
                "lvsi_back",
                "lvsi_back2",
                "lvsi_director",
                "lvsi_guide",
            ]
        )
    }
    if len(users) < 6:
        return "人员管理演示数据：缺少吕四港镇演示人员，跳过"
    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    for name in ("lvsi_front", "lvsi_front2", "lvsi_back2", "lvsi_director", "lvsi_guide"):
        u = users[name]
        Attendance.objects.get_or_create(
            staff=u,
            date=today,
            defaults={
                "centre_id": u.centre_id,
                "sign_in_at": dt.datetime.combine(today, dt.time(8, 30), tzinfo=tz),
                "sign_in_ip": "10.10.1.20",
            },
        )
    back = users["lvsi_back"]
    Leave.objects.get_or_create(
        staff=back,
        kind=LeaveKind.ANNUAL,
        start_at=dt.datetime.combine(today, dt.time.min, tzinfo=tz),
        defaults={
            "centre_id": back.centre_id,
            "reason": "年休假（演示）",
            "end_at": dt.datetime.combine(today, dt.time(23, 59), tzinfo=tz),
            "status": LeaveStatus.APPROVED,
            "approved_by": users["lvsi_director"],
            "decided_at": timezone.now(),
        },
    )
    front = users["lvsi_front"]
    samples = [
        (
            "新生儿落户需要带哪些材料？",
            EnquiryStatus.ANSWERED,
            "出生医学证明、父母户口簿和身份证、结婚证。",
            None,
        ),
        ("老房翻建要办什么手续？", EnquiryStatus.HANDED_OVER, "", users["lvsi_back2"]),
        ("灵活就业人员怎么续缴医保？", EnquiryStatus.OPEN, "", None),
    ]
    for question, status, answer, to in samples:
        Enquiry.objects.get_or_create(
            first_staff=front,
            question=question,
            defaults={
                "centre_id": front.centre_id,
                "status": status,
                "answer": answer,
                "handed_to": to,
                "handed_at": timezone.now() if to else None,
                "answered_by": front if answer else None,
                "answered_at": timezone.now() if answer else None,
            },
        )
    return "人员管理演示数据：吕四港镇今日签到5人、张海峰年休假（民政审批岗转B角李秀梅）、首问3条"
