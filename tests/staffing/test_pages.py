"""Every staffing page renders for the roles that use it (STD-1, STD-4, STD-7) and the assessment page
computes for the bureau only."""

from __future__ import annotations

import pytest
from django.utils import timezone

from govhall.staffing.models import AssessmentResult
from govhall.staffing.services import assessment_scheme_create
from tests.conftest import login
from tests.staffing.conftest import local

PAGES = [
    "/staffing/",
    "/staffing/enquiries/",
    "/staffing/enquiries/new/",
    "/staffing/attendance/",
    "/staffing/leaves/",
    "/staffing/roster/",
    "/staffing/assessment/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["director", "front_desk", "village_clerk"])
def test_std7_workbench_pages_render_for_centre_staff(client, hall, post, who):
    login(client, getattr(hall, who))
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "人员管理" in response.content.decode()


@pytest.mark.django_db
def test_std7_bureau_assessment_pages_and_compute(client, hall):
    scheme = assessment_scheme_create(
        name="测试方案", actor=hall.bureau_admin, indicators=[("attendance", 60), ("punctuality", 40)]
    )
    login(client, hall.bureau_admin)
    for url in (
        "/staffing/assessment/",
        "/staffing/assessment/items/",
        "/staffing/assessment/schemes/",
        "/staffing/assessment/?year=2026&month=",
    ):
        assert client.get(url).status_code == 200, url
    this_month = timezone.localdate().replace(day=1)
    hall.front_desk.date_joined = local(2025, 1, 1, 9, 0)
    hall.front_desk.save(update_fields=["date_joined"])
    response = client.post("/staffing/assessment/", {"scheme": scheme.pk, "month": f"{this_month:%Y-%m}"})
    assert response.status_code == 302 and response["Location"].endswith(f"month={this_month:%Y-%m}")
    assert AssessmentResult.objects.filter(scheme=scheme, month=this_month, staff=hall.front_desk).exists()
    assert "王晓燕" in client.get(response["Location"]).content.decode()  # the ranking lists them
    login(client, hall.director)
    assert (
        client.post(
            "/staffing/assessment/", {"scheme": scheme.pk, "month": f"{this_month:%Y-%m}"}
        ).status_code
        == 403
    )


@pytest.mark.django_db
def test_std7_manual_item_page_records_with_reason(client, hall):
    login(client, hall.inspector)
    data = {
        "staff_no": hall.front_desk.staff_no,
        "month": "2026-03",
        "kind": "accountability",
        "points": "-2",
        "what": "群众投诉态度生硬",
        "reason": "经核实属实",
        "decided_by": "市行政审批局",
        "decided_on": "2026-03-20",
    }
    assert client.post("/staffing/assessment/items/", data).status_code == 302
    from govhall.staffing.models import AssessmentItem

    item = AssessmentItem.objects.get()
    assert (item.staff, item.points, item.recorded_by) == (hall.front_desk, -2, hall.inspector)
    response = client.post("/staffing/assessment/items/", {**data, "points": "3"})
    assert "问责应为扣分" in response.content.decode()
    assert AssessmentItem.objects.count() == 1
