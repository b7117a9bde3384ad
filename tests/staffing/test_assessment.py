"""STD-7 考核: a monthly score from bureau-weighted indicators computed from the records, manual items with
a reason, an explainable breakdown, rankings, xlsx export, and the indicator registry other apps plug into."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from openpyxl import load_workbook

from govhall.accounts.models import Role
from govhall.core.errors import Forbidden, ServiceError
from govhall.staffing.indicators import IndicatorResult, register_indicator, unregister_indicator
from govhall.staffing.models import (
    AssessmentResult,
    Attendance,
    Enquiry,
    EnquiryStatus,
    Leave,
    LeaveKind,
    LeaveStatus,
    ManualItemKind,
)
from govhall.staffing.selectors import centre_ranking, staff_ranking
from govhall.staffing.services import (
    assessment_compute,
    assessment_item_add,
    assessment_scheme_create,
    working_days_in,
)
from tests.conftest import login
from tests.factories import UserFactory
from tests.staffing.conftest import local

MARCH = dt.date(2026, 3, 1)
AFTER_MARCH = local(2026, 4, 5, 10, 0)


def _march_working_days() -> list[dt.date]:
    return working_days_in([MARCH + dt.timedelta(days=i) for i in range(31)])


def _sign_in(user, day, hh, mm):
    Attendance.objects.create(
        staff=user, centre=user.centre, date=day, sign_in_at=local(day.year, day.month, day.day, hh, mm)
    )


def _leave(user, kind, day):
    Leave.objects.create(
        staff=user,
        centre=user.centre,
        kind=kind,
        reason="按计划",
        status=LeaveStatus.APPROVED,
        start_at=local(day.year, day.month, day.day, 0, 0),
        end_at=local(day.year, day.month, day.day, 0, 0) + dt.timedelta(days=1),
    )


def _enquiry(user, status, when):
    e = Enquiry.objects.create(
        centre=user.centre, first_staff=user, question="咨询低保申请条件", status=status
    )
    Enquiry.objects.filter(pk=e.pk).update(created_at=when)


@pytest.fixture
def march(hall):
    """张海峰 (X): 18 sign-ins (3 late), 1 day 公出, 2 days 年休假, 1 day absent; 8 enquiries, 7 handled.
    李秀梅 (Y): 21 on-time sign-ins, 1 day 事假; no enquiries."""
    x = hall.back_office
    y = UserFactory(centre=hall.town, roles=[Role.BACK_OFFICE], full_name="李秀梅", staff_no="T99999")
    for u in (x, y):
        u.date_joined = local(2025, 1, 1, 9, 0)
        u.save(update_fields=["date_joined"])
    days = _march_working_days()
    assert len(days) == 22
    for i, day in enumerate(days[:18]):
        _sign_in(x, day, 9, 5) if i < 3 else _sign_in(x, day, 8, 30)
    _leave(x, LeaveKind.BUSINESS, days[18])
    _leave(x, LeaveKind.ANNUAL, days[19])
    _leave(x, LeaveKind.ANNUAL, days[20])
    # days[21]: absent without leave
    for day in days[:21]:
        _sign_in(y, day, 8, 40)
    _leave(y, LeaveKind.PERSONAL, days[21])
    for status in [EnquiryStatus.ANSWERED] * 6 + [EnquiryStatus.HANDED_OVER, EnquiryStatus.OPEN]:
        _enquiry(x, status, local(2026, 3, 10, 10, 0))
    _enquiry(x, EnquiryStatus.OPEN, local(2026, 4, 1, 10, 0))  # April: not counted
    _enquiry(hall.front_desk, EnquiryStatus.OPEN, local(2026, 3, 10, 10, 0))  # someone else's
    scheme = assessment_scheme_create(
        name="2026年镇村服务中心工作人员月度考核",
        actor=hall.bureau_admin,
        indicators=[("attendance", 50), ("punctuality", 20), ("enquiry_handling", 30)],
    )
    return x, y, scheme


def _add_items(hall, x):
    common = {"staff": x, "month": MARCH, "decided_on": dt.date(2026, 3, 31), "actor": hall.inspector}
    assessment_item_add(
        kind=ManualItemKind.REWARD,
        points=3,
        what="市级优秀窗口工作人员",
        reason="群众来信表扬",
        decided_by="市行政审批局",
        **common,
    )
    assessment_item_add(
        kind=ManualItemKind.ACCOUNTABILITY,
        points="-1.5",
        what="窗口脱岗20分钟",
        reason="3月12日暗访发现",
        decided_by="市行政审批局考核组",
        **common,
    )
    assessment_item_add(
        kind=ManualItemKind.UNIFORM,
        points="-0.5",
        what="未佩戴工牌",
        reason="3月18日着装检查",
        decided_by="中心主任陈主任",
        **common,
    )


@pytest.mark.django_db
@time_machine.travel(AFTER_MARCH, tick=False)
def test_std7_monthly_assessment_on_a_fixture_gives_the_exact_expected_score(hall, march):
    x, y, scheme = march
    _add_items(hall, x)
    assessment_compute(scheme=scheme, month=MARCH, actor=hall.inspector, centres=[hall.town])
    rx = AssessmentResult.objects.get(staff=x, month=MARCH)
    lines = {line["code"]: line for line in rx.breakdown["indicators"]}
    assert lines["attendance"]["score"] == "95.00"  # (18 + 1 公出) / (22 − 2 年休假)
    assert lines["attendance"]["value"] == "出勤 19 / 应出勤 20 天，准假 2 天"
    assert lines["punctuality"]["score"] == "83.33"  # 15 / 18
    assert lines["enquiry_handling"]["score"] == "87.50"  # 7 / 8
    # (50×95 + 20×83.33 + 30×87.5) / 100 = 90.416 → 90.42; manual +3 −1.5 −0.5 = +1
    assert (rx.indicator_score, rx.manual_points, rx.total) == (
        Decimal("90.42"),
        Decimal("1.00"),
        Decimal("91.42"),
    )
    assert [m["what"] for m in rx.breakdown["manual"]] == [
        "市级优秀窗口工作人员",
        "窗口脱岗20分钟",
        "未佩戴工牌",
    ]

    ry = AssessmentResult.objects.get(staff=y, month=MARCH)
    ly = {line["code"]: line for line in ry.breakdown["indicators"]}
    assert ly["attendance"]["score"] == "95.45"  # 21 / 22 (事假 counts as absence)
    assert ly["enquiry_handling"]["score"] is None  # no enquiries: not applicable, weight left out
    # (50×95.45 + 20×100) / 70 = 96.75
    assert (ry.indicator_score, ry.total, ry.breakdown["weight_applied"]) == (
        Decimal("96.75"),
        Decimal("96.75"),
        "70.00",
    )
    # staff who joined after March are not assessed for March
    assert not AssessmentResult.objects.filter(staff=hall.front_desk).exists()


@pytest.mark.django_db
@time_machine.travel(AFTER_MARCH, tick=False)
def test_std7_manual_item_added_after_computing_recomputes_that_staff_member(hall, march):
    x, _y, scheme = march
    assessment_compute(scheme=scheme, month=MARCH, actor=hall.inspector, centres=[hall.town])
    assert AssessmentResult.objects.get(staff=x).total == Decimal("90.42")
    _add_items(hall, x)
    assert AssessmentResult.objects.get(staff=x).total == Decimal("91.42")


@pytest.mark.django_db
@time_machine.travel(AFTER_MARCH, tick=False)
def test_std7_rankings_monthly_and_yearly_staff_and_centre(hall, march):
    x, _y, scheme = march
    _add_items(hall, x)
    assessment_compute(scheme=scheme, month=MARCH, actor=hall.inspector, centres=[hall.town])
    rows = staff_ranking(hall.bureau_admin, scheme=scheme, year=2026, month=3)
    assert [(r.rank, r.label, r.score) for r in rows] == [
        (1, "李秀梅", Decimal("96.75")),
        (2, "张海峰", Decimal("91.42")),
    ]
    yearly = staff_ranking(hall.bureau_admin, scheme=scheme, year=2026)
    assert [(r.label, r.count) for r in yearly] == [("李秀梅", 1), ("张海峰", 1)]
    centres = centre_ranking(hall.bureau_admin, scheme=scheme, year=2026, month=3)
    assert [(r.label, r.score, r.count) for r in centres] == [
        (hall.town.name, Decimal("94.09"), 2)
    ]  # (96.75+91.42)/2
    # a staff member sees only their own result
    assert [r.label for r in staff_ranking(x, scheme=scheme, year=2026, month=3)] == ["张海峰"]


@pytest.mark.django_db
@time_machine.travel(AFTER_MARCH, tick=False)
def test_std7_score_page_explains_each_indicator_and_export_is_xlsx(client, hall, march):
    x, _y, scheme = march
    _add_items(hall, x)
    assessment_compute(scheme=scheme, month=MARCH, actor=hall.inspector, centres=[hall.town])
    result = AssessmentResult.objects.get(staff=x)
    login(client, x)
    page = client.get(f"/staffing/assessment/results/{result.pk}/").content.decode()
    for text in (
        "91.42",
        "出勤率",
        "出勤 19 / 应出勤 20 天",
        "83.33",
        "准时签到率",
        "首问办结率",
        "87.50",
        "窗口脱岗20分钟",
        "3月12日暗访发现",
        "市行政审批局考核组",
        "-1.50",
    ):
        assert text in page
    api = client.get(f"/api/v1/staffing/assessment/results/{result.pk}").json()
    assert api["total"] == "91.42" and api["indicators"][0]["weight"] == "50.00"
    login(client, hall.bureau_admin)
    response = client.get(f"/staffing/assessment/export.xlsx?scheme={scheme.pk}&month=2026-03")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content))["人员排名"]
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert rows[0][2] == "李秀梅" and rows[1][2] == "张海峰" and rows[1][-1] == 91.42


@pytest.mark.django_db
def test_std7_other_staff_cannot_see_a_colleagues_score(client, hall, march):
    x, _y, scheme = march
    with time_machine.travel(AFTER_MARCH, tick=False):
        assessment_compute(scheme=scheme, month=MARCH, actor=hall.inspector, centres=[hall.town])
    result = AssessmentResult.objects.get(staff=x)
    for user in (hall.front_desk, hall.village_clerk):
        login(client, user)
        assert client.get(f"/staffing/assessment/results/{result.pk}/").status_code == 404
        assert client.get(f"/api/v1/staffing/assessment/results/{result.pk}").status_code == 404
    login(client, hall.director)
    assert client.get(f"/staffing/assessment/results/{result.pk}/").status_code == 200


@pytest.mark.django_db
@time_machine.travel(AFTER_MARCH, tick=False)
def test_std7_other_apps_plug_indicators_into_the_registry(hall, march):
    x, y, _scheme = march

    def volume(ctx):
        assert ctx.month == MARCH and ctx.staff_ids
        return {x.pk: IndicatorResult(Decimal("60"), "办件 30 件")}

    register_indicator("test_volume", "办件量", volume)
    try:
        scheme = assessment_scheme_create(
            name="含办件量", actor=hall.bureau_admin, indicators=[("attendance", 50), ("test_volume", 50)]
        )
        assessment_compute(scheme=scheme, month=MARCH, actor=hall.bureau_admin, centres=[hall.town])
        assert AssessmentResult.objects.get(scheme=scheme, staff=x).total == Decimal("77.50")  # (95+60)/2
        assert AssessmentResult.objects.get(scheme=scheme, staff=y).total == Decimal("95.45")  # volume n/a
    finally:
        unregister_indicator("test_volume")


@pytest.mark.django_db
def test_std7_scheme_and_manual_items_refuse_bad_input_and_wrong_roles(hall):
    with pytest.raises(ServiceError, match="权重之和应为100，当前为90"):
        assessment_scheme_create(
            name="错", actor=hall.bureau_admin, indicators=[("attendance", 60), ("punctuality", 30)]
        )
    with pytest.raises(ServiceError, match="未注册"):
        assessment_scheme_create(name="错", actor=hall.bureau_admin, indicators=[("no_such", 100)])
    with pytest.raises(Forbidden):
        assessment_scheme_create(name="主任自定", actor=hall.director, indicators=[("attendance", 100)])
    common = {
        "staff": hall.front_desk,
        "month": MARCH,
        "what": "x",
        "decided_by": "局",
        "decided_on": MARCH,
        "actor": hall.bureau_admin,
    }
    with pytest.raises(ServiceError, match="问责应为扣分"):
        assessment_item_add(kind=ManualItemKind.ACCOUNTABILITY, points=2, reason="r", **common)
    with pytest.raises(ServiceError, match="请填写理由"):
        assessment_item_add(kind=ManualItemKind.REWARD, points=2, reason=" ", **common)
    with pytest.raises(Forbidden):
        assessment_item_add(
            kind=ManualItemKind.REWARD, points=2, reason="r", **{**common, "actor": hall.director}
        )
    from govhall.staffing.models import AssessmentItem, AssessmentScheme

    assert not AssessmentScheme.objects.exists() and not AssessmentItem.objects.exists()


@pytest.mark.django_db
def test_std7_only_the_bureau_computes_and_records_items_on_the_pages(client, hall):
    login(client, hall.director)
    assert client.get("/staffing/assessment/items/").status_code == 403
    assert client.get("/staffing/assessment/schemes/").status_code == 403
    login(client, hall.bureau_admin)
    response = client.post(
        "/staffing/assessment/schemes/",
        {"name": "页面方案", "scope": "all", "w_attendance": "70", "w_punctuality": "30"},
    )
    assert response.status_code == 302
    from govhall.staffing.models import AssessmentScheme

    assert AssessmentScheme.objects.get(is_active=True).indicators.count() == 2
    response = client.post(
        "/staffing/assessment/schemes/", {"name": "坏方案", "scope": "all", "w_attendance": "70"}
    )
    assert "权重之和应为100" in response.content.decode()
    assert AssessmentScheme.objects.count() == 1
