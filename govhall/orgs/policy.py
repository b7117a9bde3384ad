"""Who may see which centre. Every app's policy is built on these and on `govhall.core.policy`.

- The bureau (superusers and 市行政审批局 staff) and department staff see every centre.
- Town centre staff see their town centre; directors, front desk, back office and agents also see the
  village centres under their town (they receive and approve village-forwarded cases, MODE-4).
- Village staff see only their own village centre.
Missing and forbidden give the same NotFound, so nobody learns what exists elsewhere.
"""

from __future__ import annotations

import copy
from typing import Any

from django.db.models import Q, QuerySet

from govhall.accounts.models import Role, UnitKind
from govhall.core.errors import NotFound
from govhall.core.policy import (
    is_active_staff,
    is_bureau_admin,
    is_bureau_staff,
    is_department_staff,
    require,
)
from govhall.orgs.models import Centre, CentreLevel

VILLAGE_REACH_ROLES = (Role.DIRECTOR, Role.FRONT_DESK, Role.BACK_OFFICE, Role.AGENT)


def sees_everything(user: Any) -> bool:
    """Every centre: the bureau and department staff (city-wide units)."""
    return is_bureau_staff(user) or is_department_staff(user)


def centre_ids_visible_to(user: Any) -> list[int] | None:
    """None means all centres; otherwise the ids this user may see."""
    if sees_everything(user):
        return None
    if not user.is_authenticated or not user.is_active or user.centre_id is None:
        return []
    cached = getattr(user, "_visible_centre_ids", None)
    if cached is not None:
        return cached
    ids = [user.centre_id]
    if reaches_villages(user):
        ids += list(Centre.objects.filter(parent_id=user.centre_id).values_list("pk", flat=True))
    user._visible_centre_ids = ids
    return ids


def reaches_villages(user: Any) -> bool:
    """A town centre's directors, front desk, back office and agents also see its villages (MODE-4)."""
    return user.centre.level == CentreLevel.TOWN and user.has_role(*VILLAGE_REACH_ROLES)


def centre_condition(user: Any, *fields: str) -> Q | None:
    """The centres of `centre_ids_visible_to` as a condition on the records' centre foreign keys
    (`fields`), the villages through the centre's parent instead of a list of their ids read first: no
    query before the records' own (for reading one record; lists keep the id list). None: every centre."""
    if sees_everything(user):
        return None
    if not user.is_authenticated or not user.is_active or user.centre_id is None:
        return Q(pk__in=[])
    own, villages = user.centre_id, reaches_villages(user)
    condition = Q()
    for field in fields:
        condition |= Q(**{f"{field}_id": own})
        if villages:
            condition |= Q(**{f"{field}__parent_id": own})
    return condition


def unit_scope(user: Any, *, centre_field: str = "centre", department_field: str | None = None) -> Q | None:
    """The records of this user's unit as a query filter, or None for the whole city.

    ``centre_field`` names the FK to Centre; ``department_field`` (when the model has one) the FK to
    Department, which department staff are scoped by. Without it, department staff see the whole city
    (they work in every hall). Centre staff see their centre (a town's directors, front desk, back office
    and agents also its villages); an inactive or anonymous user sees nothing."""
    if not is_active_staff(user):
        return Q(pk__in=[])
    if is_bureau_staff(user):
        return None
    if user.unit_kind == UnitKind.DEPARTMENT:
        if department_field is None:
            return None
        return Q(**{department_field: user.department_id}) if user.department_id else Q(pk__in=[])
    ids = centre_ids_visible_to(user)
    return None if ids is None else Q(**{f"{centre_field}__in": ids})


def centres_visible_to(user: Any) -> QuerySet[Centre]:
    ids = centre_ids_visible_to(user)
    qs = Centre.objects.all()
    return qs if ids is None else qs.filter(pk__in=ids)


def centre_filter(user: Any, field: str = "centre") -> Q:
    """A Q object restricting `field` (a FK to Centre) to the centres this user may see."""
    ids = centre_ids_visible_to(user)
    return Q() if ids is None else Q(**{f"{field}__in": ids})


def access_centre(user: Any, centre_id: int | str) -> Centre:
    try:
        if is_active_staff(user) and user.centre_id is not None and user.centre_id == int(centre_id):
            # One's own centre is always visible: no query (an API token's user comes with it, issue 15).
            return copy.copy(user.centre)
        return centres_visible_to(user).get(pk=int(centre_id))
    except (Centre.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def can_manage_centre(user: Any, centre: Centre) -> bool:
    """Change a centre's settings, windows and posts: the bureau admin, or that centre's director."""
    if not user.is_authenticated:
        return False
    if is_bureau_admin(user):
        return True
    return user.centre_id == centre.pk and user.has_role(Role.DIRECTOR)


def require_manage_centre(user: Any, centre: Centre) -> None:
    require(can_manage_centre(user, centre), "只有市行政审批局管理员或本中心主任可以修改本中心的设置。")


def can_edit_centre_contacts(user: Any) -> bool:
    """The centres' contact data printed on every guide (address, phones, hours): the bureau admin."""
    return is_bureau_admin(user)


def require_edit_centre_contacts(user: Any) -> None:
    require(
        can_edit_centre_contacts(user),
        "只有市行政审批局管理员可以维护各服务中心的地址和电话。",
    )
