"""STD-6: an SMS with the rating link for each finished case (through the outbox, once); the staff pages
open for the roles that use them and refuse the others; the QR link helper for the case notices."""

from __future__ import annotations

import pytest

from govhall.exchange.models import Notification
from govhall.reviews import services
from govhall.reviews.links import case_id_from_token, case_rating_url, case_token
from govhall.reviews.models import Invitation, Rating
from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_finished_case_gets_one_sms_with_its_rating_link(scene, client):
    case = scene.finished_case()
    scene.open_case(name="李四")  # not finished: no invitation
    assert services.invitations_send() == 1
    assert services.invitations_send() == 0
    sms = Notification.objects.get(template="reviews.invite")
    assert sms.recipient == "13800138000" and case_rating_url(case.pk, via="sms") in sms.text
    assert Invitation.objects.get().case == case
    path = case_rating_url(case.pk, via="sms").split("://", 1)[1].split("/", 1)[1]
    client.post(f"/{path}", {"level": "2"})
    assert Rating.objects.get().channel == "sms"


def test_rated_case_gets_no_invitation(scene):
    scene.rate_case(scene.finished_case(), level=1)
    assert (
        services.invitations_send() == 0
        and not Notification.objects.filter(template="reviews.invite").exists()
    )


def test_case_link_round_trip():
    token = case_token(42)
    assert case_id_from_token(token) == 42
    assert case_id_from_token(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert case_id_from_token("") is None and case_id_from_token("42") is None
    assert case_rating_url(42, via="qr").endswith(f"/reviews/rate/c/{token}/?via=qr")


@pytest.mark.parametrize(
    "who, path, status",
    [
        ("front_desk", "/reviews/", 200),
        ("front_desk", "/reviews/orders/", 200),
        ("front_desk", "/reviews/figures/", 200),
        ("front_desk", "/reviews/appeals/", 200),
        ("front_desk", "/reviews/flags/", 403),
        ("front_desk", "/reviews/rankings/", 403),
        ("front_desk", "/reviews/settings/", 403),
        ("front_desk", "/reviews/pads/", 200),
        ("director", "/reviews/pads/", 200),
        ("director", "/reviews/figures/?by=clerk&month=2026-03", 200),
        ("bureau_admin", "/reviews/flags/", 200),
        ("bureau_admin", "/reviews/rankings/?by=clerk", 200),
        ("bureau_admin", "/reviews/settings/", 200),
        ("inspector", "/reviews/settings/", 403),
        ("village_clerk", "/reviews/?bad=1", 200),
    ],
)
def test_staff_pages_by_role(scene, client, who, path, status):
    scene.rate_visit(scene.serve(), level=4, rater=services.Rater(phone="13900139000"))
    login(client, getattr(scene, who))
    assert client.get(path).status_code == status


def test_pages_need_login(client, db):
    for path in ("/reviews/", "/reviews/orders/", "/reviews/figures/", "/reviews/pads/"):
        response = client.get(path)
        assert response.status_code == 302 and "/login/" in response["Location"]
    assert client.get("/api/v1/reviews/ratings").status_code == 401


def test_index_lists_ratings_and_nav_links_to_reviews(scene, client):
    rating = scene.rate_visit(scene.serve(), level=4, rater=services.Rater(phone="13900139000"))
    login(client, scene.director)
    html = client.get("/reviews/?month=2026-03").content.decode()
    assert f"/reviews/r/{rating.pk}/" in html and "不满意" in html and "好差评" in html
    assert "13900139000" not in html
    order_page = client.get(f"/reviews/orders/{rating.work_order.pk}/").content.decode()
    assert "139****9000" in order_page and "保存核实结果" in order_page


def test_bureau_edits_settings_on_its_page(scene, client):
    from govhall.reviews.models import ReviewSettings

    login(client, scene.bureau_admin)
    form = {f: getattr(ReviewSettings(), f) for f in services.SETTING_FIELDS}
    response = client.post(
        f"/reviews/settings/?centre={scene.town.pk}", {**form, "reply_days": 2, "centre": scene.town.pk}
    )
    assert response.status_code == 302
    assert ReviewSettings.objects.get(centre=scene.town).reply_days == 2
    bad = client.post("/reviews/settings/", {**form, "visit_days": 20})
    assert bad.status_code == 400 and not ReviewSettings.objects.filter(centre__isnull=True).exists()


@pytest.mark.parametrize(
    "who, links",
    [
        ("front_desk", set()),
        ("director", set()),
        ("inspector", {"好评榜/差评榜", "异常评价"}),
        ("bureau_admin", {"好评榜/差评榜", "异常评价", "设置"}),
    ],
)
def test_the_sub_navigation_links_only_the_pages_that_open(scene, client, who, links):
    """STD-6: the bureau's links (rankings, abuse flags, settings) show exactly for whom the page opens,
    decided by reviews.policy: an inspector no longer sees a 设置 link that answers 403."""
    login(client, getattr(scene, who))
    page = client.get("/reviews/").content.decode()
    nav = page.split('<p class="subnav">', 1)[1].split("</p>", 1)[0]
    shown = {label for label in ("好评榜/差评榜", "异常评价", "设置") if f">{label}</a>" in nav}
    assert shown == links
    for label, path in (
        ("好评榜/差评榜", "/reviews/rankings/"),
        ("异常评价", "/reviews/flags/"),
        ("设置", "/reviews/settings/"),
    ):
        assert (client.get(path).status_code == 200) is (label in links), label
