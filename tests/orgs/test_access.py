"""A village clerk sees only their village; town staff their town (+ villages when the role allows);
the bureau everything — on every orgs endpoint (404 for what is not theirs)."""

import pytest

from govhall.orgs.policy import centres_visible_to
from tests.conftest import login


def test_village_clerk_sees_only_their_village(hall):
    assert list(centres_visible_to(hall.village_clerk)) == [hall.village]


def test_town_front_desk_sees_town_and_its_villages(hall):
    assert set(centres_visible_to(hall.front_desk)) == {hall.town, hall.village, hall.other_village}


def test_town_guide_sees_only_the_town(hall):
    assert list(centres_visible_to(hall.guide)) == [hall.town]


def test_bureau_sees_everything(hall):
    assert centres_visible_to(hall.bureau_admin).count() == 3


@pytest.mark.parametrize("suffix", ["", "/windows", "/posts"])
def test_village_clerk_gets_404_for_another_village_on_the_api(client, hall, suffix):
    login(client, hall.village_clerk)
    assert client.get(f"/api/v1/orgs/centres/{hall.village.pk}{suffix}").status_code == 200
    response = client.get(f"/api/v1/orgs/centres/{hall.other_village.pk}{suffix}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_village_clerk_gets_404_for_another_village_page(client, hall):
    login(client, hall.village_clerk)
    assert client.get(f"/orgs/centres/{hall.village.pk}/").status_code == 200
    assert client.get(f"/orgs/centres/{hall.other_village.pk}/").status_code == 404
    assert client.get(f"/orgs/centres/{hall.town.pk}/").status_code == 404


def test_centre_list_shows_only_visible_centres(client, hall):
    login(client, hall.village_clerk)
    page = client.get("/orgs/centres/").content.decode()
    assert hall.village.name in page
    assert hall.other_village.name not in page
    body = client.get("/api/v1/orgs/centres").json()["items"]
    assert [c["id"] for c in body] == [hall.village.pk]


def test_anonymous_api_call_is_401(client, hall):
    response = client.get(f"/api/v1/orgs/centres/{hall.town.pk}")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
