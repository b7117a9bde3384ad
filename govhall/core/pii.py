"""Showing a whole personal identifier (身份证号, mobile, …) to a staff member who needs it, and
recording that they saw it. Everyone else sees the masked form (``govhall.core.ids.mask_*``).

The caller has already checked that ``user`` may see ``obj`` at all (the model's access function);
``pii_reveal`` adds the role check and the audit entry ("pii.view": who, when, from which address,
which object and field, why — never the value itself).

This is the one reveal path for every app: an API endpoint, a page or an export that shows a whole
number calls ``pii_reveal``/``pii_reveal_fields`` (refusal: ``Forbidden``, a 403 in the API and a
Chinese message on pages), and a page offers its "显示完整" button only where ``can_reveal_pii`` says yes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import models

from govhall.core.audit import audit_record
from govhall.core.crypto import EncryptedTextField
from govhall.core.errors import Forbidden
from govhall.core.roles import Role

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


def pii_reveal(
    *, user: Any, obj: models.Model, field: str, reason: str = "", roles: Iterable[str] | None = None
) -> str:
    """Return the plaintext of ``obj.<field>`` (an EncryptedTextField) and audit the view.

    Raises Forbidden when the user's roles do not include one of ``roles`` (default REVEAL_ROLES).
    """
    return pii_reveal_fields(user=user, obj=obj, fields=[field], reason=reason, roles=roles)[field]


def pii_reveal_fields(
    *,
    user: Any,
    obj: models.Model,
    fields: Sequence[str],
    reason: str = "",
    roles: Iterable[str] | None = None,
) -> dict[str, str]:
    """Several encrypted fields of one record at once (a case's applicant and agent numbers and phones):
    one role check, one "pii.view" entry naming the fields, never their values."""
    if not fields:
        raise ValueError("no field to reveal")
    model_fields: list[EncryptedTextField] = []
    for name in fields:
        model_field = obj._meta.get_field(name)
        if not isinstance(model_field, EncryptedTextField):
            raise TypeError(f"{obj._meta.label}.{name} is not an EncryptedTextField")
        model_fields.append(model_field)
    if not can_reveal_pii(user, roles):
        what = "、".join(str(f.verbose_name) for f in model_fields)
        raise Forbidden(f"您的角色无权查看完整的{what}，只能查看脱敏后的信息。")
    values = {name: getattr(obj, name) or "" for name in fields}
    audit_record(
        action="pii.view",
        obj=obj,
        actor=user,
        after={"field": fields[0]} if len(fields) == 1 else {"fields": list(fields)},
        note=(reason or "")[:300],
    )
    return values
