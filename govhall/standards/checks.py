"""How one rule is checked against measured values: validation (can this rule be evaluated at all?)
and evaluation (did the centre pass?). Pure functions: no database access."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from govhall.standards.measures import BOOL, COUNT, MEASURES, NUMBER, Measure
from govhall.standards.models import CheckKind, Level, Op, Rule

OP_SIGNS: dict[str, str] = {Op.GE: "≥", Op.GT: ">", Op.LE: "≤", Op.LT: "<", Op.EQ: "="}
LEVEL_VALUES = set(Level.values)


def rule_problems(rule: Rule) -> list[str]:
    """Why this rule cannot be evaluated (empty when it can). Messages name the rule and the field."""
    problems: list[str] = []
    where = f"规则 {rule.code or '（未编号）'}"
    if not rule.code:
        problems.append("规则编号不能为空")
    if not rule.requirement:
        problems.append(f"{where}：需求编号不能为空")
    levels = rule.levels if isinstance(rule.levels, list) else None
    if not levels:
        problems.append(f"{where}：适用层级不能为空")
    elif any(level not in LEVEL_VALUES for level in levels):
        problems.append(f"{where}：适用层级只能是 {'、'.join(LEVEL_VALUES)}")
    if rule.weight is None or rule.weight < 0 or rule.weight > 100:
        problems.append(f"{where}：分值应在 0 到 100 之间")
    kind = rule.kind
    if kind not in CheckKind.values:
        return [*problems, f"{where}：检查方式“{kind}”无法识别"]
    if kind == CheckKind.NAMING:
        return problems
    measure = MEASURES.get(rule.measure)
    if measure is None:
        return [*problems, f"{where}：测量项“{rule.measure}”不存在"]
    if kind == CheckKind.PRESENT:
        if measure.kind not in (BOOL, COUNT):
            problems.append(f"{where}：必备项只能检查“有/无”或数量类测量项，“{measure.label}”不是")
        return problems
    if kind == CheckKind.COUNT and measure.kind != COUNT:
        problems.append(f"{where}：数量检查要求数量类测量项，“{measure.label}”不是")
    if kind == CheckKind.THRESHOLD and not measure.numeric:
        problems.append(f"{where}：阈值检查要求数值类测量项，“{measure.label}”不是")
    if kind == CheckKind.RATIO:
        denominator = MEASURES.get(rule.measure2)
        if denominator is None:
            problems.append(f"{where}：比例分母“{rule.measure2}”不存在")
        elif not (measure.numeric and denominator.numeric):
            problems.append(f"{where}：比例的分子和分母都必须是数值类测量项")
    problems += _threshold_problems(rule, where)
    return problems


def _threshold_problems(rule: Rule, where: str) -> list[str]:
    if rule.op not in Op.values:
        return [f"{where}：比较方式“{rule.op}”无法识别"]
    if rule.value is None:
        return [f"{where}：缺少阈值"]
    if rule.op == Op.BETWEEN:
        if rule.value_max is None:
            return [f"{where}：“介于”需要阈值上限"]
        if Decimal(rule.value_max) < Decimal(rule.value):
            return [f"{where}：阈值上限不能小于阈值"]
    return []


@dataclass(frozen=True)
class Outcome:
    passed: bool
    measured: Any
    measured_text: str
    threshold_text: str


def _fmt(value: Decimal | int | float) -> str:
    d = Decimal(str(value))
    return format(d.quantize(Decimal(1)) if d == d.to_integral_value() else d.normalize(), "f")


def _with_unit(value: Decimal | int | float, measure: Measure) -> str:
    return f"{_fmt(value)} {measure.unit}".strip()


def threshold_text(rule: Rule) -> str:
    measure = MEASURES.get(rule.measure)
    if rule.kind == CheckKind.NAMING:
        return "符合“行政区域名称+（村名称+）为民/便民服务中心”"
    if measure is None:
        return "—"
    if rule.kind == CheckKind.PRESENT:
        return "具备"
    unit_measure = measure if rule.kind != CheckKind.RATIO else Measure("", "", "", NUMBER)
    if rule.op == Op.BETWEEN:
        return f"{_fmt(rule.value)}–{_with_unit(rule.value_max, unit_measure)}"  # type: ignore[arg-type]
    sign = OP_SIGNS.get(str(rule.op), str(rule.op))
    text = f"{sign} {_with_unit(rule.value, unit_measure)}"  # type: ignore[arg-type]
    if rule.kind == CheckKind.RATIO:
        return f"{MEASURES[rule.measure].label} ÷ {MEASURES[rule.measure2].label} {text}"
    return text


def compare(op: str, value: Decimal, low: Decimal, high: Decimal | None) -> bool:
    if op == Op.GE:
        return value >= low
    if op == Op.GT:
        return value > low
    if op == Op.LE:
        return value <= low
    if op == Op.LT:
        return value < low
    if op == Op.EQ:
        return value == low
    if op == Op.BETWEEN and high is not None:
        return low <= value <= high
    raise ValueError(op)


def _as_decimal(raw: Any) -> Decimal | None:
    if raw is None or isinstance(raw, bool):
        return None
    try:
        return Decimal(str(raw))
    except InvalidOperation:
        return None


def evaluate(rule: Rule, values: dict[str, Any], *, expected_name: str = "") -> Outcome:
    """Check one (valid) rule against the values measured for a centre. A value nobody measured fails
    the rule and says so: an assessment never guesses."""
    threshold = threshold_text(rule)
    if rule.kind == CheckKind.NAMING:
        name = str(values.get("centre_name") or "")
        passed = bool(name) and name == expected_name
        text = name if passed else f"{name or '（无名称）'}（应为：{expected_name}）"
        return Outcome(passed, name, text, threshold)
    measure = MEASURES[rule.measure]
    raw = values.get(rule.measure)
    if raw is None:
        return Outcome(False, None, "未测量", threshold)
    if rule.kind == CheckKind.PRESENT:
        present = bool(raw) if measure.kind == BOOL else (_as_decimal(raw) or 0) > 0
        if measure.kind == BOOL:
            text = "具备" if present else "不具备"
        else:
            text = _with_unit(raw, measure)
        return Outcome(present, raw, text, threshold)
    number = _as_decimal(raw)
    if number is None:
        return Outcome(False, raw, "测量值无效", threshold)
    low = Decimal(rule.value)  # type: ignore[arg-type]
    high = Decimal(rule.value_max) if rule.value_max is not None else None
    if rule.kind == CheckKind.RATIO:
        denominator_measure = MEASURES[rule.measure2]
        denominator = _as_decimal(values.get(rule.measure2))
        parts = f"{_with_unit(number, measure)} ÷ " + (
            _with_unit(denominator, denominator_measure) if denominator is not None else "未测量"
        )
        if not denominator:
            return Outcome(False, None, f"{parts}，无法计算", threshold)
        ratio = (number / denominator).quantize(Decimal("0.01"))
        return Outcome(
            compare(rule.op, ratio, low, high), float(ratio), f"{_fmt(ratio)}（{parts}）", threshold
        )
    return Outcome(
        compare(rule.op, number, low, high),
        float(number) if measure.kind != COUNT else int(number),
        _with_unit(number, measure),
        threshold,
    )
