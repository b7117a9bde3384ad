"""STD-6 一事一评: the applicant rates a finished case once (QR on the notice, SMS link, online by number and
query password); the rating attaches to the case, clerk, window, matter, centre and town. Bad input — an
unfinished case, a second rating on the same stage, an unknown level — is refused and nothing is written."""

from __future__ import annotations

import pytest

from govhall.core.errors import Conflict, ServiceError
from govhall.core.models import AuditEntry
from govhall.reviews import services
from govhall.reviews.links import case_rating_path, case_token
from govhall.reviews.models import Rating, RatingSupplement, WorkOrder

pytestmark = pytest.mark.django_db


def test_finished_case_rated_through_its_signed_link_attaches_everywhere(scene, client):
    """STD-6: the QR link on the notice rates the case; the rating carries case, clerk, window, matter, centre."""
    case = scene.finished_case()
    url = case_rating_path(case.pk, via="qr")
    page = client.get(url)
    assert page.status_code == 200 and "服务效率" in page.content.decode()
    response = client.post(
        url, {"via": "qr", "level": "2", "aspect_efficiency": "1", "aspect_attitude": "2", "text": "办得很快"}
    )
    assert response.status_code == 302
    rating = Rating.objects.get()
    assert (rating.stage, rating.channel, rating.level) == ("result", "qr", 2)
    assert rating.aspects == {"efficiency": 1, "attitude": 2}
    assert rating.case == case and rating.clerk == scene.front_desk and rating.window == scene.window
    assert rating.matter_id == scene.immediate.pk and rating.department == scene.department
    assert rating.centre == scene.town and rating.town_centre == scene.town
    assert rating.real_name and rating.rater_name == "张三" and rating.rater_phone == "13800138000"
    assert AuditEntry.objects.filter(action="rating.create", object_id=str(rating.pk)).exists()
    assert not WorkOrder.objects.exists()  # a good rating needs no work order
    assert "您已评价" in client.get(url).content.decode()


def test_rating_an_unfinished_case_is_refused_and_nothing_written(scene, client):
    """STD-6 bad input: a case still being processed cannot be rated."""
    case = scene.open_case()
    with pytest.raises(Conflict) as exc:
        scene.rate_case(case, level=1)
    assert exc.value.code == "case_not_finished" and "办结后才能评价" in exc.value.message
    page = client.get(case_rating_path(case.pk))
    assert "办结后才能评价" in page.content.decode()
    response = client.post(
        f"/api/v1/reviews/public/case/{case_token(case.pk)}/rating",
        {"level": 1, "channel": "qr"},
        content_type="application/json",
    )
    assert response.status_code == 409 and response.json()["code"] == "case_not_finished"
    assert not Rating.objects.exists() and not WorkOrder.objects.exists()


def test_second_rating_on_the_same_stage_is_refused_and_the_first_stays(scene, client):
    """STD-6: one rating per case per stage."""
    case = scene.finished_case()
    first = scene.rate_case(case, level=1)
    with pytest.raises(Conflict) as exc:
        scene.rate_case(case, level=5, text="改成差评")
    assert exc.value.code == "already_rated"
    response = client.post(
        f"/api/v1/reviews/public/case/{case_token(case.pk)}/rating",
        {"level": 5, "channel": "online"},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert list(Rating.objects.values_list("pk", "level")) == [(first.pk, 1)]
    assert not WorkOrder.objects.exists()


@pytest.mark.parametrize("level", [0, 6, "x", None, 2.5])
def test_unknown_level_is_refused_with_a_field_error(scene, level, client):
    """STD-6 bad input: the level must be a GB/T 39046 code 1–5."""
    case = scene.finished_case()
    with pytest.raises(ServiceError) as exc:
        scene.rate_case(case, level=level)
    assert "level" in exc.value.fields
    response = client.post(case_rating_path(case.pk), {"level": str(level)})
    assert (
        response.status_code == 400
        and "评价等级应为1（非常满意）至5（非常不满意）" in response.content.decode()
    )
    assert not Rating.objects.exists()


def test_unknown_sub_rating_and_overlong_text_are_refused(scene):
    case = scene.finished_case()
    with pytest.raises(ServiceError) as exc:
        scene.rate_case(case, level=1, aspects={"usability": 1})  # an online aspect on a window case
    assert "aspects" in exc.value.fields and "服务效率" in exc.value.message
    with pytest.raises(ServiceError) as exc:
        scene.rate_case(case, level=1, aspects={"efficiency": 9})
    assert "aspects" in exc.value.fields
    with pytest.raises(ServiceError) as exc:
        scene.rate_case(case, level=1, text="字" * 501)
    assert "text" in exc.value.fields
    with pytest.raises(ServiceError):
        scene.rate_case(case, level=1, channel="pad")
    assert not Rating.objects.exists()


def test_online_case_is_rated_on_the_online_aspects(scene):
    """STD-6: online services are rated on 办事效率, 办事指南精确度, 办事便捷度, 平台操作性."""
    from govhall.cases.models import CaseStatus

    case = scene.finished_case()
    type(case).objects.filter(pk=case.pk).update(channel="online")
    rating = scene.rate_case(
        case, level=3, channel="online", aspects={"speed": 3, "guide": 2, "convenience": 3, "usability": 4}
    )
    assert rating.aspects["usability"] == 4 and case.status == CaseStatus.FINISHED


def test_tampered_or_unknown_link_is_404(scene, client):
    case = scene.finished_case()
    token = case_token(case.pk)
    assert client.get(f"/reviews/rate/c/{token}x/").status_code == 404
    other = str(case.pk + 1) + token[len(str(case.pk)) :]
    assert client.get(f"/reviews/rate/c/{other}/").status_code == 404
    assert (
        client.post(
            f"/api/v1/reviews/public/case/{other}/rating", {"level": 1}, content_type="application/json"
        ).status_code
        == 404
    )


def test_rating_online_by_number_and_query_password(scene, client):
    """STD-6: without the notice, the applicant types the case number and query password."""
    case = scene.finished_case()
    wrong = client.post("/reviews/rate/", {"number": case.number, "password": "WRONG1"})
    assert wrong.status_code == 400 and "不正确" in wrong.content.decode()
    right = client.post("/reviews/rate/", {"number": case.number, "password": case.query_password})
    assert right.status_code == 302 and right["Location"] == case_rating_path(case.pk, via="online")
    api = client.post(
        "/api/v1/reviews/public/lookup",
        {"number": case.number, "password": case.query_password},
        content_type="application/json",
    )
    assert api.status_code == 200 and api.json()["token"] == case_token(case.pk)
    client.post(right["Location"], {"via": "online", "level": "1"})
    assert Rating.objects.get().channel == "online"


def test_supplement_once_within_the_window_then_refused(scene, clock):
    """STD-6 补充评价: once, within the configured working days."""
    from tests.reviews.conftest import local

    case = scene.finished_case()
    rating = scene.rate_case(case, level=3)
    with pytest.raises(ServiceError):
        services.rating_supplement(rating=rating, text="  ", channel="qr")
    services.rating_supplement(rating=rating, text="后来电话回复了，态度很好", channel="qr")
    with pytest.raises(Conflict):
        services.rating_supplement(rating=rating, text="再补一次", channel="qr")
    assert RatingSupplement.objects.get().text == "后来电话回复了，态度很好"

    late = scene.rate_visit(scene.serve(), level=2)
    clock.move_to(local(2026, 3, 18, 9, 0))  # 6 working days after Tuesday 10 March
    with pytest.raises(Conflict) as exc:
        services.rating_supplement(rating=late, text="迟到的补充", channel="qr")
    assert exc.value.code == "supplement_closed"
    assert RatingSupplement.objects.count() == 1


def test_rating_period_after_finishing_closes(scene, clock):
    from tests.reviews.conftest import local

    case = scene.finished_case()
    clock.move_to(local(2026, 5, 20, 9, 0))  # well past 30 working days
    with pytest.raises(Conflict) as exc:
        scene.rate_case(case, level=1)
    assert exc.value.code == "rating_closed"
    assert not Rating.objects.exists()
