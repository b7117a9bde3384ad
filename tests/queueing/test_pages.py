"""Queue pages: the guide desk and kiosk (SITE-7), the clerk's workbench with htmx, the printable ticket,
the phone follow page, the display screens and their event stream (SITE-7, NET-3), figures, slots,
booking; one access check per page (a village clerk gets 404 for the town's pages)."""

from __future__ import annotations

import json

import pytest

from govhall.core import events
from govhall.queueing import services
from govhall.queueing.models import Appointment, DisplayNotice, Ticket, TicketStatus, WindowState
from tests.conftest import login
from tests.queueing.conftest import ELDER_ID, open_window

pytestmark = pytest.mark.django_db


def test_guide_desk_issues_a_priority_ticket(client, q):
    login(client, q.guide)
    page = client.get(f"/queueing/c/{q.centre.pk}/desk/")
    assert page.status_code == 200 and "为办事人取号" in page.content.decode()
    response = client.post(
        f"/queueing/c/{q.centre.pk}/desk/",
        {
            "matter": q.birth.pk,
            "priority_reason": "disabled",
            "priority_note": "残疾人证",
            "phone": "13812345678",
        },
        follow=True,
    )
    ticket = Ticket.objects.get()
    assert ticket.priority and ticket.source == "desk" and ticket.issued_by == q.guide
    assert "已取号 A001" in response.content.decode()
    assert f"/queueing/t/{ticket.public_token}/print/" in response.content.decode()


def test_guide_desk_bad_input_shows_the_error_and_writes_nothing(client, q):
    login(client, q.guide)
    response = client.post(f"/queueing/c/{q.centre.pk}/desk/", {"matter": q.birth.pk, "phone": "999"})
    assert response.status_code == 400 and "手机号码应为11位" in response.content.decode()
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("path", ["desk/", "windows/", "desk/queue/"])
def test_staff_pages_are_scoped_to_the_centre(client, q, path):
    login(client, q.village_clerk)
    assert client.get(f"/queueing/c/{q.centre.pk}/{path}").status_code == 404
    login(client, q.bureau_admin)
    assert client.get(f"/queueing/c/{q.centre.pk}/{path}").status_code == 403
    client.logout()
    assert client.get(f"/queueing/c/{q.centre.pk}/{path}").status_code == 302  # to the login page


def test_desk_reinstates_a_skipped_ticket(client, q):
    window = open_window(q.windows["minsheng"], q.front_desk)
    t = services.ticket_issue(centre=q.centre, matter_id=q.birth.pk).ticket
    services.ticket_call_next(window=window, by=q.front_desk)
    services.ticket_skip(window=window, ticket_id=t.pk, by=q.front_desk)
    login(client, q.guide)
    assert "恢复排队" in client.get(f"/queueing/c/{q.centre.pk}/desk/").content.decode()
    client.post(f"/queueing/c/{q.centre.pk}/desk/tickets/{t.pk}/reinstate/")
    assert Ticket.objects.get(pk=t.pk).status == TicketStatus.WAITING


def test_workbench_calls_with_htmx_and_without(client, q):
    login(client, q.front_desk)
    window = q.windows["minsheng"]
    services.ticket_issue(centre=q.centre, matter_id=q.birth.pk)
    page = client.get(f"/queueing/w/{window.pk}/").content.decode()
    assert "开始服务" in page and 'hx-post="/queueing/w/' in page and 'action="/queueing/w/' in page
    client.post(f"/queueing/w/{window.pk}/open/")
    panel = client.post(f"/queueing/w/{window.pk}/call-next/", HTTP_HX_REQUEST="true")
    assert panel.status_code == 200 and 'id="panel"' in panel.content.decode()
    assert "已呼叫A001号" in panel.content.decode()
    assert "<html" not in panel.content.decode()  # a fragment
    ticket = Ticket.objects.get()
    assert ticket.status == TicketStatus.CALLED and ticket.served_by == q.front_desk
    response = client.post(f"/queueing/w/{window.pk}/start/", {"ticket": ticket.pk})
    assert response.status_code == 302
    client.post(f"/queueing/w/{window.pk}/finish/", {"ticket": ticket.pk, "outcome": "done"})
    assert Ticket.objects.get().status == TicketStatus.DONE


def test_workbench_shows_service_errors_in_the_panel(client, q):
    login(client, q.front_desk)
    window = open_window(q.windows["minsheng"], q.front_desk)
    panel = client.post(f"/queueing/w/{window.pk}/pause/", {"reason": ""}, HTTP_HX_REQUEST="true")
    assert "请选择暂停服务的原因" in panel.content.decode()
    client.post(f"/queueing/w/{window.pk}/pause/", {"reason": "break"}, HTTP_HX_REQUEST="true")
    panel = client.post(f"/queueing/w/{window.pk}/call-next/", HTTP_HX_REQUEST="true")
    assert "暂停服务状态" in panel.content.decode()
    assert WindowState.objects.get(window=window).status == "paused"
    assert client.post(f"/queueing/w/{window.pk}/bogus/").status_code == 404


def test_workbench_of_another_village_is_404(client, q):
    from tests.factories import WindowFactory

    other = WindowFactory(centre=q.other_village, number=1, window_class="quanke")
    login(client, q.village_clerk)
    assert client.get(f"/queueing/w/{other.pk}/").status_code == 404
    assert client.post(f"/queueing/w/{other.pk}/open/").status_code == 404
    assert not WindowState.objects.exists()


def test_kiosk_takes_a_ticket_in_two_steps_without_login(client, q):
    """SITE-7 self-service terminal: the queue's former kiosk address leads to the hall's one kiosk (by the
    centre's code); there: pick, confirm, and the ticket is printed with the elder's priority."""
    code = q.centre.division.code
    moved = client.get(f"/queueing/kiosk/{q.centre.pk}/?matter={q.birth.pk}")
    assert moved.status_code == 301 and moved.url == f"/portal/kiosk/{code}/ticket/?matter={q.birth.pk}"
    page = client.get(f"/portal/kiosk/{code}/ticket/").content.decode()
    assert "民生综合窗口" in page and "户口迁移" in page
    step2 = client.get(f"/portal/kiosk/{code}/ticket/?matter={q.birth.pk}").content.decode()
    assert "您选择了" in step2 and "生育登记" in step2
    response = client.post(f"/portal/kiosk/{code}/ticket/", {"matter": q.birth.pk, "id_number": ELDER_ID})
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response.url == f"/portal/kiosk/{code}/ticket/{ticket.public_token}/"
    assert ticket.priority and ticket.source == "kiosk"
    printed = client.get(response.url).content.decode()
    assert 'class="ticket80"' in printed and ticket.code in printed and "优先" in printed
    assert "过号30分钟内可到导服台恢复一次" in printed and f"投诉电话：{q.centre.complaint_phone}" in printed
    bad = client.post(f"/portal/kiosk/{code}/ticket/", {"matter": q.birth.pk, "id_number": "123"})
    assert bad.status_code == 400 and "居民身份证号码应为18位" in bad.content.decode()
    assert Ticket.objects.count() == 1
    assert client.get("/queueing/kiosk/999999/").status_code == 404


def test_printed_ticket_has_the_80mm_layout_and_a_qr_code(client, q):
    for _ in range(2):
        services.ticket_issue(centre=q.centre, matter_id=q.birth.pk)
    ticket = Ticket.objects.order_by("number").last()
    page = client.get(f"/queueing/t/{ticket.public_token}/print/").content.decode()
    assert "ticket80" in page and "A002" in page and q.centre.name in page and "生育登记" in page
    assert "您前面还有 <strong>1</strong> 人" in page and 'src="data:image/svg+xml' in page
    assert "2026-03-10 09:00" in page


def test_phone_page_requires_a_number_and_follows_the_ticket(client, q):
    bad = client.post(f"/queueing/phone/{q.centre.pk}/", {"group": "minsheng"})
    assert bad.status_code == 400 and not Ticket.objects.exists()
    response = client.post(f"/queueing/phone/{q.centre.pk}/", {"group": "minsheng", "phone": "13812345678"})
    ticket = Ticket.objects.get()
    assert response.url == f"/queueing/t/{ticket.public_token}/"
    follow = client.get(response.url).content.decode()
    assert "A001" in follow and "等候中" in follow and "13812345678" not in follow
    window = open_window(q.windows["minsheng"], q.front_desk)
    services.ticket_call_next(window=window, by=q.front_desk)
    fragment = client.get(response.url, HTTP_HX_REQUEST="true").content.decode()
    assert "请到 1 号窗口办理" in fragment
    assert client.get("/queueing/t/nope/").status_code == 404


def test_visitor_cancels_from_the_phone(client, q):
    ticket = services.ticket_issue(centre=q.centre, matter_id=q.birth.pk).ticket
    client.post(f"/queueing/t/{ticket.public_token}/cancel/")
    assert Ticket.objects.get().status == TicketStatus.CANCELLED


def test_big_screen_shows_calls_pauses_counts_and_rolling_notices(client, q):
    """SITE-7 电子显示屏 and NET-3: policies, matters with promised limits and fees, complaint phone."""
    DisplayNotice.objects.create(centre=q.centre, title="政策公告", text="企业开办一窗通办")
    window = open_window(q.windows["minsheng"], q.front_desk)
    services.ticket_issue(centre=q.centre, matter_id=q.birth.pk)
    services.ticket_issue(centre=q.centre, matter_id=q.birth.pk)
    services.ticket_call_next(window=window, by=q.front_desk)
    jianshe = open_window(q.windows["jianshe"], q.back_office)
    services.window_pause(window=jianshe, reason="meeting", by=q.back_office)
    page = client.get(f"/queueing/screen/{q.centre.pk}/").content.decode()
    assert "A001 → 1号窗口" in page and "暂停服务（会议/培训）" in page and "民生综合窗口 等候 1 人" in page
    assert "queueing/screen.js" in page and "<script>" not in page
    snap = client.get(f"/api/v1/queueing/centres/{q.centre.pk}/display").json()
    kinds = {n["kind"] for n in snap["notices"]}
    assert kinds == {"policy", "matter", "complaint"}
    fee = next(n for n in snap["notices"] if n["title"] == "城乡居民医保参保登记")
    assert "承诺时限：5个工作日" in fee["text"] and "收费：10.00元" in fee["text"]
    assert any(q.centre.complaint_phone in n["text"] for n in snap["notices"])


def test_window_screen_shows_its_window(client, q):
    window = open_window(q.windows["minsheng"], q.front_desk)
    services.ticket_issue(centre=q.centre, matter_id=q.birth.pk)
    services.ticket_call_next(window=window, by=q.front_desk)
    page = client.get(f"/queueing/screen/{q.centre.pk}/window/1/").content.decode()
    assert 'data-window="1"' in page and "A001" in page
    assert client.get(f"/queueing/screen/{q.centre.pk}/window/99/").status_code == 404


def test_screen_event_stream_sends_a_snapshot_then_live_calls(client, q):
    response = client.get(f"/queueing/screen/{q.centre.pk}/events/")
    assert response["Content-Type"].startswith("text/event-stream")
    chunks = iter(response.streaming_content)
    assert next(chunks).decode().startswith("retry:")
    snapshot = next(chunks).decode()
    assert snapshot.startswith("event: snapshot\ndata: ")
    assert json.loads(snapshot.split("data: ", 1)[1])["centre"]["id"] == q.centre.pk
    events.publish(services.topic(q.centre.pk, "call"), {"text": "请A001号到1号窗口办理"})
    event = next(chunks).decode()
    assert (
        event.startswith(f"event: queueing.centre.{q.centre.pk}.call\n") and "请A001号到1号窗口办理" in event
    )
    response.close()


def test_figures_page_for_the_director(client, q):
    window = open_window(q.windows["minsheng"], q.front_desk)
    t = services.ticket_issue(centre=q.centre, matter_id=q.birth.pk).ticket
    services.ticket_call_next(window=window, by=q.front_desk)
    services.ticket_start(window=window, ticket_id=t.pk, by=q.front_desk)
    services.ticket_finish(window=window, ticket_id=t.pk, by=q.front_desk)
    login(client, q.director)
    page = client.get(f"/queueing/c/{q.centre.pk}/figures/").content.decode()
    assert "排队统计" in page and "hour-data" in page and "1号窗口" in page and "王晓燕" in page
    login(client, q.front_desk)
    assert client.get(f"/queueing/c/{q.centre.pk}/figures/").status_code == 403


def test_director_adds_slots_and_a_visitor_books(client, q, monkeypatch):
    monkeypatch.setattr(services, "_sms", lambda *a: None)
    login(client, q.director)
    response = client.post(
        f"/queueing/c/{q.centre.pk}/slots/",
        {
            "group": "minsheng",
            "date_from": "2026-03-11",
            "date_to": "2026-03-11",
            "periods": "09:00-10:00,10:00-11:00",
            "capacity": "2",
        },
    )
    assert response.status_code == 302
    bad = client.post(
        f"/queueing/c/{q.centre.pk}/slots/",
        {
            "group": "minsheng",
            "date_from": "2026-03-11",
            "date_to": "2026-03-11",
            "periods": "nine",
            "capacity": "2",
        },
    )
    assert bad.status_code == 400
    login(client, q.front_desk)
    assert client.post(f"/queueing/c/{q.centre.pk}/slots/", {}).status_code == 403
    client.logout()
    page = client.get(f"/queueing/book/{q.centre.pk}/").content.decode()
    assert "城乡居民医保参保登记" in page and "09:00-10:00" in page
    slot = q.centre.appointment_slots.order_by("start").first()
    done = client.post(
        f"/queueing/book/{q.centre.pk}/",
        {"slot": slot.pk, "matter": q.appointment_matter.pk, "name": "李华", "phone": "13812345678"},
    )
    booking = Appointment.objects.get()
    assert done.status_code == 200 and booking.code in done.content.decode()
    bad = client.post(
        f"/queueing/book/{q.centre.pk}/",
        {"slot": slot.pk, "matter": q.appointment_matter.pk, "name": "", "phone": "13812345678"},
    )
    assert bad.status_code == 400 and Appointment.objects.count() == 1


def test_desk_check_in_gives_a_ticket(client, q, monkeypatch, clock):
    import datetime as dt

    from tests.queueing.conftest import TZ

    monkeypatch.setattr(services, "_sms", lambda *a: None)
    slot = services.slot_create(
        centre=q.centre,
        group="minsheng",
        date=dt.date(2026, 3, 10),
        start=dt.time(9, 15),
        end=dt.time(10),
        capacity=2,
        by=q.director,
    )
    booking = services.appointment_book(
        slot_id=slot.pk, matter_id=q.appointment_matter.pk, name="李华", phone="13812345678"
    )
    clock.move_to(dt.datetime(2026, 3, 10, 9, 10, tzinfo=TZ))
    login(client, q.guide)
    response = client.post(f"/queueing/c/{q.centre.pk}/desk/check-in/", {"code": booking.code}, follow=True)
    assert "签到成功" in response.content.decode()
    assert Ticket.objects.get().priority_reason == "appointment"


def test_queue_home_and_nav_entry(client, q):
    login(client, q.guide)
    assert client.get("/queueing/").url == f"/queueing/c/{q.centre.pk}/desk/"
    assert "排队叫号" in client.get(f"/queueing/c/{q.centre.pk}/desk/").content.decode()
    login(client, q.inspector)
    page = client.get("/queueing/").content.decode()
    assert f"/queueing/c/{q.centre.pk}/figures/" in page and f"/queueing/c/{q.village.pk}/figures/" in page
