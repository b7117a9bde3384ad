from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from govhall.core.pages import get_or_404, paginate
from govhall.orgs.policy import access_centre, can_manage_centre
from govhall.orgs.selectors import centres_for_list, posts_of, windows_of


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
            "villages": centre.village_centres.filter(is_active=True).select_related("division"),
            "can_manage": can_manage_centre(request.user, centre),
            "changes": centre.division.changes.all()[:20],
        },
    )
