"""ORG-2: the naming rule's edge cases."""

import pytest

from govhall.orgs.naming import town_centre_name, village_centre_name, village_display_name


@pytest.mark.parametrize(
    ("register", "expected"),
    [
        ("幸福一村居委会", "幸福一村"),
        ("塘芦港村委会", "塘芦港村"),
        ("公益村村委会", "公益村"),
        ("永隆社区居委会", "永隆社区"),
        ("申港社区", "申港社区"),
        ("向阳镇居委会", "向阳镇社区"),
        ("庙港村委会（新）", "庙港村"),
        ("海丰镇村委会", "海丰镇村"),
    ],
)
def test_village_display_name(register, expected):
    assert village_display_name(register) == expected


def test_town_and_village_centre_names():
    assert town_centre_name("吕四港镇") == "启东市吕四港镇为民服务中心"
    assert village_centre_name("汇龙镇", "幸福一村") == "启东市汇龙镇幸福一村便民服务中心"
    assert town_centre_name("启东滨海工业园") == "启东滨海工业园为民服务中心"
