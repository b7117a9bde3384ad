"""GOV-1, NET-2 (国办发〔2020〕53号): 12345 work orders about the hall. The city platform pushes an order (signed,
idempotent), it is dispatched to the centre, handled by a named clerk within working days, replied, extended,
returned or visited; every step reaches a real local stand-in of the 12345 platform that checks our
signature. A 差评 becomes a 12345 order where the bureau's setting says so. The director's page lists them
beside the 差评 work orders."""

from __future__ import annotations

import pytest

from govhall.exchange.models import SyncItem, SyncStatus
from govhall.exchange.sync import sync_item_send
from govhall.hotline import services
from govhall.hotline.models import HotlineOrder, HotlineStep, Source, Status
from govhall.reviews import services as reviews
from tests.conftest import login
from tests.exchange.conftest import signed_post
from tests.hotline.conftest import APP_ID, SECRET
from tests.reviews.conftest import PHONE, local

pytestmark = pytest.mark.django_db

INBOUND = "/api/v1/hotline/inbound/orders"


def deliver_all():
    for pk in SyncItem.objects.filter(status=SyncStatus.QUEUED).order_by("pk").values_list("pk", flat=True):
        sync_item_send(item_id=pk)


def push(client, **overrides):
    body = {
        "orderNumber": "QD12345-20260310-0001",
        "category": "complaint",
        "title": "吕四港镇为民服务中心窗口排队时间长",
        "content": "上午九点到中心办社保，排队一个多小时",
        "citizenName": "赵六",
        "citizenPhone": "13600136000",
        "dueDate": "2026-03-20",
        **overrides,
    }
    return signed_post(client, INBOUND, body, APP_ID, SECRET)


def test_an_order_from_12345_runs_its_course_and_every_step_is_reported(client, scene, city, clock):
    """GOV-1, NET-2: receive (idempotent) → 派单 (the platform named the centre) → 承办 by a named clerk due in 5
    working days → 延期申请 approved by the director (+2 working days) → 回复 → 回访 pushed by 12345 → 办结."""
    code = scene.town.division.code
    answer = push(client, centreCode=code)
    assert answer.status_code == 201, answer.content
    assert answer.json()["received"] is True and answer.json()["status"] == "dispatched"
    again = push(client, centreCode=code)
    assert again.status_code == 200 and again.json()["received"] is False
    order = HotlineOrder.objects.get()
    assert order.centre == scene.town and order.status == Status.DISPATCHED

    clerk = scene.front_desk
    order = services.order_assign(order=order, actor=scene.director, handler=clerk)
    assert order.due_at == local(2026, 3, 17, 23, 59, 59, 999999)  # Tuesday + 5 working days
    services.order_extension_request(order=order, actor=clerk, days=2, reason="需协调社保部门核查")
    order = services.order_extension_decide(order=order, actor=scene.director, approve=True, note="同意")
    assert order.due_at == local(2026, 3, 19, 23, 59, 59, 999999)
    services.order_reply(order=order, actor=clerk, text="已增开社保窗口，高峰时段分流")
    clock.move_to(local(2026, 3, 12, 10, 0))
    visit = signed_post(
        client, f"{INBOUND}/{order.number}/visit", {"result": "satisfied", "note": "群众满意"}, APP_ID, SECRET
    )
    assert visit.status_code == 200 and visit.json()["status"] == "closed"
    order.refresh_from_db()
    assert order.status == Status.CLOSED and order.visit_result == "satisfied"

    deliver_all()
    assert city.signature_failures == 0
    steps = [(b["objectType"], b["dataset"]) for b in city.delivered]
    assert steps == [
        ("hotline", "dispatch"),
        ("hotline", "assign"),
        ("hotline", "extend"),
        ("hotline", "extend_decide"),
        ("hotline", "reply"),
        ("hotline", "visit"),
    ]
    data = {b["dataset"]: b["data"] for b in city.delivered}
    assert all(d["orderNumber"] == "QD12345-20260310-0001" for d in data.values())
    assert (
        data["assign"]["handlerStaffId"] == clerk.staff_no
        and data["assign"]["dueAt"] == "2026-03-17 23:59:59"
    )
    assert (
        data["extend_decide"]["approved"] is True and data["extend_decide"]["dueAt"] == "2026-03-19 23:59:59"
    )
    assert (
        data["reply"]["reply"] == "已增开社保窗口，高峰时段分流"
        and data["reply"]["staffId"] == clerk.staff_no
    )
    assert data["visit"]["result"] == "satisfied" and data["visit"]["at"] == "2026-03-12 10:00:00"
    kinds = list(HotlineStep.objects.filter(order=order).values_list("kind", flat=True))
    assert kinds == ["receive", "dispatch", "assign", "extend", "extend_decide", "reply", "visit"]


def test_dispatch_by_the_bureau_return_with_reason_and_reopen_when_dissatisfied(client, scene, city):
    push(client)
    order = HotlineOrder.objects.get()
    assert order.status == Status.RECEIVED and order.centre is None
    with pytest.raises(Exception, match="派单"):
        services.order_dispatch(order=order, actor=scene.director, centre=scene.town)
    order = services.order_dispatch(order=order, actor=scene.people["bureau_admin"], centre=scene.town)
    order = services.order_assign(order=order, actor=scene.director, handler=scene.back_office)
    order = services.order_reply(order=order, actor=scene.back_office, text="已电话解释政策")
    order = services.order_visit(
        order=order, actor=scene.director, result="dissatisfied", note="群众仍不满意"
    )
    assert order.status == Status.HANDLING  # 重办

    push(client, orderNumber="QD12345-20260310-0002", centreCode=scene.town.division.code)
    second = HotlineOrder.objects.get(number="QD12345-20260310-0002")
    login(client, scene.director)
    empty = client.post(
        f"/api/v1/hotline/orders/{second.pk}/return", data={"reason": "  "}, content_type="application/json"
    )
    assert empty.status_code == 400 and empty.json()["fields"] == {"reason": "请填写退单理由。"}
    answer = client.post(
        f"/api/v1/hotline/orders/{second.pk}/return",
        data={"reason": "诉求为户籍业务，属公安派出所职责"},
        content_type="application/json",
    )
    assert answer.status_code == 200 and answer.json()["status"] == "returned"
    deliver_all()
    returned = [b["data"] for b in city.delivered if b["dataset"] == "return"]
    assert returned and returned[0]["reason"] == "诉求为户籍业务，属公安派出所职责"


def test_who_may_do_what(client, scene, city):
    push(client, centreCode=scene.town.division.code)
    order = HotlineOrder.objects.get()
    with pytest.raises(Exception, match="主任"):
        services.order_assign(order=order, actor=scene.front_desk, handler=scene.front_desk)
    order = services.order_assign(order=order, actor=scene.director, handler=scene.front_desk)
    services.order_extension_request(order=order, actor=scene.front_desk, days=1, reason="等待部门回复")
    with pytest.raises(Exception, match="主任"):
        services.order_extension_decide(order=order, actor=scene.front_desk, approve=True)
    with pytest.raises(Exception, match="承办人"):
        services.order_reply(order=order, actor=scene.back_office, text="不是我的工单")
    login(client, scene.back_office)  # not the handler: the order does not exist for them
    assert client.get(f"/api/v1/hotline/orders/{order.pk}").status_code == 404
    login(client, scene.front_desk)
    detail = client.get(f"/api/v1/hotline/orders/{order.pk}")
    assert detail.status_code == 200 and detail.json()["citizen_phone"] == "136****6000"
    steps = client.get(f"/api/v1/hotline/orders/{order.pk}/steps").json()
    assert [s["kind"] for s in steps] == ["receive", "dispatch", "assign", "extend"]


def test_a_bad_review_becomes_a_12345_order_where_the_setting_says_so(scene, city):
    """国办发〔2020〕53号 / Jiangsu practice: with 差评转12345工单 on, each 差评 is also a 12345 order at its centre."""
    first = scene.rate_visit(scene.serve(), level=5, rater=reviews.Rater(phone=PHONE), text="态度差")
    assert not HotlineOrder.objects.exists()  # off by default
    services.hotline_settings_save(actor=scene.people["bureau_admin"], values={"convert_bad_reviews": True})
    rating = scene.rate_visit(scene.serve(), level=4, rater=reviews.Rater(phone=PHONE), text="材料反复退回")
    order = HotlineOrder.objects.get()
    assert order.source == Source.REVIEW and order.review_order == rating.work_order
    assert (
        order.centre == scene.town and order.status == Status.DISPATCHED and order.content == "材料反复退回"
    )
    assert first.work_order.pk != order.review_order_id
    deliver_all()
    created = [b["data"] for b in city.delivered if b["dataset"] == "create"]
    assert created[0]["reviewOrderNumber"] == rating.work_order.number
    assert created[0]["citizenPhone"] == PHONE  # the hotline calls the citizen back
    assert PHONE not in str(HotlineStep.objects.get(kind="create").data)  # never stored in the clear


@pytest.mark.parametrize(
    ("overrides", "status", "code"),
    [
        ({"category": "rumour"}, 422, "validation_error"),
        ({"title": ""}, 422, "validation_error"),
        ({"centreCode": "999999999999"}, 400, "centre_not_found"),
        ({"caseNumber": "NO-SUCH-CASE"}, 404, "case_not_found"),
        ({"dueDate": "明天"}, 422, "validation_error"),
    ],
)
def test_bad_pushes_get_structured_errors_and_write_nothing(client, scene, city, overrides, status, code):
    answer = push(client, **overrides)
    assert answer.status_code == status, answer.content
    assert answer.json()["code"] == code
    assert not HotlineOrder.objects.exists() and not HotlineStep.objects.exists()


def test_unsigned_pushes_are_refused(client, scene, city):
    answer = signed_post(client, INBOUND, {"orderNumber": "X"}, APP_ID, "wrong-secret")
    assert answer.status_code == 401 and answer.json()["code"] == "bad_signature"
    assert signed_post(client, INBOUND, b"[1,", APP_ID, SECRET).status_code in (400, 422)
    assert not HotlineOrder.objects.exists()


def test_the_directors_page_lists_12345_orders_beside_bad_review_orders(client, scene, city):
    """GOV-1: one board for the director: 12345 work orders and 差评 work orders, Chinese, masked."""
    push(client, centreCode=scene.town.division.code)
    rating = scene.rate_visit(scene.serve(), level=5, rater=reviews.Rater(phone=PHONE))
    login(client, scene.director)
    page = client.get("/hotline/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "12345热线工单" in text and "QD12345-20260310-0001" in text
    assert "差评整改工单" in text and rating.work_order.number in text
    order = HotlineOrder.objects.get()
    detail = client.get(f"/hotline/{order.pk}/").content.decode()
    assert "136****6000" in detail and "13600136000" not in detail and "指定承办人" in detail
    answer = client.post(f"/hotline/{order.pk}/", {"action": "assign", "handler": scene.front_desk.pk})
    assert answer.status_code == 302
    order.refresh_from_db()
    assert order.handler == scene.front_desk and order.status == Status.HANDLING
    bad = client.post(f"/hotline/{order.pk}/", {"action": "reply", "text": ""})
    assert bad.status_code == 400 and "回复内容" in bad.content.decode()
    login(client, scene.people["guide"])
    assert "QD12345" not in client.get("/hotline/").content.decode()  # not theirs
