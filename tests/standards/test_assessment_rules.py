"""The notice's rules, checked end to end: org data + a finished survey → an assessment (SITE-1..7)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from govhall.accounts.models import Role
from govhall.core import calendar
from govhall.core.audit import AuditEntry
from govhall.core.calendar import year_is_known
from govhall.core.holiday_notice import parse_notice
from govhall.core.services import calendar_year_import
from govhall.orgs.models import WindowClass
from govhall.standards.models import ItemStatus
from govhall.standards.services import assessment_run
from tests.factories import UserFactory
from tests.standards.builders import (
    add_window,
    assess,
    compliant_town,
    compliant_village,
    finished_survey,
    result,
)

pytestmark = pytest.mark.django_db


def test_compliant_first_class_town_passes_every_rule_with_full_score(inspector):
    """SITE-1..7: a town that meets every rule gets 100 and 优秀, and nothing to rectify."""
    town = compliant_town(1)
    assessment = assess(town, inspector)
    failed = [(r.code, r.measured_text) for r in assessment.results.filter(passed=False, is_bonus=False)]
    assert failed == []
    assert assessment.score == Decimal("100.0")
    assert assessment.grade == "优秀"
    assert assessment.level == "town1"
    assert assessment.items.count() == 0


def test_third_class_town_with_480_square_metres_fails_hall_area(inspector):
    """SITE-1: 三类 towns need ≥500 m²; 480 m² fails, with the measured value and the threshold shown."""
    town = compliant_town(3)
    assessment = assess(town, inspector, hall_area=480)
    area = result(assessment, "SITE-1.3")
    assert area.passed is False
    assert area.measured_text == "480 m²"
    assert area.threshold_text == "≥ 500 m²"
    assert not assessment.results.filter(code__in=["SITE-1.1", "SITE-1.2"]).exists()
    assert assessment.items.filter(code="SITE-1.3").exists()


def test_third_class_town_with_520_square_metres_passes_hall_area(inspector):
    """SITE-1: 520 m² is enough for a 三类 town."""
    assessment = assess(compliant_town(3), inspector, hall_area=520)
    assert result(assessment, "SITE-1.3").passed is True


def test_first_class_town_with_1200_square_metres_fails_hall_area(inspector):
    """SITE-1: a 一类 town needs 1500 m²; 1200 m² fails (and would have passed a 二类 town)."""
    assessment = assess(compliant_town(1), inspector, hall_area=1200)
    assert result(assessment, "SITE-1.1").passed is False
    second = assess(compliant_town(2), inspector, hall_area=1200)
    assert result(second, "SITE-1.2").passed is True


def test_village_needs_100_square_metres_and_an_office_room(inspector):
    """SITE-1: village ≥100 m² and at least one office room."""
    assessment = assess(compliant_village(), inspector, hall_area=90, office_rooms=0)
    assert assessment.level == "village"
    assert result(assessment, "SITE-1.4").passed is False
    assert result(assessment, "SITE-1.5").passed is False
    assert result(assess(compliant_village(), inspector, hall_area=100), "SITE-1.4").passed is True


def test_town_with_nine_windows_fails_and_passes_after_a_window_is_added_without_a_new_survey(inspector):
    """SITE-5: ≥10 windows per town hall, counted from the organisation data. Adding a window and re-assessing
    (same survey) makes the rule pass and settles its rectification item."""
    town = compliant_town(3, windows=9, auxiliary=20)
    first = assess(town, inspector)
    count_rule = result(first, "SITE-5.1")
    assert (count_rule.passed, count_rule.measured_text) == (False, "9 个")
    item = first.items.get(code="SITE-5.1")
    assert item.status == ItemStatus.OPEN

    add_window(town, 10, WindowClass.QITA)
    second = assessment_run(centre=town, actor=inspector)
    assert second.survey_id == first.survey_id
    assert second.previous_id == first.pk and second.sequence == 2
    now = result(second, "SITE-5.1")
    assert (now.passed, now.measured_text, now.change) == (True, "10 个", "fixed")
    assert second.org_values["windows_total"] == 10
    assert first.org_values["windows_total"] == 9  # the old scorecard keeps what it measured
    item.refresh_from_db()
    assert item.status == ItemStatus.VERIFIED and item.settled_by == second
    assert second.score > first.score


def test_town_lacking_comprehensive_or_professional_windows_fails_those_rules(inspector):
    """SITE-5: each comprehensive class and each professional window (公安/税务/人社/医保/公积金/市管)."""
    town = compliant_town(3)
    town.windows.filter(window_class=WindowClass.SHIZHENG).update(is_active=False)
    town.windows.filter(department__code="YB").update(is_active=False)
    assessment = assess(town, inspector)
    failed = set(assessment.results.filter(passed=False).values_list("code", flat=True))
    assert {"SITE-5.4", "SITE-5.9"} <= failed
    assert result(assessment, "SITE-5.2").passed is True


def test_second_class_town_needs_same_city_exit_entry_tax_and_fund_windows(inspector):
    """SITE-5: 一类/二类 towns add 出入境, 税务, 公积金 windows serving the whole city (同城通办)."""
    town = compliant_town(2)
    town.windows.filter(name="出入境窗口").update(same_city=False)
    town.windows.filter(department__code="GJJ").update(same_city=False)
    assessment = assess(town, inspector)
    assert result(assessment, "SITE-5.12").passed is False
    assert result(assessment, "SITE-5.13").passed is True
    assert result(assessment, "SITE-5.14").passed is False
    third = assess(compliant_town(3), inspector)
    assert not third.results.filter(code__in=["SITE-5.12", "SITE-5.13", "SITE-5.14"]).exists()


def test_village_with_two_general_windows_fails_and_three_pass(inspector):
    """SITE-5: villages ≥3 全科窗口."""
    two = assess(compliant_village(quanke=2), inspector)
    assert (result(two, "SITE-5.15").passed, result(two, "SITE-5.15").measured_text) == (False, "2 个")
    assert result(assess(compliant_village(quanke=3), inspector), "SITE-5.15").passed is True


def test_staff_ratio_below_one_to_two_fails(inspector):
    """SITE-6: auxiliary staff at least twice the window count: 19 for 10 windows fails, 20 passes."""
    low = assess(compliant_town(3, auxiliary=19), inspector)
    ratio = result(low, "SITE-6.1")
    assert ratio.passed is False
    assert ratio.measured_text == "1.9（19 人 ÷ 10 个）"
    assert ratio.threshold_text == "辅助人员 ÷ 窗口总数 ≥ 2"
    assert result(assess(compliant_town(3, auxiliary=20), inspector), "SITE-6.1").passed is True


def test_inactive_auxiliary_staff_do_not_count(inspector):
    """SITE-6: only active staff count toward the ratio."""
    town = compliant_town(3)
    town.staff.filter(pk=town.staff.filter(is_auxiliary=True).first().pk).update(is_active=False)
    assert result(assess(town, inspector), "SITE-6.1").passed is False


def test_town_without_an_agent_fails_the_agent_rule(inspector):
    """SITE-6: a designated agent (代办员) is read from the staff roles."""
    town = compliant_town(3, agent=False)
    assert result(assess(town, inspector), "SITE-6.2").passed is False
    UserFactory(centre=town, roles=[Role.AGENT, Role.FRONT_DESK])
    assert result(assessment_run(centre=town, actor=inspector), "SITE-6.2").passed is True


def test_centre_name_not_matching_the_naming_rule_fails(inspector):
    """SITE-2: the centre's name must equal the derived name."""
    town = compliant_town(3, name="海复镇")
    assert result(assess(town, inspector), "SITE-2.1").passed is True
    town.name = "海复镇便民服务大厅"
    town.save()
    naming = result(assessment_run(centre=town, actor=inspector), "SITE-2.1")
    assert naming.passed is False
    assert "启东市海复镇为民服务中心" in naming.measured_text


def test_counter_outside_80_to_90_cm_fails(inspector):
    """SITE-4: counters 80–90 cm high and 70–80 cm wide."""
    assessment = assess(compliant_town(3), inspector, counter_height=95, counter_width=70)
    height = result(assessment, "SITE-4.1")
    assert (height.passed, height.threshold_text) == (False, "80–90 cm")
    assert result(assessment, "SITE-4.2").passed is True


def test_missing_emergency_exit_is_a_safety_failure_listed_first(inspector):
    """SITE-7: fire equipment, emergency exits and lighting are safety items: a missing exit is flagged as a
    safety failure, vetoes the grade and comes first in the results and the rectification list."""
    assessment = assess(compliant_town(3), inspector, emergency_exit=False, zone_bidding=False)
    exit_result = result(assessment, "SITE-7.13")
    assert exit_result.passed is False and exit_result.is_safety is True
    assert assessment.safety_failed_count == 1
    assert assessment.score > 90  # the points alone would make it 优秀 …
    assert assessment.grade == "不合格"  # … but a safety failure vetoes the grade
    assert assessment.results.first().is_safety
    items = list(assessment.items.order_by("-is_safety", "result__order"))
    assert [i.code for i in items] == ["SITE-7.13", "SITE-3.6"]
    assert items[0].is_safety


def test_bonus_items_add_points_and_their_absence_is_not_a_failure(inspector):
    """SITE-3/SITE-7: the 24-hour area and the mother-and-baby room are bonus items."""
    assessment = assess(
        compliant_town(3), inspector, zone_24h=False, mother_baby_room=False, zone_bidding=False
    )
    assert not assessment.items.filter(code__in=["SITE-3.8", "SITE-7.11"]).exists()
    assert assessment.bonus_score == 0
    with_bonus = assess(compliant_town(3), inspector, zone_bidding=False)
    assert with_bonus.bonus_score == Decimal("4.0")
    assert with_bonus.score == min(Decimal(100), with_bonus.base_score + 4)


def test_rectification_items_get_a_due_date_in_working_days_and_the_director_as_owner(
    inspector, time_machine
):
    """SITE-8: each failed rule becomes an item with a due date (20 working days) and an owner."""
    time_machine.move_to("2025-09-26 10:00 +08:00")  # National Day holidays follow
    town = compliant_town(3)
    director = UserFactory(centre=town, roles=[Role.DIRECTOR])
    assessment = assess(town, inspector, hall_area=400)
    item = assessment.items.get()
    assert item.owner == director
    # 20 working days after Fri 26 Sept 2025: the make-up Sunday 28 Sept counts, 1–8 Oct are holidays,
    # the make-up Saturday 11 Oct counts.
    assert str(item.due_date) == "2025-10-30"


def test_unresolved_item_is_carried_into_the_next_assessment_with_its_due_date(inspector):
    """SITE-8: a re-assessment that still finds the failure keeps the original deadline."""
    town = compliant_town(3, agent=False)
    first = assess(town, inspector)
    old = first.items.get(code="SITE-6.2")
    second = assessment_run(centre=town, actor=inspector)
    new = second.items.get(code="SITE-6.2")
    old.refresh_from_db()
    assert old.status == ItemStatus.UNRESOLVED and old.settled_by == second
    assert new.carried_from == old and new.due_date == old.due_date
    assert result(second, "SITE-6.2").change == "same"


def test_assessment_in_december_runs_with_provisional_rectification_dates(inspector, time_machine):
    """SITE-8, STD-3: a rectification deadline that crosses into a year whose holidays nobody entered is
    not refused: the assessment is saved, each item's due date is marked provisional (暂定) for 2027, and
    importing 2027 recomputes it exactly (audited)."""
    town = compliant_town(3)
    time_machine.move_to("2026-12-20 10:00 +08:00")
    calendar.clear_cache()
    assert not year_is_known(2027)
    finished_survey(town, inspector, hall_area=400)
    assessment = assessment_run(centre=town, actor=inspector)
    item = assessment.items.get()
    days = assessment.rule_set.rectify_working_days
    expected = calendar.deadline(dt.datetime(2026, 12, 20, 10, tzinfo=ZoneInfo("Asia/Shanghai")), days)
    assert item.due_waits_for == 2027 and item.due_date == expected.at.date()
    assert item.due_date.year == 2027
    # The printed scorecard marks the date 暂定 and says when it will be fixed (PDF and DOCX).
    import io

    from docx import Document
    from pypdf import PdfReader

    from govhall.standards.exports import scorecard_docx, scorecard_pdf
    from govhall.standards.selectors import scorecard

    note = "2027年节假日安排公布后将重新核定，以重新核定的期限为准"
    card = scorecard(assessment)
    pdf_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(scorecard_pdf(card))).pages).replace(
        "\n", ""
    )
    assert f"{item.due_date.isoformat()}（暂定）" in pdf_text and note in pdf_text
    document = Document(io.BytesIO(scorecard_docx(card)))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    assert f"{item.due_date.isoformat()}（暂定）" in cells
    assert any(note in p.text for p in document.paragraphs)
    calendar_year_import(
        notice=parse_notice(
            "year,2027\nsource,国办发明电〔2026〕99号\n2027-01-01,放假,元旦\n2027-02-06~2027-02-12,放假,春节\n"
        )
    )
    item.refresh_from_db()
    assert item.due_waits_for is None
    assert (
        item.due_date
        == calendar.add_working_days(
            dt.datetime(2026, 12, 20, 10, tzinfo=ZoneInfo("Asia/Shanghai")), days
        ).date()
    )
    assert AuditEntry.objects.filter(
        action="calendar.deadline_recompute",
        object_type="standards.rectificationitem",
        object_id=str(item.pk),
    ).exists()
