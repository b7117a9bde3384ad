from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from govhall.core.errors import ServiceError
from govhall.core.pages import get_or_404, page_errors, paginate
from govhall.orgs.policy import access_centre, can_manage_centre, require_edit_centre_contacts
from govhall.orgs.selectors import (
    active_villages,
    centre_contacts,
    centres_for_list,
    division_changes,
    posts_of,
    town_centres,
    windows_of,
)
from govhall.orgs.services import CONTACT_FIELDS, centre_contacts_update


@login_required
def centre_list(request: HttpRequest) -> HttpResponse:
    level = request.GET.get("level") or None
    q = (request.GET.get("q") or "").strip()
    page = paginate(request, centres_for_list(request.user, level=level, q=q))
    return render(request, "orgs/centre_list.html", {"page": page, "level": level, "q": q})


@login_required
def centre_detail(request: HttpRequest, centre_id: int) -> HttpResponse:
    centre = get_or_404(access_centre, request.user, centre_id)
    return render(
        request,
        "orgs/centre_detail.html",
        {
            "centre": centre,
            "windows": windows_of(centre),
            "posts": posts_of(centre),
            "villages": active_villages(centre),
            "can_manage": can_manage_centre(request.user, centre),
            "changes": division_changes(centre),
        },
    )


@login_required
@page_errors
def contacts(request: HttpRequest) -> HttpResponse:
    """The bureau's one page for every centre's address, phones and hours (printed on every guide)."""
    require_edit_centre_contacts(request.user)
    town = (request.GET.get("town") or "").strip()[:12]
    missing_only = request.GET.get("missing") == "1"
    centres = centre_contacts(town=town, missing_only=missing_only)
    posted: dict[int, dict[str, str]] = {}
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        ids = [int(i) for i in request.POST.get("ids", "").split(",") if i.strip().isdigit()][:1000]
        posted = {
            pk: {
                name: request.POST[f"{name}_{pk}"]
                for name in CONTACT_FIELDS
                if f"{name}_{pk}" in request.POST
            }
            for pk in ids
        }
        try:
            saved = centre_contacts_update(actor=request.user, changes=posted)
        except ServiceError as exc:
            if exc.status in (403, 404):
                raise
            errors = list(exc.fields.values()) or [exc.message]
            status = 400
        else:
            messages.success(request, f"已保存 {len(saved)} 个中心的联系信息。" if saved else "没有修改。")
            return redirect(request.get_full_path())
    rows = [
        {
            "centre": c,
            "values": {name: posted.get(c.pk, {}).get(name, getattr(c, name)) for name in CONTACT_FIELDS},
            "missing": c.contact_missing(),
        }
        for c in centres
    ]
    return render(
        request,
        "orgs/contacts.html",
        {
            "rows": rows,
            "towns": town_centres(),
            "town": town,
            "missing_only": missing_only,
            "missing_count": sum(1 for r in rows if r["missing"]),
            "errors": errors,
        },
        status=status,
    )
