"""Staff login: argon2, password rules, lock-out after five failures, idle sessions, API tokens."""

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from govhall.accounts.models import ApiToken
from tests.factories import PASSWORD, UserFactory


@pytest.fixture
def clerk(hall):
    return hall.front_desk


def test_login_shows_the_users_centre_by_full_name(client, clerk):
    response = client.post("/login/", {"username": clerk.username, "password": PASSWORD}, follow=True)
    assert response.status_code == 200
    assert "启东市吕四港镇为民服务中心" in response.content.decode()


def test_passwords_are_hashed_with_argon2(clerk):
    assert clerk.password.startswith("argon2")


@pytest.mark.parametrize("bad", ["short1a", "onlyletters", "1234567890123"])
def test_password_rules_reject_weak_passwords(bad):
    with pytest.raises(ValidationError):
        validate_password(bad)


def test_password_with_letters_and_digits_of_ten_chars_is_accepted():
    validate_password("Qidong2026x")


def test_five_failed_logins_lock_the_account_for_15_minutes(client, clerk):
    for _ in range(5):
        client.post("/login/", {"username": clerk.username, "password": "wrong-password1"})
    response = client.post("/login/", {"username": clerk.username, "password": PASSWORD})
    assert response.status_code == 429
    assert "锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert settings.AXES_COOLOFF_TIME * 60 == 15


def test_four_failures_then_the_right_password_logs_in(client, clerk):
    for _ in range(4):
        client.post("/login/", {"username": clerk.username, "password": "wrong-password1"})
    response = client.post("/login/", {"username": clerk.username, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(clerk.pk)


def test_home_requires_login(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_api_token_is_shown_once_stored_hashed_and_revocable(client, clerk, hall):
    client.force_login(clerk, backend="django.contrib.auth.backends.ModelBackend")
    page = client.post("/me/tokens/", {"name": "叫号屏"}).content.decode()
    row = ApiToken.objects.get(user=clerk)
    token = page.split('<code class="token">')[1].split("</code>")[0]
    assert token.startswith("gh_") and token not in row.digest
    api = client.__class__()
    ok = api.get(f"/api/v1/orgs/centres/{hall.town.pk}", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert ok.status_code == 200
    client.post("/me/tokens/", {"revoke": row.pk})
    denied = api.get(f"/api/v1/orgs/centres/{hall.town.pk}", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert denied.status_code == 401
    assert token not in client.get("/me/tokens/").content.decode()  # shown once only


def test_a_token_of_another_user_cannot_be_revoked(client, clerk, hall):
    other = UserFactory(centre=hall.town)
    from govhall.accounts.tokens import token_create

    row, _ = token_create(user=other, name="x")
    client.force_login(clerk, backend="django.contrib.auth.backends.ModelBackend")
    assert client.post("/me/tokens/", {"revoke": row.pk}).status_code == 404
    row.refresh_from_db()
    assert row.revoked_at is None
