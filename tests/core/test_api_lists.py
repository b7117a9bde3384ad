"""Every API list answers {"count": N, "items": [...]}: the total beside one page of rows (issue 14)."""

import pytest

pytestmark = pytest.mark.django_db


def test_a_list_answers_the_total_beside_one_page(client, hall):
    from govhall.accounts.tokens import token_create

    _, token = token_create(user=hall.bureau_admin, name="test")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    whole = client.get("/api/v1/orgs/centres", **headers).json()
    assert whole["count"] == 3 and len(whole["items"]) == 3
    first = client.get("/api/v1/orgs/centres", {"limit": 1}, **headers).json()
    second = client.get("/api/v1/orgs/centres", {"limit": 1, "offset": 1}, **headers).json()
    assert first["count"] == second["count"] == 3
    assert [c["id"] for c in first["items"] + second["items"]] == [c["id"] for c in whole["items"][:2]]
    assert client.get("/api/v1/orgs/centres", {"limit": 101}, **headers).status_code == 422
