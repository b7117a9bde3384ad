"""STD-6 access on every staff endpoint: another village's clerk gets 404 (or an empty list) for everything of
吕四港镇's ratings; without login, 401; and nothing is written by those calls."""

from __future__ import annotations

import pytest

from govhall.core.models import AuditEntry
from govhall.reviews import services
from govhall.reviews.models import Appeal, RatingFlag, RatingPad, ReviewSettings, WorkOrder
from tests.conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def seen(scene):
    rating = scene.rate_visit(scene.serve(), level=5, rater=services.Rater(phone="13900139000"))
    for _ in range(5):
        scene.rate_visit(scene.serve(), level=1, rater=services.Rater(device="same"))
    appeal = services.appeal_file(rating=rating, actor=scene.director, reason="other", statement="系统原因")
    pad, _ = services.pad_pair(window=scene.window, actor=scene.director)
    return {
        "rating": rating.pk,
        "order": rating.work_order.pk,
        "appeal": appeal.pk,
        "flag": RatingFlag.objects.first().pk,
        "pad": pad.pk,
        "window": scene.window.pk,
    }


WRITES = [
    ("post", "/api/v1/reviews/ratings/{rating}/reveal-phone", {"note": "x"}),
    ("post", "/api/v1/reviews/ratings/{rating}/appeal", {"reason": "other", "statement": "x"}),
    ("post", "/api/v1/reviews/work-orders/{order}/verify", {"finding": "true", "note": "x"}),
    ("post", "/api/v1/reviews/work-orders/{order}/decide", {"outcome": "rectify", "measures": "x"}),
    ("post", "/api/v1/reviews/work-orders/{order}/ledger-complete", {"note": "x"}),
    ("post", "/api/v1/reviews/work-orders/{order}/reply", {"text": "x"}),
    ("post", "/api/v1/reviews/work-orders/{order}/visit", {"satisfaction": "satisfied"}),
    ("post", "/api/v1/reviews/work-orders/{order}/close", {}),
    ("post", "/api/v1/reviews/appeals/{appeal}/decide", {"upheld": True, "note": "x"}),
    ("post", "/api/v1/reviews/flags/{flag}/decide", {"confirmed": True, "note": "x"}),
    ("post", "/api/v1/reviews/pads", {"window_id": "{window}"}),
    ("post", "/api/v1/reviews/pads/{pad}/revoke", {}),
    ("put", "/api/v1/reviews/settings", {"values": {"verify_days": 2}}),
]
READS = ["/api/v1/reviews/ratings/{rating}", "/api/v1/reviews/work-orders/{order}"]
LISTS = [
    "/api/v1/reviews/ratings",
    "/api/v1/reviews/work-orders",
    "/api/v1/reviews/appeals",
    "/api/v1/reviews/flags",
    "/api/v1/reviews/pads",
]


def _fill(value, ids):
    if isinstance(value, str):
        return int(value.format(**ids)) if value.startswith("{") else value.format(**ids)
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


def test_another_villages_clerk_reaches_nothing(scene, seen, client):
    login(client, scene.other_village_clerk)
    audit_before = AuditEntry.objects.count()
    for method, path, body in WRITES:
        response = getattr(client, method)(
            path.format(**seen), _fill(body, seen), content_type="application/json"
        )
        assert response.status_code in (403, 404), (path, response.status_code)
    for path in READS:
        assert client.get(path.format(**seen)).status_code == 404, path
    for path in LISTS:
        assert client.get(path).json() == {"count": 0, "items": []}, path
    figures = client.get("/api/v1/reviews/figures?by=centre&month=2026-03").json()
    assert figures["total"]["total"] == 0 and figures["rows"] == []
    assert AuditEntry.objects.count() == audit_before
    assert WorkOrder.objects.get().status == "verify" and Appeal.objects.get().status == "pending"
    assert (
        RatingPad.objects.filter(revoked_at__isnull=True).count() == 1 and not ReviewSettings.objects.exists()
    )


def test_anonymous_callers_are_told_to_log_in(seen, client):
    for method, path, body in WRITES:
        response = getattr(client, method)(
            path.format(**seen), _fill(body, seen), content_type="application/json"
        )
        assert response.status_code == 401, path
    for path in READS + LISTS + ["/api/v1/reviews/figures", "/api/v1/reviews/rankings"]:
        assert client.get(path.format(**seen)).status_code == 401, path
