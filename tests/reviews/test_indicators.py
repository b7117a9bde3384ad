"""STD-7 assessment from STD-6 ratings: the reviews app registers 群众满意率 and 差评整改率 with the staffing
indicator registry; a month's scores on the March fixture come out exactly."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from govhall.staffing.indicators import get_indicator
from govhall.staffing.models import AssessmentResult
from govhall.staffing.services import assessment_compute, assessment_scheme_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _joined_before_march(hall):
    from zoneinfo import ZoneInfo

    from govhall.accounts.models import User

    User.objects.update(date_joined=dt.datetime(2026, 1, 5, tzinfo=ZoneInfo("Asia/Shanghai")))


def test_rating_indicators_are_registered():
    assert get_indicator("rating_satisfaction").label == "群众满意率（好差评）"
    assert get_indicator("bad_review_rectification").label == "差评整改率"


def test_monthly_scores_from_ratings_are_exact(scene, march):
    """王晓燕: 满意 3/4 = 75, 整改 1/1 = 100 → 0.6×75 + 0.4×100 = 85; 张海峰: 25 and 2/2 = 100 → 55;
    冯村干: 100 and no 差评 (weight left out) → 100."""
    scheme = assessment_scheme_create(
        name="好差评考核",
        indicators=[("rating_satisfaction", 60), ("bad_review_rectification", 40)],
        actor=scene.bureau_admin,
    )
    assessment_compute(scheme=scheme, month=dt.date(2026, 3, 1), actor=scene.bureau_admin)
    totals = dict(AssessmentResult.objects.filter(scheme=scheme).values_list("staff_id", "total"))
    assert totals == {
        scene.front_desk.pk: Decimal("85.00"),
        scene.back_office.pk: Decimal("55.00"),
        scene.village_clerk.pk: Decimal("100.00"),
    }
    lines = AssessmentResult.objects.get(staff=scene.back_office).breakdown["indicators"]
    assert [line["value"] for line in lines] == ["满意 1 / 评价 4 条（差评 3）", "整改到位 2 / 实名差评 2 条"]


def test_an_excluded_rating_does_not_count_against_the_clerk(scene, march):
    from govhall.reviews import services
    from govhall.reviews.models import Rating

    worst = Rating.objects.filter(clerk=scene.back_office, level=5, created_at__month=3).get()
    appeal = services.appeal_file(rating=worst, actor=scene.director, reason="malicious", statement="恶意")
    services.appeal_decide(appeal=appeal, actor=scene.bureau_admin, upheld=True, note="成立")
    scheme = assessment_scheme_create(
        name="满意率", indicators=[("rating_satisfaction", 100)], actor=scene.bureau_admin
    )
    assessment_compute(scheme=scheme, month=dt.date(2026, 3, 1), actor=scene.bureau_admin)
    assert AssessmentResult.objects.get(staff=scene.back_office).total == Decimal("33.33")  # 1 of 3
