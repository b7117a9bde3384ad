"""Public pages of 一件事: the list, one guide that follows the applicant's answers, its PDF/DOCX."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from govhall.accounts.models import User
from govhall.core.actors import is_staff_actor
from govhall.core.errors import ServiceError
from govhall.core.pages import HtmxHttpRequest, page_errors, service_view
from govhall.core.policy import require
from govhall.core.responses import document_response

from . import documents, forms, handling, selectors, services
from .policy import (
    can_decide_thing,
    can_deliver_thing,
    can_receive,
    can_see_figures,
    require_compose_page,
    require_see_thing_case,
)


def thing_list(request: HttpRequest) -> HttpResponse:
    return render(request, "onething/list.html", {"nav": "onething", "things": selectors.public_things()})


def _guide(request: HttpRequest, code: str) -> tuple[selectors.Guide, ServiceError | None]:
    """The guide for the answers in the query string; answers are optional (the whole composition shows), a
    wrong or incomplete set shows its message beside the questions."""
    thing = selectors.public_thing(code)
    version = thing.current_version
    assert version is not None
    try:
        answers = services.answers_from_query(version, request.GET)
    except ServiceError as exc:
        return selectors.guide(version), exc
    return selectors.guide(version, answers), None


@page_errors
def guide(request: HtmxHttpRequest, code: str) -> HttpResponse:
    result, error = _guide(request, code)
    template = "onething/_guide_body.html" if request.htmx else "onething/guide.html"
    return render(
        request,
        template,
        {"nav": "onething", "g": result, "error": error, "query": request.GET.urlencode()},
        status=400 if error else 200,
    )


@page_errors
def guide_file(request: HttpRequest, code: str, doc: str, fmt: str) -> HttpResponse:
    if fmt not in ("pdf", "docx") or doc not in ("guide", "notice"):
        raise Http404
    result, error = _guide(request, code)
    if error:
        raise error
    if doc == "guide":
        data, name = documents.guide_file(result, fmt), f"{result.thing.name}办事指南.{fmt}"
    else:
        data, name = documents.notice_file(result, fmt), f"{result.thing.name}一次性告知单.{fmt}"
    return document_response(data, name, inline=fmt == "pdf")


# --- the bureau's composition pages -----------------------------------------------------------------


def _require_composer(request: HttpRequest) -> None:
    require_compose_page(request.user)


@service_view
def manage_list(request: HttpRequest) -> HttpResponse:
    _require_composer(request)
    return render(request, "onething/manage_list.html", {"things": selectors.all_things()})


@service_view
def manage_edit(request: HttpRequest, code: str | None = None) -> HttpResponse:
    _require_composer(request)
    thing = selectors.thing_for_edit(code) if code else None
    head: dict[str, object] = {}
    q_rows: list[dict[str, object]] = []
    m_rows: list[dict[str, object]] = []
    if thing is not None:
        head, q_rows, m_rows = forms.initial_rows(selectors.editable_version(thing))
    if request.method == "POST":
        form = forms.ThingForm(request.POST)
        questions, members = forms.formsets(request.POST, questions=q_rows, members=m_rows)
        if form.is_valid() and questions.is_valid() and members.is_valid():
            data = forms.composition_input(form, questions, members)
            try:
                if thing is None:
                    thing = services.thing_create(
                        actor=request.user, code=form.cleaned_data["code"], data=data
                    )
                else:
                    services.thing_draft_save(
                        actor=request.user,
                        thing=thing,
                        data=data,
                        reason=form.cleaned_data.get("reason") or "",
                    )
            except ServiceError as exc:
                form.add_error(None, exc.message)
                for detail in exc.fields.values():
                    if detail != exc.message:
                        form.add_error(None, detail)
            else:
                messages.success(request, f"“{thing.name}”草稿已保存。核对无误后请发布。")
                return redirect("onething:manage_list")
    else:
        form = forms.ThingForm(initial=head)
        questions, members = forms.formsets(questions=q_rows, members=m_rows)
    return render(
        request,
        "onething/manage_edit.html",
        {"form": form, "questions": questions, "members": members, "thing": thing},
        status=400 if request.method == "POST" else 200,
    )


@service_view
@require_POST
def manage_action(request: HttpRequest, code: str, action: str) -> HttpResponse:
    _require_composer(request)
    thing = selectors.thing_for_edit(code)
    reason = request.POST.get("reason", "")
    if action == "publish":
        version = services.thing_publish(actor=request.user, thing=thing, reason=reason)
        messages.success(request, f"“{thing.name}”第{version.number}版已发布，即时生效。")
    elif action == "withdraw":
        services.thing_withdraw(actor=request.user, thing=thing, reason=reason)
        messages.success(request, f"“{thing.name}”已停用，门户不再显示。")
    else:
        raise Http404
    return redirect("onething:manage_list")


# --- applications: the window's merged form, the parent's page, supervision, figures ---------------------


def _thing_case(request: HttpRequest, number: str) -> selectors.ThingCaseView:
    parent = selectors.thing_case_by_number(number)
    require_see_thing_case(request.user, parent)
    return selectors.thing_case_view(parent)


@service_view
def receive(request: HttpRequest, code: str) -> HttpResponse:
    """一窗受理 (MODE-1): the merged form — the questions first, one applicant, one set of materials."""
    user = request.user
    require(can_receive(user), "只有前台受理员、村便民服务员、代办员或中心主任可以收件。")
    assert isinstance(user, User)
    thing = selectors.public_thing(code)
    version = thing.current_version
    assert version is not None
    source = request.POST if request.method == "POST" else request.GET
    error: ServiceError | None = None
    try:
        answers = services.answers_from_query(version, source)
    except ServiceError as exc:
        answers, error = None, exc
    g = selectors.guide(version, answers)
    if request.method == "POST" and error is None and answers is not None:
        try:
            parent = handling.thing_case_receive(
                actor=user,
                code=code,
                answers=answers,
                applicant=forms.applicant_from(request.POST),
                materials=forms.materials_from(request.POST, [m.key for m in g.materials.asked]),
                window_id=request.POST.get("window") or None,
            )
        except ServiceError as exc:
            error = exc
        else:
            messages.success(
                request, f"已收件，一件事办件编号 {parent.number}，查询密码 {parent.query_password}。"
            )
            return redirect("onething:case", parent.number)
    elif request.method == "POST" and error is None:
        error = ServiceError("请先回答全部情形问题。")
    return render(
        request,
        "onething/receive.html",
        {
            "g": g,
            "error": error,
            "post": request.POST,
            "windows": selectors.windows_for(request.user),
            "answered": answers is not None,
        },
        status=400 if error else 200,
    )


@service_view
def case_page(request: HttpRequest, number: str) -> HttpResponse:
    view = _thing_case(request, number)
    parent = view.parent
    g = selectors.guide(parent.version, parent.answers)
    return render(
        request,
        "onething/case.html",
        {
            "v": view,
            "g": g,
            "checklist": [(m, parent.materials.get(m.key) == "received") for m in g.materials.asked],
            "may_decide": can_decide_thing(request.user, parent),
            "may_deliver": can_deliver_thing(request.user, parent),
        },
    )


@service_view
@require_POST
def case_act(request: HttpRequest, number: str, action: str) -> HttpResponse:
    view = _thing_case(request, number)
    parent, post, user = view.parent, request.POST, request.user
    assert isinstance(user, User)
    try:
        if action == "accept":
            keys = [m.key for m in selectors.guide(parent.version, parent.answers).materials.asked]
            handling.thing_case_accept(
                parent=parent,
                actor=user,
                materials=forms.materials_from(post, keys),
                rongque=forms.excused_from(post, "rongque"),
                commitment=forms.excused_from(post, "commitment"),
                rongque_signed=post.get("rongque_signed") == "1",
                commitment_signed=post.get("commitment_signed") == "1",
            )
            messages.success(request, "已受理，各成员事项已分送各部门后台办理。")
        elif action == "reject":
            handling.thing_member_reject(
                parent=parent, actor=user, order=int(post.get("order") or 0), reason=post.get("reason", "")
            )
            messages.success(request, "该事项已不予受理，其他事项继续办理。")
        elif action == "deliver":
            handling.thing_case_deliver(
                parent=parent,
                actor=user,
                method=post.get("method", ""),
                collector_name=post.get("collector_name", ""),
                collector_id_number=post.get("collector_id_number", ""),
                mail_address=post.get("mail_address", ""),
                courier=post.get("courier", ""),
                tracking_no=post.get("tracking_no", ""),
            )
            messages.success(request, "已统一出件。")
        else:
            raise Http404
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("onething:case", parent.number)


@service_view
def case_file(request: HttpRequest, number: str, fmt: str) -> HttpResponse:
    if fmt not in ("pdf", "docx"):
        raise Http404
    view = _thing_case(request, number)
    name = f"{view.parent.thing.name}办结通知书-{view.parent.number}.{fmt}"
    return document_response(documents.result_file(view, fmt), name, inline=fmt == "pdf")


@service_view
def case_list(request: HttpRequest) -> HttpResponse:
    """Supervision: one line per open 一件事 with its slowest member named."""
    require(is_staff_actor(request.user), "请以工作人员身份登录。")
    return render(
        request,
        "onething/case_list.html",
        {"views": selectors.thing_cases_for(request.user), "things": selectors.public_things()},
    )


@service_view
def figures_page(request: HttpRequest) -> HttpResponse:
    require(can_see_figures(request.user), "只有市行政审批局、中心主任或考核人员可以查看一件事统计。")
    return render(
        request,
        "onething/figures.html",
        {
            "f": selectors.figures(
                since=selectors.months_back(12), centre_ids=selectors.figures_scope(request.user)
            )
        },
    )
