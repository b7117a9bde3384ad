"""Helpers for page views: the one place that turns service errors into what a page shows, and the one pager.

- ``page_errors`` (public pages) and ``service_view`` (staff pages, log-in required) wrap a view: a
  ``NotFound`` is the 404 page, ``Forbidden`` the 403 page, a rate limit (``core.ratelimit.RateLimited``,
  status 429, e.g. ``cases.tracking_limits.TrackThrottled``) the 429 page with its message,
  and any other ``ServiceError`` the error page of its status (400, 409, 413) with its message;
- ``run_service`` calls a service for a form: the same pages for those, the other errors on the form;
- ``get_or_404`` calls a selector or an access function outside a wrapped view;
- ``paginate`` cuts a list into the page the request asks for (``PAGE_SIZE`` rows), for the
  ``core/_pager.html`` include.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, NoReturn

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.utils.module_loading import import_string
from django_htmx.middleware import HtmxDetails

from govhall.core.errors import Forbidden, NotFound, ServiceError

PAGE_SIZE = 50  # rows on every paged list page


class HtmxHttpRequest(HttpRequest):
    """The request of a view that answers htmx: django-htmx's middleware sets ``request.htmx`` (true for an
    htmx request; ``.target``, ``.boosted``, … read its headers)."""

    htmx: HtmxDetails


# status → heading of a ServiceError's page (the message is the error's own)
HEADINGS = {400: "请求有误", 409: "操作未完成", 413: "上传的内容过大", 429: "操作过于频繁"}


def is_page_error(exc: ServiceError) -> bool:
    """An error that is a whole page (404, 403, 429), never a message on a form."""
    return isinstance(exc, NotFound | Forbidden) or exc.status == 429


def error_page(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    """The page for a service error: 404 and 403 through Django's handlers, any other status rendered here
    with the error's message (an htmx request gets the message alone, see govhall/errorpages.py)."""
    if isinstance(exc, NotFound):
        raise Http404(exc.message) from None
    if isinstance(exc, Forbidden):
        raise PermissionDenied(exc.message) from None
    # The renderer lives above core (it picks its look from the path, which needs the portal's settings).
    render_error = import_string(settings.ERROR_PAGE_RENDERER)  # govhall.errorpages.render_error
    status = exc.status if exc.status in HEADINGS else 400
    return render_error(request, status, heading=HEADINGS[status], message=exc.message)


def run_service(request: HttpRequest, form: forms.BaseForm | None, action: Callable[[], Any]) -> Any:
    """Call a service. NotFound → 404, Forbidden → 403, a rate limit is re-raised for ``page_errors`` (the
    429 page); any other ServiceError becomes the form's errors (on the named fields, else on the
    form) or a page message, and None is returned."""
    try:
        return action()
    except (NotFound, Forbidden):
        raise_for_page()
    except ServiceError as exc:
        if is_page_error(exc):
            raise  # the 429 page, from page_errors
        if form is None:
            messages.error(request, exc.message)
            return None
        for name, message in exc.fields.items():
            form.add_error(name if name in form.fields else None, message)
        if not exc.fields:
            form.add_error(None, exc.message)
        return None


def get_or_404(fn: Callable[..., Any], *args: Any) -> Any:
    """Call a selector or access function; NotFound → 404, Forbidden → 403."""
    try:
        return fn(*args)
    except (NotFound, Forbidden):
        raise_for_page()


def raise_for_page() -> NoReturn:
    """Re-raise the NotFound or Forbidden being handled as the page's 404 or 403."""
    import sys

    exc = sys.exc_info()[1]
    if isinstance(exc, Forbidden):
        raise PermissionDenied(exc.message) from None
    raise Http404(exc.message if isinstance(exc, NotFound) else NotFound().message) from None


def page_errors(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Decorator for page views: a ServiceError that escapes the view is its error page (see error_page)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except ServiceError as exc:
            return error_page(request, exc)

    return wrapped


def service_view(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Decorator for staff page views: log-in required, and ``page_errors``."""
    return login_required(page_errors(view))


def paginate(request: HttpRequest, rows: Any, *, per_page: int = PAGE_SIZE) -> Page:
    """The page of ``rows`` named by ``?page=`` (the first for a missing or bad number, the last past the
    end), with ``previous_href`` and ``next_href`` that keep the request's other parameters (its filters)."""
    page = Paginator(rows, per_page).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)

    def href(number: int) -> str:
        params["page"] = str(number)
        return "?" + params.urlencode()

    page.previous_href = href(page.previous_page_number()) if page.has_previous() else ""  # type: ignore[attr-defined]
    page.next_href = href(page.next_page_number()) if page.has_next() else ""  # type: ignore[attr-defined]
    return page
