"""Site surveys: drafts, carried-over values, range checks, photos, finishing, locking and signing (SITE-1..7)."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from govhall.core.errors import Conflict, ServiceError
from govhall.core.models import AuditEntry
from govhall.standards.models import SurveyAnswer, SurveyPhoto, SurveyStatus
from govhall.standards.selectors import survey_items
from govhall.standards.services import survey_add_photo, survey_finish, survey_save, survey_start
from tests.standards.builders import compliant_town, compliant_village, finished_survey, passing_answers

pytestmark = pytest.mark.django_db


def png(name: str = "photo.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), "red").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def test_town_survey_lists_the_site_items_and_a_village_survey_only_its_own(rule_set, inspector):
    """SITE-1/3/4/7: a town is surveyed for area, zones, counters, facilities and safety; a village for
    area, office rooms and safety. Windows, staff and the name are never typed in."""
    town_survey = survey_start(centre=compliant_town(3), actor=inspector)
    keys = [i.measure.key for i in survey_items(town_survey)]
    assert keys[:2] == ["hall_area", "zone_window"]
    assert {"counter_height", "zone_24h", "mother_baby_room", "emergency_exit"} <= set(keys)
    assert "windows_total" not in keys and "office_rooms" not in keys
    village_keys = {
        i.measure.key for i in survey_items(survey_start(centre=compliant_village(), actor=inspector))
    }
    assert village_keys == {
        "hall_area",
        "office_rooms",
        "fire_equipment",
        "emergency_exit",
        "emergency_lighting",
    }


def test_draft_is_saved_and_finished_later(rule_set, inspector):
    """A survey can be saved as a draft with some items and finished later."""
    centre = compliant_village()
    survey = survey_start(centre=centre, actor=inspector)
    survey_save(survey=survey, answers={"hall_area": {"value": "120.5", "note": "含等候区"}}, actor=inspector)
    answer = survey.answers.get(measure="hall_area")
    assert (answer.number, answer.note, survey.status) == (Decimal("120.50"), "含等候区", SurveyStatus.DRAFT)
    survey_save(
        survey=survey,
        answers={k: {"value": "有"} for k in ("fire_equipment", "emergency_exit", "emergency_lighting")}
        | {"office_rooms": {"value": 1}},
        actor=inspector,
    )
    survey_finish(survey=survey, signed_name="钱考核", actor=inspector)
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.FINISHED and survey.signed_name == "钱考核" and survey.signed_at


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("hall_area", "-5", "大厅服务面积”应在 0–50000 m² 之间"),
        ("counter_height", "900", "柜台高度”应在 40–150 cm 之间"),
        ("counter_width", "abc", "不是数值"),
        ("zone_window", "maybe", "只能填“有”或“无”"),
        ("hall_area", "12.345", "最多保留两位小数"),
        ("no_such_item", "1", "勘查项“no_such_item”不存在"),
    ],
)
def test_out_of_range_or_malformed_value_is_refused_and_nothing_saved(
    rule_set, inspector, key, value, message
):
    """SITE-1/4: a negative area, a 900 cm counter … are refused; the valid values sent with them are not saved."""
    survey = survey_start(centre=compliant_town(3), actor=inspector)
    with pytest.raises(ServiceError) as exc:
        survey_save(
            survey=survey, answers={"zone_consult": {"value": True}, key: {"value": value}}, actor=inspector
        )
    assert message in exc.value.message
    assert key in exc.value.fields
    assert not SurveyAnswer.objects.filter(survey=survey).exists()


def test_finishing_with_required_items_unanswered_is_refused(rule_set, inspector):
    """Every item the rules need must be answered before the survey is locked."""
    survey = survey_start(centre=compliant_village(), actor=inspector)
    survey_save(survey=survey, answers={"hall_area": {"value": 150}}, actor=inspector)
    with pytest.raises(ServiceError) as exc:
        survey_finish(survey=survey, signed_name="钱考核", actor=inspector)
    assert exc.value.code == "survey_incomplete"
    assert set(exc.value.fields) == {"office_rooms", "fire_equipment", "emergency_exit", "emergency_lighting"}
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.DRAFT and not survey.signed_at


def test_signature_must_be_the_inspectors_own_name(rule_set, inspector):
    survey = survey_start(centre=compliant_village(), actor=inspector)
    wanted = {i.measure.key for i in survey_items(survey)}
    survey_save(
        survey=survey, answers={k: v for k, v in passing_answers().items() if k in wanted}, actor=inspector
    )
    with pytest.raises(ServiceError, match="钱考核"):
        survey_finish(survey=survey, signed_name="张三", actor=inspector)
    with pytest.raises(ServiceError, match="请签名"):
        survey_finish(survey=survey, signed_name=" ", actor=inspector)
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.DRAFT


def test_finished_survey_is_locked(rule_set, inspector):
    """Editing a finished survey (values, photos, finishing again) is refused; nothing changes."""
    survey = finished_survey(compliant_village(), inspector, hall_area=130)
    audits = AuditEntry.objects.count()
    with pytest.raises(Conflict, match="签名锁定"):
        survey_save(survey=survey, answers={"hall_area": {"value": 90}}, actor=inspector)
    with pytest.raises(Conflict):
        survey_add_photo(survey=survey, measure="hall_area", upload=png(), actor=inspector)
    with pytest.raises(Conflict):
        survey_finish(survey=survey, signed_name="钱考核", actor=inspector)
    assert survey.answers.get(measure="hall_area").number == Decimal(130)
    assert AuditEntry.objects.count() == audits


def test_follow_up_survey_carries_over_the_last_values(rule_set, inspector):
    """Re-assessment: a new survey starts from the last finished one; only what changed is re-entered."""
    centre = compliant_village()
    first = finished_survey(centre, inspector, hall_area=90)
    follow_up = survey_start(centre=centre, actor=inspector)
    assert follow_up.based_on == first
    carried = {a.measure: a for a in follow_up.answers.all()}
    assert carried["hall_area"].number == Decimal(90) and carried["hall_area"].carried_over
    survey_save(survey=follow_up, answers={"hall_area": {"value": 110}}, actor=inspector)
    survey_finish(survey=follow_up, signed_name="钱考核", actor=inspector)
    answers = {a.measure: a for a in follow_up.answers.all()}
    assert answers["hall_area"].number == Decimal(110) and not answers["hall_area"].carried_over
    assert answers["office_rooms"].carried_over
    assert first.answers.get(measure="hall_area").number == Decimal(90)


def test_only_one_draft_per_centre(rule_set, inspector):
    centre = compliant_village()
    survey_start(centre=centre, actor=inspector)
    with pytest.raises(Conflict) as exc:
        survey_start(centre=centre, actor=inspector)
    assert exc.value.code == "survey_draft_exists"


def test_photo_is_stored_after_its_content_is_checked(rule_set, inspector, settings):
    """Photos per item are checked by content (Pillow) and stored under MEDIA_ROOT."""
    survey = survey_start(centre=compliant_village(), actor=inspector)
    photo = survey_add_photo(survey=survey, measure="emergency_exit", upload=png("exit.png"), actor=inspector)
    assert (photo.content_type, photo.extension, photo.original_name) == ("image/png", "png", "exit.png")
    path = settings.MEDIA_ROOT / photo.file.name
    assert path.exists() and path.read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("exit.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg"),
        SimpleUploadedFile("exit.png", b"", content_type="image/png"),
        SimpleUploadedFile("exit.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, content_type="image/png"),
    ],
)
def test_photo_that_is_not_an_image_is_refused(rule_set, inspector, upload):
    survey = survey_start(centre=compliant_village(), actor=inspector)
    with pytest.raises(ServiceError) as exc:
        survey_add_photo(survey=survey, measure="emergency_exit", upload=upload, actor=inspector)
    assert "photo" in exc.value.fields
    assert not SurveyPhoto.objects.exists()


def test_photo_for_an_item_not_in_the_survey_is_refused(rule_set, inspector):
    survey = survey_start(centre=compliant_village(), actor=inspector)
    with pytest.raises(ServiceError, match="不在本次勘查中"):
        survey_add_photo(survey=survey, measure="counter_height", upload=png(), actor=inspector)


def test_only_assessors_survey(rule_set, hall):
    """A centre director cannot survey (or grade) their own centre."""
    with pytest.raises(ServiceError) as exc:
        survey_start(centre=hall.town, actor=hall.director)
    assert exc.value.status == 403
