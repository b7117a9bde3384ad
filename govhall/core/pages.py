"""Helpers for page views that call services: one place turns service errors into what a page shows."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, NoReturn

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponseBase

from govhall.core.errors import Forbidden, NotFound, ServiceError


def run_service(request: HttpRequest, form: forms.BaseForm | None, action: Callable[[], Any]) -> Any:
    """Call a service. NotFound → 404, Forbidden → 403; any other ServiceError becomes the form's errors
    (on the named fields, else on the form) or a page message, and None is returned."""
    try:
        return action()
    except (NotFound, Forbidden):
        raise_for_page()
    except ServiceError as exc:
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
    """Re-raise the ServiceError being handled as the page's 404 or 403."""
    import sys

    exc = sys.exc_info()[1]
    if isinstance(exc, Forbidden):
        raise PermissionDenied(exc.message) from None
    raise Http404("未找到该记录，或您无权访问。") from None


def service_view(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Decorator for page views: log-in required; NotFound → 404 and Forbidden → 403 pages."""

    @login_required
    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except (NotFound, Forbidden):
            raise_for_page()

    return wrapped
