"""Pages: who sees what, the survey form, scorecard exports, rectification, the rule-set page (SITE-1..8)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook
from PIL import Image
from pypdf import PdfReader

from govhall.accounts.models import Role
from govhall.standards.models import (
    Assessment,
    ItemStatus,
    RectificationEvidence,
    RuleSet,
    RuleSetStatus,
    Survey,
    SurveyAnswer,
    SurveyPhoto,
    SurveyStatus,
)
from govhall.standards.services import survey_add_photo, survey_start
from tests.conftest import login
from tests.factories import DepartmentFactory, UserFactory, bureau_user
from tests.standards.builders import add_window, assess, compliant_town, finished_survey

pytestmark = pytest.mark.django_db


def jpeg() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10), "blue").save(buffer, format="JPEG")
    return SimpleUploadedFile("evidence.jpg", buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def town_with_failures(rule_set, inspector):
    """A 三类 town (480 m², no emergency exit, 9 windows) with a director: an assessment with several failures."""
    town = compliant_town(3, windows=9, auxiliary=18)
    director = UserFactory(centre=town, roles=[Role.DIRECTOR], full_name="郑主任")
    assessment = assess(town, inspector, hall_area=480, emergency_exit=False)
    return town, director, assessment


# --- access ---------------------------------------------------------------------------------------------


def test_overview_is_for_assessors_only(client, hall, rule_set):
    """GOV-1: the bureau (inspectors, admins) sees the overview; centre and department staff get 404."""
    url = reverse("standards:overview")
    assert client.get(url).status_code == 302  # not logged in: to the login page
    for user in (hall.inspector, hall.bureau_admin):
        assert login(client, user).get(url).status_code == 200
    liaison = UserFactory(
        unit_kind="department", centre=None, department=DepartmentFactory(), roles=[Role.DEPT_LIAISON]
    )
    for user in (hall.director, hall.front_desk, hall.village_clerk, liaison):
        assert login(client, user).get(url).status_code == 404


def test_director_sees_only_own_scorecard_and_others_get_404(client, town_with_failures, hall):
    """SITE-8: the centre director sees their own scorecard; another centre's director, front-desk staff and
    village clerks get 404 on the page, the exports and the items."""
    town, director, assessment = town_with_failures
    item = assessment.items.first()
    urls = [
        reverse("standards:assessment", args=[assessment.pk]),
        reverse("standards:centre", args=[town.pk]),
        reverse("standards:assessment_export", args=[assessment.pk, "pdf"]),
        reverse("standards:item", args=[item.pk]),
    ]
    for url in urls:
        assert login(client, director).get(url).status_code == 200, url
    for user in (
        hall.director,
        hall.front_desk,
        hall.village_clerk,
        UserFactory(centre=town, roles=[Role.FRONT_DESK]),
    ):
        for url in urls:
            assert login(client, user).get(url).status_code == 404, (user, url)


def test_director_index_goes_to_own_centre_and_cannot_reach_surveys(client, town_with_failures):
    town, director, assessment = town_with_failures
    login(client, director)
    response = client.get(reverse("standards:index"))
    assert response.status_code == 302 and response.url == reverse("standards:centre", args=[town.pk])
    assert client.get(reverse("standards:survey", args=[assessment.survey_id])).status_code == 404
    assert client.post(reverse("standards:centre_assess", args=[town.pk])).status_code == 404
    assert Assessment.objects.count() == 1


# --- scorecard and exports ------------------------------------------------------------------------------


def test_scorecard_shows_safety_first_with_measured_values_thresholds_and_rectification(
    client, town_with_failures
):
    """SITE-8: pass/fail per rule with measured value and threshold, score and grade, safety items first."""
    _town, director, assessment = town_with_failures
    page = login(client, director).get(reverse("standards:assessment", args=[assessment.pk])).content.decode()
    assert "安全项未达标" in page and "SITE-7.13" in page
    assert page.index('data-code="SITE-7.12"') < page.index('data-code="SITE-1.3"')
    assert "480 m²" in page and "≥ 500 m²" in page and "9 个" in page
    assert str(assessment.score) in page and "不合格" in page
    assert "郑主任" in page


def test_scorecard_pdf_contains_every_failed_rule(client, town_with_failures):
    """SITE-8: the printable PDF lists every failed rule (and embeds the CJK font)."""
    _town, director, assessment = town_with_failures
    response = login(client, director).get(
        reverse("standards:assessment_export", args=[assessment.pk, "pdf"])
    )
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages).replace("\n", "")
    failed = list(assessment.results.filter(passed=False, is_bonus=False))
    assert len(failed) >= 4
    for r in failed:
        assert r.code in text
        assert r.title in text
    fonts = {
        str(f.get_object()["/BaseFont"])
        for page in reader.pages
        for f in page["/Resources"]["/Font"].values()
    }
    assert any("WenQuanYi" in name or "WQY" in name for name in fonts), fonts


def test_scorecard_xlsx_and_docx_contain_every_failed_rule(client, town_with_failures):
    """SITE-8: the .xlsx has results and a rectification sheet; the .docx the same tables."""
    _town, director, assessment = town_with_failures
    login(client, director)
    failed = {r.code: r for r in assessment.results.filter(passed=False, is_bonus=False)}
    book = load_workbook(
        io.BytesIO(client.get(reverse("standards:assessment_export", args=[assessment.pk, "xlsx"])).content)
    )
    results = {row[1]: row for row in book["考核结果"].iter_rows(min_row=2, values_only=True)}
    items = {row[1]: row for row in book["整改清单"].iter_rows(min_row=2, values_only=True)}
    for code, r in failed.items():
        assert results[code][5].startswith("未达标") and results[code][4] == r.measured_text
        assert code in items
    assert next(iter(items)) == "SITE-7.13"  # safety first
    document = Document(
        io.BytesIO(client.get(reverse("standards:assessment_export", args=[assessment.pk, "docx"])).content)
    )
    cells = {cell.text for table in document.tables for row in table.rows for cell in row.cells}
    assert set(failed) <= cells


def test_unknown_export_format_is_404(client, town_with_failures):
    _town, director, assessment = town_with_failures
    assert (
        login(client, director).get(f"/standards/assessments/{assessment.pk}/scorecard.csv").status_code
        == 404
    )


# --- survey page ------------------------------------------------------------------------------------------


def test_inspector_starts_survey_from_centre_page_and_saves_a_draft(client, rule_set, inspector):
    town = compliant_town(3)
    login(client, inspector)
    response = client.post(reverse("standards:survey_new", args=[town.pk]))
    survey = Survey.objects.get(centre=town)
    assert response.url == reverse("standards:survey", args=[survey.pk])
    page = client.get(response.url).content.decode()
    assert 'name="value_hall_area"' in page and 'name="photo_emergency_exit"' in page
    response = client.post(
        response.url,
        {
            "action": "save",
            "value_hall_area": "520",
            "note_hall_area": "实测",
            "value_zone_window": "yes",
            "photo_zone_window": jpeg(),
        },
    )
    assert response.status_code == 302
    assert survey.answers.get(measure="hall_area").number == 520
    assert survey.answers.get(measure="zone_window").present is True
    assert survey.photos.get().measure == "zone_window"
    # a second "start" opens the same draft
    assert client.post(reverse("standards:survey_new", args=[town.pk])).url == reverse(
        "standards:survey", args=[survey.pk]
    )


def test_survey_page_refuses_out_of_range_value_and_keeps_what_was_typed(client, rule_set, inspector):
    town = compliant_town(3)
    survey = survey_start(centre=town, actor=inspector)
    response = login(client, inspector).post(
        reverse("standards:survey", args=[survey.pk]),
        {"action": "save", "value_counter_height": "900", "value_hall_area": "600"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "柜台高度”应在 40–150 cm 之间" in page and 'value="900"' in page
    assert not SurveyAnswer.objects.filter(survey=survey).exists()


def test_survey_page_refuses_non_image_photo_and_saves_nothing(client, rule_set, inspector):
    survey = survey_start(centre=compliant_town(3), actor=inspector)
    response = login(client, inspector).post(
        reverse("standards:survey", args=[survey.pk]),
        {
            "action": "save",
            "value_hall_area": "600",
            "photo_hall_area": SimpleUploadedFile(
                "a.jpg", b"MZ\x90\x00 executable", content_type="image/jpeg"
            ),
        },
    )
    assert response.status_code == 400
    assert "不是有效的图片" in response.content.decode()
    assert not SurveyAnswer.objects.filter(survey=survey).exists() and not SurveyPhoto.objects.exists()


def test_finish_with_missing_items_saves_the_draft_but_does_not_lock(client, rule_set, inspector):
    survey = survey_start(centre=compliant_town(3), actor=inspector)
    response = login(client, inspector).post(
        reverse("standards:survey", args=[survey.pk]),
        {"action": "finish", "value_hall_area": "600", "signed_name": "钱考核"},
    )
    assert response.status_code == 400
    assert "项未填写，不能完成勘查" in response.content.decode()
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.DRAFT
    assert survey.answers.get(measure="hall_area").number == 600


def test_finished_survey_page_is_read_only_and_posts_are_refused(client, rule_set, inspector):
    survey = finished_survey(compliant_town(3), inspector)
    login(client, inspector)
    page = client.get(reverse("standards:survey", args=[survey.pk])).content.decode()
    assert "已签名锁定" in page and 'name="value_hall_area"' not in page
    response = client.post(
        reverse("standards:survey", args=[survey.pk]), {"action": "save", "value_hall_area": "1"}
    )
    assert response.status_code == 400 and "签名锁定" in response.content.decode()
    assert survey.answers.get(measure="hall_area").number == 1600


def test_survey_photo_is_served_only_to_assessors(client, rule_set, inspector, hall):
    survey = survey_start(centre=compliant_town(3), actor=inspector)
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, format="PNG")
    photo = survey_add_photo(
        survey=survey,
        measure="hall_area",
        upload=SimpleUploadedFile("x.png", buffer.getvalue()),
        actor=inspector,
    )
    url = reverse("standards:survey_photo", args=[photo.pk])
    response = login(client, inspector).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == buffer.getvalue()
    assert login(client, hall.director).get(url).status_code == 404
    assert (
        login(client, inspector).get(reverse("standards:survey_photo", args=[photo.pk + 99])).status_code
        == 404
    )


# --- assessment from the page, rectification ------------------------------------------------------------


def test_assess_button_runs_the_assessment_and_opens_the_scorecard(client, rule_set, inspector):
    town = compliant_town(3)
    finished_survey(town, inspector)
    response = login(client, inspector).post(reverse("standards:centre_assess", args=[town.pk]))
    assessment = Assessment.objects.get(centre=town)
    assert response.url == reverse("standards:assessment", args=[assessment.pk])


def test_assess_without_finished_survey_says_so(client, rule_set, inspector):
    town = compliant_town(3)
    response = login(client, inspector).post(reverse("standards:centre_assess", args=[town.pk]), follow=True)
    assert "还没有已完成的现场勘查" in response.content.decode()
    assert not Assessment.objects.exists()


def test_director_marks_item_rectified_with_evidence_and_reassessment_shows_progress(
    client, town_with_failures, inspector
):
    """SITE-8: the director marks an item rectified with a note and a photo; the bureau re-assesses; the
    history shows the progression."""
    town, director, assessment = town_with_failures
    item = assessment.items.get(code="SITE-5.1")
    login(client, director)
    response = client.post(
        reverse("standards:item", args=[item.pk]), {"note": "新增第10号窗口", "photos": [jpeg()]}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.rectified_by, item.rectify_note) == (
        ItemStatus.RECTIFIED,
        director,
        "新增第10号窗口",
    )
    evidence = item.evidence.get()
    assert client.get(reverse("standards:evidence_photo", args=[evidence.pk])).status_code == 200

    add_window(town, 10)
    login(client, inspector).post(reverse("standards:centre_assess", args=[town.pk]))
    item.refresh_from_db()
    assert item.status == ItemStatus.VERIFIED
    page = login(client, director).get(reverse("standards:centre", args=[town.pk])).content.decode()
    assert "第2次" in page and "整改进展" in page and 'id="trend-data"' in page


def test_rectify_refused_without_note_for_other_roles_and_with_bad_photo(
    client, town_with_failures, inspector, hall
):
    _town, director, assessment = town_with_failures
    item = assessment.items.first()
    url = reverse("standards:item", args=[item.pk])
    assert login(client, director).post(url, {"note": " "}).status_code == 400
    bad = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    response = login(client, director).post(url, {"note": "已整改", "photos": [bad]})
    assert response.status_code == 400 and "不是有效的图片" in response.content.decode()
    assert login(client, inspector).post(url, {"note": "已整改"}).status_code == 403
    assert login(client, hall.director).post(url, {"note": "已整改"}).status_code == 404
    item.refresh_from_db()
    assert item.status == ItemStatus.OPEN and not RectificationEvidence.objects.exists()


def test_evidence_photo_is_hidden_from_other_centres(client, town_with_failures, hall):
    _town, director, assessment = town_with_failures
    login(client, director).post(
        reverse("standards:item", args=[assessment.items.first().pk]), {"note": "已整改", "photos": [jpeg()]}
    )
    evidence = RectificationEvidence.objects.get()
    assert (
        login(client, hall.director).get(reverse("standards:evidence_photo", args=[evidence.pk])).status_code
        == 404
    )


# --- rule-set page (SITE-8) ---------------------------------------------------------------------------------


def test_bureau_admin_copies_edits_and_publishes_on_the_rule_set_page(client, rule_set, bureau_admin):
    login(client, bureau_admin)
    response = client.post(
        reverse("standards:rule_set", args=[rule_set.pk]), {"action": "copy", "version": "2026-01"}
    )
    draft = RuleSet.objects.get(version="2026-01")
    assert response.url == reverse("standards:rule_set", args=[draft.pk])
    rule = draft.rules.get(code="SITE-1.3")
    response = client.post(
        reverse("standards:rule_set", args=[draft.pk]),
        {
            "action": "rule",
            "rule": rule.pk,
            "op": ">=",
            "value": "600",
            "value_max": "",
            "weight": "12",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.value, rule.weight, rule.is_active) == (600, 12, True)
    bad = client.post(
        reverse("standards:rule_set", args=[draft.pk]),
        {"action": "rule", "rule": rule.pk, "op": "between", "value": "600", "value_max": "", "weight": "12"},
    )
    assert bad.status_code == 400 and "阈值上限" in bad.content.decode()
    client.post(reverse("standards:rule_set", args=[draft.pk]), {"action": "publish"})
    draft.refresh_from_db()
    assert draft.status == RuleSetStatus.PUBLISHED


def test_inspector_reads_rule_sets_but_cannot_change_them(client, rule_set, inspector, hall):
    login(client, inspector)
    page = client.get(reverse("standards:rule_set", args=[rule_set.pk])).content.decode()
    assert "三类镇为民服务中心大厅服务面积不少于500平方米" in page and "复制为新版本" not in page
    response = client.post(
        reverse("standards:rule_set", args=[rule_set.pk]), {"action": "copy", "version": "x"}
    )
    assert response.status_code == 403
    assert RuleSet.objects.count() == 1
    assert login(client, hall.director).get(reverse("standards:rule_sets")).status_code == 404


def test_bureau_admin_without_inspector_role_can_assess(client, rule_set):
    """Assessors are inspectors and bureau admins."""
    admin = bureau_user(full_name="周局长")
    town = compliant_town(3)
    finished_survey(town, admin)
    login(client, admin).post(reverse("standards:centre_assess", args=[town.pk]))
    assert Assessment.objects.filter(centre=town, assessed_by=admin).exists()


def test_navigation_shows_standards_to_assessors_and_directors_only(client, town_with_failures, hall):
    _town, director, _assessment = town_with_failures
    for user, shown in ((hall.inspector, True), (director, True), (hall.front_desk, False)):
        page = login(client, user).get(reverse("accounts:home")).content.decode()
        assert ("标准化考核" in page) is shown, user
