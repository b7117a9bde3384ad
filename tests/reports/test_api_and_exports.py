"""The city view's API (/api/v1/reports/) and XLSX downloads say the same as the dashboard (GOV-1, GOV-2)."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import load_workbook

from govhall.accounts.models import Role
from tests.cases.conftest import make_matter, receive
from tests.conftest import login
from tests.factories import UserFactory


def test_city_api_lists_the_city_towns_and_centres_with_definitions(client: Any, scene: Any) -> None:
    """GOV-1: {count, items}; the city row's 收件 is the dashboard's; every indicator has its definition."""
    scene.finished_case()
    scene.open_case()
    login(client, scene.bureau_admin)
    body = client.get("/api/v1/reports/city").json()
    assert body["count"] == len(body["items"]) == 1 + 1 + 3  # city, 吕四港镇, its centre and two villages
    city = body["items"][0]
    assert city["level"] == "city" and city["figures"]["cases_received"]["value"] == 2
    assert city["figures"]["immediate_share"] == {"value": 50.0, "numerator": 1, "denominator": 2}
    defs = client.get("/api/v1/reports/indicators").json()
    assert defs["count"] >= 17 and all(i["definition"] for i in defs["items"])


def test_city_api_refuses_a_bad_period_with_a_structured_error(client: Any, scene: Any) -> None:
    login(client, scene.bureau_admin)
    response = client.get("/api/v1/reports/city?date_from=2026-03-10&date_to=2026-03-01")
    assert response.status_code == 400
    assert response.json()["fields"] == {"to": "结束日期不能早于开始日期。"}


def test_front_desk_is_refused_the_city_api(client: Any, scene: Any) -> None:
    assert login(client, scene.front_desk).get("/api/v1/reports/city").status_code == 403


def test_department_api_lists_only_its_matters_cases(client: Any, scene: Any) -> None:
    """GOV-2: the 部门联络员's API lists its department's cases, where they wait and who holds them."""
    mine = scene.open_case()
    housing = make_matter(department=scene.other_department, name="农村住房建设审批", code="320681ZJ05001005")
    from govhall.catalog.models import CentreMatter

    CentreMatter.objects.create(centre=scene.town, matter=housing)
    receive(scene.flow, matter=housing)
    liaison = UserFactory(
        unit_kind="department", centre=None, department=scene.department, roles=[Role.DEPT_LIAISON]
    )
    body = login(client, liaison).get("/api/v1/reports/department/cases").json()
    assert [c["number"] for c in body["items"]] == [mine.number] and body["count"] == 1
    assert body["items"][0]["holder"] == "张海峰" and "审核" in body["items"][0]["waits_for"]


def test_dashboard_downloads_as_xlsx_with_its_filters_in_the_title(client: Any, scene: Any) -> None:
    """GOV-1: the table downloads with scope and period in its title and the same figures."""
    scene.finished_case()
    login(client, scene.bureau_admin)
    response = client.get(f"/reports/export.xlsx?town={scene.town.pk}&from=2026-03-10&to=2026-03-10")
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    assert ws["A1"].value == "启东市镇村政务服务统计 · 吕四港镇 · 2026年03月10日"
    header = [c.value for c in ws[2]]
    col = header.index("收件（件）")
    assert ws.cell(row=3, column=col + 1).value == 1
