"""STD-6 一次一评 by the QR code on the queue ticket: after the clerk finishes, the visitor rates the service;
it goes to the clerk who served, the window, the centre, and the case accepted during the visit."""

from __future__ import annotations

import pytest

from govhall.core.errors import Conflict
from govhall.reviews.links import ticket_rating_url
from govhall.reviews.models import Rating

pytestmark = pytest.mark.django_db


def test_served_ticket_rated_by_its_qr_code(scene, client):
    ticket = scene.serve(phone="13700137000")
    url = f"/reviews/rate/t/{ticket.public_token}/"
    assert ticket_rating_url(ticket.public_token).endswith(url)
    page = client.get(url)
    assert page.status_code == 200 and "服务态度" in page.content.decode()
    assert client.post(url, {"level": "1", "aspect_attitude": "1", "text": "耐心"}).status_code == 302
    rating = Rating.objects.get()
    assert (rating.stage, rating.channel, rating.ticket, rating.case) == ("visit", "qr", ticket, None)
    assert rating.clerk == scene.front_desk and rating.window == scene.window and rating.centre == scene.town
    assert rating.real_name and rating.rater_phone == "13700137000"  # the phone given when taking the ticket
    assert "您已评价" in client.get(url).content.decode()


def test_visit_rating_attaches_to_the_case_accepted_during_the_visit(scene):
    ticket = scene.serve()
    case = scene.finished_case(ticket=ticket)
    rating = scene.rate_visit(ticket, level=2)
    assert rating.case == case and rating.matter_id == scene.immediate.pk
    # the case's own result rating is another stage, allowed once more
    assert scene.rate_case(case, level=1).stage == "result"
    assert Rating.objects.filter(case=case).count() == 2


def test_ticket_still_at_the_window_cannot_be_rated(scene, client):
    """STD-6 bad input: rating a service that has not ended."""
    ticket = scene.serve(finish=False)
    with pytest.raises(Conflict) as exc:
        scene.rate_visit(ticket, level=1)
    assert exc.value.code == "visit_not_finished"
    response = client.post(
        f"/api/v1/reviews/public/ticket/{ticket.public_token}/rating",
        {"level": 1},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert not Rating.objects.exists()


def test_unserved_ticket_can_still_be_rated(scene):
    """A visitor sent away (未办理) may rate that too — often the most useful 差评."""
    ticket = scene.serve(served=False)
    rating = scene.rate_visit(ticket, level=4, text="材料要求没讲清楚")
    assert rating.is_bad and rating.work_order.status == "verify"


def test_second_rating_of_a_visit_is_refused(scene, client):
    ticket = scene.serve()
    scene.rate_visit(ticket, level=1)
    with pytest.raises(Conflict):
        scene.rate_visit(ticket, level=5)
    response = client.post(
        f"/api/v1/reviews/public/ticket/{ticket.public_token}/rating",
        {"level": 5},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert list(Rating.objects.values_list("level", flat=True)) == [1]


def test_pad_channel_is_not_accepted_from_the_public_qr_api(scene, client):
    ticket = scene.serve()
    response = client.post(
        f"/api/v1/reviews/public/ticket/{ticket.public_token}/rating",
        {"level": 1, "channel": "pad"},
        content_type="application/json",
    )
    assert response.status_code == 400 and not Rating.objects.exists()


def test_visit_rating_period_closes(scene, clock):
    from tests.reviews.conftest import local

    ticket = scene.serve()
    clock.move_to(local(2026, 3, 11, 10, 0))  # 25 hours later
    with pytest.raises(Conflict) as exc:
        scene.rate_visit(ticket, level=1)
    assert exc.value.code == "rating_closed"
