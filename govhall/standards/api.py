"""/api/v1/standards/: rule sets (SITE-8), surveys, assessments and scorecards, rectification, the overview
(GOV-1). The same services and access functions as the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from govhall.accounts.selectors import active_user
from govhall.core.api_params import Id, Mapped, paged
from govhall.core.errors import NotFound, field_error
from govhall.standards import policy, selectors, services
from govhall.standards.models import (
    Assessment,
    AssessmentResult,
    RectificationItem,
    Rule,
    RuleSet,
    Survey,
)

router = Router(tags=["standards 标准化考核"])


# --- schemas -------------------------------------------------------------------------------------------


class RuleOut(Schema):
    id: int
    code: str
    requirement: str
    title: str
    levels: list[str]
    kind: str
    measure: str
    measure2: str
    op: str
    value: Decimal | None
    value_max: Decimal | None
    weight: Decimal
    is_bonus: bool
    is_safety: bool
    is_active: bool
    notice_text: str


class RuleSetOut(Schema):
    id: int
    name: str
    version: str
    status: str
    based_on_id: int | None
    published_at: dt.datetime | None
    safety_veto: bool
    rectify_working_days: int
    grade_bands: list[Any]


class RuleSetDetailOut(RuleSetOut):
    rules: list[RuleOut]


class CopyIn(Schema):
    version: str


class RuleChangeIn(Schema):
    title: str | None = None
    requirement: str | None = None
    levels: list[str] | None = None
    kind: str | None = None
    measure: str | None = None
    measure2: str | None = None
    op: str | None = None
    value: Decimal | None = None
    value_max: Decimal | None = None
    weight: Decimal | None = None
    is_bonus: bool | None = None
    is_safety: bool | None = None
    is_active: bool | None = None
    notice_text: str | None = None


class RuleIn(RuleChangeIn):
    code: str


class SurveyIn(Schema):
    centre_id: Id


class SurveyAnswerIn(Schema):
    value: Any = None
    note: str | None = None


class AnswersIn(Schema):
    answers: dict[str, SurveyAnswerIn]
    note: str | None = None


class SurveyFinishIn(Schema):
    signed_name: str


class SurveyItemOut(Schema):
    measure: str
    label: str
    group: str
    kind: str
    unit: str
    value: Any
    note: str
    carried_over: bool
    photos: int
    rules: list[str]


class SurveyOut(Schema):
    id: int
    centre_id: int
    centre: str
    rule_set_id: int
    status: str
    inspector: str
    based_on_id: int | None
    signed_name: str
    signed_at: dt.datetime | None
    note: str
    items: list[SurveyItemOut]


class PhotoOut(Schema):
    id: int
    measure: str
    content_type: str
    size: int
    sha256: str


class AssessmentIn(Schema):
    centre_id: Id
    survey_id: Id | None = None
    rule_set_id: Id | None = None


class RuleResultOut(Schema):
    code: str
    requirement: str
    title: str
    source: str
    measured: Any
    measured_text: str
    threshold_text: str
    passed: bool
    weight: Decimal
    points: Decimal
    is_bonus: bool
    is_safety: bool
    change: str


class ItemOut(Schema):
    id: int
    assessment_id: int
    centre_id: int
    code: str
    title: str
    is_safety: bool
    due_date: dt.date
    due_date_provisional: bool = False
    waits_for_year: int | None = None
    owner: str | None
    status: str
    overdue: bool
    rectified_at: dt.datetime | None
    rectify_note: str
    evidence: int


class AssessmentOut(Schema):
    id: int
    centre_id: int
    centre: str
    sequence: int
    level: str
    rule_set_id: int
    rule_set_version: str
    survey_id: int
    previous_id: int | None
    assessed_at: dt.datetime
    score: Decimal
    base_score: Decimal
    bonus_score: Decimal
    grade: str
    failed_count: int
    safety_failed_count: int


class ScorecardOut(AssessmentOut):
    results: list[RuleResultOut]
    items: list[ItemOut]


class ItemAssignIn(Schema):
    owner_id: Id | None = None
    due_date: dt.date | None = None


class OverviewRowOut(Schema):
    centre_id: int
    centre: str
    level: str
    town_class: int | None
    score: Decimal | None
    grade: str | None
    safety_failed: int
    open_items: int
    overdue_items: int
    trend: list[float]
    rank: int | None


# --- serialisers ------------------------------------------------------------------------------------


def _rule_set(rs: RuleSet) -> dict[str, Any]:
    return {k: getattr(rs, k) for k in RuleSetOut.model_fields}


def _rule(rule: Rule) -> dict[str, Any]:
    return {k: getattr(rule, k) for k in RuleOut.model_fields}


def _survey(survey: Survey) -> dict[str, Any]:
    items = selectors.survey_items(survey)
    return {
        "id": survey.pk,
        "centre_id": survey.centre_id,
        "centre": survey.centre.name,
        "rule_set_id": survey.rule_set_id,
        "status": survey.status,
        "inspector": survey.inspector.display_name,
        "based_on_id": survey.based_on_id,
        "signed_name": survey.signed_name,
        "signed_at": survey.signed_at,
        "note": survey.note,
        "items": [
            {
                "measure": i.measure.key,
                "label": i.measure.label,
                "group": i.measure.group,
                "kind": i.measure.kind,
                "unit": i.measure.unit,
                "value": i.value,
                "note": i.answer.note if i.answer else "",
                "carried_over": bool(i.answer and i.answer.carried_over),
                "photos": len(i.photos),
                "rules": [r.code for r in i.rules],
            }
            for i in items
        ],
    }


def _assessment(a: Assessment) -> dict[str, Any]:
    return {
        "id": a.pk,
        "centre_id": a.centre_id,
        "centre": a.centre.name,
        "sequence": a.sequence,
        "level": a.level,
        "rule_set_id": a.rule_set_id,
        "rule_set_version": a.rule_set.version,
        "survey_id": a.survey_id,
        "previous_id": a.previous_id,
        "assessed_at": a.assessed_at,
        "score": a.score,
        "base_score": a.base_score,
        "bonus_score": a.bonus_score,
        "grade": a.grade,
        "failed_count": a.failed_count,
        "safety_failed_count": a.safety_failed_count,
    }


def _result(r: AssessmentResult) -> dict[str, Any]:
    return {k: getattr(r, k) for k in RuleResultOut.model_fields}


def _item(item: RectificationItem) -> dict[str, Any]:
    return {
        "id": item.pk,
        "assessment_id": item.assessment_id,
        "centre_id": item.centre_id,
        "code": item.code,
        "title": item.title,
        "is_safety": item.is_safety,
        "due_date": item.due_date,
        "due_date_provisional": bool(item.due_waits_for),
        "waits_for_year": item.due_waits_for,
        "owner": item.owner.display_name if item.owner else None,
        "status": item.status,
        "overdue": item.is_overdue,
        "rectified_at": item.rectified_at,
        "rectify_note": item.rectify_note,
        "evidence": item.evidence.count(),
    }


# --- rule sets -----------------------------------------------------------------------------------------


@router.get("/rulesets", response=list[RuleSetOut], summary="考核规则集列表")
@paged
def list_rule_sets(request: HttpRequest) -> Any:
    policy.require_assessor(request.user)
    return Mapped(selectors.rule_sets(), _rule_set)


@router.get("/rulesets/{rule_set_id}", response=RuleSetDetailOut, summary="规则集及其规则")
def get_rule_set(request: HttpRequest, rule_set_id: Id) -> dict[str, Any]:
    rs = policy.access_rule_set(request.user, rule_set_id)
    return {**_rule_set(rs), "rules": [_rule(r) for r in rs.rules.all()]}


@router.post("/rulesets/{rule_set_id}/copy", response={201: RuleSetDetailOut}, summary="复制为新版本（草稿）")
def copy_rule_set(request: HttpRequest, rule_set_id: Id, payload: CopyIn) -> Status[dict[str, Any]]:
    rs = policy.access_rule_set(request.user, rule_set_id)
    copy = services.ruleset_copy(rule_set=rs, version=payload.version, actor=request.user)  # type: ignore[arg-type]
    return Status(201, {**_rule_set(copy), "rules": [_rule(r) for r in copy.rules.all()]})


def _rule_in(rs: RuleSet, rule_id: Id) -> Rule:
    rule = rs.rules.filter(pk=rule_id).first()
    if rule is None:
        raise NotFound()
    return rule


@router.patch("/rulesets/{rule_set_id}/rules/{rule_id}", response=RuleOut, summary="修改草稿版本中的规则")
def update_rule(request: HttpRequest, rule_set_id: Id, rule_id: Id, payload: RuleChangeIn) -> dict[str, Any]:
    rs = policy.access_rule_set(request.user, rule_set_id)
    rule = _rule_in(rs, rule_id)
    changes = payload.model_dump(exclude_unset=True)
    rule = services.rule_update(rule=rule, changes=changes, actor=request.user)  # type: ignore[arg-type]
    return _rule(rule)


@router.post("/rulesets/{rule_set_id}/rules", response={201: RuleOut}, summary="向草稿版本添加规则")
def add_rule(request: HttpRequest, rule_set_id: Id, payload: RuleIn) -> Status[dict[str, Any]]:
    rs = policy.access_rule_set(request.user, rule_set_id)
    fields = payload.model_dump(exclude_unset=True)
    code = fields.pop("code")
    rule = services.rule_add(rule_set=rs, code=code, fields=fields, actor=request.user)  # type: ignore[arg-type]
    return Status(201, _rule(rule))


@router.post("/rulesets/{rule_set_id}/publish", response=RuleSetOut, summary="发布草稿版本")
def publish_rule_set(request: HttpRequest, rule_set_id: Id) -> dict[str, Any]:
    rs = policy.access_rule_set(request.user, rule_set_id)
    return _rule_set(services.ruleset_publish(rule_set=rs, actor=request.user))  # type: ignore[arg-type]


# --- surveys ---------------------------------------------------------------------------------------------


@router.post("/surveys", response={201: SurveyOut}, summary="开始现场勘查（沿用上次勘查数据）")
def start_survey(request: HttpRequest, payload: SurveyIn) -> Status[dict[str, Any]]:
    policy.require_assessor(request.user)
    centre = policy.access_assessed_centre(request.user, payload.centre_id)
    survey = services.survey_start(centre=centre, actor=request.user)  # type: ignore[arg-type]
    return Status(201, _survey(survey))


@router.get("/surveys/{survey_id}", response=SurveyOut, summary="勘查详情")
def get_survey(request: HttpRequest, survey_id: Id) -> dict[str, Any]:
    return _survey(policy.access_survey(request.user, survey_id))


@router.patch("/surveys/{survey_id}", response=SurveyOut, summary="保存勘查数据（草稿）")
def save_survey(request: HttpRequest, survey_id: Id, payload: AnswersIn) -> dict[str, Any]:
    survey = policy.access_survey(request.user, survey_id)
    answers = {k: v.model_dump(exclude_unset=True) for k, v in payload.answers.items()}
    survey = services.survey_save(survey=survey, answers=answers, note=payload.note, actor=request.user)  # type: ignore[arg-type]
    return _survey(survey)


@router.post("/surveys/{survey_id}/photos", response={201: PhotoOut}, summary="上传勘查照片")
def add_survey_photo(
    request: HttpRequest, survey_id: Id, measure: Form[str], photo: File[UploadedFile]
) -> Status[dict[str, Any]]:
    survey = policy.access_survey(request.user, survey_id)
    row = services.survey_add_photo(survey=survey, measure=measure, upload=photo, actor=request.user)  # type: ignore[arg-type]
    return Status(
        201,
        {
            "id": row.pk,
            "measure": row.measure,
            "content_type": row.content_type,
            "size": row.size,
            "sha256": row.sha256,
        },
    )


@router.post("/surveys/{survey_id}/finish", response=SurveyOut, summary="完成勘查并签名锁定")
def finish_survey(request: HttpRequest, survey_id: Id, payload: SurveyFinishIn) -> dict[str, Any]:
    survey = policy.access_survey(request.user, survey_id)
    survey = services.survey_finish(survey=survey, signed_name=payload.signed_name, actor=request.user)  # type: ignore[arg-type]
    return _survey(survey)


# --- assessments ---------------------------------------------------------------------------------------


def _scorecard(a: Assessment) -> dict[str, Any]:
    card = selectors.scorecard(a)
    return {
        **_assessment(a),
        "results": [_result(r) for r in card.results],
        "items": [_item(i) for i in card.items],
    }


@router.post("/assessments", response={201: ScorecardOut}, summary="考核（或重新考核）一个中心")
def run_assessment(request: HttpRequest, payload: AssessmentIn) -> Status[dict[str, Any]]:
    policy.require_assessor(request.user)
    centre = policy.access_assessed_centre(request.user, payload.centre_id)
    survey = policy.access_survey(request.user, payload.survey_id) if payload.survey_id else None
    rule_set = policy.access_rule_set(request.user, payload.rule_set_id) if payload.rule_set_id else None
    a = services.assessment_run(centre=centre, survey=survey, rule_set=rule_set, actor=request.user)  # type: ignore[arg-type]
    return Status(201, _scorecard(policy.access_assessment(request.user, a.pk)))


@router.get("/assessments", response=list[AssessmentOut], summary="考核列表（本人可见范围）")
@paged
def list_assessments(request: HttpRequest, centre_id: Id | None = None) -> Any:
    qs = policy.assessments_visible_to(request.user).order_by("-assessed_at", "-pk")
    if centre_id is not None:
        qs = qs.filter(centre_id=centre_id)
    return Mapped(qs, _assessment)


@router.get("/assessments/{assessment_id}", response=ScorecardOut, summary="评分表")
def get_assessment(request: HttpRequest, assessment_id: Id) -> dict[str, Any]:
    return _scorecard(policy.access_assessment(request.user, assessment_id))


@router.post("/items/{item_id}/rectify", response=ItemOut, summary="中心主任登记整改（说明和佐证照片）")
def rectify_item(
    request: HttpRequest,
    item_id: Id,
    note: Form[str],
    photos: File[list[UploadedFile]] = None,  # type: ignore[assignment]  # ninja's optional File
) -> dict[str, Any]:
    item = policy.access_item(request.user, item_id)
    item = services.item_rectify(item=item, note=note, photos=list(photos or []), actor=request.user)  # type: ignore[arg-type]
    return _item(item)


@router.patch("/items/{item_id}", response=ItemOut, summary="调整整改责任人或期限（市行政审批局）")
def assign_item(request: HttpRequest, item_id: Id, payload: ItemAssignIn) -> dict[str, Any]:
    policy.require_assessor(request.user)
    item = policy.access_item(request.user, item_id)
    owner = None
    if payload.owner_id is not None:
        owner = active_user(pk=payload.owner_id)
        if owner is None:
            raise field_error("owner_id", "责任人不存在或已停用。")
    item = services.item_assign(item=item, owner=owner, due_date=payload.due_date, actor=request.user)
    return _item(item)


@router.get("/overview", response=list[OverviewRowOut], summary="全市考核总览（GOV-1）")
@paged
def get_overview(
    request: HttpRequest, town_class: int | None = None, level: str = "", sort: str = "score"
) -> Any:
    policy.require_assessor(request.user)
    data = selectors.overview(town_class=town_class, level=level, sort=sort)
    return [
        {
            "centre_id": r.centre.pk,
            "centre": r.centre.name,
            "level": r.centre.level,
            "town_class": r.town_class,
            "score": r.score,
            "grade": r.latest["grade"] if r.latest else None,
            "safety_failed": r.latest["safety_failed_count"] if r.latest else 0,
            "open_items": r.open_items,
            "overdue_items": r.overdue_items,
            "trend": r.trend,
            "rank": r.rank,
        }
        for r in data.rows
    ]
