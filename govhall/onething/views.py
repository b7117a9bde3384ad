"""Public pages of 一件事: the list, one guide that follows the applicant's answers, its PDF/DOCX."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from govhall.core.errors import ServiceError
from govhall.core.pages import HtmxHttpRequest, page_errors, service_view
from govhall.core.responses import document_response

from . import documents, forms, selectors, services
from .policy import require_compose_page


def thing_list(request: HttpRequest) -> HttpResponse:
    return render(request, "onething/list.html", {"nav": "onething", "things": selectors.public_things()})


def _guide(request: HttpRequest, code: str) -> tuple[selectors.Guide, ServiceError | None]:
    """The guide for the answers in the query string; answers are optional (the whole composition shows), a
    wrong or incomplete set shows its message beside the questions."""
    thing = selectors.public_thing(code)
    version = thing.current_version
    assert version is not None
    asked = any(key in request.GET for key in version.questions.values_list("code", flat=True))
    if not asked:
        return selectors.guide(version), None
    try:
        answers = services.answers_for(version, request.GET)
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
