"""Reads for the 12345 pages and API. Who sees what is `policy`; these only shape what it allows."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from govhall.accounts.models import UnitKind, User
from govhall.core.ids import mask_mobile, mask_name
from govhall.hotline.models import OPEN_STATUSES, HotlineOrder, HotlineStep, Status
from govhall.hotline.policy import orders_visible_to
from govhall.orgs.models import Centre


def orders_for_list(user: Any, *, status: str = "open", q: str = "") -> QuerySet[HotlineOrder]:
    rows = orders_visible_to(user).select_related("centre", "handler")
    if status == "open":
        rows = rows.filter(status__in=OPEN_STATUSES)
    elif status in Status.values:
        rows = rows.filter(status=status)
    if q.strip():
        rows = rows.filter(number__icontains=q.strip())
    return rows.order_by("due_at", "-received_at", "-id")


def status_counts(user: Any) -> dict[str, int]:
    counts = {v: 0 for v in Status.values}
    for row in orders_visible_to(user).values_list("status", flat=True):
        counts[row] += 1
    return counts


def order_steps(order: HotlineOrder) -> list[HotlineStep]:
    return list(HotlineStep.objects.filter(order=order).select_related("actor").order_by("at", "id"))


def handlers_for(order: HotlineOrder) -> QuerySet[User]:
    """Who may be named 承办人: the active staff of the order's centre."""
    if order.centre_id is None:
        return User.objects.none()
    return User.objects.filter(is_active=True, unit_kind=UnitKind.CENTRE, centre_id=order.centre_id).order_by(
        "staff_no", "pk"
    )


def handler_of(order: HotlineOrder, user_id: int | None) -> User | None:
    if not user_id:
        return None
    return handlers_for(order).filter(pk=user_id).first()


def dispatch_centres() -> QuerySet[Centre]:
    return Centre.objects.filter(is_active=True).select_related("division").order_by("division__code")


def dispatch_centre(centre_id: int | None) -> Centre | None:
    if not centre_id:
        return None
    return dispatch_centres().filter(pk=centre_id).first()


def citizen_masked(order: HotlineOrder) -> dict[str, str]:
    """The citizen as every page and the API show them: masked."""
    return {
        "name": mask_name(order.citizen_name) if order.citizen_name else "",
        "phone": mask_mobile(order.citizen_phone) if order.citizen_phone else "",
    }
