"""Who may see which case: the one access function every page and API endpoint of this app uses.

- The bureau (superusers and 市行政审批局 staff) sees every case.
- Department staff see the cases of their department's matters (GOV-2).
- Centre staff see the cases received at, or handled by, the centres they may see
  (`govhall.orgs.policy`): a village clerk sees their own village's cases, including those it
  forwarded to the town (MODE-4), and nothing of another village; town staff see their town's cases
  (and, for the roles that reach villages, the villages' cases).
- An assigned 代办员 also sees the cases they act on (STD-5).

Missing and forbidden are the same NotFound.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from govhall.accounts.models import UnitKind
from govhall.cases.models import Case
from govhall.core.errors import NotFound
from govhall.orgs.policy import centre_ids_visible_to


def case_filter(user: Any, *, include_agency: bool = True) -> Q | None:
    """A Q restricting cases to this user's, or None when the user sees every case. Supervision leaves out
    the 代办员 clause (`include_agency=False`): an agent supervises nobody."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    if user.is_superuser or user.unit_kind == UnitKind.BUREAU:
        return None
    if user.unit_kind == UnitKind.DEPARTMENT:
        return Q(department_id=user.department_id) if user.department_id else Q(pk__in=[])
    ids = centre_ids_visible_to(user)
    if ids is None:
        return None
    scope = Q(centre_id__in=ids) | Q(handling_centre_id__in=ids)
    return scope | Q(agency_agent_id=user.pk) if include_agency else scope


def cases_visible_to(user: Any) -> QuerySet[Case]:
    condition = case_filter(user)
    qs = Case.objects.all()
    return qs if condition is None else qs.filter(condition)


def access_case(user: Any, case_id: int | str) -> Case:
    """The case with this id (or number) if the user may see it; NotFound otherwise."""
    # Lean on purpose: services re-read the row under a lock with what they need; pages load the rest.
    qs = cases_visible_to(user).select_related("centre", "handling_centre")
    key = str(case_id).strip()
    try:
        if key.isdigit() and len(key) < 16:
            return qs.get(pk=int(key))
        return qs.get(number=key)
    except (Case.DoesNotExist, ValueError):
        raise NotFound() from None
