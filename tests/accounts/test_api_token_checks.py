"""API token checks: a keyed digest, remembered per process for a few seconds, never past a revocation,
a deactivation or a role change made in this process (SITE-5, SITE-7: the hall's clients call the API on
every call-next)."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from govhall.accounts.models import ApiToken, Role, UserRole
from govhall.accounts.tokens import token_create, token_revoke
from govhall.core.crypto import token_digest


@pytest.fixture
def clerk(hall):
    return hall.front_desk


@pytest.fixture
def api():
    return Client()


def read(api, hall, token):
    return api.get(f"/api/v1/orgs/centres/{hall.town.pk}", HTTP_AUTHORIZATION=f"Bearer {token}")


def test_the_token_is_stored_only_as_its_keyed_digest(clerk):
    row, token = token_create(user=clerk, name="叫号屏")
    row.refresh_from_db()
    assert row.digest == token_digest(token) and token not in row.digest and len(row.digest) == 64


def test_a_wrong_or_altered_token_is_refused_with_401(api, hall, clerk):
    _, token = token_create(user=clerk, name="叫号屏")
    assert read(api, hall, token).status_code == 200
    assert read(api, hall, token[:-1] + ("A" if token[-1] != "A" else "B")).status_code == 401
    assert read(api, hall, "gh_00000000_" + "x" * 43).status_code == 401


def test_a_remembered_token_skips_the_token_and_role_queries(api, hall, clerk):
    _, token = token_create(user=clerk, name="叫号屏")
    assert read(api, hall, token).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert read(api, hall, token).status_code == 200
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "accounts_apitoken" not in sql and "accounts_userrole" not in sql


def test_a_revoked_token_is_refused_at_once_though_it_was_just_used(api, hall, clerk):
    row, token = token_create(user=clerk, name="叫号屏")
    assert read(api, hall, token).status_code == 200
    token_revoke(token=row, actor=clerk)
    assert read(api, hall, token).status_code == 401


def test_a_deactivated_user_is_refused_at_once(api, hall, clerk):
    _, token = token_create(user=clerk, name="叫号屏")
    assert read(api, hall, token).status_code == 200
    clerk.is_active = False
    clerk.save(update_fields=["is_active"])
    assert read(api, hall, token).status_code == 401


def test_a_role_taken_away_counts_at_once(api, hall, clerk):
    """The clerk loses the front-desk role: issuing a ticket through the remembered token is refused."""
    _, token = token_create(user=clerk, name="叫号屏")
    assert read(api, hall, token).status_code == 200
    UserRole.objects.filter(user=clerk).delete()
    response = api.post(
        f"/api/v1/queueing/centres/{hall.town.pk}/tickets",
        {"group": "minsheng"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 403
    assert not clerk.role_rows.filter(role=Role.FRONT_DESK).exists()


def test_with_the_memory_off_every_request_checks_the_database(api, hall, clerk, settings):
    settings.API_TOKEN_CACHE_SECONDS = 0
    row, token = token_create(user=clerk, name="叫号屏")
    assert read(api, hall, token).status_code == 200
    ApiToken.objects.filter(pk=row.pk).update(revoked_at=row.created_at)  # no signal: straight to the table
    assert read(api, hall, token).status_code == 401
