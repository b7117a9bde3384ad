"""Who may see and act on 12345 work orders. Pages, the API and the services ask these; missing and forbidden
give the same NotFound.

- The bureau (superusers, 市行政审批局 staff) sees every order; its admin dispatches (派单) an order the 12345
  platform did not place, returns one (退单) and edits the settings.
- A centre's director (a town director: the town and its villages) sees the orders of the centres they may
  see, names the clerk (承办), decides extensions, returns orders and records the return visit (回访).
- The named clerk sees their own orders, replies (回复) and asks for an extension (延期申请); so may the director.
- Department staff and everyone else see none.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from govhall.accounts.models import Role, UnitKind
from govhall.core.errors import NotFound
from govhall.core.policy import is_active_staff, is_bureau_admin, is_bureau_staff, require
from govhall.hotline.models import HotlineOrder
from govhall.orgs.policy import centre_ids_visible_to


def _directs(user: Any, order: HotlineOrder) -> bool:
    """The director of the order's centre (or of its town)."""
    if order.centre_id is None or user.unit_kind != UnitKind.CENTRE or not user.has_role(Role.DIRECTOR):
        return False
    ids = centre_ids_visible_to(user)
    return ids is None or order.centre_id in ids


def order_filter(user: Any) -> Q | None:
    """A Q restricting orders to this user's, or None for all."""
    if not is_active_staff(user):
        return Q(pk__in=[])
    if is_bureau_staff(user):
        return None
    if user.unit_kind != UnitKind.CENTRE:
        return Q(pk__in=[])
    if user.has_role(Role.DIRECTOR):
        ids = centre_ids_visible_to(user)
        return Q(handler=user) if ids is None else Q(centre_id__in=ids) | Q(handler=user)
    return Q(handler=user)


def orders_visible_to(user: Any) -> QuerySet[HotlineOrder]:
    condition = order_filter(user)
    qs = HotlineOrder.objects.all()
    return qs if condition is None else qs.filter(condition)


def access_order(user: Any, order_id: int | str) -> HotlineOrder:
    try:
        return (
            orders_visible_to(user)
            .select_related("centre", "handler", "case", "review_order")
            .get(pk=int(order_id))
        )
    except (HotlineOrder.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def can_see_board(user: Any) -> bool:
    """The 工单 board (12345 orders beside 差评 work orders): bureau staff and centre staff."""
    return is_active_staff(user) and (is_bureau_staff(user) or user.unit_kind == UnitKind.CENTRE)


def can_dispatch(user: Any) -> bool:
    return is_active_staff(user) and is_bureau_admin(user)


def can_direct(user: Any, order: HotlineOrder) -> bool:
    """承办 (name the clerk), approve an extension, record the return visit: the centre's director or the
    bureau admin."""
    return is_active_staff(user) and (is_bureau_admin(user) or _directs(user, order))


def can_return(user: Any, order: HotlineOrder) -> bool:
    return can_direct(user, order)


def can_reply(user: Any, order: HotlineOrder) -> bool:
    """回复 and 延期申请: the named clerk, or whoever directs the order."""
    return is_active_staff(user) and (order.handler_id == user.pk or can_direct(user, order))


def can_manage_settings(user: Any) -> bool:
    return is_active_staff(user) and is_bureau_admin(user)


def require_dispatch(user: Any) -> None:
    require(can_dispatch(user), "只有市行政审批局管理员可以派单。")


def require_direct(user: Any, order: HotlineOrder) -> None:
    require(can_direct(user, order), "只有承办中心的主任或市行政审批局管理员可以办理此环节。")


def require_reply(user: Any, order: HotlineOrder) -> None:
    require(can_reply(user, order), "只有承办人或承办中心的主任可以回复或申请延期。")


def require_manage_settings(user: Any) -> None:
    require(can_manage_settings(user), "只有市行政审批局管理员可以修改12345工单设置。")


def action_flags(user: Any, order: HotlineOrder) -> dict[str, bool]:
    """Which step forms the order page draws for this user (the services check again)."""
    return {
        "dispatch": can_dispatch(user),
        "direct": can_direct(user, order),
        "reply": can_reply(user, order),
    }
