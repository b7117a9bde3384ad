"""STD-6 integrity: staff never choose, change or delete a rating — on a page, through the API, in the admin,
or even through the ORM; the rater of a bad review stays hidden from the rated clerk; suspicious patterns are
flagged for the bureau, which may exclude a rating from the figures (kept in the records)."""

from __future__ import annotations

import pytest

from govhall.core.errors import Forbidden
from govhall.core.models import AuditEntry
from govhall.reviews import selectors, services
from govhall.reviews.models import FlagKind, FlagStatus, Rating, RatingFlag
from tests.conftest import login
from tests.factories import UserFactory
from tests.reviews.conftest import PHONE, local

pytestmark = pytest.mark.django_db


def snapshot(rating):
    return (
        Rating.objects.filter(pk=rating.pk).values("level", "text", "aspects", "excluded", "clerk_id").get()
    )


@pytest.fixture
def rated(scene):
    return scene.rate_visit(
        scene.serve(), level=5, rater=services.Rater(phone=PHONE, name="李四"), text="态度差"
    )


def test_staff_cannot_alter_a_rating_through_pages(scene, rated, client):
    """STD-6 Done-when (page): there is no edit page; the detail page takes no POST."""
    before = snapshot(rated)
    for user in (scene.director, scene.front_desk, scene.bureau_admin):
        login(client, user)
        assert client.post(f"/reviews/r/{rated.pk}/", {"level": "1", "text": ""}).status_code == 405
        assert client.get(f"/reviews/r/{rated.pk}/edit/").status_code == 404
        assert client.post(f"/reviews/r/{rated.pk}/delete/").status_code == 404
    assert snapshot(rated) == before


def test_staff_cannot_alter_a_rating_through_the_api(scene, rated, client):
    """STD-6 Done-when (API): no create, change or delete endpoint for staff."""
    before = snapshot(rated)
    login(client, scene.bureau_admin)
    url = f"/api/v1/reviews/ratings/{rated.pk}"
    for method in (client.put, client.patch):
        response = method(url, {"level": 1}, content_type="application/json")
        assert response.status_code == 405
    assert client.delete(url).status_code == 405
    assert (
        client.post(
            "/api/v1/reviews/ratings",
            {"level": 1, "ticket_id": rated.ticket_id},
            content_type="application/json",
        ).status_code
        == 405
    )
    assert snapshot(rated) == before and Rating.objects.count() == 1


def test_staff_cannot_alter_or_delete_a_rating_in_the_admin(scene, rated, client):
    """STD-6 Done-when (admin): read-only for everyone, superusers included."""
    before = snapshot(rated)
    root = UserFactory(unit_kind="bureau", centre=None, is_staff=True, is_superuser=True)
    login(client, root)
    base = f"/admin/reviews/rating/{rated.pk}"
    assert client.get("/admin/reviews/rating/").status_code == 200
    view = client.get(f"{base}/change/")
    assert view.status_code == 200 and 'name="level"' not in view.content.decode()
    assert client.post(f"{base}/change/", {"level": "1", "text": ""}).status_code == 403
    assert client.get(f"{base}/delete/").status_code == 403
    assert client.post(f"{base}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/reviews/rating/add/").status_code == 403
    client.post(
        "/admin/reviews/rating/", {"action": "delete_selected", "_selected_action": [rated.pk], "post": "yes"}
    )
    assert (
        client.post(
            f"/admin/reviews/workorder/{rated.work_order.pk}/change/", {"status": "closed"}
        ).status_code
        == 403
    )
    rated.refresh_from_db()
    assert snapshot(rated) == before and rated.work_order.status == "verify"


def test_the_model_itself_refuses_changes_and_deletes(rated):
    rated.level = 1
    with pytest.raises(Forbidden):
        rated.save()
    with pytest.raises(Forbidden):
        Rating.objects.filter(pk=rated.pk).update(level=1)
    with pytest.raises(Forbidden):
        Rating.objects.filter(pk=rated.pk).delete()
    with pytest.raises(Forbidden):
        Rating.objects.get(pk=rated.pk).delete()
    assert Rating.objects.get(pk=rated.pk).level == 5


def test_rated_clerk_never_sees_who_rated_them_badly(scene, rated, client):
    """STD-6: rater identity only for roles handling complaints; the full number only through an audited reveal."""
    login(client, scene.front_desk)
    data = client.get(f"/api/v1/reviews/ratings/{rated.pk}").json()
    assert data["rater_name"] is None and data["rater_phone"] is None and data["text"] == "态度差"
    page = client.get(f"/reviews/r/{rated.pk}/").content.decode()
    assert "李" not in page.replace("李秀梅", "") and "1390" not in page and "评价人信息受保护" in page
    assert (
        client.post(
            f"/api/v1/reviews/ratings/{rated.pk}/reveal-phone",
            {"note": "想知道"},
            content_type="application/json",
        ).status_code
        == 403
    )
    login(client, scene.director)
    data = client.get(f"/api/v1/reviews/ratings/{rated.pk}").json()
    assert data["rater_name"] == "李*" and data["rater_phone"] == "139****9000"
    reveal = client.post(
        f"/api/v1/reviews/ratings/{rated.pk}/reveal-phone",
        {"note": "差评回访"},
        content_type="application/json",
    )
    assert reveal.json() == {"rater_phone": PHONE}
    entry = AuditEntry.objects.get(action="pii.view")
    assert (
        entry.actor == scene.director and entry.object_id == str(rated.pk) and PHONE not in str(entry.after)
    )
    login(client, scene.inspector)  # bureau inspectors assess, they do not handle complaints
    assert client.get(f"/api/v1/reviews/ratings/{rated.pk}").json()["rater_phone"] is None


def test_a_clerk_sees_only_their_own_ratings_and_others_see_none_of_other_units(scene, rated, client):
    other = scene.rate_visit(scene.serve(clerk=scene.back_office), level=1)
    login(client, scene.front_desk)
    assert [r["id"] for r in client.get("/api/v1/reviews/ratings").json()["items"]] == [rated.pk]
    assert client.get(f"/api/v1/reviews/ratings/{other.pk}").status_code == 404
    login(client, scene.village_clerk)
    assert client.get("/api/v1/reviews/ratings").json()["items"] == []
    assert client.get(f"/reviews/r/{rated.pk}/").status_code == 404
    login(client, scene.director)
    assert {r["id"] for r in client.get("/api/v1/reviews/ratings").json()["items"]} == {rated.pk, other.pk}


def test_many_top_ratings_from_one_device_within_minutes_are_flagged(scene, clock):
    """STD-6: 5 “非常满意” from one device within 10 minutes (the defaults) — all five are flagged."""
    device = services.Rater(device="c:abc|Mozilla")
    ratings = []
    for minute in range(5):
        clock.move_to(local(2026, 3, 10, 9, minute * 2))
        ratings.append(scene.rate_visit(scene.serve(), level=1, rater=device))
        assert RatingFlag.objects.count() == (0 if minute < 4 else 5)
    assert set(RatingFlag.objects.values_list("kind", flat=True)) == {FlagKind.DEVICE_BURST}
    clock.move_to(local(2026, 3, 10, 10, 0))
    scene.rate_visit(scene.serve(), level=1, rater=device)  # an hour later: not a burst
    assert RatingFlag.objects.count() == 5


def test_many_top_ratings_from_one_phone_are_flagged(scene):
    for _ in range(5):
        scene.rate_visit(scene.serve(), level=1, rater=services.Rater(phone="13511112222"))
    assert RatingFlag.objects.filter(kind=FlagKind.PHONE_BURST).count() == 5


def test_a_clerk_rating_their_own_service_is_flagged(scene, client):
    """STD-6: a rating from a browser logged in as the rated clerk, or giving the clerk's own mobile."""
    from govhall.accounts.models import StaffContact

    ticket = scene.serve()
    login(client, scene.front_desk)
    client.post(f"/reviews/rate/t/{ticket.public_token}/", {"level": "1"})
    rating = Rating.objects.get()
    assert rating.flags.get().kind == FlagKind.SELF_RATING
    StaffContact.objects.create(user=scene.front_desk, mobile="13622223333")
    second = scene.rate_visit(scene.serve(), level=1, rater=services.Rater(phone="136 2222 3333"))
    assert second.flags.get().kind == FlagKind.SELF_RATING
    login(client, scene.guide)  # a colleague of the same centre
    client.post(f"/reviews/rate/t/{scene.serve().public_token}/", {"level": "1"})
    assert Rating.objects.latest("id").flags.get().kind == FlagKind.STAFF_SESSION


def test_bureau_confirms_a_flag_and_the_rating_leaves_the_figures(scene, client):
    for _ in range(5):
        scene.rate_visit(scene.serve(), level=1, rater=services.Rater(phone="13511112222"))
    flags = list(RatingFlag.objects.order_by("id"))
    login(client, scene.director)
    assert client.get("/api/v1/reviews/flags").json()["items"] == []  # the centre does not learn of it
    assert (
        client.post(
            f"/api/v1/reviews/flags/{flags[0].pk}/decide",
            {"confirmed": True, "note": "刷分"},
            content_type="application/json",
        ).status_code
        == 404
    )
    login(client, scene.inspector)
    assert len(client.get("/api/v1/reviews/flags").json()["items"]) == 5
    response = client.post(
        f"/api/v1/reviews/flags/{flags[0].pk}/decide",
        {"confirmed": True, "note": "同一人刷分"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["status"] == FlagStatus.CONFIRMED
    client.post(
        f"/api/v1/reviews/flags/{flags[1].pk}/decide",
        {"confirmed": False, "note": "代办员集中办理"},
        content_type="application/json",
    )
    assert Rating.objects.get(pk=flags[0].rating_id).excluded
    assert not Rating.objects.get(pk=flags[1].rating_id).excluded
    period = selectors.month_period(local(2026, 3, 1).date())
    assert selectors.totals(scene.bureau_admin, period=period).total == 4
    assert Rating.objects.count() == 5


def test_the_page_reveal_shows_the_whole_phone_once_and_keeps_it_out_of_cookies(scene, rated, client):
    """STD-6: the whole number is on the reveal response only, never in a flash message (a cookie or the
    session), and the next visit shows the masked form again."""
    login(client, scene.director)
    response = client.post(f"/reviews/r/{rated.pk}/reveal", {"reason": "差评核实回访"})
    html = response.content.decode()
    assert response.status_code == 200 and PHONE in html and "本次查看已记录" in html
    assert "no-store" in response.headers.get("Cache-Control", "")
    assert PHONE not in str(response.cookies) and PHONE not in str(dict(client.session))
    again = client.get(f"/reviews/r/{rated.pk}/").content.decode()
    assert PHONE not in again and "139****9000" in again
    assert AuditEntry.objects.filter(action="pii.view", actor=scene.director).count() == 1
