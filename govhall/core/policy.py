"""The shared predicates of govhall's one authorisation policy (docs/security.md).

Every app's ``policy.py`` builds its ``can_<verb>(user, obj) -> bool`` functions and ``require_<verb>``
wrappers on these; services, views (to decide which buttons to show), templates and the API call the app
policies and nothing else. "Is this user the bureau / a bureau admin" is answered here and only here.

- Bureau staff: superusers and staff of 市行政审批局 (``UnitKind.BUREAU``), active.
- Bureau admin: a superuser, or bureau staff holding the ``bureau_admin`` role.
- Unmasked personal data: ``govhall.core.pii.can_reveal_pii`` (the one reveal rule, one spelling: there
  is no second name for it here).
- A user's unit scope (the whole city, a department, a town centre with its villages, one centre) is
  ``govhall.orgs.policy.unit_scope``: it needs the centre tree, and core sits below orgs.
"""

from __future__ import annotations

from typing import Any

from govhall.core.errors import Forbidden
from govhall.core.roles import Role, UnitKind


def is_active_staff(user: Any) -> bool:
    """A logged-in, active staff account (portal citizens never reach staff pages as `User`)."""
    return bool(
        user is not None and getattr(user, "is_authenticated", False) and getattr(user, "is_active", False)
    )


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


def require(ok: bool, message: str = "您的角色无权执行此操作。") -> None:
    """Raise Forbidden (403, the message shown on the page or returned by the API) unless ``ok``."""
    if not ok:
        raise Forbidden(message)
