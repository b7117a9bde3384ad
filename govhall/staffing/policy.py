"""Who may see and change staffing records; one function per protected model, built on orgs.policy.

- The bureau (superusers, 市行政审批局 staff) sees everything.
- A centre's director (the named `Centre.director`, or a staff member there with the director role) sees
  the records of the centres visible to them (a town director: the town and its villages).
- A village centre's staff see their village's enquiries (a village centre is a few people sharing the
  counter); other staff see only their own records. Department staff see their own.
Missing and forbidden give the same NotFound.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from govhall.accounts.models import Role, UnitKind, User
from govhall.core.errors import NotFound
from govhall.core.policy import is_bureau_admin, is_bureau_staff
from govhall.orgs.models import Centre, CentreLevel
from govhall.orgs.policy import centre_filter
from govhall.staffing.models import AssessmentResult, Attendance, Enquiry, Leave


def sees_all_staff_records(user: Any) -> bool:
    return is_bureau_staff(user)


def can_manage_assessment(user: Any) -> bool:
    """Set schemes, record manual items (奖励, 问责 …) and compute scores: the bureau's admins and inspectors."""
    return bool(
        sees_all_staff_records(user)
        and (user.is_superuser or user.has_role(Role.BUREAU_ADMIN, Role.INSPECTOR))
    )


def is_centre_director(user: Any, centre: Centre | None) -> bool:
    if centre is None or not user.is_authenticated or not user.is_active:
        return False
    if centre.director_id == user.pk:
        return True
    return user.centre_id == centre.pk and user.has_role(Role.DIRECTOR)


def directs_a_centre(user: Any) -> bool:
    return bool(
        user.is_authenticated and user.centre_id is not None and is_centre_director(user, user.centre)
    )


def _scoped(user: Any, qs: QuerySet, *, own: Q, village_shares: bool = False) -> QuerySet:
    if sees_all_staff_records(user):
        return qs
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if directs_a_centre(user):
        return qs.filter(centre_filter(user) | own)
    if village_shares and user.centre_id is not None and user.centre.level == CentreLevel.VILLAGE:
        return qs.filter(Q(centre_id=user.centre_id) | own)
    return qs.filter(own)


def _one(qs: QuerySet, pk: int | str) -> Any:
    try:
        return qs.get(pk=int(pk))
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def enquiries_visible_to(user: Any) -> QuerySet[Enquiry]:
    own = Q(first_staff_id=user.pk) | Q(handed_to_id=user.pk) if user.is_authenticated else Q(pk__in=[])
    return _scoped(user, Enquiry.objects.all(), own=own, village_shares=True)


def access_enquiry(user: Any, enquiry_id: int | str) -> Enquiry:
    return _one(
        enquiries_visible_to(user).select_related("centre", "first_staff", "handed_to", "matter"), enquiry_id
    )


def leaves_visible_to(user: Any) -> QuerySet[Leave]:
    own = Q(staff_id=user.pk) if user.is_authenticated else Q(pk__in=[])
    return _scoped(user, Leave.objects.all(), own=own)


def access_leave(user: Any, leave_id: int | str) -> Leave:
    return _one(leaves_visible_to(user).select_related("staff", "centre", "centre__director"), leave_id)


def can_decide_leave(user: Any, leave: Leave) -> bool:
    """The director of the leave's own centre decides; a director's own leave goes to the bureau admin."""
    if leave.staff_id == user.pk:
        return False
    if is_centre_director(user, leave.centre):
        return True
    return bool(
        is_centre_director(leave.staff, leave.centre) and user.is_authenticated and is_bureau_admin(user)
    )


def attendance_visible_to(user: Any) -> QuerySet[Attendance]:
    own = Q(staff_id=user.pk) if user.is_authenticated else Q(pk__in=[])
    return _scoped(user, Attendance.objects.all(), own=own)


def assessment_results_visible_to(user: Any) -> QuerySet[AssessmentResult]:
    own = Q(staff_id=user.pk) if user.is_authenticated else Q(pk__in=[])
    return _scoped(user, AssessmentResult.objects.all(), own=own)


def access_assessment_result(user: Any, result_id: int | str) -> AssessmentResult:
    return _one(assessment_results_visible_to(user).select_related("staff", "centre", "scheme"), result_id)


def can_see_centre_roster(user: Any, centre: Centre) -> bool:
    """Any staff member of the centre, its director (and a town director for its villages), the bureau."""
    if sees_all_staff_records(user):
        return True
    if user.centre_id == centre.pk:
        return True
    return directs_a_centre(user) and centre.parent_id == user.centre_id


def handover_candidates(user: Any) -> QuerySet:
    """Colleagues an enquiry can be handed to: active staff of the user's town network (the town centre
    and its villages) and the departments' staff stationed in the halls."""
    base = User.objects.filter(is_active=True).exclude(pk=user.pk)
    dept = Q(unit_kind=UnitKind.DEPARTMENT)
    if user.centre_id is None:
        return base.filter(dept).order_by("staff_no", "pk")
    town = user.centre.town_centre
    return base.filter(dept | Q(centre_id=town.pk) | Q(centre__parent_id=town.pk)).order_by("staff_no", "pk")
