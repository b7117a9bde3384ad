"""Who may operate and see a centre's queue. One function per protected model, built on orgs.policy.

- Staff of a centre with a front-line role operate its queue (a village clerk only their village's).
- Anyone who can see a centre (orgs.policy) and is its director, or the bureau's admins and inspectors,
  sees its figures.
- Kiosks, phones and display screens are public but scoped to one active centre.
Missing and not visible give the same NotFound; visible but not operable gives Forbidden.
"""

from __future__ import annotations

from typing import Any

from govhall.accounts.models import Role
from govhall.core.errors import Forbidden, NotFound
from govhall.orgs.models import Centre, Window
from govhall.orgs.policy import access_centre, centre_ids_visible_to
from govhall.queueing.models import Ticket
from govhall.queueing.services import active_window

OPERATOR_ROLES = (
    Role.DIRECTOR,
    Role.FRONT_DESK,
    Role.GUIDE,
    Role.AGENT,
    Role.VILLAGE_CLERK,
    Role.BACK_OFFICE,
)
FIGURES_ROLES = (Role.DIRECTOR, Role.BUREAU_ADMIN, Role.INSPECTOR)

NOT_OPERATOR = "只有本中心的窗口、导服人员可以操作本中心的排队叫号。"


def can_operate_queue(user: Any, centre: Centre) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    return user.centre_id == centre.pk and user.has_role(*OPERATOR_ROLES)


def can_view_figures(user: Any, centre: Centre) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    ids = centre_ids_visible_to(user)
    if ids is not None and centre.pk not in ids:
        return False
    return user.is_superuser or user.has_role(*FIGURES_ROLES)


def _own_centre_operator(user: Any, centre_id: int | str) -> bool:
    """The common case, answered without the visibility queries: staff operating their own centre."""
    try:
        return bool(
            user.is_authenticated
            and user.is_active
            and user.centre_id == int(centre_id)
            and user.has_role(*OPERATOR_ROLES)
        )
    except (TypeError, ValueError):
        return False


def access_queue_centre(user: Any, centre_id: int | str, *, operate: bool = True) -> Centre:
    if operate and _own_centre_operator(user, centre_id):
        return user.centre
    centre = access_centre(user, centre_id)
    if operate and not can_operate_queue(user, centre):
        raise Forbidden(NOT_OPERATOR)
    return centre


def access_figures_centre(user: Any, centre_id: int | str) -> Centre:
    centre = access_centre(user, centre_id)
    if not can_view_figures(user, centre):
        raise Forbidden("只有中心主任和市行政审批局可以查看排队统计。")
    return centre


def access_window(user: Any, window_id: int | str) -> Window:
    try:
        window = active_window(int(window_id))
    except (ValueError, TypeError):
        raise NotFound() from None
    if window is None:
        raise NotFound()
    if not _own_centre_operator(user, window.centre_id):
        access_queue_centre(user, window.centre_id)
    return window


def access_ticket(user: Any, ticket_id: int | str, *, operate: bool = True) -> Ticket:
    try:
        ticket = Ticket.objects.select_related("centre", "called_window", "matter").get(pk=int(ticket_id))
    except (Ticket.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    access_queue_centre(user, ticket.centre_id, operate=operate)
    return ticket


def public_centre(centre_id: int | str) -> Centre:
    """A centre for the kiosk, phone and screen pages: any active centre, no login."""
    try:
        return Centre.objects.select_related("division").get(pk=int(centre_id), is_active=True)
    except (Centre.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def public_ticket(token: str) -> Ticket:
    """A ticket followed from a phone by the token on its printed QR code."""
    ticket = (
        Ticket.objects.select_related("centre", "called_window", "matter")
        .filter(public_token=str(token or "")[:24])
        .first()
    )
    if ticket is None:
        raise NotFound("未找到该排队号。")
    return ticket
