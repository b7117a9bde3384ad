from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from govhall.orgs.models import Centre, CentreLevel, Post, Window
from govhall.orgs.policy import centres_visible_to


def centres_for_list(user: Any, *, level: str | None = None, q: str = "") -> QuerySet[Centre]:
    qs = centres_visible_to(user).filter(is_active=True).select_related("division", "parent")
    if level:
        qs = qs.filter(level=level)
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(division__code__startswith=q))
    return qs.annotate(window_count=Count("windows", filter=Q(windows__is_active=True))).order_by(
        "division__code"
    )


def active_villages(centre: Centre) -> QuerySet[Centre]:
    """A town centre's village centres that are in service, with their divisions."""
    return centre.village_centres.filter(is_active=True).select_related("division")


def division_changes(centre: Centre, limit: int = 20) -> list[Any]:
    """The latest changes of a centre's division (renamed, merged …), newest as recorded."""
    return list(centre.division.changes.all()[:limit])


def windows_of(centre: Centre) -> QuerySet[Window]:
    return centre.windows.filter(is_active=True).select_related("department").order_by("number")


def posts_of(centre: Centre) -> QuerySet[Post]:
    return centre.posts.filter(is_active=True).select_related("a_staff", "b_staff", "window", "department")


def centre_contacts(*, town: str = "", missing_only: bool = False) -> list[Centre]:
    """Every active centre with its contact data, towns first and then their villages (the bureau's
    contacts page). `town`: a town division code to limit to that town and its villages."""
    qs = Centre.objects.filter(is_active=True).select_related("division", "parent__division")
    if town:
        qs = qs.filter(Q(division__code=town) | Q(parent__division__code=town))
    centres = sorted(
        qs,
        key=lambda c: (
            (c.parent or c).division.code,
            c.level != CentreLevel.TOWN,
            c.division.code,
        ),
    )
    return [c for c in centres if c.contact_missing()] if missing_only else centres


def town_centres() -> QuerySet[Centre]:
    return Centre.objects.filter(is_active=True, level=CentreLevel.TOWN).select_related("division")
