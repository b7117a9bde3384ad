"""STD-6 figures: satisfaction and 差评 per clerk, window, matter, centre, town and month, computed from the
records; real-name 差评 回复率/整改率/回访率 reaching 100% when every one is handled; window pauses
(暂停服务, STD-7) counted; 好评榜/差评榜 for the bureau; a public summary per centre without personal data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from govhall.reviews import selectors, services
from tests.conftest import login

pytestmark = pytest.mark.django_db
MARCH = selectors.month_period(dt.date(2026, 3, 1))


def rows(user, by):
    return {r.key: r for r in selectors.figures(user, by=by, period=MARCH)}


def test_rates_reach_100_percent_when_every_real_name_bad_review_is_handled(scene, march):
    """STD-6 Done-when: 回复率, 整改率, 回访率 all 100%."""
    total = selectors.totals(scene.bureau_admin, period=MARCH)
    assert (total.total, total.bad, total.real_name_bad) == (9, 4, 3)
    assert (total.replied, total.visited, total.rectified, total.needs_rectification) == (3, 3, 2, 2)
    assert total.reply_rate == total.rectify_rate == total.visit_rate == Decimal("100.00")
    assert total.satisfaction_rate == Decimal("55.56")


def test_rates_fall_below_100_while_a_bad_review_waits(scene, march):
    scene.rate_visit(scene.serve(), level=4, rater=services.Rater(phone="13900139001"))
    total = selectors.totals(scene.bureau_admin, period=MARCH)
    assert (total.reply_rate, total.visit_rate, total.rectify_rate) == (
        Decimal("75.00"),
        Decimal("75.00"),
        Decimal("66.67"),
    )


def test_figures_per_clerk_window_matter_centre_town_and_month(scene, march, django_assert_max_num_queries):
    admin, fd, bo, vc = scene.bureau_admin, scene.front_desk, scene.back_office, scene.village_clerk
    with django_assert_max_num_queries(3):
        by_clerk = rows(admin, "clerk")
    assert {k: (r.total, r.bad, r.satisfaction_rate) for k, r in by_clerk.items()} == {
        fd.pk: (4, 1, Decimal("75.00")),
        bo.pk: (4, 3, Decimal("25.00")),
        vc.pk: (1, 0, Decimal("100.00")),
    }
    assert by_clerk[fd.pk].levels == {1: 1, 2: 2, 3: 0, 4: 0, 5: 1} and by_clerk[fd.pk].label == str(fd)
    assert (by_clerk[fd.pk].pauses, by_clerk[fd.pk].pause_minutes) == (1, 15)
    assert (by_clerk[bo.pk].pauses, by_clerk[bo.pk].pause_minutes) == (2, 40)
    by_window = rows(admin, "window")
    assert {k: r.total for k, r in by_window.items()} == {
        scene.windows["minsheng"].pk: 4,
        scene.windows["jianshe"].pk: 4,
        march.pk: 1,
    }
    assert by_window[scene.windows["jianshe"].pk].pause_minutes == 40
    by_matter = rows(admin, "matter")
    assert {k: r.total for k, r in by_matter.items()} == {None: 8, scene.immediate.pk: 1}
    by_centre = rows(admin, "centre")
    assert {k: (r.total, r.bad) for k, r in by_centre.items()} == {
        scene.town.pk: (8, 4),
        scene.village.pk: (1, 0),
    }
    assert by_centre[scene.town.pk].pauses == 3
    by_town = rows(admin, "town")
    assert {k: (r.total, r.pauses, r.pause_minutes) for k, r in by_town.items()} == {
        scene.town.pk: (9, 3, 55)
    }
    year = {r.key: r.total for r in selectors.figures(admin, by="month", period=selectors.year_period(2026))}
    assert year == {dt.date(2026, 2, 1): 1, dt.date(2026, 3, 1): 9}


def test_figures_through_the_api_and_page_follow_access(scene, march, client):
    login(client, scene.director)
    data = client.get("/api/v1/reviews/figures?by=centre&month=2026-03").json()
    assert data["total"]["total"] == 9 and data["total"]["reply_rate"] == "100.00"
    login(client, scene.village_clerk)  # a village clerk: their own ratings only
    data = client.get("/api/v1/reviews/figures?by=clerk&month=2026-03").json()
    assert [(r["key"], r["total"]) for r in data["rows"]] == [(scene.village_clerk.pk, 1)]
    assert client.get(f"/api/v1/reviews/figures?centre_id={scene.town.pk}&month=2026-03").status_code == 404
    assert client.get("/api/v1/reviews/figures?by=colour").status_code == 400
    assert client.get("/api/v1/reviews/figures?month=March").status_code == 400
    login(client, scene.bureau_admin)
    page = client.get("/reviews/figures/?by=town&month=2026-03")
    assert page.status_code == 200 and "55.56%" in page.content.decode()
    assert client.get("/api/v1/reviews/figures?by=month&year=2026").json()["total"]["total"] == 10


def test_good_and_bad_rankings_for_the_bureau_only(scene, march, client):
    """STD-6 好评榜/差评榜."""
    result = selectors.rankings(scene.bureau_admin, by="clerk", period=MARCH, min_count=2)
    assert [r.key for r in result.good] == [scene.front_desk.pk, scene.back_office.pk]  # 冯村干 has 1 < 2
    assert [(r.key, r.bad) for r in result.bad] == [(scene.back_office.pk, 3), (scene.front_desk.pk, 1)]
    login(client, scene.inspector)
    data = client.get("/api/v1/reviews/rankings?by=centre&month=2026-03&min_count=1").json()
    assert [r["key"] for r in data["good"]] == [scene.village.pk, scene.town.pk]
    assert "好评榜" in client.get("/reviews/rankings/?by=window&month=2026-03&min=1").content.decode()
    login(client, scene.director)
    assert client.get("/api/v1/reviews/rankings").status_code == 403
    assert client.get("/reviews/rankings/").status_code == 403


def test_public_summary_shows_figures_and_no_personal_data(scene, march, client):
    """STD-6 publication: no names of clerks or raters, no free text, no case numbers, no phones."""
    page = client.get(f"/reviews/public/{scene.town.pk}/?month=2026-03")
    html = page.content.decode()
    assert page.status_code == 200 and "55.56%" in html and "1号窗口" in html
    for private in ("王晓燕", "张海峰", "冯村干", "13900139000", "139****9000", "张三", "措施或说明"):
        assert private not in html
    api = client.get(f"/api/v1/reviews/public/centres/{scene.town.pk}/summary?month=2026-03").json()
    assert api["total"]["total"] == 9 and len(api["windows"]) == 2
    assert "王晓燕" not in str(api) and "13900139000" not in str(api)
    assert client.get("/reviews/public/999999/").status_code == 404
