"""Part 6: a whole personal identifier is shown only to a role that needs it, and every view is
audited ("pii.view": who, when, from where, which field — never the value)."""

from __future__ import annotations

import pytest

from govhall.accounts.models import Role, UnitKind, User, UserRole
from govhall.core.audit import audit_verify
from govhall.core.errors import Forbidden
from govhall.core.models import AuditEntry
from govhall.core.pii import pii_reveal

pytestmark = pytest.mark.django_db
ID = "320681199003071231"


def staff(username: str, *roles: str) -> User:
    user = User.objects.create_user(username, password=None, full_name=username, unit_kind=UnitKind.BUREAU)
    for role in roles:
        UserRole.objects.create(user=user, role=role)
    return user


@pytest.fixture
def record(probe_model):
    return probe_model(pk=42, name="王五", id_number=ID)


@pytest.mark.parametrize(
    "role", [Role.FRONT_DESK, Role.BACK_OFFICE, Role.AGENT, Role.VILLAGE_CLERK, Role.DIRECTOR]
)
def test_permitted_role_sees_the_value_and_the_view_is_audited(record, role):
    user = staff("qiantai", role)
    assert pii_reveal(user=user, obj=record, field="id_number", reason="核验身份") == ID
    entry = AuditEntry.objects.get(action="pii.view")
    assert (entry.actor, entry.object_type, entry.object_id) == (user, "core.personalrecordprobe", "42")
    assert entry.after == {"field": "id_number"} and entry.note == "核验身份"
    assert ID not in str(entry.before) + str(entry.after) + entry.note
    assert audit_verify().ok


@pytest.mark.parametrize(
    "roles", [(Role.GUIDE,), (Role.INSPECTOR,), (Role.DEPT_LIAISON,), (Role.BUREAU_ADMIN,), ()]
)
def test_other_roles_are_refused_and_nothing_is_audited(record, roles):
    user = staff("daofu", *roles)
    with pytest.raises(Forbidden) as caught:
        pii_reveal(user=user, obj=record, field="id_number")
    assert "无权查看完整的身份证号" in caught.value.message
    assert not AuditEntry.objects.exists()


def test_inactive_or_anonymous_users_are_refused(record):
    from django.contrib.auth.models import AnonymousUser

    user = staff("likai", Role.FRONT_DESK)
    user.is_active = False
    for who in (user, AnonymousUser(), None):
        with pytest.raises(Forbidden):
            pii_reveal(user=who, obj=record, field="id_number")


def test_caller_may_narrow_the_roles(record):
    clerk = staff("cunyuan", Role.VILLAGE_CLERK)
    with pytest.raises(Forbidden):
        pii_reveal(user=clerk, obj=record, field="id_number", roles=[Role.BACK_OFFICE])


def test_only_encrypted_fields_can_be_revealed(record):
    with pytest.raises(TypeError):
        pii_reveal(user=staff("a", Role.FRONT_DESK), obj=record, field="name")
