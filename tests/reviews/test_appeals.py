"""STD-6 申诉复核: the rated unit appeals a mistaken or malicious 差评; the bureau decides. Upheld: the rating
leaves every figure but stays in the records (never deleted)."""

from __future__ import annotations

import pytest

from govhall.core.errors import Conflict, Forbidden, ServiceError
from govhall.reviews import selectors, services
from govhall.reviews.models import Appeal, AppealStatus, OrderStatus, Rating
from tests.conftest import login
from tests.reviews.conftest import PHONE, local

pytestmark = pytest.mark.django_db


def month(scene):
    return selectors.month_period(local(2026, 3, 1).date())


def test_upheld_appeal_excludes_the_rating_from_figures_but_keeps_it(scene, client):
    """STD-6 Done-when."""
    good = scene.rate_visit(scene.serve(), level=1)
    bad = scene.rate_visit(scene.serve(), level=5, rater=services.Rater(phone=PHONE), text="办事人走错了窗口")
    before = selectors.totals(scene.bureau_admin, period=month(scene))
    assert (before.total, before.bad, before.satisfaction_rate) == (2, 1, 50)

    login(client, scene.front_desk)  # the rated clerk, of the rated unit
    response = client.post(
        f"/api/v1/reviews/ratings/{bad.pk}/appeal",
        {"reason": "mistaken", "statement": "评价人办理的是税务事项，不在本窗口"},
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["status"] == "pending"
    login(client, scene.bureau_admin)
    decided = client.post(
        f"/api/v1/reviews/appeals/{response.json()['id']}/decide",
        {"upheld": True, "note": "经核实评价对象有误"},
        content_type="application/json",
    )
    assert decided.status_code == 200 and decided.json()["status"] == "upheld"

    bad = Rating.objects.get(pk=bad.pk)  # still there
    assert bad.excluded and bad.excluded_reason.startswith("申诉成立") and bad.level == 5
    assert bad.work_order.status == OrderStatus.EXCLUDED
    after = selectors.totals(scene.bureau_admin, period=month(scene))
    assert (after.total, after.bad, after.satisfaction_rate, after.excluded) == (1, 0, 100, 1)
    by_clerk = selectors.figures(scene.bureau_admin, by="clerk", period=month(scene))
    assert [(r.key, r.total, r.bad) for r in by_clerk] == [(scene.front_desk.pk, 1, 0)]
    listed = client.get("/api/v1/reviews/ratings").json()["items"]
    assert {r["id"]: r["excluded"] for r in listed} == {good.pk: False, bad.pk: True}
    assert (
        client.get(f"/api/v1/reviews/public/centres/{scene.town.pk}/summary?month=2026-03").json()["total"][
            "bad"
        ]
        == 0
    )


def test_rejected_appeal_keeps_the_rating_in_the_figures(scene):
    bad = scene.rate_visit(scene.serve(), level=4)
    appeal = services.appeal_file(rating=bad, actor=scene.director, reason="malicious", statement="恶意差评")
    services.appeal_decide(appeal=appeal, actor=scene.inspector, upheld=False, note="理由不充分")
    assert not Rating.objects.get(pk=bad.pk).excluded
    assert selectors.totals(scene.bureau_admin, period=month(scene)).bad == 1
    assert bad.work_order.status == OrderStatus.VERIFY  # the work order goes on


def test_appeal_by_someone_not_of_the_rated_unit_is_refused_and_nothing_changes(scene, client):
    """STD-6 bad input."""
    bad = scene.rate_visit(scene.serve(), level=5)
    with pytest.raises(Forbidden) as exc:
        services.appeal_file(rating=bad, actor=scene.village_clerk, reason="mistaken", statement="不是我们")
    assert "被评价单位" in exc.value.message
    with pytest.raises(Forbidden):
        services.appeal_file(
            rating=bad, actor=scene.bureau_admin, reason="mistaken", statement="局里代为申诉"
        )
    login(client, scene.bureau_admin)
    response = client.post(
        f"/api/v1/reviews/ratings/{bad.pk}/appeal",
        {"reason": "mistaken", "statement": "x"},
        content_type="application/json",
    )
    assert response.status_code == 403
    login(client, scene.other_village_clerk)
    assert (
        client.post(
            f"/api/v1/reviews/ratings/{bad.pk}/appeal",
            {"reason": "mistaken", "statement": "x"},
            content_type="application/json",
        ).status_code
        == 404
    )
    assert not Appeal.objects.exists() and not Rating.objects.get(pk=bad.pk).excluded


def test_appeal_rules(scene, clock):
    good = scene.rate_visit(scene.serve(), level=2)
    with pytest.raises(Conflict):
        services.appeal_file(rating=good, actor=scene.director, reason="mistaken", statement="好评不能申诉")
    bad = scene.rate_visit(scene.serve(), level=5)
    with pytest.raises(ServiceError):
        services.appeal_file(rating=bad, actor=scene.director, reason="unfair", statement="理由")
    with pytest.raises(ServiceError):
        services.appeal_file(rating=bad, actor=scene.director, reason="other", statement=" ")
    appeal = services.appeal_file(rating=bad, actor=scene.director, reason="other", statement="系统原因")
    assert appeal.due_at == local(2026, 3, 17, 23, 59, 59, 999999)  # 5 working days
    with pytest.raises(Conflict):
        services.appeal_file(rating=bad, actor=scene.director, reason="other", statement="再申诉一次")
    with pytest.raises(Forbidden):
        services.appeal_decide(appeal=appeal, actor=scene.director, upheld=True, note="自己批准")
    with pytest.raises(ServiceError):
        services.appeal_decide(appeal=appeal, actor=scene.bureau_admin, upheld=True, note="")
    assert Appeal.objects.get().status == AppealStatus.PENDING
    late = scene.rate_visit(scene.serve(), level=5)
    clock.move_to(local(2026, 3, 18, 9, 0))
    with pytest.raises(Conflict) as exc:
        services.appeal_file(rating=late, actor=scene.director, reason="other", statement="过期申诉")
    assert exc.value.code == "appeal_closed"


def test_appeal_and_decision_pages(scene, client):
    bad = scene.rate_visit(scene.serve(), level=5)
    login(client, scene.director)
    page = client.get(f"/reviews/r/{bad.pk}/")
    assert "提交申诉" in page.content.decode()
    client.post(f"/reviews/r/{bad.pk}/appeal", {"reason": "malicious", "statement": "同一人反复差评"})
    appeal = Appeal.objects.get()
    login(client, scene.bureau_admin)
    assert "同一人反复差评" in client.get("/reviews/appeals/").content.decode()
    client.post("/reviews/appeals/", {"appeal": appeal.pk, "upheld": "1", "note": "属实"})
    assert Rating.objects.get(pk=bad.pk).excluded
