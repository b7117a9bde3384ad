"""Writes of the standard-hall assessment: rule-set versions, surveys, assessments, rectification.

Every function is atomic, checks everything before writing anything, and audits its change."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from govhall.accounts.models import Role, User
from govhall.core import provisional
from govhall.core.audit import audit_record
from govhall.core.calendar import Deadline, deadline, end_of_day
from govhall.core.errors import Conflict, ServiceError, field_error
from govhall.orgs.models import Centre
from govhall.orgs.services import centre_name_for
from govhall.standards.checks import evaluate, rule_problems
from govhall.standards.images import check_image, stored_fields
from govhall.standards.measures import BOOL, COUNT, MEASURES, SURVEY, org_measures
from govhall.standards.models import (
    OPEN_STATUSES,
    Assessment,
    AssessmentResult,
    ItemStatus,
    RectificationEvidence,
    RectificationItem,
    ResultChange,
    Rule,
    RuleSet,
    RuleSetStatus,
    Survey,
    SurveyAnswer,
    SurveyPhoto,
    SurveyStatus,
)
from govhall.standards.policy import is_assessor, require_rectifier, require_rule_editor
from govhall.standards.selectors import centre_level, current_rule_set, last_finished_survey, survey_items

ONE_DECIMAL = Decimal("0.1")
MAX_PHOTOS_PER_ITEM = 6


# --- rule sets (SITE-8) ---------------------------------------------------------------------------------


def _require_draft(rule_set: RuleSet) -> None:
    if rule_set.status != RuleSetStatus.DRAFT:
        raise Conflict(
            f"规则集 {rule_set} 当前状态为“{rule_set.get_status_display()}”，已发布的版本不能修改；"
            "请复制为新版本后再修改。"
        )


@transaction.atomic
def ruleset_copy(*, rule_set: RuleSet, version: str, actor: Any) -> RuleSet:
    """Copy a rule set (with all its rules) into a new draft version of the same name."""
    require_rule_editor(actor)
    version = (version or "").strip()
    if not version or len(version) > 20:
        raise field_error("version", "请填写新版本号（不超过20个字符），如 2026-01。")
    if RuleSet.objects.filter(name=rule_set.name, version=version).exists():
        raise Conflict(
            f"规则集“{rule_set.name}”已有版本 {version}。", fields={"version": f"版本 {version} 已存在。"}
        )
    copy = RuleSet.objects.create(
        name=rule_set.name,
        version=version,
        status=RuleSetStatus.DRAFT,
        description=rule_set.description,
        based_on=rule_set,
        grade_bands=rule_set.grade_bands,
        safety_veto=rule_set.safety_veto,
        rectify_working_days=rule_set.rectify_working_days,
        created_by=actor,
    )
    rules = list(rule_set.rules.all())
    for rule in rules:
        rule.pk = None
        rule.rule_set = copy
    Rule.objects.bulk_create(rules)
    audit_record(
        action="standards.ruleset_copy",
        obj=copy,
        actor=actor,
        after={"from": str(rule_set), "version": version, "rules": len(rules)},
    )
    return copy


RULE_EDITABLE = (
    "title",
    "levels",
    "op",
    "value",
    "value_max",
    "weight",
    "is_bonus",
    "is_safety",
    "is_active",
    "notice_text",
    "measure",
    "measure2",
    "kind",
    "requirement",
)


def _decimal_or_none(field: str, raw: Any) -> Decimal | None:
    if raw is None or raw == "":
        return None
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        raise field_error(field, f"“{raw}”不是数字。") from None
    if not value.is_finite() or abs(value) >= Decimal("1e8"):
        raise field_error(field, f"“{raw}”超出允许范围。")
    return value


def _apply_rule_changes(rule: Rule, changes: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(changes) - set(RULE_EDITABLE))
    if unknown:
        raise field_error(unknown[0], f"字段“{unknown[0]}”不能修改。")
    before = {k: getattr(rule, k) for k in changes}
    for key, raw in changes.items():
        if key in ("value", "value_max"):
            setattr(rule, key, _decimal_or_none(key, raw))
        elif key == "weight":
            weight = _decimal_or_none(key, raw)
            if weight is None:
                raise field_error("weight", "分值不能为空。")
            setattr(rule, key, weight)
        elif key in ("is_bonus", "is_safety", "is_active"):
            setattr(rule, key, bool(raw))
        elif key == "levels":
            if not isinstance(raw, list):
                raise field_error("levels", '适用层级应为列表，如 ["town1", "village"]。')
            setattr(rule, key, [str(x) for x in raw])
        else:
            setattr(rule, key, "" if raw is None else str(raw).strip())
    problems = rule_problems(rule)
    if problems:
        raise ServiceError("；".join(problems), fields={"rule": "；".join(problems)})
    return before


@transaction.atomic
def rule_update(*, rule: Rule, changes: dict[str, Any], actor: Any) -> Rule:
    """Change a rule of a draft version (thresholds, weights, levels …). A change that would make the rule
    impossible to evaluate is refused and nothing is saved."""
    require_rule_editor(actor)
    _require_draft(rule.rule_set)
    before = _apply_rule_changes(rule, changes)
    rule.save()
    audit_record(
        action="standards.rule_update",
        obj=rule,
        actor=actor,
        before=before,
        after={k: getattr(rule, k) for k in changes},
    )
    return rule


@transaction.atomic
def rule_add(*, rule_set: RuleSet, code: str, fields: dict[str, Any], actor: Any) -> Rule:
    require_rule_editor(actor)
    _require_draft(rule_set)
    code = (code or "").strip()
    if not code or len(code) > 30:
        raise field_error("code", "请填写规则编号（不超过30个字符）。")
    if rule_set.rules.filter(code=code).exists():
        raise Conflict(f"规则编号 {code} 在本规则集中已存在。", fields={"code": "规则编号已存在。"})
    last = rule_set.rules.aggregate(m=Max("order"))["m"] or 0
    rule = Rule(rule_set=rule_set, code=code, order=last + 10)
    _apply_rule_changes(rule, fields)
    rule.save()
    audit_record(action="standards.rule_add", obj=rule, actor=actor, after={"code": code, **fields})
    return rule


def ruleset_problems(rule_set: RuleSet) -> list[str]:
    rules = list(rule_set.rules.filter(is_active=True))
    problems = [p for rule in rules for p in rule_problems(rule)]
    if not rules:
        problems.append("规则集中没有启用的规则")
    bands = rule_set.grade_bands
    if not isinstance(bands, list) or not all(
        isinstance(b, list) and len(b) == 2 and isinstance(b[0], int | float) and isinstance(b[1], str)
        for b in bands
    ):
        problems.append("等级划分格式应为 [[最低分, 等级], …]")
    return problems


@transaction.atomic
def ruleset_publish(*, rule_set: RuleSet, actor: Any) -> RuleSet:
    """Publish a draft version. Every active rule must be evaluable; otherwise nothing changes."""
    require_rule_editor(actor)
    _require_draft(rule_set)
    problems = ruleset_problems(rule_set)
    if problems:
        raise ServiceError(
            "规则集不能发布：" + "；".join(problems),
            code="ruleset_invalid",
            fields={"rules": "；".join(problems)},
        )
    rule_set.status = RuleSetStatus.PUBLISHED
    rule_set.published_at = timezone.now()
    rule_set.published_by = actor
    rule_set.save(update_fields=["status", "published_at", "published_by"])
    audit_record(
        action="standards.ruleset_publish",
        obj=rule_set,
        actor=actor,
        before={"status": RuleSetStatus.DRAFT},
        after={"status": RuleSetStatus.PUBLISHED},
    )
    return rule_set


# --- surveys ---------------------------------------------------------------------------------------------


def _require_assessor(actor: Any) -> None:
    if not is_assessor(actor):
        raise ServiceError(
            "只有考核员或市行政审批局管理员可以进行现场勘查和考核。", status=403, code="forbidden"
        )


def _require_open_survey(survey: Survey) -> None:
    if survey.is_locked:
        raise Conflict(
            f"该勘查已于 {timezone.localtime(survey.signed_at):%Y-%m-%d %H:%M} 由{survey.signed_name}"
            "签名锁定，不能再修改。"
        )


@transaction.atomic
def survey_start(*, centre: Centre, actor: Any, rule_set: RuleSet | None = None) -> Survey:
    """Open a draft survey of a centre. The last finished survey's answers are carried over, so a follow-up
    survey only needs what changed."""
    _require_assessor(actor)
    rule_set = rule_set or current_rule_set()
    if rule_set is None or not rule_set.is_published:
        raise Conflict("没有已发布的考核规则集，不能开始勘查。")
    if not centre.is_active:
        raise Conflict(f"{centre.name} 已停止运行，不能勘查。")
    draft = Survey.objects.filter(centre=centre, status=SurveyStatus.DRAFT).first()
    if draft is not None:
        raise Conflict(
            f"{centre.name} 已有一份未完成的勘查（第{draft.pk}号），请继续填写该勘查。",
            code="survey_draft_exists",
        )
    previous = last_finished_survey(centre)
    survey = Survey.objects.create(centre=centre, rule_set=rule_set, inspector=actor, based_on=previous)
    if previous is not None:
        SurveyAnswer.objects.bulk_create(
            [
                SurveyAnswer(
                    survey=survey,
                    measure=a.measure,
                    number=a.number,
                    present=a.present,
                    note=a.note,
                    carried_over=True,
                )
                for a in previous.answers.all()
            ]
        )
    audit_record(
        action="standards.survey_start",
        obj=survey,
        actor=actor,
        after={
            "centre": centre.name,
            "rule_set": str(rule_set),
            "based_on": previous.pk if previous else None,
        },
    )
    return survey


TRUE_WORDS = {"1", "true", "yes", "on", "y", "有", "是", "具备"}
FALSE_WORDS = {"0", "false", "no", "off", "n", "无", "否", "不具备"}


def parse_answer(key: str, raw: Any) -> tuple[Decimal | None, bool | None]:
    """(number, present) for one survey item, or a field error naming the item and its allowed range."""
    measure = MEASURES.get(key)
    if measure is None or measure.source != SURVEY:
        raise field_error(key, f"勘查项“{key}”不存在。")
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, None
    if measure.kind == BOOL:
        if isinstance(raw, bool):
            return None, raw
        word = str(raw).strip().lower()
        if word in TRUE_WORDS:
            return None, True
        if word in FALSE_WORDS:
            return None, False
        raise field_error(key, f"“{measure.label}”只能填“有”或“无”。")
    if isinstance(raw, bool):
        raise field_error(key, f"“{measure.label}”应填写数值。")
    try:
        number = Decimal(str(raw).strip())
    except InvalidOperation:
        raise field_error(key, f"“{measure.label}”应填写数值，“{raw}”不是数值。") from None
    lo, hi = measure.min_value, measure.max_value
    if not number.is_finite() or (lo is not None and number < lo) or (hi is not None and number > hi):
        raise field_error(
            key,
            f"“{measure.label}”应在 {lo}–{hi} {measure.unit} 之间，填写的 {raw} 超出范围，请核对后重新测量。",
        )
    if measure.kind == COUNT and number != number.to_integral_value():
        raise field_error(key, f"“{measure.label}”应为整数。")
    if number.as_tuple().exponent < -2:  # type: ignore[operator]
        raise field_error(key, f"“{measure.label}”最多保留两位小数。")
    return number, None


@transaction.atomic
def survey_save(
    *, survey: Survey, answers: dict[str, dict[str, Any]], actor: Any, note: str | None = None
) -> Survey:
    """Save answers ({measure: {"value": …, "note": …}}) to a draft. All are checked first: one bad value
    and nothing is saved."""
    _require_assessor(actor)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    _require_open_survey(survey)
    parsed: dict[str, tuple[Decimal | None, bool | None, str | None]] = {}
    errors: dict[str, str] = {}
    for key, entry in answers.items():
        entry = entry if isinstance(entry, dict) else {"value": entry}
        try:
            number, present = parse_answer(key, entry.get("value"))
        except ServiceError as exc:
            errors.update(exc.fields)
            continue
        item_note = entry.get("note")
        if item_note is not None and len(str(item_note)) > 300:
            errors[key] = f"“{MEASURES[key].label}”的备注不能超过300字。"
            continue
        parsed[key] = (number, present, None if item_note is None else str(item_note).strip())
    if errors:
        raise ServiceError("勘查数据有误，未保存：" + "；".join(errors.values()), fields=errors)
    existing = {a.measure: a for a in survey.answers.all()}
    changed: dict[str, Any] = {}
    for key, (number, present, item_note) in parsed.items():
        answer = existing.get(key) or SurveyAnswer(survey=survey, measure=key)
        new_note = answer.note if item_note is None else item_note
        if answer.pk and answer.number == number and answer.present == present and answer.note == new_note:
            continue
        answer.number, answer.present, answer.note, answer.carried_over = number, present, new_note, False
        answer.save()
        changed[key] = str(answer.value)
    if note is not None and note.strip() != survey.note:
        survey.note = note.strip()[:2000]
        changed["note"] = survey.note
    survey.save()
    if changed:
        audit_record(action="standards.survey_save", obj=survey, actor=actor, after=changed)
    return survey


@transaction.atomic
def survey_add_photo(*, survey: Survey, measure: str, upload: Any, actor: Any) -> SurveyPhoto:
    _require_assessor(actor)
    _require_open_survey(survey)
    if measure not in {item.measure.key for item in survey_items(survey)}:
        raise field_error("measure", f"勘查项“{measure}”不在本次勘查中。")
    if survey.photos.filter(measure=measure).count() >= MAX_PHOTOS_PER_ITEM:
        raise field_error("photo", f"每个勘查项最多上传 {MAX_PHOTOS_PER_ITEM} 张照片。")
    checked = check_image(upload)
    photo = SurveyPhoto(survey=survey, measure=measure, uploaded_by=actor, **stored_fields(checked))
    photo.file.save(f"{checked.token}.{checked.extension}", checked.content, save=False)
    photo.save()
    audit_record(
        action="standards.survey_photo_add",
        obj=survey,
        actor=actor,
        after={"measure": measure, "photo": photo.pk, "sha256": checked.sha256},
    )
    return photo


@transaction.atomic
def survey_finish(*, survey: Survey, signed_name: str, actor: Any) -> Survey:
    """Lock and sign a survey. Every item the rules need must be answered; the signature is the signing
    inspector's own name."""
    _require_assessor(actor)
    survey = (
        Survey.objects.select_for_update(of=("self",)).select_related("centre__division").get(pk=survey.pk)
    )
    _require_open_survey(survey)
    missing = {
        item.measure.key: f"“{item.measure.label}”尚未填写"
        for item in survey_items(survey)
        if item.required and not (item.answer and item.answer.is_answered)
    }
    if missing:
        raise ServiceError(
            f"还有 {len(missing)} 项未填写，不能完成勘查：" + "、".join(MEASURES[k].label for k in missing),
            code="survey_incomplete",
            fields=missing,
        )
    signed_name = (signed_name or "").strip()
    if not signed_name:
        raise field_error("signed_name", "请签名（填写考核员姓名）后再完成勘查。")
    if signed_name != actor.display_name:
        raise field_error("signed_name", f"签名应为您本人的姓名“{actor.display_name}”。")
    now = timezone.now()
    survey.status = SurveyStatus.FINISHED
    survey.finished_at = survey.signed_at = now
    survey.signed_name = signed_name
    survey.inspector = actor
    survey.save()
    audit_record(
        action="standards.survey_finish",
        obj=survey,
        actor=actor,
        before={"status": SurveyStatus.DRAFT},
        after={"status": SurveyStatus.FINISHED, "signed_name": signed_name, "signed_at": now.isoformat()},
    )
    return survey


# --- assessments (SITE-1..8) -----------------------------------------------------------------------


def grade_for(rule_set: RuleSet, score: Decimal, safety_failed: int) -> str:
    if safety_failed and rule_set.safety_veto:
        return "不合格"
    for low, label in sorted(rule_set.grade_bands, key=lambda band: -band[0]):
        if score >= Decimal(str(low)):
            return str(label)
    return "不合格"


def _due_date(moment: dt.datetime, working_days: int) -> Deadline:
    """The rectification deadline in working days (holidays and make-up days); where it reaches a year
    whose holidays are unknown it is provisional (暂定) and recomputed when that year is imported (STD-3)."""
    return deadline(moment, working_days)


def track_deadlines() -> None:
    """Declare the rectification deadline as one that may be provisional (from StandardsConfig.ready)."""
    provisional.track(
        RectificationItem, "due_date", flag="due_waits_for", is_open=lambda item: item.status in OPEN_STATUSES
    )


def _default_owner(centre: Centre) -> User | None:
    if centre.director_id:
        return centre.director
    return (
        User.objects.filter(centre=centre, is_active=True, role_rows__role=Role.DIRECTOR)
        .order_by("pk")
        .first()
    )


def _change(previous: AssessmentResult | None, passed: bool) -> str:
    if previous is None:
        return ResultChange.FIRST
    if previous.passed == passed:
        return ResultChange.SAME
    return ResultChange.FIXED if passed else ResultChange.BROKEN


@transaction.atomic
def assessment_run(
    *, centre: Centre, actor: Any, survey: Survey | None = None, rule_set: RuleSet | None = None
) -> Assessment:
    """Score a centre: the organisation data is read now, the site values come from the survey (by default
    its latest finished one). Pending rectification items of the centre are settled: verified where the
    rule now passes, otherwise carried into this assessment's list with their original due date."""
    _require_assessor(actor)
    centre = Centre.objects.select_for_update(of=("self",)).select_related("division").get(pk=centre.pk)
    rule_set = rule_set or current_rule_set()
    if rule_set is None or not rule_set.is_published:
        raise Conflict("只能按已发布的规则集进行考核。")
    if survey is None:
        survey = last_finished_survey(centre)
        if survey is None:
            raise Conflict(f"{centre.name} 还没有已完成的现场勘查，请先完成勘查。")
    elif survey.centre_id != centre.pk:
        raise field_error("survey", "该勘查不属于此服务中心。")
    elif not survey.is_locked:
        raise Conflict("勘查尚未签名完成，不能据此考核。")
    level = centre_level(centre)
    values = org_measures(centre)
    values.update({a.measure: a.value for a in survey.answers.all() if a.is_answered})
    expected_name = centre_name_for(centre.division)
    previous = centre.assessments.order_by("-sequence").first()
    before = {r.code: r for r in previous.results.all()} if previous else {}
    now = timezone.now()
    assessment = Assessment.objects.create(
        centre=centre,
        rule_set=rule_set,
        survey=survey,
        previous=previous,
        sequence=(previous.sequence + 1) if previous else 1,
        level=level,
        assessed_at=now,
        assessed_by=actor,
        score=0,
        base_score=0,
        grade="",
        org_values={k: v for k, v in values.items() if MEASURES[k].source != SURVEY},
    )
    results: list[AssessmentResult] = []
    for rule in rule_set.rules.filter(is_active=True).order_by("order", "pk"):
        if not rule.applies_to(level):
            continue
        outcome = evaluate(rule, values, expected_name=expected_name)
        results.append(
            AssessmentResult(
                assessment=assessment,
                rule=rule,
                code=rule.code,
                requirement=rule.requirement,
                title=rule.title,
                source=MEASURES[rule.measure].source if rule.measure in MEASURES else "org",
                measured=outcome.measured
                if not isinstance(outcome.measured, Decimal)
                else float(outcome.measured),
                measured_text=outcome.measured_text[:200],
                threshold_text=outcome.threshold_text[:200],
                passed=outcome.passed,
                weight=rule.weight,
                points=rule.weight if outcome.passed else Decimal(0),
                is_bonus=rule.is_bonus,
                is_safety=rule.is_safety,
                change=_change(before.get(rule.code), outcome.passed),
                order=rule.order,
            )
        )
    AssessmentResult.objects.bulk_create(results)
    results = list(assessment.results.all())

    base = [r for r in results if not r.is_bonus]
    total = sum((r.weight for r in base), Decimal(0))
    earned = sum((r.points for r in base), Decimal(0))
    bonus = sum((r.points for r in results if r.is_bonus), Decimal(0))
    base_score = (Decimal(100) * earned / total).quantize(ONE_DECIMAL, ROUND_HALF_UP) if total else Decimal(0)
    assessment.base_score = base_score
    assessment.bonus_score = bonus
    assessment.score = min(Decimal(100), base_score + bonus)
    assessment.passed_count = sum(1 for r in results if r.passed)
    assessment.failed_count = sum(1 for r in base if not r.passed)
    assessment.safety_failed_count = sum(1 for r in base if r.is_safety and not r.passed)
    assessment.grade = grade_for(rule_set, assessment.score, assessment.safety_failed_count)
    assessment.save()

    results_by_code = {r.code: r for r in results}
    pending = {
        item.code: item
        for item in RectificationItem.objects.select_for_update()
        .filter(centre=centre, status__in=OPEN_STATUSES)
        .exclude(assessment=assessment)
    }
    owner = _default_owner(centre)
    due = _due_date(now, rule_set.rectify_working_days)
    for result in base:
        if result.passed:
            continue
        old = pending.get(result.code)
        item_due = provisional.extend(old, "due_date", 0) if old else due  # carried: the same due date
        item = RectificationItem.objects.create(
            assessment=assessment,
            result=result,
            centre=centre,
            code=result.code,
            title=result.title,
            is_safety=result.is_safety,
            due_date=timezone.localtime(item_due.at).date(),
            owner=(old.owner if old and old.owner_id else owner),
            carried_from=old,
        )
        if item_due.provisional:
            item.save(update_fields=provisional.apply(item, "due_date", item_due))
    for code, item in pending.items():
        now_result = results_by_code.get(code)
        if now_result is None:  # the rule was not evaluated this time: the item stays pending
            continue
        item.status = ItemStatus.VERIFIED if now_result.passed else ItemStatus.UNRESOLVED
        item.settled_by = assessment
        item.save(update_fields=["status", "settled_by"])
    audit_record(
        action="standards.assessment_run",
        obj=assessment,
        actor=actor,
        after={
            "centre": centre.name,
            "rule_set": str(rule_set),
            "survey": survey.pk,
            "score": str(assessment.score),
            "grade": assessment.grade,
            "failed": assessment.failed_count,
            "safety_failed": assessment.safety_failed_count,
        },
    )
    return assessment


# --- rectification ---------------------------------------------------------------------------------------


@transaction.atomic
def item_rectify(*, item: RectificationItem, note: str, photos: list[Any], actor: Any) -> RectificationItem:
    """The director reports an item rectified, with a note and optional photos; the next assessment checks it."""
    require_rectifier(actor, item)
    item = RectificationItem.objects.select_for_update().get(pk=item.pk)
    if item.status != ItemStatus.OPEN:
        raise Conflict(f"该整改事项当前状态为“{item.get_status_display()}”，不能再登记整改。")
    note = (note or "").strip()
    if not note:
        raise field_error("note", "请填写整改说明（做了什么、何时完成）。")
    if len(note) > 2000:
        raise field_error("note", "整改说明不能超过2000字。")
    if len(photos) > MAX_PHOTOS_PER_ITEM:
        raise field_error("photos", f"最多上传 {MAX_PHOTOS_PER_ITEM} 张佐证照片。")
    checked = [check_image(p, field="photos") for p in photos]
    for image in checked:
        evidence = RectificationEvidence(item=item, uploaded_by=actor, **stored_fields(image))
        evidence.file.save(f"{image.token}.{image.extension}", image.content, save=False)
        evidence.save()
    item.status = ItemStatus.RECTIFIED
    item.rectified_at = timezone.now()
    item.rectified_by = actor
    item.rectify_note = note
    item.save(update_fields=["status", "rectified_at", "rectified_by", "rectify_note"])
    audit_record(
        action="standards.item_rectify",
        obj=item,
        actor=actor,
        before={"status": ItemStatus.OPEN},
        after={"status": ItemStatus.RECTIFIED, "note": note, "photos": [c.sha256 for c in checked]},
    )
    return item


@transaction.atomic
def item_assign(
    *, item: RectificationItem, actor: Any, owner: User | None = None, due_date: dt.date | None = None
) -> RectificationItem:
    """The bureau sets an item's owner (a staff member of that centre) or its due date."""
    _require_assessor(actor)
    if item.status not in OPEN_STATUSES:
        raise Conflict(f"该整改事项已“{item.get_status_display()}”，不能再调整。")
    before = {"owner": item.owner_id, "due_date": item.due_date}
    if owner is not None:
        if (
            owner.centre_id != item.centre_id
            and not Centre.objects.filter(pk=item.centre_id, director_id=owner.pk).exists()
        ):
            raise field_error("owner", "责任人应为该中心的工作人员。")
        item.owner = owner
    if due_date is not None:
        if due_date < timezone.localdate():
            raise field_error("due_date", "整改期限不能早于今天。")
        provisional.apply(item, "due_date", Deadline(at=end_of_day(due_date)))  # chosen: exact
    item.save(update_fields=["owner", "due_date", "due_waits_for"])
    audit_record(
        action="standards.item_assign",
        obj=item,
        actor=actor,
        before=before,
        after={"owner": item.owner_id, "due_date": item.due_date},
    )
    return item
