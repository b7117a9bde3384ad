"""The shared predicates of the one policy (govhall/core/policy.py; docs/security.md)."""

from __future__ import annotations

from typing import Any

import pytest

from govhall.accounts.models import Role
from govhall.core import policy
from govhall.core.errors import Forbidden
from govhall.core.pii import can_reveal_pii
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_only_bureau_staff_with_the_admin_role_are_bureau_admins(hall: Any) -> None:
    liaison_with_admin_role = UserFactory(
        unit_kind="department", centre=None, department=DepartmentFactory(), roles=[Role.BUREAU_ADMIN]
    )
    director_with_admin_role = UserFactory(centre=hall.town, roles=[Role.DIRECTOR, Role.BUREAU_ADMIN])

    assert policy.is_bureau_admin(hall.bureau_admin)
    assert not policy.is_bureau_admin(hall.inspector)
    assert policy.is_bureau_staff(hall.inspector)
    assert not policy.is_bureau_admin(liaison_with_admin_role)
    assert not policy.is_bureau_admin(director_with_admin_role)


def test_a_deactivated_bureau_admin_is_nobody(hall: Any) -> None:
    hall.bureau_admin.is_active = False

    assert not policy.is_bureau_staff(hall.bureau_admin)
    assert not policy.is_bureau_admin(hall.bureau_admin)
    assert not can_reveal_pii(hall.bureau_admin)


def test_unmasked_personal_data_follows_core_pii(hall: Any) -> None:
    assert can_reveal_pii(hall.front_desk)
    assert not can_reveal_pii(hall.guide)
    assert not can_reveal_pii(hall.bureau_admin)
    assert not can_reveal_pii(hall.inspector)


def test_unit_scope_is_the_city_a_town_with_its_villages_or_one_centre(hall: Any) -> None:
    from govhall.orgs.models import Centre
    from govhall.orgs.policy import unit_scope

    def scoped(user: Any) -> set[int]:
        condition = unit_scope(user, centre_field="pk")
        qs = Centre.objects.all() if condition is None else Centre.objects.filter(condition)
        return set(qs.values_list("pk", flat=True))

    everything = set(Centre.objects.values_list("pk", flat=True))
    assert scoped(hall.bureau_admin) == everything
    assert scoped(hall.director) == {hall.town.pk, hall.village.pk, hall.other_village.pk}
    assert scoped(hall.guide) == {hall.town.pk}
    assert scoped(hall.village_clerk) == {hall.village.pk}


def test_require_raises_forbidden_with_the_message() -> None:
    policy.require(True, "不会出现")
    with pytest.raises(Forbidden, match="只有局管理员"):
        policy.require(False, "只有局管理员可以重新发送短信。")
