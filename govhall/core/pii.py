"""Showing a whole personal identifier (身份证号, mobile, …) to a staff member who needs it, and
recording that they saw it. Everyone else sees the masked form (``govhall.core.ids.mask_*``).

The caller has already checked that ``user`` may see ``obj`` at all (the model's access function);
``pii_reveal`` adds the role check and the audit entry ("pii.view": who, when, from which address,
which object and field, why — never the value itself).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models

from govhall.accounts.models import Role
from govhall.core.audit import audit_record
from govhall.core.crypto import EncryptedTextField
from govhall.core.errors import Forbidden

# Roles whose work needs the whole value: checking the applicant's identity at acceptance,
# approving, acting as the applicant's agent, a village clerk forwarding the application, the
# centre director. Guides, inspectors, liaisons and the bureau see the masked form.
REVEAL_ROLES: frozenset[str] = frozenset(
    {Role.FRONT_DESK, Role.BACK_OFFICE, Role.AGENT, Role.VILLAGE_CLERK, Role.DIRECTOR}
)


def can_reveal_pii(user: Any, roles: Iterable[str] | None = None) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    return bool(user.has_role(*(REVEAL_ROLES if roles is None else roles)))


def pii_reveal(*, user: Any, obj: models.Model, field: str, reason: str = "",
               roles: Iterable[str] | None = None) -> str:
    """Return the plaintext of ``obj.<field>`` (an EncryptedTextField) and audit the view.

    Raises Forbidden when the user's roles do not include one of ``roles`` (default REVEAL_ROLES).
    """
    model_field = obj._meta.get_field(field)
    if not isinstance(model_field, EncryptedTextField):
        raise TypeError(f"{obj._meta.label}.{field} is not an EncryptedTextField")
    if not can_reveal_pii(user, roles):
        raise Forbidden(f"您的角色无权查看完整的{model_field.verbose_name}，只能查看脱敏后的信息。")
    value = getattr(obj, field) or ""
    audit_record(
        action="pii.view",
        obj=obj,
        actor=user,
        after={"field": field},
        note=(reason or "")[:300],
    )
    return value
