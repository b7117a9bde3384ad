"""STD-6, NET-2: the feed to the provincial 好差评 system (国办发〔2019〕51号, GB/T 39734/39735) and the 差评 it
pushes down. Every rating, every step of a 差评 work order and every appeal result reaches a real local
stand-in server that checks our HMAC-SM3 signature; an outage is back-filled in the original order with the
original times; a signed push of a 差评 from the province opens a work order here, once."""

from __future__ import annotations

import json

import pytest

from govhall.core.models import AuditEntry
from govhall.exchange.models import SyncItem, SyncStatus
from govhall.exchange.sync import sync_item_send, sync_items_requeue_due
from govhall.reviews import services
from govhall.reviews.models import Channel, OrderStatus, Rating, WorkOrder
from tests.exchange.conftest import huey_immediate, signed_platform, signed_post  # noqa: F401
from tests.reviews.conftest import PHONE, handle, local

pytestmark = pytest.mark.django_db

APP_ID, SECRET = "qidong-haochaping", "haochaping-shared-secret-0002"
URL = "/api/v1/reviews/province/bad-reviews"


@pytest.fixture
def feed(settings):
    with signed_platform(settings, "REVIEWS_FEED", APP_ID, SECRET, "/hcp/v1/evaluations") as platform:
        yield platform


def deliver_all():
    """What the worker does: send every queued record of the feed, oldest first."""
    for pk in SyncItem.objects.filter(status=SyncStatus.QUEUED).order_by("pk").values_list("pk", flat=True):
        sync_item_send(item_id=pk)


def test_every_rating_reaches_the_provincial_system_with_the_standards_fields(scene, feed):
    """STD-6, NET-2: 一次一评 on site and 一事一评 of a case, each with case number, matter code, channel, level,
    sub-ratings, window and staff id; the rater only masked, an anonymous one not at all."""
    bad = scene.rate_visit(
        scene.serve(),
        level=5,
        aspects={"attitude": 5, "efficiency": 4},
        text="等了很久",
        rater=services.Rater(phone=PHONE, name="王小明"),
    )
    case = scene.finished_case()
    scene.rate_case(case, level=1, channel="sms")
    scene.rate_visit(scene.serve(), level=2)
    deliver_all()

    assert feed.signature_failures == 0
    ratings = [b for b in feed.delivered if b["dataset"] == "rating"]
    assert len(ratings) == 3
    visit, result, anonymous = (r["data"] for r in ratings)
    assert visit["mode"] == "一次一评" and visit["channel"] == "onsite"
    assert visit["level"] == "5" and visit["levelName"] == "非常不满意"
    assert {a["code"]: a["level"] for a in visit["aspects"]} == {"attitude": "5", "efficiency": "4"}
    assert visit["windowNo"] == scene.window.number and visit["staffId"] == scene.front_desk.staff_no
    assert visit["ratedAt"] == "2026-03-10 09:00:00"
    assert (
        visit["raterType"] == "实名" and visit["raterPhone"] == "139****9000" and visit["raterName"] == "王**"
    )
    assert visit["bad"] is True and visit["evaluationId"] == f"QDGH-R{bad.pk}"
    assert result["mode"] == "一事一评" and result["channel"] == "sms"
    assert result["caseNumber"] == case.number and result["matterCode"] == case.matter.code
    assert (
        anonymous["raterType"] == "匿名"
        and anonymous["raterPhone"] is None
        and anonymous["raterName"] is None
    )
    raw = b"".join(r["raw"] for r in feed.requests)
    assert PHONE.encode() not in raw and "王小明".encode() not in raw  # never in full
    assert AuditEntry.objects.filter(action="exchange.sync.send").count() == 3


def test_work_order_steps_and_the_appeal_result_follow_the_rating(scene, feed):
    """STD-6: 回访核实, 整改处理, 答复, 回访, 办结 of a 差评, and an appeal's result, in the order they happened."""
    rating = scene.rate_visit(scene.serve(), level=4, rater=services.Rater(phone=PHONE))
    handle(scene, rating, "rectify")
    other = scene.rate_visit(scene.serve(), level=5)
    appeal = services.appeal_file(
        rating=other, actor=scene.front_desk, reason="malicious", statement="恶意差评"
    )
    services.appeal_decide(
        appeal=appeal, actor=scene.people["bureau_admin"], upheld=True, note="查实为恶意差评"
    )
    deliver_all()

    steps = [(b["objectType"], b["dataset"]) for b in feed.delivered]
    assert steps == [
        ("rating", "rating"),
        ("review_order", "verify"),
        ("review_order", "decide"),
        ("review_order", "reply"),
        ("review_order", "visit"),
        ("review_order", "close"),
        ("rating", "rating"),
        ("appeal", "appeal"),
    ]
    by_step = {b["dataset"]: b["data"] for b in feed.delivered}
    order = WorkOrder.objects.get(rating=rating)
    assert by_step["verify"]["workOrderNumber"] == order.number and by_step["verify"]["finding"] == "true"
    assert by_step["decide"]["outcome"] == "rectify" and by_step["reply"]["reply"] == "已处理，感谢监督"
    assert by_step["visit"]["satisfaction"] == "satisfied" and by_step["close"]["rectified"] is True
    assert by_step["appeal"]["result"] == "upheld" and by_step["appeal"]["excluded"] is True


@pytest.mark.usefixtures("huey_immediate")
def test_an_outage_is_back_filled_in_order_with_the_original_times(
    scene, feed, clock, django_capture_on_commit_callbacks
):
    """NET-2, STD-6: ratings made while the provincial system was down arrive later, in the order they were
    made and each with its own time, once it answers again (the periodic sweep)."""
    feed.responses = [(503, {"message": "系统维护"})] * 3
    for minute in (0, 10, 20):
        clock.move_to(local(2026, 3, 10, 9, minute))
        ticket = scene.serve()
        with django_capture_on_commit_callbacks(execute=True):
            scene.rate_visit(ticket, level=1 if minute != 10 else 4)
    assert feed.delivered == [] and len(feed.requests) == 1  # the first failed; the others wait behind it
    assert SyncItem.objects.filter(kind="rating", status=SyncStatus.QUEUED).count() == 3

    feed.responses = []  # back up
    clock.move_to(local(2026, 3, 10, 11, 0))
    assert sync_items_requeue_due() >= 1

    sent = [(b["objectType"], b["dataset"], b["data"].get("ratedAt")) for b in feed.delivered]
    assert sent == [
        ("rating", "rating", "2026-03-10 09:00:00"),
        ("rating", "rating", "2026-03-10 09:10:00"),
        ("rating", "rating", "2026-03-10 09:20:00"),
    ]
    assert not SyncItem.objects.filter(kind="rating").exclude(status=SyncStatus.SENT).exists()


# --- a 差评 pushed down by the province --------------------------------------------------------------------


@pytest.fixture
def case(scene):
    return scene.finished_case()


def push(client, case, **overrides):
    body = {
        "evaluationId": "JS-HCP-0001",
        "caseNumber": case.number,
        "level": 5,
        "ratedAt": "2026-03-10 08:30:00",
        "aspects": {"attitude": 5},
        "content": "在省APP上评价：材料被要求重复提交",
        "raterName": "李四",
        "raterPhone": "13700137000",
        **overrides,
    }
    return signed_post(client, URL, body, APP_ID, SECRET)


def test_a_bad_review_from_the_province_opens_a_work_order_once(client, scene, case, feed):
    """STD-6: matched to the case, original time kept, a work order opened; a repeat changes nothing."""
    answer = push(client, case)
    assert answer.status_code == 201, answer.content
    body = answer.json()
    rating = Rating.objects.get(external_id="JS-HCP-0001")
    assert body["received"] is True and body["rating_id"] == rating.pk
    assert rating.case == case and rating.channel == Channel.PROVINCE and rating.real_name
    assert rating.created_at == local(2026, 3, 10, 8, 30)
    order = WorkOrder.objects.get(rating=rating)
    assert body["work_order"] == order.number and order.status == OrderStatus.VERIFY

    again = push(client, case)
    assert again.status_code == 200 and again.json()["received"] is False
    assert Rating.objects.filter(external_id="JS-HCP-0001").count() == 1
    assert WorkOrder.objects.filter(rating__case=case).count() == 1
    # the province has the rating already: only what we do about it goes up
    assert not SyncItem.objects.filter(kind="rating", object_id=str(rating.pk)).exists()
    services.work_order_verify(order=order, actor=scene.director, finding="true", note="已联系评价人")
    assert SyncItem.objects.filter(kind="review_order", dataset="verify", object_id=str(order.pk)).exists()


def test_unknown_case_is_a_structured_404_and_nothing_is_written(client, case, feed):
    answer = push(client, case, caseNumber="NO-SUCH-CASE")
    assert answer.status_code == 404
    assert answer.json()["code"] == "case_not_found" and "caseNumber" in answer.json()["fields"]
    assert not Rating.objects.filter(external_id="JS-HCP-0001").exists()
    assert not WorkOrder.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "status", "code"),
    [
        ({"level": 2}, 400, "not_bad"),
        ({"level": "x"}, 422, "validation_error"),
        ({"ratedAt": "昨天"}, 400, "invalid"),
        ({"ratedAt": "2030-01-01 00:00:00"}, 400, "invalid"),
        ({"evaluationId": ""}, 422, "validation_error"),
        ({"aspects": {"nonsense": 5}}, 400, "invalid"),
        ({"raterPhone": "12345"}, 400, "invalid"),
    ],
)
def test_bad_bodies_get_structured_errors_and_write_nothing(client, case, feed, overrides, status, code):
    answer = push(client, case, **overrides)
    assert answer.status_code == status, answer.content
    assert answer.json()["code"] == code and answer.json()["message"]
    assert not Rating.objects.filter(channel=Channel.PROVINCE).exists()


def test_not_json_is_refused_without_a_server_error(client, case, feed):
    answer = signed_post(client, URL, b"{not json", APP_ID, SECRET)
    assert 400 <= answer.status_code < 500 and "code" in answer.json()


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({"HTTP_X_SIGNATURE": "0" * 64}, "bad_signature"),
        ({"HTTP_X_APP_ID": "someone-else"}, "bad_signature"),
        ({"HTTP_X_TIMESTAMP": "1000"}, "stale_request"),
        ({"HTTP_X_NONCE": ""}, "unsigned"),
    ],
)
def test_unsigned_or_wrongly_signed_pushes_are_refused(client, case, feed, headers, code):
    body = json.dumps(
        {"evaluationId": "X1", "caseNumber": case.number, "level": 5, "ratedAt": "2026-03-10 08:00:00"}
    )
    answer = signed_post(client, URL, body.encode(), APP_ID, SECRET, **headers)
    assert answer.status_code == 401 and answer.json()["code"] == code
    assert not Rating.objects.filter(channel=Channel.PROVINCE).exists()


def test_a_replayed_push_is_refused(client, case, feed):
    from tests.exchange.conftest import signed_headers

    body = json.dumps(
        {"evaluationId": "X2", "caseNumber": case.number, "level": 5, "ratedAt": "2026-03-10 08:00:00"}
    ).encode()
    headers = signed_headers(body, APP_ID, SECRET)
    assert client.post(URL, data=body, content_type="application/json", **headers).status_code == 201
    replay = client.post(URL, data=body, content_type="application/json", **headers)
    assert replay.status_code == 401 and replay.json()["code"] == "replayed_request"


def test_a_staff_login_cannot_push(client, case, feed, scene):
    from tests.conftest import login

    login(client, scene.people["bureau_admin"])
    answer = client.post(URL, data={}, content_type="application/json")
    assert answer.status_code == 401 and answer.json()["code"] == "unsigned"


def test_not_configured_refuses_every_push(client, case, settings):
    settings.REVIEWS_FEED_URL = ""
    answer = push(client, case)
    assert answer.status_code == 401 and answer.json()["code"] == "not_configured"
