"""The shared predicates of govhall's one authorisation policy (docs/security.md).

Every app's ``policy.py`` builds its ``can_<verb>(user, obj) -> bool`` functions and ``require_<verb>``
wrappers on these; services, views (to decide which buttons to show), templates and the API call the app
policies and nothing else. "Is this user the bureau / a bureau admin" is answered here and only here.

- Bureau staff: superusers and staff of 市行政审批局 (``UnitKind.BUREAU``), active.
- Bureau admin: a superuser, or bureau staff holding the ``bureau_admin`` role.
- Unmasked personal data: ``govhall.core.pii.can_reveal_pii`` (the one reveal rule).
- A user's unit scope: the whole city (bureau, departments for centres), a department (its matters'
  records), a town centre with its villages (directors, front desk, back office, agents), one centre.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q

from govhall.accounts.models import Role, UnitKind
from govhall.core.errors import Forbidden


def is_active_staff(user: Any) -> bool:
    """A logged-in, active staff account (portal citizens never reach staff pages as `User`)."""
    return bool(user is not None and getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def is_bureau_staff(user: Any) -> bool:
    """市行政审批局: superusers and the bureau's own staff."""
    return is_active_staff(user) and bool(user.is_superuser or user.unit_kind == UnitKind.BUREAU)


def is_bureau_admin(user: Any) -> bool:
    """The bureau's administrators: a superuser, or bureau staff with the bureau_admin role."""
    return is_bureau_staff(user) and bool(user.is_superuser or user.has_role(Role.BUREAU_ADMIN))


def is_department_staff(user: Any) -> bool:
    return is_active_staff(user) and user.unit_kind == UnitKind.DEPARTMENT and not user.is_superuser


def has_any_role(user: Any, *roles: str) -> bool:
    """Holds one of ``roles`` (a superuser holds them all)."""
    return is_active_staff(user) and bool(user.is_superuser or user.has_role(*roles))


def may_reveal_pii(user: Any, roles: Iterable[str] | None = None) -> bool:
    """May see whole ID numbers and phones (audited on every view): delegates to ``core.pii``."""
    from govhall.core.pii import can_reveal_pii

    return can_reveal_pii(user, roles)


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
    from govhall.orgs.policy import centre_ids_visible_to

    ids = centre_ids_visible_to(user)
    return None if ids is None else Q(**{f"{centre_field}__in": ids})


def require(ok: bool, message: str = "您的角色无权执行此操作。") -> None:
    """Raise Forbidden (403, the message shown on the page or returned by the API) unless ``ok``."""
    if not ok:
        raise Forbidden(message)
