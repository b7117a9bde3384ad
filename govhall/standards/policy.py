"""Who may do what with rule sets, surveys, assessments and rectification items. One function per model;
missing and forbidden give the same NotFound.

- Assessors (考核员 and the bureau's admins, superusers) survey, assess, and see every centre's results.
- Only bureau admins copy, edit and publish rule sets; assessors may read them.
- A centre's director (the DIRECTOR role at that centre, or the centre's recorded director — for a village
  the village committee director) sees that centre's scorecards and marks its items rectified.
- Everybody else sees nothing here.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from govhall.accounts.models import Role
from govhall.core.errors import NotFound
from govhall.core.policy import is_bureau_admin, is_bureau_staff, require
from govhall.orgs.models import Centre
from govhall.standards.models import Assessment, RectificationItem, RuleSet, Survey


def is_assessor(user: Any) -> bool:
    return is_bureau_staff(user) and bool(
        user.is_superuser or user.has_role(Role.INSPECTOR, Role.BUREAU_ADMIN)
    )


def directed_centre_ids(user: Any) -> list[int]:
    """Centres whose scorecards this user sees as their director."""
    if not (user.is_authenticated and user.is_active):
        return []
    ids = set(Centre.objects.filter(director_id=user.pk).values_list("pk", flat=True))
    if user.centre_id and user.has_role(Role.DIRECTOR):
        ids.add(user.centre_id)
    return sorted(ids)


def is_director_of(user: Any, centre_id: int) -> bool:
    return centre_id in directed_centre_ids(user)


def can_see_standards(user: Any) -> bool:
    return is_assessor(user) or bool(directed_centre_ids(user))


def require_assessor(user: Any) -> None:
    """Pages and endpoints only assessors reach: everybody else gets the same 404 as a missing page."""
    if not is_assessor(user):
        raise NotFound()


def can_edit_rules(user: Any) -> bool:
    """Copy, edit and publish rule sets: the bureau admins only."""
    return is_bureau_admin(user)


def require_rule_editor(user: Any) -> None:
    require(can_edit_rules(user), "只有市行政审批局管理员可以复制、修改和发布考核规则集。")


def access_rule_set(user: Any, rule_set_id: int | str) -> RuleSet:
    require_assessor(user)
    try:
        return RuleSet.objects.get(pk=int(rule_set_id))
    except (RuleSet.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def access_survey(user: Any, survey_id: int | str) -> Survey:
    require_assessor(user)
    try:
        return Survey.objects.select_related("centre__division", "rule_set", "inspector").get(
            pk=int(survey_id)
        )
    except (Survey.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def assessments_visible_to(user: Any) -> QuerySet[Assessment]:
    qs = Assessment.objects.select_related("centre__division", "rule_set", "assessed_by")
    if is_assessor(user):
        return qs
    return qs.filter(centre_id__in=directed_centre_ids(user))


def access_assessment(user: Any, assessment_id: int | str) -> Assessment:
    try:
        return assessments_visible_to(user).get(pk=int(assessment_id))
    except (Assessment.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def access_assessed_centre(user: Any, centre_id: int | str) -> Centre:
    """A centre whose assessment history this user may see."""
    try:
        pk = int(centre_id)
    except (ValueError, TypeError):
        raise NotFound() from None
    if not (is_assessor(user) or is_director_of(user, pk)):
        raise NotFound()
    try:
        return Centre.objects.select_related("division", "parent__division").get(pk=pk)
    except Centre.DoesNotExist:
        raise NotFound() from None


def items_visible_to(user: Any) -> QuerySet[RectificationItem]:
    qs = RectificationItem.objects.select_related("assessment", "centre", "owner")
    if is_assessor(user):
        return qs
    return qs.filter(centre_id__in=directed_centre_ids(user))


def access_item(user: Any, item_id: int | str) -> RectificationItem:
    try:
        return items_visible_to(user).get(pk=int(item_id))
    except (RectificationItem.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def can_rectify(user: Any, item: RectificationItem) -> bool:
    """Marking an item rectified is the centre director's act (the bureau verifies by re-assessing)."""
    return is_director_of(user, item.centre_id)


def require_rectifier(user: Any, item: RectificationItem) -> None:
    require(can_rectify(user, item), "只有本中心主任可以登记整改。")
