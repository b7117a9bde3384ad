"""ORG-1, ORG-2: Qidong's twelve towns with their classes, villages under them, derived centre names."""

import pytest

from govhall.orgs.models import Centre, Division
from govhall.orgs.seed import load_builtin

EXPECTED_CLASSES = {
    "吕四港镇": 1,
    "汇龙镇": 1,
    "北新镇": 2,
    "南阳镇": 2,
    "近海镇": 2,
    "寅阳镇": 2,
    "惠萍镇": 3,
    "海复镇": 3,
    "东海镇": 3,
    "合作镇": 3,
    "王鲍镇": 3,
    "启隆镇": 3,
}


@pytest.fixture
def qidong(db):
    load_builtin()


def test_the_notice_twelve_towns_ship_with_their_classes(qidong):
    """ORG-1"""
    for name, klass in EXPECTED_CLASSES.items():
        town = Division.objects.get(name=name, kind="town")
        assert town.town_class == klass, name


def test_every_notice_town_has_exactly_one_running_town_centre(qidong):
    """ORG-1, ORG-2: converted towns are served by the development zone that succeeded them."""
    centres = Centre.objects.filter(level="town", is_active=True).select_related("division")
    assert centres.count() == 12
    classes = sorted(c.division.town_class for c in centres)
    assert classes == sorted(EXPECTED_CLASSES.values())
    jinhai = Division.objects.get(name="近海镇")
    assert jinhai.successor.name == "启东滨海工业园"
    assert jinhai.changes.filter(kind="convert").exists()


def test_town_centre_name_follows_the_naming_rule(qidong):
    """ORG-2 / SITE-2: 行政区域名称 + 为民服务中心."""
    assert Centre.objects.get(division__name="吕四港镇", is_active=True).name == "启东市吕四港镇为民服务中心"


def test_village_centre_name_strips_the_committee_suffix(qidong):
    """ORG-2: 行政区域名称 + 村名称 + 便民服务中心."""
    centre = Centre.objects.get(division__register_name="幸福一村居委会")
    assert centre.name == "启东市汇龙镇幸福一村便民服务中心"
    assert centre.parent.name == "启东市汇龙镇为民服务中心"


def test_zone_villages_are_loaded_under_their_zone(qidong):
    village = Division.objects.get(register_name="塘芦港村委会")
    assert village.parent.name == "启东滨海工业园"
    assert village.name == "塘芦港村"
    assert Centre.objects.get(division=village).name == "启东滨海工业园塘芦港村便民服务中心"


def test_all_339_villages_and_communities_load(qidong):
    assert Division.objects.villages().count() == 339


def test_loading_twice_changes_nothing(qidong):
    before = (Division.objects.count(), Centre.objects.count())
    load_builtin()
    assert (Division.objects.count(), Centre.objects.count()) == before


def test_town_centres_ship_marked_placeholders_for_address_and_phone(qidong):
    """SCOPE-4, ORG-4: no public source for the halls' addresses ships with govhall: the twelve town centres
    carry 「（待填写）」 for the bureau to replace, and a re-load keeps what the bureau entered."""
    from govhall.orgs.models import CONTACT_PLACEHOLDER

    towns = Centre.objects.filter(level="town", is_active=True)
    assert {(c.address, c.phone) for c in towns} == {(CONTACT_PLACEHOLDER, CONTACT_PLACEHOLDER)}
    assert all(c.contact_missing() == ["地址", "咨询电话"] for c in towns)
    towns.filter(division__name="汇龙镇").update(phone="0513-83123456")
    load_builtin()
    assert Centre.objects.get(level="town", is_active=True, division__name="汇龙镇").phone == "0513-83123456"
