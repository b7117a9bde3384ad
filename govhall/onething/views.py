"""Public pages of 一件事: the list, one guide that follows the applicant's answers, its PDF/DOCX."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from govhall.core.errors import ServiceError
from govhall.core.pages import page_errors
from govhall.core.responses import document_response

from . import documents, selectors, services


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
def guide(request: HttpRequest, code: str) -> HttpResponse:
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
