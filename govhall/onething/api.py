"""一件事 in the API: the published list and the guide for a set of answers (public, SCOPE-4)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Router, Schema

from govhall.accounts.http import StaffRequest
from govhall.cases.applicants import mask_applicant_name
from govhall.cases.tracking_limits import TrackClient
from govhall.core.api_errors import rate_limited
from govhall.core.api_params import Mapped, paged
from govhall.core.errors import field_error
from govhall.core.middleware import client_ip
from govhall.core.policy import require

from . import selectors, services
from .models import OneThing
from .policy import can_see_figures

router = Router(tags=["一件事一次办"])


class OneThingOut(Schema):
    code: str
    name: str
    life_event: str
    promised_limit: int
    is_sample: bool
    guide_url: str


class OneThingQuestionOut(Schema):
    code: str
    text: str
    help_text: str
    answer: bool | None


class OneThingMemberOut(Schema):
    order: int
    matter_code: str
    name: str
    department: str
    promised_limit: str
    included: bool
    stage: int  # 0 when the answers leave the member out; members of one stage run in parallel
    after: list[int]


class OneThingMaterialOut(Schema):
    name: str
    issuer: str
    originals: int
    copies: int
    required: bool
    rongque: bool
    commitment: bool
    members: list[str]


class OneThingProducedOut(Schema):
    name: str
    produced_by: str
    needed_by: list[str]


class OneThingGuideOut(OneThingOut):
    version: int
    summary: str
    members_limit_sum: int
    questions: list[OneThingQuestionOut]
    members: list[OneThingMemberOut]
    materials: list[OneThingMaterialOut]
    produced: list[OneThingProducedOut]
    pdf_url: str
    notice_pdf_url: str


def _thing(thing: OneThing) -> dict[str, Any]:
    version = thing.current_version
    assert version is not None
    return {
        "code": thing.code,
        "name": thing.name,
        "life_event": thing.life_event,
        "promised_limit": version.promised_limit,
        "is_sample": thing.is_sample,
        "guide_url": reverse("onething:guide", args=[thing.code]),
    }


@router.get("/things", response=list[OneThingOut], auth=None, summary="在用的一件事（公开）")
@paged
def list_things(request: HttpRequest) -> Any:
    return Mapped(selectors.public_things(), _thing)


@router.get(
    "/things/{code}/guide", response=OneThingGuideOut, auth=None, summary="一件事办事指南（按情形回答，公开）"
)
def get_guide(request: HttpRequest, code: str) -> dict[str, Any]:
    """Answer each question as a query parameter (``?medical_insurance=1&birth_registration=0``); without
    answers every member is listed. A missing or odd answer is a 400 naming the question."""
    thing = selectors.public_thing(code)
    version = thing.current_version
    assert version is not None
    answers = services.answers_from_query(version, request.GET)
    guide = selectors.guide(version, answers)
    query = "?" + request.GET.urlencode() if answers is not None else ""
    return {
        **_thing(thing),
        "version": version.number,
        "summary": version.summary,
        "members_limit_sum": guide.sum_days,
        "questions": [
            {"code": q.code, "text": q.text, "help_text": q.help_text, "answer": a}
            for q, a in guide.question_rows
        ],
        "members": [
            {
                "order": gm.member.order,
                "matter_code": gm.member.matter_version.matter.code,
                "name": gm.member.matter_version.name,
                "department": gm.member.matter_version.department.name,
                "promised_limit": gm.member.matter_version.promised_limit_display(),
                "included": gm.included,
                "stage": gm.stage,
                "after": [int(k) for k in gm.spec.after],
            }
            for gm in guide.members
        ],
        "materials": [vars(m) for m in guide.materials.asked],
        "produced": [vars(p) for p in guide.materials.produced],
        "pdf_url": reverse("onething:file", args=[code, "guide", "pdf"]) + query,
        "notice_pdf_url": reverse("onething:file", args=[code, "notice", "pdf"]) + query,
    }


# --- applications: tracking (public, number + password) and figures (staff) -----------------------------


class ThingTrackEventOut(Schema):
    at: dt.datetime
    label: str
    centre: str
    detail: str


class ThingTrackMemberOut(Schema):
    order: int
    name: str
    department: str
    state: str
    result: str
    timeline: list[ThingTrackEventOut]


class ThingTrackOut(Schema):
    number: str
    thing: str
    applicant: str
    status: str
    received_at: dt.datetime
    due_at: dt.datetime | None
    finished_at: dt.datetime | None
    members: list[ThingTrackMemberOut]


@router.get("/cases/track", response=ThingTrackOut, auth=None, summary="凭一件事办件编号和查询密码查询进度")
@rate_limited
def track(request: HttpRequest, no: str, password: str) -> ThingTrackOut:
    """The parent with each member's state and public steps only (NET-1)."""
    view = selectors.track_thing(no, password, client=TrackClient(client_ip(request)))
    parent = view.parent
    return ThingTrackOut(
        number=parent.number,
        thing=parent.thing.name,
        applicant=mask_applicant_name("person", parent.applicant_name),
        status=parent.get_status_display(),
        received_at=parent.received_at,
        due_at=view.clock.due_at,
        finished_at=parent.finished_at,
        members=[
            ThingTrackMemberOut(
                order=m.row.order,
                name=m.row.name,
                department=m.department,
                state=m.state,
                result=m.result,
                timeline=[
                    ThingTrackEventOut(at=e.at, label=e.label, centre=e.centre_name, detail=e.detail)
                    for e in events
                ],
            )
            for m, events in selectors.public_member_timeline(view)
        ],
    )


class ThingMonthFigureOut(Schema):
    month: str
    received: int
    finished: int
    avg_working_days: float | None
    avg_members_sum: float | None
    avg_promised: float | None


class ThingSlowMemberOut(Schema):
    name: str
    slowest_times: int
    avg_working_days: float


class ThingFiguresOut(Schema):
    months: list[ThingMonthFigureOut]
    slow: list[ThingSlowMemberOut]


@router.get(
    "/figures", response=ThingFiguresOut, summary="一件事统计：每月件数、平均用时与成员时限之和、拖慢的成员"
)
def figures(request: StaffRequest, months: int = 12) -> dict[str, Any]:
    require(can_see_figures(request.user), "只有市行政审批局、中心主任或考核人员可以查看一件事统计。")
    if not 1 <= months <= 36:
        raise field_error("months", "月数应在1到36之间。")
    result = selectors.figures(
        since=selectors.months_back(months), centre_ids=selectors.figures_scope(request.user)
    )
    return {"months": [vars(m) for m in result.months], "slow": [vars(s) for s in result.slow]}
