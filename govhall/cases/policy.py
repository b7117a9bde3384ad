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

from govhall.accounts.models import Role, UnitKind
from govhall.cases.models import Case, StepStatus
from govhall.core.actors import CitizenActor, SystemActor, is_staff_actor
from govhall.core.compiled import ShapedRead
from govhall.core.errors import NotFound
from govhall.core.policy import has_any_role
from govhall.orgs.policy import centre_condition, centre_ids_visible_to


def case_filter(user: Any, *, include_agency: bool = True, joined: bool = False) -> Q | None:
    """A Q restricting cases to this user's, or None when the user sees every case. Supervision leaves out
    the 代办员 clause (`include_agency=False`): an agent supervises nobody. `joined` states a town's reach
    into its villages as a join on the centres' parent rather than a list of village ids read first: the
    same cases, no query before the case's own (for reading one case; issue 15)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    if user.is_superuser or user.unit_kind == UnitKind.BUREAU:
        return None
    if user.unit_kind == UnitKind.DEPARTMENT:
        return Q(department_id=user.department_id) if user.department_id else Q(pk__in=[])
    if joined:
        scope = centre_condition(user, "centre", "handling_centre")
    else:
        ids = centre_ids_visible_to(user)
        scope = None if ids is None else Q(centre_id__in=ids) | Q(handling_centre_id__in=ids)
    if scope is None:
        return None
    return scope | Q(agency_agent_id=user.pk) if include_agency else scope


def cases_visible_to(user: Any) -> QuerySet[Case]:
    condition = case_filter(user)
    qs = Case.objects.all()
    return qs if condition is None else qs.filter(condition)


def access_case(user: Any, case_id: int | str) -> Case:
    """The case with this id (or number) if the user may see it; NotFound otherwise."""
    # Lean on purpose: services re-read the row under a lock with what they need; pages load the rest.
    condition = case_filter(user, joined=True)
    key = str(case_id).strip()
    wanted = Q(pk=int(key)) if key.isdigit() and len(key) < 16 else Q(number=key)
    try:
        return _ACCESS.get(wanted if condition is None else wanted & condition)
    except (Case.DoesNotExist, ValueError):
        raise NotFound() from None


# The read of one case under the user's condition, compiled once per shape of condition (issue 15).
_ACCESS: ShapedRead[Case] = ShapedRead(
    lambda condition: Case.objects.filter(condition).select_related("centre", "handling_centre")
)


# --- who may act on a case (the predicates of `govhall.cases.rules`) ----------------------------------
#
# Each `can_<verb>(user, case)` answers from the case row and its already-loaded relations (no query):
# services refuse with them (through `rules.require_action`), the case page and the API list the actions
# they allow (`rules.available_actions`). The `*_ROLES` say which roles may ever do a kind of act: a user
# holding none of them is refused (403) whatever state the case is in.

RECEIVE_ROLES = (Role.FRONT_DESK, Role.DIRECTOR, Role.VILLAGE_CLERK, Role.AGENT)
DECIDE_ROLES = (Role.FRONT_DESK, Role.DIRECTOR, Role.VILLAGE_CLERK)
DELIVER_ROLES = (Role.FRONT_DESK, Role.DIRECTOR, Role.VILLAGE_CLERK, Role.AGENT)
CHECK_ROLES = (Role.BACK_OFFICE, Role.DIRECTOR, Role.DEPT_LIAISON, Role.BUREAU_ADMIN)
AGENCY_ROLES = (Role.FRONT_DESK, Role.DIRECTOR, Role.VILLAGE_CLERK, Role.AGENT)
WITHDRAW_ROLES = (Role.FRONT_DESK, Role.DIRECTOR)
VOID_ROLES = (Role.DIRECTOR,)


def acts_as(user: Any, *roles: str) -> bool:
    """A staff user (not a citizen, not the system) holding one of ``roles`` (a superuser holds them all)."""
    return is_staff_actor(user) and has_any_role(user, *roles)


def works_at(user: Any, *centre_ids: int | None) -> bool:
    """A staff user of one of these centres (a superuser works everywhere)."""
    return is_staff_actor(user) and bool(user.is_superuser or user.centre_id in set(centre_ids))


def is_user(user: Any, user_id: int | None) -> bool:
    """The user is that staff member (a citizen or the system is nobody's user id, not even None's)."""
    return is_staff_actor(user) and user_id is not None and user.pk == user_id


def can_decide(user: Any, case: Case) -> bool:
    """受理/不予受理/补正 are acts of the handling centre's front desk (its seal, ORG-4)."""
    return acts_as(user, *DECIDE_ROLES) and works_at(user, case.handling_centre_id)


def can_edit_materials(user: Any, case: Case) -> bool:
    return acts_as(user, *RECEIVE_ROLES) and works_at(user, case.centre_id, case.handling_centre_id)


def can_supply(user: Any, case: Case) -> bool:
    return can_edit_materials(user, case) or is_user(user, case.agency_agent_id)


def can_attach_file(user: Any, case: Case) -> bool:
    """The applicant online (the portal checked the case is theirs), the centres' staff, the case's agent."""
    return (
        isinstance(user, CitizenActor)
        or works_at(user, case.centre_id, case.handling_centre_id)
        or is_user(user, case.agency_agent_id)
    )


def pending_step(case: Case) -> Any:
    step = case.current_step if case.current_step_id else None
    return step if step is not None and step.status == StepStatus.PENDING else None


def step_role(user: Any, case: Case) -> str | None:
    """The role the user acts in on the case's pending step (A, B, director …), None if they may not."""
    step = pending_step(case)
    if step is None or not is_staff_actor(user):
        return None
    if step.assignee_id == user.pk:
        return str(step.assignee_role or "A")
    post = step.post if step.post_id else None
    if post is not None and user.pk == post.a_staff_id:
        return "A"
    if post is not None and user.pk == post.b_staff_id:
        return "B"
    if user.is_superuser or (user.centre_id == case.handling_centre_id and user.has_role(Role.DIRECTOR)):
        return "director"
    return None


def can_handle_step(user: Any, case: Case) -> bool:
    """通过/退回/办结/特别程序: the pending step's A or B (whoever it is routed to) or the centre director."""
    return step_role(user, case) is not None


def can_resubmit(user: Any, case: Case) -> bool:
    step = pending_step(case)
    return step is not None and (
        is_user(user, step.assignee_id)
        or (acts_as(user, *WITHDRAW_ROLES) and works_at(user, case.handling_centre_id))
    )


def can_withdraw(user: Any, case: Case) -> bool:
    """退件: the handling centre's front desk or director; the system (容缺 materials never supplied)."""
    return isinstance(user, SystemActor) or (
        acts_as(user, *WITHDRAW_ROLES) and works_at(user, case.handling_centre_id)
    )


def can_void(user: Any, case: Case) -> bool:
    return is_staff_actor(user) and bool(
        user.is_superuser or (user.has_role(Role.DIRECTOR) and user.centre_id == case.handling_centre_id)
    )


def can_deliver(user: Any, case: Case) -> bool:
    return acts_as(user, *DELIVER_ROLES) and (
        works_at(user, case.centre_id, case.handling_centre_id) or is_user(user, case.agency_agent_id)
    )


def can_assign_agency(user: Any, case: Case) -> bool:
    return acts_as(user, *AGENCY_ROLES) and works_at(user, case.centre_id, case.handling_centre_id)


def can_check_commitment(user: Any, case: Case) -> bool:
    return acts_as(user, *CHECK_ROLES) and bool(
        user.is_superuser
        or user.is_bureau
        or user.centre_id == case.handling_centre_id
        or user.department_id == case.department_id
    )
