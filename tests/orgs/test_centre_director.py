"""ORG-3: a village centre's director is the village committee director, one of its own staff."""

import pytest

from govhall.accounts.models import Role
from govhall.core.errors import ServiceError
from govhall.core.models import AuditEntry
from govhall.orgs.services import centre_set_director


def test_village_committee_director_becomes_the_centre_director(hall):
    centre_set_director(centre=hall.village, user=hall.village_clerk, actor=hall.bureau_admin)
    hall.village.refresh_from_db()
    assert hall.village.director == hall.village_clerk
    assert hall.village_clerk.has_role(Role.DIRECTOR)
    assert AuditEntry.objects.filter(
        action="orgs.centre_set_director", object_id=str(hall.village.pk)
    ).exists()


def test_someone_from_another_village_cannot_direct_this_village(hall):
    with pytest.raises(ServiceError) as excinfo:
        centre_set_director(centre=hall.village, user=hall.other_village_clerk)
    assert "村（居）民委员会主任" in excinfo.value.message
    hall.village.refresh_from_db()
    assert hall.village.director is None


def test_town_staff_cannot_direct_a_village(hall):
    with pytest.raises(ServiceError):
        centre_set_director(centre=hall.village, user=hall.director)
