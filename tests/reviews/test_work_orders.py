"""STD-6 差评 → 整改工单: 回访核实 → 处理 (整改 / 台账 / 解释说明) → 答复 → 回访 → 办结, each stage due in
working days set by the bureau; a real-name 差评 cannot be closed without the reply and the return visit."""

from __future__ import annotations

import datetime as dt

import pytest

from govhall.core.errors import Conflict, Forbidden, ServiceError
from govhall.core.models import AuditEntry
from govhall.exchange.models import Notification
from govhall.reviews import services
from govhall.reviews.models import OrderStatus, ReviewSettings, WorkOrder
from tests.conftest import login
from tests.reviews.conftest import PHONE, local

pytestmark = pytest.mark.django_db


def bad_review(scene, *, phone=PHONE, level=5, **kwargs):
    ticket = scene.serve()
    return scene.rate_visit(
        ticket, level=level, rater=services.Rater(phone=phone), text="等了很久没人理", **kwargs
    )


def test_bad_review_opens_a_work_order_due_in_working_days(scene):
    """STD-6: each 差评 becomes a work order; 回访核实 is due at the end of the next working day (default 1)."""
    rating = bad_review(scene)
    order = rating.work_order
    assert order.status == OrderStatus.VERIFY and order.real_name and order.centre == scene.town
    assert order.stage_due_at == local(2026, 3, 11, 23, 59, 59, 999999)
    assert order.warn_at == local(2026, 3, 11, 0, 0)  # from the start of the due day
    assert AuditEntry.objects.filter(action="review_order.create", object_id=str(order.pk)).exists()


def test_friday_bad_review_is_due_after_the_weekend(scene, clock):
    clock.move_to(local(2026, 3, 13, 16, 0))  # Friday
    order = bad_review(scene).work_order
    assert order.stage_due_at.date() == dt.date(2026, 3, 16)  # Monday


def test_real_name_order_cannot_close_without_reply_and_return_visit(scene, client):
    """STD-6 Done-when: refused at each stage, nothing changed, until replied and visited."""
    order = bad_review(scene).work_order
    director = scene.director
    with pytest.raises(Conflict) as exc:
        services.work_order_close(order=order, actor=director)
    assert (
        "回访核实" in exc.value.message and "答复评价人" in exc.value.message and "回访" in exc.value.message
    )

    services.work_order_verify(order=order, actor=director, finding="true", note="电话联系评价人，情况属实")
    services.work_order_decide(
        order=order, actor=director, outcome="rectify", measures="增派一名前台人员，高峰时段开放备用窗口"
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.REPLY
    login(client, director)
    response = client.post(f"/api/v1/reviews/work-orders/{order.pk}/close")
    assert response.status_code == 409 and response.json()["code"] == "order_incomplete"
    assert "答复评价人" in response.json()["message"]
    order.refresh_from_db()
    assert order.status == OrderStatus.REPLY and order.closed_at is None
    assert not AuditEntry.objects.filter(action="review_order.close").exists()

    services.work_order_reply(order=order, actor=director, text="已增派人员，感谢您的监督。")
    sms = Notification.objects.get(template="reviews.reply")
    assert sms.recipient == PHONE and "感谢您的监督" in sms.text
    page = client.post(f"/reviews/orders/{order.pk}/", {"action": "close"})
    assert page.status_code == 409 and "回访" in page.content.decode()
    order.refresh_from_db()
    assert order.status == OrderStatus.VISIT and order.closed_at is None

    services.work_order_visit(order=order, actor=director, satisfaction="satisfied", note="评价人表示满意")
    response = client.post(f"/api/v1/reviews/work-orders/{order.pk}/close")
    assert response.status_code == 200 and response.json()["status"] == "closed"
    order.refresh_from_db()
    assert order.closed_by == director and order.replied_at and order.visited_at
    with pytest.raises(Conflict):
        services.work_order_close(order=order, actor=director)


def test_director_works_the_order_on_its_page(scene, client):
    order = bad_review(scene).work_order
    login(client, scene.director)
    url = f"/reviews/orders/{order.pk}/"
    assert "回访核实" in client.get(url).content.decode()
    assert client.post(url, {"action": "verify", "finding": "partly", "note": "部分属实"}).status_code == 302
    bad = client.post(url, {"action": "decide", "outcome": "ledger", "measures": "改造叫号系统"})
    assert bad.status_code == 400 and "整改期限" in bad.content.decode()
    assert (
        client.post(
            url,
            {"action": "decide", "outcome": "ledger", "measures": "改造叫号系统", "ledger_due": "2026-04-30"},
        ).status_code
        == 302
    )
    assert client.post(url, {"action": "reply", "text": "已列入整改台账，4月底前完成。"}).status_code == 302
    assert client.post(url, {"action": "visit", "satisfaction": "basic"}).status_code == 302
    assert client.post(url, {"action": "close"}).status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.CLOSED and order.ledger_due == dt.date(2026, 4, 30)
    assert not order.is_rectified  # the ledger item is still open
    assert client.post(url, {"action": "ledger", "note": "叫号系统已升级"}).status_code == 302
    order.refresh_from_db()
    assert order.is_rectified and order.ledger_note == "叫号系统已升级"


def test_the_rated_clerk_and_other_units_cannot_handle_the_order(scene, client):
    """STD-6: the rated clerk never handles their own 差评 (403); another village's clerk cannot see it (404)."""
    order = bad_review(scene).work_order
    with pytest.raises(Forbidden) as exc:
        services.work_order_verify(order=order, actor=scene.front_desk, finding="false", note="不属实")
    assert "被评价人" in exc.value.message
    login(client, scene.front_desk)
    response = client.post(
        f"/api/v1/reviews/work-orders/{order.pk}/verify",
        {"finding": "false", "note": "x"},
        content_type="application/json",
    )
    assert response.status_code == 403
    login(client, scene.back_office)  # town staff without a complaint-handling role: not even visible
    assert client.get(f"/api/v1/reviews/work-orders/{order.pk}").status_code == 404
    login(client, scene.other_village_clerk)
    assert (
        client.post(
            f"/api/v1/reviews/work-orders/{order.pk}/verify",
            {"finding": "true", "note": "x"},
            content_type="application/json",
        ).status_code
        == 404
    )
    assert client.get(f"/reviews/orders/{order.pk}/").status_code == 404
    order.refresh_from_db()
    assert order.status == OrderStatus.VERIFY and order.verified_at is None
    login(client, scene.bureau_admin)  # the bureau may handle any order
    assert (
        client.post(
            f"/api/v1/reviews/work-orders/{order.pk}/verify",
            {"finding": "true", "note": "核实"},
            content_type="application/json",
        ).status_code
        == 200
    )


def test_bad_stage_input_is_refused_and_nothing_changes(scene):
    order = bad_review(scene).work_order
    d = scene.director
    for kwargs in ({"finding": "maybe", "note": "x"}, {"finding": "true", "note": "  "}):
        with pytest.raises(ServiceError):
            services.work_order_verify(order=order, actor=d, **kwargs)
    with pytest.raises(Conflict):
        services.work_order_decide(order=order, actor=d, outcome="rectify", measures="先处理")  # wrong stage
    services.work_order_verify(order=order, actor=d, finding="true", note="属实")
    for kwargs in (
        {"outcome": "ignore", "measures": "x"},
        {"outcome": "rectify", "measures": ""},
        {"outcome": "ledger", "measures": "x"},
        {"outcome": "ledger", "measures": "x", "ledger_due": dt.date(2026, 3, 1)},
        {"outcome": "explain", "measures": "x", "ledger_due": dt.date(2026, 4, 1)},
    ):
        with pytest.raises(ServiceError):
            services.work_order_decide(order=order, actor=d, **kwargs)
    order.refresh_from_db()
    assert order.status == OrderStatus.DECIDE and order.outcome == "" and order.decided_at is None
    services.work_order_decide(
        order=order, actor=d, outcome="explain", measures="该材料为法定要求，已向评价人解释"
    )
    with pytest.raises(ServiceError):
        services.work_order_reply(order=order, actor=d, text="")
    services.work_order_reply(order=order, actor=d, text="已解释")
    for kwargs in ({"satisfaction": "happy"}, {"satisfaction": "dissatisfied", "note": ""}):
        with pytest.raises(ServiceError):
            services.work_order_visit(order=order, actor=d, **kwargs)
    order.refresh_from_db()
    assert order.status == OrderStatus.VISIT and order.visited_at is None


def test_anonymous_bad_review_closes_after_verification_and_handling(scene):
    """A 差评 without any contact cannot be answered or visited: verify and handle, then close."""
    order = bad_review(scene, phone="").work_order
    assert not order.real_name
    services.work_order_verify(
        order=order, actor=scene.director, finding="unreachable", note="匿名，调取监控核实"
    )
    order = services.work_order_decide(
        order=order, actor=scene.director, outcome="rectify", measures="约谈窗口人员"
    )
    assert order.status == OrderStatus.CLOSE
    assert services.work_order_close(order=order, actor=scene.director).status == OrderStatus.CLOSED


def test_deadline_scan_warns_then_flags_overdue_and_tells_the_director(scene, clock):
    """STD-6 deadlines like cases (STD-3): 预警 on the due day, 超期 after it; the director gets one SMS each."""
    from govhall.accounts.models import StaffContact

    StaffContact.objects.create(user=scene.director, mobile="13600136000")
    order = bad_review(scene).work_order
    assert services.work_orders_scan_deadlines() == {"warned": 0, "overdue": 0, "ledger_overdue": 0}
    clock.move_to(local(2026, 3, 11, 8, 0))
    assert services.work_orders_scan_deadlines()["warned"] == 1
    assert services.work_orders_scan_deadlines()["warned"] == 0  # once
    order.refresh_from_db()
    assert order.warning_level == 1
    clock.move_to(local(2026, 3, 12, 8, 0))
    assert services.work_orders_scan_deadlines()["overdue"] == 1
    order.refresh_from_db()
    assert order.warning_level == 2
    texts = list(
        Notification.objects.filter(template="reviews.order_warning")
        .order_by("id")
        .values_list("text", flat=True)
    )
    assert len(texts) == 2 and "即将到期" in texts[0] and "已超期" in texts[1]
    services.work_order_verify(order=order, actor=scene.director, finding="true", note="迟到的核实")
    order.refresh_from_db()
    assert (
        order.overdue_stages == ["verify"] and order.warning_level == 0 and order.status == OrderStatus.DECIDE
    )


def test_overdue_ledger_item_turns_red(scene, clock):
    order = bad_review(scene).work_order
    services.work_order_verify(order=order, actor=scene.director, finding="true", note="属实")
    services.work_order_decide(
        order=order, actor=scene.director, outcome="ledger", measures="改造", ledger_due=dt.date(2026, 3, 20)
    )
    services.work_order_reply(order=order, actor=scene.director, text="已列入台账")
    services.work_order_visit(order=order, actor=scene.director, satisfaction="basic")
    services.work_order_close(order=order, actor=scene.director)
    clock.move_to(local(2026, 3, 23, 9, 0))
    assert services.work_orders_scan_deadlines()["ledger_overdue"] == 1
    order.refresh_from_db()
    assert order.warning_level == 2 and order.status == OrderStatus.CLOSED


def test_stage_days_are_settings_per_centre_and_a_village_uses_its_towns(scene, client):
    """Deadlines differ by place (same day to 15 working days): a town's setting covers its villages."""
    login(client, scene.bureau_admin)
    bad = client.put(
        "/api/v1/reviews/settings",
        {"centre_id": scene.town.pk, "values": {"verify_days": 16}},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "verify_days" in bad.json()["fields"]
    assert not ReviewSettings.objects.exists()
    ok = client.put(
        "/api/v1/reviews/settings",
        {"centre_id": scene.town.pk, "values": {"verify_days": 0}},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["verify_days"] == 0
    login(client, scene.director)
    assert (
        client.put(
            "/api/v1/reviews/settings", {"values": {"verify_days": 3}}, content_type="application/json"
        ).status_code
        == 403
    )
    assert services.review_settings_in_force(scene.village).verify_days == 0
    assert services.review_settings_in_force(scene.hall.town).centre_id == scene.town.pk
    order = bad_review(scene).work_order
    assert order.stage_due_at == local(2026, 3, 10, 23, 59, 59, 999999)  # same day
    assert isinstance(WorkOrder.objects.get(pk=order.pk).stage_due_at, dt.datetime)
