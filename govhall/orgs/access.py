"""Who may see which centre. Every app's access functions are built on these.

- The bureau (superusers and 市行政审批局 staff) and department staff see every centre.
- Town centre staff see their town centre; directors, front desk, back office and agents also see the
  village centres under their town (they receive and approve village-forwarded cases, MODE-4).
- Village staff see only their own village centre.
Missing and forbidden give the same NotFound, so nobody learns what exists elsewhere.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from govhall.accounts.models import Role, UnitKind
from govhall.core.errors import Forbidden, NotFound
from govhall.orgs.models import Centre, CentreLevel

VILLAGE_REACH_ROLES = (Role.DIRECTOR, Role.FRONT_DESK, Role.BACK_OFFICE, Role.AGENT)


def sees_everything(user: Any) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.unit_kind in (UnitKind.BUREAU, UnitKind.DEPARTMENT))
    )


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
    centre = user.centre
    if centre.level == CentreLevel.TOWN and user.has_role(*VILLAGE_REACH_ROLES):
        ids += list(Centre.objects.filter(parent_id=centre.pk).values_list("pk", flat=True))
    user._visible_centre_ids = ids
    return ids


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
        return centres_visible_to(user).get(pk=int(centre_id))
    except (Centre.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def can_manage_centre(user: Any, centre: Centre) -> bool:
    """Change a centre's settings, windows and posts: the bureau admin, or that centre's director."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or (user.is_bureau and user.has_role(Role.BUREAU_ADMIN)):
        return True
    return user.centre_id == centre.pk and user.has_role(Role.DIRECTOR)


def require_manage_centre(user: Any, centre: Centre) -> None:
    if not can_manage_centre(user, centre):
        raise Forbidden("只有市行政审批局管理员或本中心主任可以修改本中心的设置。")


def is_bureau_admin(user: Any) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or (user.is_bureau and user.has_role(Role.BUREAU_ADMIN))))
