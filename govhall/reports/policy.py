"""Who sees which part of the city view (GOV-1, GOV-2).

- The bureau (局管理员 and the other 市行政审批局 staff, superusers) sees the whole city.
- A 中心主任 sees their own centre: a town's director the town with its villages.
- A 部门联络员 sees the department view: the cases of its department's matters in every town, nothing else.
Everyone else is refused (403 on pages, the API's 403).
"""

from __future__ import annotations

from typing import Any

from govhall.accounts.models import Role
from govhall.core.errors import NotFound
from govhall.core.policy import is_active_staff, is_bureau_staff, require
from govhall.orgs.models import Centre
from govhall.orgs.policy import centre_ids_visible_to


def can_view_city(user: Any) -> bool:
    if not is_active_staff(user):
        return False
    return is_bureau_staff(user) or (user.centre_id is not None and user.has_role(Role.DIRECTOR))


def require_view_city(user: Any) -> None:
    require(can_view_city(user), "只有市行政审批局或中心主任可以查看全市政务服务统计。")


def city_centre_ids(user: Any) -> list[int] | None:
    """None for the whole city; otherwise the centres this user's dashboard covers."""
    require_view_city(user)
    if is_bureau_staff(user):
        return None
    return list(centre_ids_visible_to(user) or [])


def within(user: Any, centre_id: int) -> None:
    """NotFound for a centre outside the user's dashboard (missing and forbidden look the same)."""
    ids = city_centre_ids(user)
    if ids is not None and centre_id not in ids:
        raise NotFound()


def can_view_department(user: Any) -> bool:
    return (
        is_active_staff(user)
        and user.unit_kind == "department"
        and user.department_id is not None
        and user.has_role(Role.DEPT_LIAISON)
    )


def require_view_department(user: Any) -> int:
    """The liaison's department id; Forbidden for anyone else."""
    require(can_view_department(user), "只有部门联络员可以查看本部门事项的办件。")
    return int(user.department_id)


def scope(
    user: Any, *, town_id: int | None = None, centre_id: int | None = None
) -> tuple[list[int] | None, Any, Any]:
    """(centre ids of the table, the town asked for, the centre asked for) within the user's dashboard;
    NotFound for a town or centre outside it."""

    ids = city_centre_ids(user)
    mine = ids
    town = centre = None
    if town_id is not None:
        within(user, town_id)
        town = Centre.objects.filter(pk=town_id).select_related("division").first()
        if town is None:
            raise NotFound()
        ids = [town.pk, *town.village_centres.values_list("pk", flat=True)]
        if mine is not None:
            ids = [i for i in ids if i in mine]
    if centre_id is not None:
        within(user, centre_id)
        centre = Centre.objects.filter(pk=centre_id).first()
        if centre is None:
            raise NotFound()
        ids = [centre.pk]
    return ids, town, centre


def can_draft_bulletin(user: Any) -> bool:
    """The monthly 通报 covers the whole city: the bureau only."""
    return is_active_staff(user) and is_bureau_staff(user)


def require_draft_bulletin(user: Any) -> None:
    require(can_draft_bulletin(user), "只有市行政审批局可以生成全市月度通报。")
