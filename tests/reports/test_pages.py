"""The city dashboard, its drill-down and the department view (GOV-1, GOV-2, SCOPE-3)."""

from __future__ import annotations

import re
from typing import Any

from govhall.accounts.models import Role
from govhall.cases.models import Case
from tests.cases.conftest import make_matter, receive
from tests.conftest import login
from tests.factories import TownCentreFactory, UserFactory


def cell(html: str, code: str, level: str = "r-city") -> tuple[str, str]:
    """(href, number) of the figure `code` in the first row of class `level`."""
    row = re.search(rf'<tr class="{level}"[^>]*>(.*?)</tr>', html, re.S).group(1)
    m = re.search(rf'data-indicator="{code}"><a href="([^"]*)">([^<]*)</a>', row)
    return (m.group(1).replace("&amp;", "&"), m.group(2)) if m else ("", "—")


def fold_url(html: str, town: Any) -> str:
    """The address the town's fold fetches its villages from."""
    body = re.search(rf'<tbody class="r-town" data-town="{town.pk}">(.*?)</tbody>', html, re.S).group(1)
    return re.search(r'hx-get="([^"]*)"', body).group(1).replace("&amp;", "&")


def test_bureau_admin_sees_the_city_with_each_town_and_its_villages(client: Any, scene: Any) -> None:
    """GOV-1: the city total on top, 吕四港镇 as a row; its villages come when the town is unfolded (the
    fold fetches that town's rows), not with the first page."""
    scene.finished_case()
    html = login(client, scene.bureau_admin).get("/reports/").content.decode()
    assert "全市合计" in html and "吕四港镇" in html
    assert scene.village.name not in html and 'class="r-member' not in html
    assert cell(html, "cases_received")[1] == "1"
    assert cell(html, "cases_received", "r-town-row")[1] == "1"
    rows = client.get(fold_url(html, scene.town)).content.decode()
    assert scene.village.name in rows and scene.town.name in rows
    assert cell(rows, "cases_received", "r-member r-centre")[1] == "1"
    assert cell(rows, "cases_received", "r-member r-village")[1] == "0"


def test_the_first_page_asks_the_same_queries_however_many_villages(client: Any, scene: Any) -> None:
    """GOV-1: the first load's query count does not grow with the villages (they are not on it)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import VillageCentreFactory

    login(client, scene.bureau_admin).get("/reports/")  # today's roll-up built

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/reports/").status_code == 200
        return len(ctx.captured_queries)

    before = queries()
    VillageCentreFactory.create_batch(5, parent=scene.town)
    other = TownCentreFactory(division__name="汇龙镇")
    VillageCentreFactory.create_batch(5, parent=other)
    assert queries() == before <= 20


def test_the_live_refresh_keeps_the_unfolded_towns_villages(client: Any, scene: Any) -> None:
    """GOV-1 (live): the table the page fetches after an event has the villages of the towns unfolded on
    the page, and only theirs."""
    other = TownCentreFactory(division__name="汇龙镇")
    from tests.factories import VillageCentreFactory

    far = VillageCentreFactory(parent=other)
    login(client, scene.bureau_admin)
    html = client.get(f"/reports/figures/?open={scene.town.pk}").content.decode()
    assert scene.village.name in html and far.name not in html
    assert "汇龙镇" in html


def test_drilling_from_the_city_total_lists_the_same_cases(client: Any, scene: Any) -> None:
    """GOV-1: every number links to the list that makes it; the city's 收件 lists exactly those cases."""
    scene.finished_case()
    scene.open_case()
    login(client, scene.bureau_admin)
    href, number = cell(client.get("/reports/").content.decode(), "cases_received")
    listing = client.get("/reports/" + href).content.decode()
    assert number == "2"
    assert "共 2 件" in listing
    assert listing.count("/cases/") >= 2 and "最低生活保障申请" in listing


def test_a_director_sees_their_town_only(client: Any, scene: Any) -> None:
    """GOV-1: a 中心主任 sees their town with its villages; another town is not found."""
    other = TownCentreFactory(division__name="汇龙镇")
    html = login(client, scene.director).get("/reports/").content.decode()
    assert "吕四港镇" in html and "汇龙镇" not in html
    assert scene.village.name in html  # one town: unfolded from the start
    assert client.get(f"/reports/?town={other.pk}").status_code == 404
    assert client.get(f"/reports/town/?town={other.pk}").status_code == 404
    assert scene.village.name in client.get(f"/reports/town/?town={scene.town.pk}").content.decode()
    other_director = UserFactory(centre=other, roles=[Role.DIRECTOR])
    assert login(client, other_director).get(f"/reports/?centre={scene.town.pk}").status_code == 404


def test_front_line_staff_and_departments_are_refused_the_dashboard(client: Any, scene: Any) -> None:
    assert login(client, scene.front_desk).get("/reports/").status_code == 403


def test_a_bad_period_says_so_in_chinese(client: Any, scene: Any) -> None:
    response = login(client, scene.bureau_admin).get("/reports/?from=2026-13-01&to=x")
    assert response.status_code == 200
    assert "日期格式应为" in response.content.decode()


def test_the_figures_fragment_recomputes_the_changed_centre(client: Any, scene: Any) -> None:
    """GOV-1 (live): after an event, the page asks for the table with the centre that changed."""
    from govhall.queueing import services as queue

    login(client, scene.bureau_admin)
    assert cell(client.get("/reports/").content.decode(), "tickets_waiting")[1] == "0"
    queue.ticket_issue(centre=scene.town, group="minsheng")
    html = client.get(f"/reports/figures/?changed={scene.town.pk}").content.decode()
    assert cell(html, "tickets_waiting")[1] == "1"


def liaison(scene: Any, department: Any) -> Any:
    return UserFactory(unit_kind="department", centre=None, department=department, roles=[Role.DEPT_LIAISON])


def test_department_view_shows_its_matters_cases_and_nothing_else(client: Any, scene: Any) -> None:
    """GOV-2: a 部门联络员 sees every case of its department's matters, where it waits and who holds it;
    another department's case is not listed, and its page is not found (404)."""
    mine = scene.open_case()
    housing = make_matter(department=scene.other_department, name="农村住房建设审批", code="320681ZJ05001005")
    from govhall.catalog.models import CentreMatter

    CentreMatter.objects.create(centre=scene.town, matter=housing)
    theirs = receive(scene.flow, matter=housing)
    login(client, liaison(scene, scene.department))
    html = client.get("/reports/department/").content.decode()
    assert mine.number in html and theirs.number not in html
    assert "审核" in html  # where it waits: the step and its holder
    assert client.get(f"/cases/{mine.pk}/").status_code == 200
    assert client.get(f"/cases/{theirs.pk}/").status_code == 404
    assert client.get("/reports/").status_code == 403


def test_department_view_lists_overdue_cases_and_coverage(client: Any, scene: Any, clock: Any) -> None:
    """GOV-2 / SCOPE-3: the overdue list holds the department's red cases; 应进必进 counts its matters per
    town hall."""
    import datetime as dt

    case = scene.open_case()
    case.refresh_from_db()
    clock.move_to(case.due_at + dt.timedelta(hours=1))
    html = login(client, liaison(scene, scene.department)).get("/reports/department/").content.decode()
    overdue = html.split("超期办件")[1].split("本部门事项办件")[0]
    assert case.number in overdue and "共 1 件" in overdue
    assert scene.town.name in html.split("应进必进（本部门事项")[1]
    assert Case.objects.filter(department=scene.department).count() == 1


def test_trends_rank_the_towns_and_chart_the_months_days(client: Any, scene: Any) -> None:
    """GOV-1: the month's daily curve and the towns ranked by each indicator with the change."""
    import json

    scene.finished_case()
    login(client, scene.bureau_admin).get("/reports/")  # today's figures recorded
    response = client.get("/reports/trends/?month=2026-03")
    html = response.content.decode()
    data = json.loads(
        re.search(r'<script id="trend-data" type="application/json">(.*?)</script>', html, re.S).group(1)
    )
    assert data["month"]["labels"][9] == "03-10" and data["month"]["cases_received"][9] == 1
    assert (
        data["year"]["labels"] == ["2026-01", "2026-02", "2026-03"] and data["year"]["cases_finished"][2] == 1
    )
    assert "各镇收件" in html and "吕四港镇" in html
    assert "月份格式" in client.get("/reports/trends/?month=March").content.decode()


def test_gov1_a_directors_live_stream_listens_only_to_his_centres():
    """GOV-1: the bureau's dashboard follows every centre; a director's only his town and its villages."""
    from govhall.reports import live

    assert live.topics_for(None) == live.TOPICS
    topics = live.topics_for([12, 34])
    assert topics == [
        "queueing.centre.12.*",
        "queueing.centre.34.*",
        "cases.centre.12.*",
        "cases.centre.34.*",
        "reviews.centre.12.*",
        "reviews.centre.34.*",
    ]
    assert live.topics_for([]) == ["reports.none"]
