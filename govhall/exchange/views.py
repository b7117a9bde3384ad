"""The bureau's page of provincial platform sync records (NET-2): counts per status, filters, the last
error of each record, its (masked) data, and a resend for failed ones. Each view: parse → one access
check → one service or selector → render."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from govhall.core.errors import ServiceError
from govhall.core.pages import HtmxHttpRequest, paginate, service_view
from govhall.exchange import policy
from govhall.exchange.models import SyncDataset, SyncKind, SyncStatus
from govhall.exchange.payloads import masked_payload
from govhall.exchange.provincial import is_configured
from govhall.exchange.selectors import access_sync_item, sync_items_for_outbox, sync_status_counts
from govhall.exchange.sync import sync_item_retry

PER_PAGE = 50


def _choice(raw: str | None, choices: Any) -> str:
    return raw if raw is not None and raw in choices.values else ""


@require_GET
@service_view
def sync_list(request: HtmxHttpRequest) -> HttpResponse:
    policy.require_see_sync(request.user)
    status = _choice(request.GET.get("status"), SyncStatus)
    kind = _choice(request.GET.get("kind"), SyncKind)
    dataset = _choice(request.GET.get("dataset"), SyncDataset)
    q = request.GET.get("q", "").strip()[:60]
    rows = sync_items_for_outbox(request.user, status=status, kind=kind, dataset=dataset, q=q)
    page = paginate(request, rows)
    counts = sync_status_counts(request.user)  # the whole outbox, whatever the filters
    context = {
        "page": page,
        "status": status,
        "kind": kind,
        "dataset": dataset,
        "q": q,
        "counts": [(value, label, counts[value]) for value, label in SyncStatus.choices],
        "total": sum(counts.values()),
        "configured": is_configured(),
        "statuses": SyncStatus.choices,
        "kinds": SyncKind.choices,
        "datasets": SyncDataset.choices,
        "can_retry": policy.can_retry(request.user),
        "here": request.get_full_path(),
    }
    template = "exchange/_sync_rows.html" if request.htmx else "exchange/sync_list.html"
    return render(request, template, context)


@require_GET
@service_view
def sync_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = access_sync_item(request.user, pk)
    payload = json.dumps(masked_payload(item), ensure_ascii=False, indent=2)
    return render(
        request,
        "exchange/sync_detail.html",
        {
            "item": item,
            "payload": payload,
            "configured": is_configured(),
            "can_retry": policy.can_retry(request.user),
            "here": request.get_full_path(),
        },
    )


@require_POST
@service_view
def sync_retry(request: HttpRequest, pk: int) -> HttpResponse:
    item = access_sync_item(request.user, pk)
    policy.require_retry_sync(request.user, item)
    try:
        sync_item_retry(item=item, actor=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            f"已重新排队：{item.get_kind_display()} {item.object_label} 的{item.get_dataset_display()}数据。",
        )
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("exchange:sync_list")
    return redirect(target)
