"""STD-6 一次一评 on the window rating pad: paired to a window by a token (no staff login on the pad), it shows
the clerk at the window (name, photo, staff id) and, right after the clerk finishes a ticket, asks for the
rating of that service."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.base import ContentFile

from govhall.core.errors import Conflict
from govhall.reviews import selectors, services
from govhall.reviews.models import Rating, RatingPad
from tests.conftest import login
from tests.reviews.conftest import local

pytestmark = pytest.mark.django_db


@pytest.fixture
def paired(scene):
    pad, token = services.pad_pair(window=scene.window, actor=scene.director, label="1号窗口平板")
    return pad, token


def test_director_pairs_a_pad_and_others_cannot(scene, client):
    login(client, scene.front_desk)
    response = client.post(
        "/api/v1/reviews/pads", {"window_id": scene.window.pk}, content_type="application/json"
    )
    assert response.status_code == 403
    login(client, scene.other_village_clerk)
    assert (
        client.post(
            "/api/v1/reviews/pads", {"window_id": scene.window.pk}, content_type="application/json"
        ).status_code
        == 404
    )
    assert not RatingPad.objects.exists()
    login(client, scene.director)
    response = client.post(
        "/api/v1/reviews/pads",
        {"window_id": scene.window.pk, "label": "平板"},
        content_type="application/json",
    )
    assert response.status_code == 201
    token, url = response.json()["token"], response.json()["url"]
    pad = RatingPad.objects.get()
    assert (
        url.endswith(f"/reviews/pad/{token}/") and token not in pad.token_digest and pad.prefix == token[:6]
    )
    page = client.post("/reviews/pads/", {"window": scene.window.pk})
    assert "/reviews/pad/" in page.content.decode() and RatingPad.objects.count() == 2
    client.post("/reviews/pads/", {"revoke": pad.pk})
    pad.refresh_from_db()
    assert pad.revoked_at is not None
    client.logout()
    assert client.get(f"/reviews/pad/{token}/").status_code == 404


def test_pad_shows_the_clerk_then_asks_right_after_the_ticket_is_finished(scene, paired, client, clock):
    _pad, token = paired
    scene.front_desk.photo.save("wang.jpg", ContentFile(b"\xff\xd8\xff\xe0fakejpeg"), save=True)
    ticket = scene.serve(finish=False)
    page = client.get(f"/reviews/pad/{token}/").content.decode()
    assert "王晓燕" in page and scene.front_desk.staff_no in page and "请您对本次服务进行评价" not in page
    assert client.get(f"/reviews/pad/{token}/photo").status_code == 200
    from govhall.queueing import services as queue

    queue.ticket_finish(window=scene.window, ticket_id=ticket.pk, by=scene.front_desk)
    state = client.get(f"/reviews/pad/{token}/state")
    assert state["X-Pad-Key"] == f"t{ticket.pk}" and "请您对本次服务进行评价" in state.content.decode()
    api = client.get(f"/api/v1/reviews/public/pad/{token}/state").json()
    assert api["ticket"] == {"id": ticket.pk, "code": ticket.code} and api["clerk"]["name"] == "王晓燕"

    response = client.post(
        f"/reviews/pad/{token}/rate",
        {
            "ticket": ticket.pk,
            "level": "1",
            "aspect_efficiency": "1",
            "aspect_competence": "2",
            "aspect_attitude": "1",
        },
    )
    assert response.status_code == 302 and response["Location"].endswith("?thanks=1")
    rating = Rating.objects.get()
    assert (rating.channel, rating.ticket, rating.clerk, rating.window) == (
        "pad",
        ticket,
        scene.front_desk,
        scene.window,
    )
    assert rating.aspects == {"efficiency": 1, "competence": 2, "attitude": 1}
    assert not rating.real_name and rating.device_digest  # the pad is the device
    assert client.get(f"/reviews/pad/{token}/state")["X-Pad-Key"].startswith("c")  # back to the clerk card


def test_pad_refuses_other_windows_old_tickets_and_a_second_rating(scene, paired, client, clock):
    pad, token = paired
    other = scene.serve(window=scene.windows["jianshe"], clerk=scene.back_office)
    response = client.post(
        f"/api/v1/reviews/public/pad/{token}/rating",
        {"ticket_id": other.pk, "level": 1},
        content_type="application/json",
    )
    assert response.status_code == 404
    first = scene.serve()
    second = scene.serve()
    response = client.post(
        f"/api/v1/reviews/public/pad/{token}/rating",
        {"ticket_id": first.pk, "level": 1},
        content_type="application/json",
    )
    assert response.status_code == 409  # the next visitor is already done: only the latest is on the pad
    assert (
        client.post(
            f"/api/v1/reviews/public/pad/{token}/rating",
            {"ticket_id": second.pk, "level": 7},
            content_type="application/json",
        ).status_code
        == 400
    )
    assert (
        client.post(
            f"/api/v1/reviews/public/pad/{token}/rating",
            {"ticket_id": second.pk, "level": 2},
            content_type="application/json",
        ).status_code
        == 201
    )
    assert (
        client.post(
            f"/api/v1/reviews/public/pad/{token}/rating",
            {"ticket_id": second.pk, "level": 5},
            content_type="application/json",
        ).status_code
        == 409
    )
    third = scene.serve()
    clock.move_to(local(2026, 3, 10, 9, 6))  # past the pad's 5 minutes
    assert selectors.pad_state(pad).ticket is None
    with pytest.raises(Conflict):
        services.rating_submit_visit(ticket_id=third.pk, channel="pad", pad=pad, level=1)
    assert list(Rating.objects.values_list("ticket_id", "level")) == [(second.pk, 2)]
    assert scene.rate_visit(third, level=1).channel == "qr"  # the QR code on the ticket still works


def test_pad_page_works_for_an_idle_closed_window(scene, paired, client):
    pad, token = paired
    page = client.get(f"/reviews/pad/{token}/")
    assert page.status_code == 200 and "窗口暂未开放" in page.content.decode()
    assert client.get(f"/reviews/pad/{token}/photo").status_code == 404
    assert client.get("/reviews/pad/not-a-token/").status_code == 404
    assert pad.last_seen_at is None and RatingPad.objects.get().last_seen_at is not None
    assert isinstance(RatingPad.objects.get().created_at, dt.datetime)
