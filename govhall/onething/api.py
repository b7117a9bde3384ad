"""一件事 in the API: the published list and the guide for a set of answers (public, SCOPE-4)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Router, Schema

from govhall.core.api_params import Mapped, paged

from . import selectors, services
from .models import OneThing

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
    asked = any(q.code in request.GET for q in version.questions.all())
    guide = selectors.guide(version, services.answers_for(version, request.GET) if asked else None)
    query = "?" + request.GET.urlencode() if asked else ""
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
