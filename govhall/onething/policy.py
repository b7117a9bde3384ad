"""Who may do what with 一件事: the bureau composes and publishes; everyone may read a published one."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from govhall.accounts.models import Role
from govhall.cases.policy import DECIDE_ROLES, DELIVER_ROLES, RECEIVE_ROLES, acts_as, works_at
from govhall.core.actors import is_staff_actor
from govhall.core.policy import is_bureau_admin, require


def can_compose(user: Any) -> bool:
    return is_bureau_admin(user)


def require_compose(actor: Any) -> None:
    """actor None is the system (built-in samples, the CLI)."""
    if actor is not None:
        require(can_compose(actor), "只有市行政审批局管理员可以编排“一件事”。")


def require_compose_page(user: Any) -> None:
    """The composition pages: the bureau admin only (a signed-in user, never the system)."""
    require(can_compose(user), "只有市行政审批局管理员可以编排“一件事”。")


# --- applications (一件事办件) ---------------------------------------------------------------------------


def thing_case_scope(user: Any) -> Q | None:
    """The applications a staff member may see: the bureau and a superuser all (None), a centre's staff
    those received or handled at their centre; anyone else none."""
    if not is_staff_actor(user):
        return Q(pk__in=[])
    if user.is_superuser or getattr(user, "is_bureau", False):
        return None
    if user.centre_id is None:
        return Q(pk__in=[])
    return Q(centre_id=user.centre_id) | Q(handling_centre_id=user.centre_id)


def can_see_thing_case(user: Any, parent: Any) -> bool:
    if not is_staff_actor(user):
        return False
    if user.is_superuser or getattr(user, "is_bureau", False):
        return True
    return user.centre_id in (parent.centre_id, parent.handling_centre_id)


def require_see_thing_case(user: Any, parent: Any) -> None:
    require(can_see_thing_case(user, parent), "您不能查看其他中心的一件事办件。")


def can_receive(user: Any) -> bool:
    """收件 of a 一件事: whoever may receive a case (cases.policy decides, per member, again)."""
    return acts_as(user, *RECEIVE_ROLES)


def can_decide_thing(user: Any, parent: Any) -> bool:
    """受理 and 统一出件 of the whole: the handling centre's front desk (its seal); delivery also at the
    receiving centre (a village hands the results out, MODE-4)."""
    return acts_as(user, *DECIDE_ROLES) and works_at(user, parent.handling_centre_id)


def can_deliver_thing(user: Any, parent: Any) -> bool:
    return acts_as(user, *DELIVER_ROLES) and works_at(user, parent.centre_id, parent.handling_centre_id)


def can_see_figures(user: Any) -> bool:
    return is_bureau_admin(user) or acts_as(user, Role.DIRECTOR, Role.INSPECTOR)
