"""/api/v1/standards/: the same rules, through the API (SITE-1..8, GOV-1)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from govhall.accounts.models import Role
from govhall.accounts.tokens import token_create
from govhall.standards.models import Assessment, ItemStatus, RuleSet, RuleSetStatus, Survey, SurveyAnswer
from tests.factories import UserFactory
from tests.standards.builders import assess, compliant_town, compliant_village, passing_answers

pytestmark = pytest.mark.django_db
BASE = "/api/v1/standards"


def bearer(user: object) -> dict[str, str]:
    _row, token = token_create(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_rule_set_copy_edit_publish_through_the_api(client, rule_set, bureau_admin, inspector):
    """SITE-8: list, copy, patch a threshold, publish; an inspector may read but not change."""
    admin = bearer(bureau_admin)
    listed = client.get(f"{BASE}/rulesets", **bearer(inspector)).json()["items"]
    assert [(r["name"], r["version"]) for r in listed] == [("启政办发〔2020〕37号", "2020-37")]
    detail = client.get(f"{BASE}/rulesets/{rule_set.pk}", **admin).json()
    assert any(r["code"] == "SITE-6.1" and r["kind"] == "ratio" for r in detail["rules"])

    response = client.post(
        f"{BASE}/rulesets/{rule_set.pk}/copy",
        {"version": "2026-01"},
        content_type="application/json",
        **admin,
    )
    assert response.status_code == 201
    draft = response.json()
    rule = next(r for r in draft["rules"] if r["code"] == "SITE-1.3")
    patched = client.patch(
        f"{BASE}/rulesets/{draft['id']}/rules/{rule['id']}",
        {"value": "600"},
        content_type="application/json",
        **admin,
    )
    assert patched.status_code == 200 and float(patched.json()["value"]) == 600
    published = client.post(f"{BASE}/rulesets/{draft['id']}/publish", **admin)
    assert published.status_code == 200 and published.json()["status"] == "published"

    denied = client.post(
        f"{BASE}/rulesets/{rule_set.pk}/copy",
        {"version": "2026-02"},
        content_type="application/json",
        **bearer(inspector),
    )
    assert denied.status_code == 403 and denied.json()["code"] == "forbidden"
    assert not RuleSet.objects.filter(version="2026-02").exists()


def test_unevaluable_rule_is_refused_with_a_clear_error(client, rule_set, bureau_admin):
    """SITE-8: an unknown measure or operator is refused; nothing is written."""
    admin = bearer(bureau_admin)
    draft = client.post(
        f"{BASE}/rulesets/{rule_set.pk}/copy",
        {"version": "2026-03"},
        content_type="application/json",
        **admin,
    ).json()
    rule = next(r for r in draft["rules"] if r["code"] == "SITE-4.1")
    bad = client.patch(
        f"{BASE}/rulesets/{draft['id']}/rules/{rule['id']}",
        {"op": "≈"},
        content_type="application/json",
        **admin,
    )
    assert bad.status_code == 400
    body = bad.json()
    assert body["code"] == "invalid" and "比较方式“≈”无法识别" in body["message"] and "rule" in body["fields"]
    added = client.post(
        f"{BASE}/rulesets/{draft['id']}/rules",
        {
            "code": "X-1",
            "requirement": "SITE-7",
            "title": "钢琴",
            "levels": ["town1"],
            "kind": "present",
            "measure": "piano",
            "weight": 1,
        },
        content_type="application/json",
        **admin,
    )
    assert added.status_code == 400 and "测量项“piano”不存在" in added.json()["message"]
    stored = RuleSet.objects.get(pk=draft["id"])
    assert stored.rules.get(code="SITE-4.1").op == "between" and not stored.rules.filter(code="X-1").exists()
    published = client.post(f"{BASE}/rulesets/{rule_set.pk}/rules/{rule['id']}/", **admin)
    assert published.status_code in (404, 405)


def test_survey_to_scorecard_through_the_api(client, rule_set, inspector):
    """SITE-1..7: start, save (draft), finish, assess; the scorecard lists failures with safety first."""
    auth = bearer(inspector)
    town = compliant_town(3)
    started = client.post(f"{BASE}/surveys", {"centre_id": town.pk}, content_type="application/json", **auth)
    assert started.status_code == 201
    survey = started.json()
    keys = [i["measure"] for i in survey["items"]]
    answers = {k: v for k, v in passing_answers(hall_area=480, emergency_lighting=False).items() if k in keys}
    saved = client.patch(
        f"{BASE}/surveys/{survey['id']}", {"answers": answers}, content_type="application/json", **auth
    )
    assert saved.status_code == 200 and saved.json()["status"] == "draft"
    buffer = io.BytesIO()
    Image.new("RGB", (5, 5)).save(buffer, format="WEBP")
    photo = client.post(
        f"{BASE}/surveys/{survey['id']}/photos",
        {"measure": "hall_area", "photo": SimpleUploadedFile("a.webp", buffer.getvalue())},
        **auth,
    )
    assert photo.status_code == 201 and photo.json()["content_type"] == "image/webp"
    finished = client.post(
        f"{BASE}/surveys/{survey['id']}/finish",
        {"signed_name": "钱考核"},
        content_type="application/json",
        **auth,
    )
    assert finished.status_code == 200 and finished.json()["signed_name"] == "钱考核"

    scored = client.post(
        f"{BASE}/assessments", {"centre_id": town.pk}, content_type="application/json", **auth
    )
    assert scored.status_code == 201
    card = scored.json()
    failed = [r["code"] for r in card["results"] if not r["passed"]]
    assert set(failed) == {"SITE-1.3", "SITE-7.14"}
    assert card["results"][0]["is_safety"] and card["items"][0]["code"] == "SITE-7.14"
    assert card["grade"] == "不合格" and card["rule_set_version"] == "2020-37"
    area = next(r for r in card["results"] if r["code"] == "SITE-1.3")
    assert (area["measured_text"], area["threshold_text"]) == ("480 m²", "≥ 500 m²")


def test_survey_bad_input_is_refused_and_nothing_written(client, rule_set, inspector):
    auth = bearer(inspector)
    survey = client.post(
        f"{BASE}/surveys", {"centre_id": compliant_village().pk}, content_type="application/json", **auth
    ).json()
    bad = client.patch(
        f"{BASE}/surveys/{survey['id']}",
        {"answers": {"hall_area": {"value": -10}, "office_rooms": {"value": 1}}},
        content_type="application/json",
        **auth,
    )
    assert bad.status_code == 400 and "hall_area" in bad.json()["fields"]
    assert not SurveyAnswer.objects.filter(survey_id=survey["id"]).exists()
    incomplete = client.post(
        f"{BASE}/surveys/{survey['id']}/finish",
        {"signed_name": "钱考核"},
        content_type="application/json",
        **auth,
    )
    assert incomplete.status_code == 400 and incomplete.json()["code"] == "survey_incomplete"
    not_image = client.post(
        f"{BASE}/surveys/{survey['id']}/photos",
        {"measure": "hall_area", "photo": SimpleUploadedFile("a.png", b"GIF89a-but-not-really")},
        **auth,
    )
    assert not_image.status_code == 400 and "photo" in not_image.json()["fields"]
    assert Survey.objects.get(pk=survey["id"]).status == "draft"


def test_survey_and_assessment_endpoints_hide_everything_from_centre_staff(client, rule_set, inspector, hall):
    """Access: centre staff get 404 on surveys and the overview; a director sees only own assessments."""
    town = compliant_town(3)
    director = UserFactory(centre=town, roles=[Role.DIRECTOR])
    assessment = assess(town, inspector, hall_area=400)
    other = assess(compliant_town(3), inspector)
    for user in (hall.front_desk, hall.director, director):
        auth = bearer(user)
        assert client.get(f"{BASE}/surveys/{assessment.survey_id}", **auth).status_code == 404
        assert client.get(f"{BASE}/overview", **auth).status_code == 404
        assert (
            client.post(
                f"{BASE}/surveys", {"centre_id": town.pk}, content_type="application/json", **auth
            ).status_code
            == 404
        )
        assert client.get(f"{BASE}/assessments/{other.pk}", **auth).status_code == 404
    mine = client.get(f"{BASE}/assessments", **bearer(director)).json()["items"]
    assert [a["id"] for a in mine] == [assessment.pk]
    assert client.get(f"{BASE}/assessments/{assessment.pk}", **bearer(director)).status_code == 200
    assert (
        client.post(
            f"{BASE}/assessments", {"centre_id": town.pk}, content_type="application/json", **bearer(director)
        ).status_code
        == 404
    )
    assert Assessment.objects.count() == 2
    assert client.get(f"{BASE}/overview").status_code == 401


def test_director_rectifies_through_the_api(client, rule_set, inspector, hall):
    town = compliant_town(3)
    director = UserFactory(centre=town, roles=[Role.DIRECTOR])
    item = assess(town, inspector, hall_area=400).items.get()
    url = f"{BASE}/items/{item.pk}/rectify"
    assert client.post(url, {"note": "已整改"}, **bearer(hall.director)).status_code == 404
    assert client.post(url, {"note": "已整改"}, **bearer(inspector)).status_code == 403
    empty = client.post(url, {"note": ""}, **bearer(director))
    assert empty.status_code in (400, 422)
    buffer = io.BytesIO()
    Image.new("RGB", (5, 5)).save(buffer, format="PNG")
    done = client.post(
        url,
        {"note": "扩建大厅至520平方米", "photos": [SimpleUploadedFile("p.png", buffer.getvalue())]},
        **bearer(director),
    )
    assert (
        done.status_code == 200
        and done.json()["status"] == ItemStatus.RECTIFIED
        and done.json()["evidence"] == 1
    )
    again = client.post(url, {"note": "再次"}, **bearer(director))
    assert again.status_code == 409


def test_overview_api_lists_ranked_towns(client, rule_set, inspector):
    """GOV-1: the overview as JSON, filterable by town class."""
    assess(compliant_town(1, name="汇龙镇"), inspector)
    assess(compliant_town(3, name="东海镇"), inspector, hall_area=300)
    rows = client.get(f"{BASE}/overview?town_class=3", **bearer(inspector)).json()["items"]
    assert [(r["centre"], r["rank"], r["grade"]) for r in rows] == [("启东市东海镇为民服务中心", 1, "优秀")]
    rows = client.get(f"{BASE}/overview", **bearer(inspector)).json()["items"]
    assert [r["rank"] for r in rows] == [1, 2]


def test_assessment_with_a_draft_rule_set_is_refused(client, rule_set, bureau_admin, inspector):
    town = compliant_town(3)
    assess(town, inspector)
    draft = client.post(
        f"{BASE}/rulesets/{rule_set.pk}/copy",
        {"version": "2026-09"},
        content_type="application/json",
        **bearer(bureau_admin),
    ).json()
    response = client.post(
        f"{BASE}/assessments",
        {"centre_id": town.pk, "rule_set_id": draft["id"]},
        content_type="application/json",
        **bearer(inspector),
    )
    assert response.status_code == 409 and "已发布" in response.json()["message"]
    assert RuleSet.objects.get(pk=draft["id"]).status == RuleSetStatus.DRAFT
    assert Assessment.objects.count() == 1


def test_bureau_reassigns_owner_and_due_date(client, rule_set, inspector, hall, time_machine):
    """SITE-8: each item has an owner and a due date the bureau can adjust; bad input changes nothing."""
    time_machine.move_to("2025-06-02 09:00 +08:00", tick=False)
    town = compliant_town(3)
    deputy = UserFactory(centre=town, roles=[Role.FRONT_DESK], full_name="副主任")
    item = assess(town, inspector, hall_area=400).items.get()
    url = f"{BASE}/items/{item.pk}"
    done = client.patch(
        url,
        {"owner_id": deputy.pk, "due_date": "2025-07-31"},
        content_type="application/json",
        **bearer(inspector),
    )
    assert (
        done.status_code == 200
        and done.json()["owner"] == "副主任"
        and done.json()["due_date"] == "2025-07-31"
    )
    outsider = client.patch(
        url, {"owner_id": hall.front_desk.pk}, content_type="application/json", **bearer(inspector)
    )
    assert outsider.status_code == 400 and "owner" in outsider.json()["fields"]
    past = client.patch(url, {"due_date": "2025-05-01"}, content_type="application/json", **bearer(inspector))
    assert past.status_code == 400 and "due_date" in past.json()["fields"]
    director = UserFactory(centre=town, roles=[Role.DIRECTOR])
    assert (
        client.patch(
            url, {"due_date": "2025-08-01"}, content_type="application/json", **bearer(director)
        ).status_code
        == 404
    )
    item.refresh_from_db()
    assert (item.owner, str(item.due_date)) == (deputy, "2025-07-31")
