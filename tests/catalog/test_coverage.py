"""SCOPE-3 应进必进: per centre, what should be in the hall (by level, delegation and town class) and what is."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from govhall.catalog import services
from govhall.catalog.models import CentreMatter, CentreServiceMode
from govhall.catalog.selectors import coverage_report
from govhall.catalog.xlsx import coverage_xlsx
from tests.factories import TownCentreFactory


@pytest.fixture
def fixture(make_matter, hall):
    """吕四港镇 (一类) and a 三类 town; four town matters, two village ones."""
    third = TownCentreFactory(division__name="合作镇", division__town_class=3)
    plain = dict(check_method="", check_days=None, rongque_supply_days=None, materials=[{"name": "申请书"}])
    m = {
        "a": make_matter(name="甲", category="public_service", **plain),
        "b": make_matter(name="乙", category="living", delivery_mode="extended", **plain),
        "passport": make_matter(
            name="往来港澳通行证", category="social_management", max_town_class=2, **plain
        ),
        "gone": make_matter(name="已取消事项", category="public_service", **plain),
        "v1": make_matter(name="村甲", levels="6", category="v_relief", window_class="quanke", **plain),
        "v2": make_matter(name="村乙", levels="6", category="v_mediation", window_class="quanke", **plain),
    }
    services.matter_cancel(actor=None, matter=m["gone"], reason="取消")
    for key in ("a", "passport"):
        services.centre_matter_assign(actor=None, centre=hall.town, matter=m[key])
    services.centre_matter_assign(actor=None, centre=third, matter=m["a"])
    services.centre_matter_assign(
        actor=None, centre=third, matter=m["passport"]
    )  # not expected in a 三类 town
    services.centre_matter_assign(actor=None, centre=hall.village, matter=m["v1"])
    return hall, third, m


@pytest.mark.django_db
def test_scope3_report_counts_expected_and_present_per_centre_and_category(fixture):
    hall, third, _m = fixture
    report = coverage_report(centres=[hall.town, third, hall.village, hall.other_village])
    rows = {r.centre: r for r in report.rows}
    lvsi = rows[hall.town]
    assert (lvsi.expected, lvsi.present) == (3, 2)  # 甲, 乙, 通行证 (一类 town); 乙 missing
    assert [v.name for v in lvsi.missing] == ["乙"]
    assert lvsi.by_category == {"public_service": (1, 1), "living": (1, 0), "social_management": (1, 1)}
    hezuo = rows[third]
    assert (hezuo.expected, hezuo.present) == (2, 1)
    assert [v.name for v in hezuo.extra] == ["往来港澳通行证"]
    village = rows[hall.village]
    assert (village.expected, village.present, village.by_category) == (
        2,
        1,
        {"v_relief": (1, 1), "v_mediation": (1, 0)},
    )
    assert (rows[hall.other_village].expected, rows[hall.other_village].present) == (2, 0)
    assert report.totals["public_service"] == (2, 2) and report.totals["living"] == (2, 0)
    assert report.totals["v_relief"] == (2, 1) and (report.expected, report.present) == (9, 4)


@pytest.mark.django_db
def test_scope3_fill_assigns_what_is_missing_but_respects_removals(fixture):
    hall, third, m = fixture
    services.centre_matter_remove(actor=None, centre=hall.village, matter=m["v1"], reason="本村暂不开展")
    created = services.centre_matters_assign_expected(actor=None, centres=[hall.town, third, hall.village])
    assert created == 1 + 1 + 1  # 乙 at each town; 村乙 at the village (村甲 stays removed)
    assert not CentreMatter.objects.get(centre=hall.village, matter=m["v1"]).is_active
    report = coverage_report(centres=[hall.town, hall.village])
    assert [(r.expected, r.present) for r in report.rows] == [(3, 3), (2, 1)]


@pytest.mark.django_db
def test_scope3_village_serving_a_town_matter_forwards_it(fixture):
    hall, _, m = fixture
    link = services.centre_matter_assign(actor=None, centre=hall.village, matter=m["a"])
    assert link.service_mode == CentreServiceMode.FORWARD


@pytest.mark.django_db
def test_scope3_report_exports_to_xlsx(fixture):
    hall, third, _ = fixture
    report = coverage_report(centres=[hall.town, third], level="town")
    wb = load_workbook(io.BytesIO(coverage_xlsx(report)))
    ws = wb["应进必进情况"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:4] == ("服务中心", "应进事项数", "已进驻数", "未进驻数")
    assert rows[1][:4] == (hall.town.name, 3, 2, 1)
    assert rows[-1][:3] == ("合计", 5, 3)
    missing = list(wb["未进驻事项"].iter_rows(values_only=True))
    assert {r[2] for r in missing[1:]} == {"乙"}
