"""Pages: the 工单 board (12345 work orders beside the 差评 work orders), one 12345 order with its step forms,
the bureau's settings. Each view: parse input → one access check → one service or selector → render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from govhall.core.pages import get_or_404, paginate, run_service, service_view
from govhall.hotline import selectors, services
from govhall.hotline.forms import (
    AssignForm,
    DispatchForm,
    ExtensionDecideForm,
    ExtensionForm,
    ReplyForm,
    ReturnForm,
    SettingsForm,
    VisitForm,
)
from govhall.hotline.models import HotlineOrder, Status
from govhall.hotline.policy import access_order, action_flags, can_manage_settings, can_see_board
from govhall.reviews.selectors import open_orders_for_board


@service_view
def board(request: HttpRequest) -> HttpResponse:
    if not can_see_board(request.user):
        raise PermissionDenied("只有服务中心和市行政审批局的工作人员可以查看工单。")
    status = request.GET.get("status", "open")
    q = request.GET.get("q", "")[:40]
    page = paginate(request, selectors.orders_for_list(request.user, status=status, q=q))
    return render(
        request,
        "hotline/board.html",
        {
            "page": page,
            "status": status,
            "q": q,
            "statuses": Status.choices,
            "counts": selectors.status_counts(request.user),
            "review_orders": open_orders_for_board(request.user),
            "can_settings": can_manage_settings(request.user),
        },
    )


def _forms(order: HotlineOrder, data: Any = None, action: str = "") -> dict[str, forms.Form]:
    def bound(name: str) -> Any:
        return data if action == name else None

    return {
        "dispatch": DispatchForm(bound("dispatch"), centres=selectors.dispatch_centres()),
        "assign": AssignForm(bound("assign"), handlers=selectors.handlers_for(order)),
        "reply": ReplyForm(bound("reply")),
        "extend": ExtensionForm(bound("extend")),
        "extend_decide": ExtensionDecideForm(bound("extend_decide")),
        "return": ReturnForm(bound("return")),
        "visit": VisitForm(bound("visit")),
    }


ACTIONS: dict[str, Callable[[HotlineOrder, Any, dict[str, Any]], Any]] = {
    "dispatch": lambda o, u, d: services.order_dispatch(order=o, actor=u, centre=d["centre"]),
    "assign": lambda o, u, d: services.order_assign(order=o, actor=u, handler=d["handler"]),
    "reply": lambda o, u, d: services.order_reply(order=o, actor=u, text=d["text"]),
    "extend": lambda o, u, d: services.order_extension_request(
        order=o, actor=u, days=d["days"], reason=d["reason"]
    ),
    "extend_decide": lambda o, u, d: services.order_extension_decide(
        order=o, actor=u, approve=d["approve"], note=d["note"]
    ),
    "return": lambda o, u, d: services.order_return(order=o, actor=u, reason=d["reason"]),
    "visit": lambda o, u, d: services.order_visit(order=o, actor=u, result=d["result"], note=d["note"]),
}


@service_view
def order_page(request: HttpRequest, order_id: int) -> HttpResponse:
    order = get_or_404(access_order, request.user, order_id)
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in ACTIONS:
            raise Http404
        step_forms = _forms(order, request.POST, action)
        form = step_forms[action]
        if form.is_valid() and run_service(
            request, form, lambda: ACTIONS[action](order, request.user, form.cleaned_data)
        ):
            messages.success(request, "已保存，并已报送12345平台。")
            return redirect("hotline:order", order_id=order.pk)
        status = 400
        order = get_or_404(access_order, request.user, order_id)
    else:
        step_forms = _forms(order)
    return render(
        request,
        "hotline/order.html",
        {
            "order": order,
            "forms": step_forms,
            "can": action_flags(request.user, order),
            "citizen": selectors.citizen_masked(order),
            "steps": selectors.order_steps(order),
        },
        status=status,
    )


@service_view
def settings_page(request: HttpRequest) -> HttpResponse:
    if not can_manage_settings(request.user):
        raise PermissionDenied("只有市行政审批局管理员可以修改12345工单设置。")
    row = services.hotline_settings()
    form = SettingsForm(request.POST or None, initial={f: getattr(row, f) for f in services.SETTING_FIELDS})
    status = 200
    if request.method == "POST":
        if form.is_valid() and run_service(
            request,
            form,
            lambda: services.hotline_settings_save(actor=request.user, values=form.cleaned_data),
        ):
            messages.success(request, "12345工单设置已保存。")
            return redirect("hotline:settings")
        status = 400
    return render(request, "hotline/settings.html", {"form": form}, status=status)
