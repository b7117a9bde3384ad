"""Who did something: a staff `User`, a citizen on the portal (`CitizenActor`) or the system itself
(`SystemActor`, naming the job). Services take an `Actor`; `None` no longer means three things.

Neither kind of non-staff actor has a staff row (`pk` is None), so the audit log and the case timeline keep
their label and no user; role checks (`is_staff_actor`) refuse them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, TypeAlias, TypeGuard

from django.contrib.auth import get_user_model

if TYPE_CHECKING:
    from govhall.accounts.models import User

SYSTEM_LABEL = "系统（自动）"


@dataclass(frozen=True)
class SystemActor:
    """The system acting on its own: a scheduled job, a data import, a built-in seed. `label` says which."""

    label: str = SYSTEM_LABEL
    pk: ClassVar[None] = None
    centre_id: ClassVar[None] = None

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True)
class CitizenActor:
    """A citizen (or an enterprise's account) acting on the portal; `label` is what records show, masked."""

    label: str
    pk: ClassVar[None] = None
    centre_id: ClassVar[None] = None

    def __str__(self) -> str:
        return self.label


SYSTEM = SystemActor()

Actor: TypeAlias = "User | CitizenActor | SystemActor"


def system(job: str) -> SystemActor:
    """The system running a named job, e.g. system("期限重新核定") → 「系统（期限重新核定）」."""
    return SystemActor(f"系统（{job}）")


def is_staff_actor(actor: Any) -> TypeGuard[User]:
    """A staff user (not a citizen, not the system, not None)."""
    return isinstance(actor, get_user_model())  # AUTH_USER_MODEL: core sits below accounts


def actor_label(actor: Any) -> str:
    """How records name the actor; a missing actor (legacy callers) is the system."""
    return str(actor)[:80] if actor is not None else SYSTEM_LABEL
