"""Who may see and act on ratings, work orders, appeals, flags and pads. Every page and endpoint of this app
goes through these; missing and forbidden give the same NotFound.

- The bureau (superusers, 市行政审批局 staff) sees every rating; department staff see the ratings of their
  department's windows and matters (GOV-2).
- In a centre, the director sees the ratings of the centres they may see (a town director: the town and its
  villages); every other staff member sees only the ratings of their own service.
- The rater (name, phone) is protected: only roles that handle complaints (centre director, bureau admin)
  see it, masked, and never the rated clerk themself; the whole number is revealed through
  `govhall.core.pii.pii_reveal` (audited).
- A work order is handled by the director of the rated centre (or of its town) or the bureau admin, never by
  the rated clerk. An appeal is filed by staff of the rated centre and decided by the bureau.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from govhall.accounts.models import Role, UnitKind
from govhall.core.errors import Forbidden, NotFound
from govhall.core.policy import is_active_staff, is_bureau_admin, is_bureau_staff
from govhall.orgs.models import Centre, Window
from govhall.orgs.policy import can_manage_centre, centre_ids_visible_to
from govhall.reviews.models import Appeal, Rating, RatingFlag, RatingPad, WorkOrder

COMPLAINT_ROLES = (Role.DIRECTOR, Role.BUREAU_ADMIN)  # handle 差评 and see who gave them
OVERVIEW_ROLES = (Role.DIRECTOR, Role.BUREAU_ADMIN, Role.INSPECTOR)  # see a whole centre's ratings
BUREAU_DECIDER_ROLES = (Role.BUREAU_ADMIN, Role.INSPECTOR)  # decide appeals and abuse flags


_active = is_active_staff


is_bureau = is_bureau_staff  # the bureau (superusers, 市行政审批局 staff): govhall.core.policy


def rating_filter(user: Any) -> Q | None:
    """A Q restricting ratings to this user's, or None for all."""
    if not _active(user):
        return Q(pk__in=[])
    if is_bureau(user):
        return None
    if user.unit_kind == UnitKind.DEPARTMENT:
        return Q(department_id=user.department_id) if user.department_id else Q(pk__in=[])
    if user.has_role(*OVERVIEW_ROLES):
        ids = centre_ids_visible_to(user)
        return None if ids is None else Q(centre_id__in=ids)
    return Q(clerk_id=user.pk)


def ratings_visible_to(user: Any) -> QuerySet[Rating]:
    condition = rating_filter(user)
    qs = Rating.objects.all()
    return qs if condition is None else qs.filter(condition)


def access_rating(user: Any, rating_id: int | str) -> Rating:
    try:
        return (
            ratings_visible_to(user)
            .select_related("case", "ticket", "clerk", "window", "matter", "centre", "department")
            .get(pk=int(rating_id))
        )
    except (Rating.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def sees_whole_centre(user: Any) -> bool:
    return is_bureau(user) or (_active(user) and user.has_role(*OVERVIEW_ROLES))


def can_see_rater(user: Any, rating: Rating) -> bool:
    """The rater's identity: only complaint handlers of the rated centre, never the rated clerk."""
    if not _active(user) or rating.clerk_id == user.pk:
        return False
    if user.is_superuser:
        return True
    if not user.has_role(*COMPLAINT_ROLES):
        return False
    if is_bureau(user):
        return True
    ids = centre_ids_visible_to(user)
    return ids is None or rating.centre_id in ids


def can_handle_order(user: Any, order: WorkOrder) -> bool:
    if not _active(user) or order.rating.clerk_id == user.pk:
        return False
    if is_bureau_admin(user):
        return True
    if user.unit_kind != UnitKind.CENTRE or not user.has_role(Role.DIRECTOR):
        return False
    ids = centre_ids_visible_to(user)
    return ids is None or order.centre_id in ids


def require_order_handler(user: Any, order: WorkOrder) -> None:
    if not can_handle_order(user, order):
        if _active(user) and order.rating.clerk_id == user.pk:
            raise Forbidden("被评价人不能处理针对本人的差评工单，请由中心主任或市行政审批局处理。")
        raise Forbidden("只有被评价中心的主任或市行政审批局管理员可以处理差评工单。")


def _of_visible_ratings(qs: QuerySet[Any], user: Any) -> QuerySet[Any]:
    """Rows hanging off a rating (work orders, appeals): visible when their rating is."""
    condition = rating_filter(user)
    return qs if condition is None else qs.filter(rating__in=Rating.objects.filter(condition).values("pk"))


def orders_visible_to(user: Any) -> QuerySet[WorkOrder]:
    return _of_visible_ratings(WorkOrder.objects.all(), user)


def access_work_order(user: Any, order_id: int | str) -> WorkOrder:
    try:
        return (
            orders_visible_to(user)
            .select_related(
                "rating",
                "rating__clerk",
                "rating__window",
                "rating__matter",
                "rating__case",
                "rating__ticket",
                "centre",
            )
            .get(pk=int(order_id))
        )
    except (WorkOrder.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def can_appeal(user: Any, rating: Rating) -> bool:
    """申诉 is the rated unit's: a staff member of the rated centre."""
    return _active(user) and user.unit_kind == UnitKind.CENTRE and user.centre_id == rating.centre_id


def can_decide_appeals(user: Any) -> bool:
    return is_bureau_staff(user) and bool(user.is_superuser or user.has_role(*BUREAU_DECIDER_ROLES))


def appeals_visible_to(user: Any) -> QuerySet[Appeal]:
    return _of_visible_ratings(Appeal.objects.all(), user)


def access_appeal(user: Any, appeal_id: int | str) -> Appeal:
    try:
        return appeals_visible_to(user).select_related("rating", "centre", "filed_by").get(pk=int(appeal_id))
    except (Appeal.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def flags_visible_to(user: Any) -> QuerySet[RatingFlag]:
    """Abuse flags are the bureau's to check (the rated clerk must not learn they were flagged)."""
    if not can_decide_appeals(user):
        return RatingFlag.objects.none()
    return RatingFlag.objects.all()


def access_flag(user: Any, flag_id: int | str) -> RatingFlag:
    try:
        return flags_visible_to(user).select_related("rating").get(pk=int(flag_id))
    except (RatingFlag.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def can_see_rankings(user: Any) -> bool:
    """好评榜/差评榜 are for the bureau."""
    return is_bureau(user)


def can_manage_settings(user: Any) -> bool:
    return is_bureau_admin(user)


def nav_flags(user: Any) -> dict[str, bool]:
    """The bureau's links in the reviews sub-navigation: shown to whoever the linked page lets in."""
    return {
        "rankings": can_see_rankings(user),
        "flags": can_decide_appeals(user),
        "settings": can_manage_settings(user),
    }


# --- pads -----------------------------------------------------------------------------------------------


def access_pad_window(user: Any, window_id: int | str) -> Window:
    """A window whose pads this user pairs and revokes: the centre's director or the bureau admin."""
    try:
        window = Window.objects.select_related("centre").get(pk=int(window_id), is_active=True)
    except (Window.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    ids = centre_ids_visible_to(user) if _active(user) else []
    if ids is not None and window.centre_id not in ids:
        raise NotFound()
    if not can_manage_centre(user, window.centre):
        raise Forbidden("只有本中心主任或市行政审批局管理员可以配对窗口评价器。")
    return window


def pads_visible_to(user: Any) -> QuerySet[RatingPad]:
    if not _active(user):
        return RatingPad.objects.none()
    ids = centre_ids_visible_to(user)
    qs = RatingPad.objects.select_related("window", "window__centre")
    return qs if ids is None else qs.filter(window__centre_id__in=ids)


def access_pad(user: Any, pad_id: int | str) -> RatingPad:
    try:
        pad = pads_visible_to(user).get(pk=int(pad_id))
    except (RatingPad.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    if not can_manage_centre(user, pad.window.centre):
        raise Forbidden("只有本中心主任或市行政审批局管理员可以管理窗口评价器。")
    return pad


def public_centre(centre_id: int | str) -> Centre:
    try:
        return Centre.objects.get(pk=int(centre_id), is_active=True)
    except (Centre.DoesNotExist, ValueError, TypeError):
        raise NotFound("未找到该服务中心。") from None
