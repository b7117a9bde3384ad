"""SITE-8: the rule set is data, versioned; the bureau copies, edits and publishes; assessments keep theirs."""

from __future__ import annotations

from decimal import Decimal

import pytest

from govhall.core.errors import Conflict, Forbidden, ServiceError
from govhall.core.models import AuditEntry
from govhall.standards.models import Rule, RuleSet, RuleSetStatus
from govhall.standards.seed import NAME, VERSION, builtin_rules, load_builtin
from govhall.standards.selectors import current_rule_set
from govhall.standards.services import assessment_run, rule_add, rule_update, ruleset_copy, ruleset_publish
from tests.standards.builders import assess, compliant_town, result

pytestmark = pytest.mark.django_db


def test_builtin_rule_set_ships_the_notice_as_published_version_2020_37(rule_set):
    """SITE-8: the notice is the built-in rule set "启政办发〔2020〕37号", version 2020-37, with requirement ids,
    levels, weights and the notice text per rule."""
    assert (rule_set.name, rule_set.version, rule_set.status) == (NAME, VERSION, RuleSetStatus.PUBLISHED)
    rules = list(rule_set.rules.all())
    assert len(rules) == len(builtin_rules())
    assert {r.requirement for r in rules} == {f"SITE-{i}" for i in range(1, 8)}
    assert all(r.notice_text and r.levels and r.weight > 0 for r in rules)
    area = rule_set.rules.get(code="SITE-1.3")
    assert (area.levels, area.measure, area.op, area.value) == (["town3"], "hall_area", ">=", Decimal(500))
    assert "三类镇为民服务中心大厅服务面积不少于500平方米" in area.notice_text
    assert set(rule_set.rules.filter(is_safety=True).values_list("measure", flat=True)) == {
        "fire_equipment",
        "emergency_exit",
        "emergency_lighting",
    }
    assert set(rule_set.rules.filter(is_bonus=True).values_list("measure", flat=True)) == {
        "zone_24h",
        "mother_baby_room",
    }


def test_load_builtin_is_idempotent(rule_set):
    """SITE-8: loading twice changes nothing."""
    count = Rule.objects.count()
    load_builtin()
    assert RuleSet.objects.count() == 1 and Rule.objects.count() == count


def test_new_version_with_changed_threshold_changes_result_and_old_assessment_keeps_its_version(
    rule_set, inspector, bureau_admin
):
    """SITE-8: a copy with the 三类 area raised to 600 m² is published; a 550 m² town passed under 2020-37 and
    fails under the new version, while the old assessment keeps version 2020-37 and its score."""
    town = compliant_town(3)
    old = assess(town, inspector, hall_area=550)
    assert result(old, "SITE-1.3").passed is True
    old_score = old.score

    draft = ruleset_copy(rule_set=rule_set, version="2026-01", actor=bureau_admin)
    assert draft.status == RuleSetStatus.DRAFT and draft.based_on == rule_set
    assert draft.rules.count() == rule_set.rules.count()
    rule_update(
        rule=draft.rules.get(code="SITE-1.3"), changes={"value": "600", "weight": "12"}, actor=bureau_admin
    )
    ruleset_publish(rule_set=draft, actor=bureau_admin)
    assert current_rule_set() == draft

    new = assessment_run(centre=town, actor=inspector)
    assert new.rule_set == draft
    area = result(new, "SITE-1.3")
    assert (area.passed, area.threshold_text, area.weight) == (False, "≥ 600 m²", Decimal("12.0"))
    assert new.score < old_score
    old.refresh_from_db()
    assert old.rule_set == rule_set and old.score == old_score
    assert result(old, "SITE-1.3").threshold_text == "≥ 500 m²"
    assert rule_set.rules.get(code="SITE-1.3").value == Decimal(500)


def test_published_rule_set_cannot_be_edited(rule_set, bureau_admin):
    """SITE-8: published versions are immutable; edits go into a copy."""
    rule = rule_set.rules.get(code="SITE-1.3")
    with pytest.raises(Conflict, match="已发布"):
        rule_update(rule=rule, changes={"value": "10"}, actor=bureau_admin)
    rule.refresh_from_db()
    assert rule.value == Decimal(500)


def test_only_bureau_admin_copies_and_publishes(rule_set, inspector):
    """SITE-8: an inspector assesses but does not change the rules."""
    with pytest.raises(Forbidden):
        ruleset_copy(rule_set=rule_set, version="x", actor=inspector)
    assert RuleSet.objects.count() == 1


def test_duplicate_version_is_refused(rule_set, bureau_admin):
    with pytest.raises(Conflict, match="已有版本"):
        ruleset_copy(rule_set=rule_set, version=VERSION, actor=bureau_admin)


def test_rule_with_unknown_measure_or_bad_operator_is_refused_when_edited(rule_set, bureau_admin):
    """SITE-8: a rule that cannot be evaluated is refused and nothing is saved."""
    draft = ruleset_copy(rule_set=rule_set, version="2026-02", actor=bureau_admin)
    rule = draft.rules.get(code="SITE-1.3")
    with pytest.raises(ServiceError, match="测量项“floor_area”不存在"):
        rule_update(rule=rule, changes={"measure": "floor_area"}, actor=bureau_admin)
    with pytest.raises(ServiceError, match="比较方式“~=”无法识别"):
        rule_update(rule=draft.rules.get(code="SITE-1.3"), changes={"op": "~="}, actor=bureau_admin)
    with pytest.raises(ServiceError, match="阈值上限不能小于阈值"):
        rule_update(rule=draft.rules.get(code="SITE-4.1"), changes={"value_max": "70"}, actor=bureau_admin)
    stored = draft.rules.get(code="SITE-1.3")
    assert (stored.measure, stored.op) == ("hall_area", ">=")


def test_rule_set_with_unevaluable_rule_is_refused_at_publish_and_stays_draft(rule_set, bureau_admin):
    """SITE-8: a rule edited into an unknown measure (e.g. through the admin) blocks publishing."""
    draft = ruleset_copy(rule_set=rule_set, version="2026-03", actor=bureau_admin)
    Rule.objects.filter(rule_set=draft, code="SITE-4.1").update(op="about")
    Rule.objects.filter(rule_set=draft, code="SITE-7.1").update(measure="lobby_piano")
    audits = AuditEntry.objects.count()
    with pytest.raises(ServiceError) as exc:
        ruleset_publish(rule_set=draft, actor=bureau_admin)
    assert "SITE-4.1" in exc.value.message and "about" in exc.value.message
    assert "lobby_piano" in exc.value.message
    draft.refresh_from_db()
    assert draft.status == RuleSetStatus.DRAFT and draft.published_at is None
    assert current_rule_set() == rule_set
    assert AuditEntry.objects.count() == audits


def test_rule_can_be_added_to_a_draft_and_is_checked(rule_set, bureau_admin):
    """SITE-8: a new rule (a count on the 全科 windows for towns) is validated before it is stored."""
    draft = ruleset_copy(rule_set=rule_set, version="2026-04", actor=bureau_admin)
    rule = rule_add(
        rule_set=draft,
        code="SITE-5.16",
        actor=bureau_admin,
        fields={
            "requirement": "SITE-5",
            "title": "镇设置全科窗口",
            "levels": ["town1"],
            "kind": "count",
            "measure": "windows_quanke",
            "op": ">=",
            "value": 1,
            "weight": 2,
        },
    )
    assert rule.order > draft.rules.exclude(pk=rule.pk).order_by("-order").first().order
    with pytest.raises(ServiceError, match="数量检查要求数量类测量项"):
        rule_add(
            rule_set=draft,
            code="SITE-5.17",
            actor=bureau_admin,
            fields={
                "requirement": "SITE-5",
                "title": "x",
                "levels": ["town1"],
                "kind": "count",
                "measure": "hall_area",
                "op": ">=",
                "value": 1,
                "weight": 2,
            },
        )
    with pytest.raises(ServiceError, match="适用层级"):
        rule_add(
            rule_set=draft,
            code="SITE-5.18",
            actor=bureau_admin,
            fields={
                "requirement": "SITE-5",
                "title": "x",
                "levels": ["city"],
                "kind": "present",
                "measure": "zone_24h",
                "weight": 2,
            },
        )
    assert not draft.rules.filter(code__in=["SITE-5.17", "SITE-5.18"]).exists()


def test_disabled_rule_is_not_assessed(rule_set, bureau_admin, inspector):
    """SITE-8: the bureau can switch a rule off in a new version."""
    draft = ruleset_copy(rule_set=rule_set, version="2026-05", actor=bureau_admin)
    rule_update(rule=draft.rules.get(code="SITE-4.7"), changes={"is_active": False}, actor=bureau_admin)
    ruleset_publish(rule_set=draft, actor=bureau_admin)
    assessment = assess(compliant_town(3), inspector)
    assert assessment.rule_set == draft
    assert not assessment.results.filter(code="SITE-4.7").exists()
