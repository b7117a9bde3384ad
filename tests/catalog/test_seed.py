"""SCOPE-1/SCOPE-2 starter catalogue: ≥40 town matters over the five town categories and the SITE-5
departments, ≥12 village matters over the five village categories, assigned to the centres; idempotent."""

from __future__ import annotations

import pytest

from govhall.catalog import seed
from govhall.catalog.models import (
    TOWN_CATEGORIES,
    VILLAGE_CATEGORIES,
    CentreMatter,
    Material,
    Matter,
    MatterVersion,
)
from govhall.catalog.selectors import coverage_report

SITE5_DEPARTMENTS = {
    "CZ",
    "MZ",
    "CL",
    "WJ",
    "ZJ",
    "CG",
    "ZRZY",
    "SPJ",
    "GS",
    "GD",
    "YX",
    "TX",
    "GA",
    "SW",
    "RS",
    "YB",
    "GJJ",
    "SG",
}


@pytest.mark.django_db
def test_scope2_builtin_catalogue_covers_categories_departments_and_modes(departments, hall):
    summary = seed.load_builtin()
    assert "新增 65 项" in summary
    current = MatterVersion.objects.filter(state="published")
    town = current.filter(levels__contains="5")
    village = current.filter(levels__contains="6")
    assert town.count() >= 40 and village.count() >= 12
    assert set(town.values_list("category", flat=True)) == set(TOWN_CATEGORIES)
    assert set(village.values_list("category", flat=True)) == set(VILLAGE_CATEGORIES)
    assert SITE5_DEPARTMENTS <= set(town.values_list("department__code", flat=True))
    assert {1, 2} <= set(current.values_list("case_type", flat=True))
    assert Material.objects.filter(version__in=current, rongque=True).count() >= 5
    commitments = Material.objects.filter(version__in=current, commitment=True)
    assert commitments.count() >= 5 and not commitments.filter(commitment_text="").exists()
    assert all(seed.SAMPLE_MARK in basis for basis in current.values_list("legal_basis", flat=True))


@pytest.mark.django_db
def test_scope3_builtin_catalogue_is_in_every_hall_and_loading_twice_changes_nothing(departments, hall):
    seed.load_builtin()
    report = coverage_report(centres=[hall.town, hall.village, hall.other_village])
    assert all(r.complete and r.expected > 0 for r in report.rows)
    assert (
        report.rows[0].expected
        == MatterVersion.objects.filter(state="published", levels__contains="5").count()
    )
    counts = (Matter.objects.count(), MatterVersion.objects.count(), CentreMatter.objects.count())
    assert "新增 0 项" in seed.load_builtin()
    assert (Matter.objects.count(), MatterVersion.objects.count(), CentreMatter.objects.count()) == counts


@pytest.mark.django_db
def test_scope1_reloading_fills_missing_search_keywords_and_keeps_the_bureaus(departments, hall):
    """An installation loaded before 检索关键词 existed gets the built-in words on its next load (make run
    loads the built-in data every start); words the bureau wrote are never replaced."""
    seed.load_builtin()
    food = Matter.objects.get(name="食品经营许可（小餐饮）")
    birth = Matter.objects.get(name="出生登记")
    Matter.objects.filter(pk=food.pk).update(keywords="")
    Matter.objects.filter(pk=birth.pk).update(keywords="上户口")
    summary = seed.load_builtin()
    assert "补充检索关键词 1 项" in summary
    food.refresh_from_db()
    birth.refresh_from_db()
    assert "开饭店" in food.keywords and "开饭店" in food.search_key
    assert birth.keywords == "上户口"
