"""Pages: the bureau's overview (GOV-1), rule sets (SITE-8), the tablet survey, scorecards and their exports,
a centre's history, rectification. Each view: parse → one access check → one service or selector → render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from govhall.core.errors import Forbidden, NotFound, ServiceError
from govhall.core.pages import HtmxHttpRequest, service_view
from govhall.core.policy import is_bureau_admin
from govhall.core.responses import document_response
from govhall.standards import exports, policy, selectors, services
from govhall.standards.forms import CopyForm, RuleEditForm
from govhall.standards.measures import MEASURES
from govhall.standards.models import SurveyStatus


def _int_or_none(raw: str | None) -> int | None:
    try:
        return int(raw) if raw else None
    except ValueError:
        return None


# --- entry and overview (GOV-1) ------------------------------------------------------------------------


@require_GET
@service_view
def index(request: HttpRequest) -> HttpResponse:
    if policy.is_assessor(request.user):
        return redirect("standards:overview")
    centres = policy.directed_centre_ids(request.user)
    if not centres:
        raise NotFound()
    return redirect("standards:centre", pk=centres[0])


@require_GET
@service_view
def overview(request: HtmxHttpRequest) -> HttpResponse:
    policy.require_assessor(request.user)
    town_class = _int_or_none(request.GET.get("class"))
    level = request.GET.get("level", "")
    sort = request.GET.get("sort", "score")
    data = selectors.overview(town_class=town_class, level=level, sort=sort)
    context = {
        "data": data,
        "town_class": town_class,
        "level": level,
        "sort": sort,
        "rule_set": selectors.current_rule_set(),
    }
    template = "standards/_overview_table.html" if request.htmx else "standards/overview.html"
    return render(request, template, context)


# --- rule sets (SITE-8) ------------------------------------------------------------------------------


@require_GET
@service_view
def rule_set_list(request: HttpRequest) -> HttpResponse:
    policy.require_assessor(request.user)
    return render(
        request,
        "standards/rule_sets.html",
        {
            "rule_sets": selectors.rule_sets(),
            "current": selectors.current_rule_set(),
            "can_edit": is_bureau_admin(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
@service_view
def rule_set_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rule_set = policy.access_rule_set(request.user, pk)
    copy_form = CopyForm()
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "copy":
                copy_form = CopyForm(request.POST)
                if copy_form.is_valid():
                    copy = services.ruleset_copy(
                        rule_set=rule_set, version=copy_form.cleaned_data["version"], actor=request.user
                    )
                    messages.success(request, f"已复制为新版本 {copy.version}（草稿），修改后请发布。")
                    return redirect("standards:rule_set", pk=copy.pk)
            elif action == "publish":
                services.ruleset_publish(rule_set=rule_set, actor=request.user)
                messages.success(request, f"规则集 {rule_set} 已发布，此后的勘查和考核按此版本进行。")
                return redirect("standards:rule_set", pk=rule_set.pk)
            elif action == "rule":
                rule = rule_set.rules.filter(pk=_int_or_none(request.POST.get("rule")) or 0).first()
                if rule is None:
                    raise NotFound()
                form = RuleEditForm(request.POST)
                if not form.is_valid():
                    raise ServiceError("；".join(str(e) for errs in form.errors.values() for e in errs))
                services.rule_update(rule=rule, changes=form.changes(), actor=request.user)
                messages.success(request, f"规则 {rule.code} 已修改。")
                return redirect(reverse("standards:rule_set", args=[rule_set.pk]) + f"#rule-{rule.pk}")
        except ServiceError as exc:
            if isinstance(exc, NotFound | Forbidden):
                raise
            messages.error(request, exc.message)
            status = 400
    rules = list(rule_set.rules.all())
    return render(
        request,
        "standards/rule_set.html",
        {
            "rule_set": rule_set,
            "rules": rules,
            "copy_form": copy_form,
            "can_edit": is_bureau_admin(request.user),
            "problems": services.ruleset_problems(rule_set) if not rule_set.is_published else [],
            "measures": MEASURES,
            "op_choices": RuleEditForm.base_fields["op"].choices,  # type: ignore[attr-defined]
        },
        status=status,
    )


# --- surveys -----------------------------------------------------------------------------------------


@require_POST
@service_view
def survey_new(request: HttpRequest, centre_pk: int) -> HttpResponse:
    policy.require_assessor(request.user)
    centre = policy.access_assessed_centre(request.user, centre_pk)
    try:
        survey = services.survey_start(centre=centre, actor=request.user)
    except ServiceError as exc:
        if exc.code == "survey_draft_exists":
            draft = centre.surveys.get(status=SurveyStatus.DRAFT)
            messages.info(request, "该中心已有未完成的勘查，已为您打开。")
            return redirect("standards:survey", pk=draft.pk)
        messages.error(request, exc.message)
        return redirect("standards:centre", pk=centre.pk)
    if survey.based_on_id:
        messages.info(request, "已沿用上次勘查的数据，只需修改有变化的项目。")
    return redirect("standards:survey", pk=survey.pk)


def _posted_answers(request: HttpRequest, items: list[selectors.SurveyItem]) -> dict[str, dict[str, Any]]:
    answers: dict[str, dict[str, Any]] = {}
    for item in items:
        key = item.measure.key
        if f"value_{key}" in request.POST or f"note_{key}" in request.POST:
            answers[key] = {
                "value": request.POST.get(f"value_{key}", ""),
                "note": request.POST.get(f"note_{key}", ""),
            }
    return answers


@require_http_methods(["GET", "POST"])
@service_view
def survey_detail(request: HttpRequest, pk: int) -> HttpResponse:
    survey = policy.access_survey(request.user, pk)
    errors: dict[str, str] = {}
    posted: dict[str, dict[str, Any]] = {}
    status = 200
    if request.method == "POST":
        items = selectors.survey_items(survey)
        posted = _posted_answers(request, items)
        try:
            with transaction.atomic():
                services.survey_save(
                    survey=survey, answers=posted, note=request.POST.get("note"), actor=request.user
                )
                for item in items:
                    for upload in request.FILES.getlist(f"photo_{item.measure.key}"):
                        services.survey_add_photo(
                            survey=survey, measure=item.measure.key, upload=upload, actor=request.user
                        )
        except ServiceError as exc:
            if isinstance(exc, NotFound):
                raise
            messages.error(request, exc.message)
            errors, status = exc.fields, 400
        else:
            if request.POST.get("action") != "finish":
                messages.success(request, "草稿已保存。")
                return redirect("standards:survey", pk=survey.pk)
            try:
                services.survey_finish(
                    survey=survey, signed_name=request.POST.get("signed_name", ""), actor=request.user
                )
            except ServiceError as exc:
                messages.error(request, "草稿已保存，但还不能完成：" + exc.message)
                errors, status, posted = exc.fields, 400, {}
            else:
                messages.success(request, "勘查已完成并签名锁定。")
                return redirect("standards:survey", pk=survey.pk)
        survey.refresh_from_db()
    items = selectors.survey_items(survey)
    for item in items:
        item.error = errors.get(item.measure.key, "")
        item.posted = posted.get(item.measure.key)
    done, total = selectors.survey_progress(items)
    return render(
        request,
        "standards/survey.html",
        {
            "survey": survey,
            "groups": selectors.survey_groups(items),
            "errors": errors,
            "done": done,
            "total": total,
            "assessments": survey.assessments.order_by("-sequence"),
        },
        status=status,
    )


def _file_response(stored: Any) -> FileResponse:
    try:
        handle = stored.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=stored.content_type)
    response["Content-Disposition"] = f'inline; filename="{stored.token}.{stored.extension}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
@service_view
def survey_photo(request: HttpRequest, pk: int) -> HttpResponseBase:
    policy.require_assessor(request.user)
    photo = selectors.survey_photo(pk)
    if photo is None:
        raise NotFound()
    return _file_response(photo)


@require_GET
@service_view
def evidence_photo(request: HttpRequest, pk: int) -> HttpResponseBase:
    evidence = selectors.evidence_photo(pk)
    if evidence is None:
        raise NotFound()
    policy.access_item(request.user, evidence.item_id)
    return _file_response(evidence)


# --- centres, assessments, scorecards ------------------------------------------------------------------


@require_GET
@service_view
def centre_detail(request: HttpRequest, pk: int) -> HttpResponse:
    centre = policy.access_assessed_centre(request.user, pk)
    history = selectors.centre_history(centre)
    is_assessor = policy.is_assessor(request.user)
    return render(
        request,
        "standards/centre.html",
        {
            "centre": centre,
            "history": history,
            "is_assessor": is_assessor,
            "draft": centre.surveys.filter(status=SurveyStatus.DRAFT).first() if is_assessor else None,
            "last_survey": selectors.last_finished_survey(centre) if is_assessor else None,
        },
    )


@require_POST
@service_view
def centre_assess(request: HttpRequest, pk: int) -> HttpResponse:
    policy.require_assessor(request.user)
    centre = policy.access_assessed_centre(request.user, pk)
    try:
        assessment = services.assessment_run(centre=centre, actor=request.user)
    except ServiceError as exc:
        if isinstance(exc, NotFound):
            raise
        messages.error(request, exc.message)
        return redirect("standards:centre", pk=centre.pk)
    messages.success(
        request, f"已完成第{assessment.sequence}次考核：{assessment.score} 分，{assessment.grade}。"
    )
    return redirect("standards:assessment", pk=assessment.pk)


@require_GET
@service_view
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = policy.access_assessment(request.user, pk)
    card = selectors.scorecard(assessment)
    return render(
        request,
        "standards/scorecard.html",
        {
            "card": card,
            "a": assessment,
            "is_assessor": policy.is_assessor(request.user),
            "is_director": policy.is_director_of(request.user, assessment.centre_id),
        },
    )


EXPORTS = {
    "pdf": exports.scorecard_pdf,
    "docx": exports.scorecard_docx,
    "xlsx": exports.scorecard_xlsx,
}


@require_GET
@service_view
def assessment_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    assessment = policy.access_assessment(request.user, pk)
    if fmt not in EXPORTS:
        raise NotFound()
    body = EXPORTS[fmt](selectors.scorecard(assessment))
    response = document_response(body, exports.filename(assessment, fmt))
    response["Cache-Control"] = "private, no-store"
    return response


# --- rectification ---------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@service_view
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = policy.access_item(request.user, pk)
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        try:
            services.item_rectify(
                item=item,
                note=request.POST.get("note", ""),
                photos=request.FILES.getlist("photos"),
                actor=request.user,
            )
        except ServiceError as exc:
            if isinstance(exc, NotFound | Forbidden):
                raise
            messages.error(request, exc.message)
            errors, status = exc.fields, 400
        else:
            messages.success(request, "已登记整改，等待市行政审批局复核。")
            return redirect("standards:item", pk=item.pk)
        item.refresh_from_db()
    return render(
        request,
        "standards/item.html",
        {
            "item": item,
            "errors": errors,
            "can_rectify": policy.is_director_of(request.user, item.centre_id),
            "centre": item.centre,
        },
        status=status,
    )
