"""GOV-1: the bureau's view of every centre: scores, grades, open and overdue items, ranking, trend, chart."""

from __future__ import annotations

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from govhall.standards.selectors import overview
from govhall.standards.services import assessment_run
from tests.conftest import login
from tests.standards.builders import add_window, assess, compliant_town, compliant_village

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(rule_set, inspector, time_machine):
    """Three assessed towns of different classes, a village, and an unassessed town."""
    time_machine.move_to("2025-03-03 09:00 +08:00", tick=False)
    first = compliant_town(1, name="吕四港镇")
    second = compliant_town(2, name="北新镇")
    third = compliant_town(3, name="海复镇", windows=9, auxiliary=18)
    village = compliant_village(quanke=2, parent=third)
    idle = compliant_town(3, name="王鲍镇")
    assessments = {
        "first": assess(first, inspector),
        "second": assess(second, inspector, hall_area=900),
        "third": assess(third, inspector, emergency_exit=False),
        "village": assess(village, inspector),
    }
    return {
        "first": first,
        "second": second,
        "third": third,
        "village": village,
        "idle": idle,
        **{f"a_{k}": v for k, v in assessments.items()},
    }


def test_overview_lists_every_centre_with_latest_score_grade_and_open_items(city):
    """GOV-1: all towns and villages, with score, grade and open rectification items; unassessed ones too."""
    data = overview()
    rows = {r.centre.pk: r for r in data.rows}
    assert set(rows) == {city[k].pk for k in ("first", "second", "third", "village", "idle")}
    first = rows[city["first"].pk]
    assert (first.score, first.latest["grade"], first.open_items, first.town_class) == (
        city["a_first"].score,
        "优秀",
        0,
        1,
    )
    third = rows[city["third"].pk]
    assert third.latest["safety_failed_count"] == 1 and third.open_items == city["a_third"].items.count()
    assert rows[city["idle"].pk].latest is None
    assert rows[city["village"].pk].town_class == 3  # a village takes its town's class
    assert data.totals["assessed"] == 4 and data.totals["safety"] == 1
    assert [r.centre.pk for r in data.rows][-1] == city["idle"].pk  # unassessed last when sorted by score


def test_overview_filters_by_town_class_and_level(city):
    """GOV-1: filter by town class (a village goes with its town) and by level."""
    assert {r.centre.pk for r in overview(town_class=3).rows} == {
        city[k].pk for k in ("third", "village", "idle")
    }
    assert {r.centre.pk for r in overview(town_class=3, level="town").rows} == {
        city["third"].pk,
        city["idle"].pk,
    }
    assert {r.centre.pk for r in overview(level="village").rows} == {city["village"].pk}


def test_towns_are_ranked_by_latest_score(city):
    """GOV-1: a ranking of the towns (villages and unassessed towns are not ranked)."""
    ranking = overview().ranking
    assert [r.centre.pk for r in ranking] == sorted(
        [city["first"].pk, city["second"].pk, city["third"].pk],
        key=lambda pk: -next(r.score for r in ranking if r.centre.pk == pk),
    )
    assert [r.rank for r in ranking] == [1, 2, 3]
    assert ranking[0].centre == city["first"]


def test_trend_follows_the_assessments_and_overdue_items_are_counted(city, inspector, time_machine):
    """GOV-1: a trend per centre over assessments; items past their due date are overdue."""
    third = city["third"]
    add_window(third, 10)
    time_machine.move_to("2025-05-06 09:00 +08:00", tick=False)
    again = assessment_run(centre=third, actor=inspector)
    row = next(r for r in overview().rows if r.centre == third)
    assert row.trend == [float(city["a_third"].score), float(again.score)]
    assert again.score > city["a_third"].score
    # The carried items kept their March due dates: now they are overdue.
    assert row.overdue_items == again.items.filter(carried_from__isnull=False).count() > 0
    sorted_by_overdue = overview(sort="overdue").rows
    assert sorted_by_overdue[0].centre == third


def test_overview_takes_a_fixed_number_of_queries(city, inspector):
    """GOV-1: the overview does not query per centre."""
    with CaptureQueriesContext(connection) as few:
        overview()
    for i in range(3):
        assess(compliant_town(3, name=f"扩展{i}镇"), inspector)
    with CaptureQueriesContext(connection) as more:
        overview()
    assert len(few) == len(more) <= 4


def test_overview_page_has_ranking_chart_data_and_no_inline_script(client, city, inspector):
    """GOV-1: the chart's data is passed in a json_script tag to the vendored ECharts and a static script."""
    response = login(client, inspector).get(reverse("standards:overview"))
    page = response.content.decode()
    chart = json.loads(
        re.search(r'<script id="town-scores-data" type="application/json">(.*?)</script>', page, re.S).group(
            1
        )
    )
    assert chart["towns"][0] == "吕四港镇" and len(chart["scores"]) == 3
    assert "vendor/echarts-5.6.0.min.js" in page and "standards/charts.js" in page
    for tag in re.findall(r"<script[^>]*>", page):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert "王鲍镇" in page and "未考核" in page


def test_overview_page_filter_returns_fragment_for_htmx(client, city, inspector):
    login(client, inspector)
    response = client.get(reverse("standards:overview") + "?class=1", HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert "<html" not in page and "吕四港镇" in page and "海复镇" not in page
    full = client.get(reverse("standards:overview") + "?class=1&sort=name").content.decode()
    assert "<html" in full
