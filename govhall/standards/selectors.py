"""Reads for the survey form, the scorecard, a centre's history and the bureau's overview (GOV-1)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from govhall.core.errors import Conflict
from govhall.orgs.models import Centre, CentreLevel, TownClass
from govhall.standards.measures import MEASURES, SURVEY, SURVEY_GROUPS, Measure
from govhall.standards.models import (
    OPEN_STATUSES,
    Assessment,
    AssessmentResult,
    ItemStatus,
    RectificationEvidence,
    RectificationItem,
    Rule,
    RuleSet,
    RuleSetStatus,
    Survey,
    SurveyAnswer,
    SurveyPhoto,
    SurveyStatus,
)


def current_rule_set() -> RuleSet | None:
    """The most recently published rule set: new surveys and assessments use it unless told otherwise."""
    return RuleSet.objects.filter(status=RuleSetStatus.PUBLISHED).order_by("-published_at", "-pk").first()


def last_finished_survey(centre: Centre) -> Survey | None:
    """The survey an assessment of this centre uses by default, and a follow-up survey starts from."""
    return (
        Survey.objects.filter(centre=centre, status=SurveyStatus.FINISHED)
        .order_by("-finished_at", "-pk")
        .first()
    )


def rule_sets() -> QuerySet[RuleSet]:
    """Every rule set with its counts, by name and newest first."""
    return RuleSet.objects.order_by("name", "-published_at", "-pk").annotate(
        rule_count=Count("rules", distinct=True), assessment_count=Count("assessments", distinct=True)
    )


def centre_level(centre: Centre) -> str:
    """The level a centre is assessed at: town1/town2/town3 by its town's class, or village."""
    if centre.level == CentreLevel.VILLAGE:
        return "village"
    klass = centre.division.town_class
    if klass not in (1, 2, 3):
        raise Conflict(
            f"{centre.name} 所在镇（园区）未设定镇类别，无法确定适用的标准，请先在区划中设定类别。"
        )
    return f"town{klass}"


def applicable_rules(rule_set: RuleSet, level: str) -> list[Rule]:
    return [r for r in rule_set.rules.filter(is_active=True).order_by("order", "pk") if r.applies_to(level)]


@dataclass
class SurveyItem:
    measure: Measure
    answer: SurveyAnswer | None
    photos: list[SurveyPhoto]
    rules: list[Rule]
    required: bool = True
    error: str = ""
    posted: dict[str, Any] | None = None

    @property
    def shown_value(self) -> str:
        """What the form shows: the value just posted (when it was refused), else the stored one. Yes/no
        items give "yes" / "no" / ""."""
        raw = self.posted.get("value") if self.posted is not None else self.value
        if isinstance(raw, bool):
            return "yes" if raw else "no"
        if isinstance(raw, Decimal):
            return format(raw.normalize(), "f") if raw == raw.to_integral_value() else str(raw)
        if self.posted is not None and self.measure.kind == "bool":
            word = str(raw or "").strip().lower()
            return (
                "yes"
                if word in ("yes", "1", "true", "有")
                else ("no" if word in ("no", "0", "false", "无") else "")
            )
        return "" if raw is None else str(raw)

    @property
    def shown_note(self) -> str:
        if self.posted is not None:
            return str(self.posted.get("note") or "")
        return self.answer.note if self.answer else ""

    @property
    def is_bonus_only(self) -> bool:
        return all(r.is_bonus for r in self.rules)

    @property
    def is_safety(self) -> bool:
        return any(r.is_safety for r in self.rules)

    @property
    def value(self) -> Any:
        return self.answer.value if self.answer else None


def survey_items(survey: Survey) -> list[SurveyItem]:
    """The items an inspector fills for this survey: the survey measures its rule set's applicable rules
    use, in the order of the measure registry. All of them must be answered to finish."""
    level = centre_level(survey.centre)
    by_measure: dict[str, list[Rule]] = defaultdict(list)
    for rule in applicable_rules(survey.rule_set, level):
        for key in (rule.measure, rule.measure2):
            if key in MEASURES and MEASURES[key].source == SURVEY:
                by_measure[key].append(rule)
    answers = {a.measure: a for a in survey.answers.all()}
    photos: dict[str, list[SurveyPhoto]] = defaultdict(list)
    for photo in survey.photos.all():
        photos[photo.measure].append(photo)
    return [
        SurveyItem(MEASURES[key], answers.get(key), photos.get(key, []), by_measure[key])
        for key in MEASURES
        if key in by_measure
    ]


def survey_groups(items: list[SurveyItem]) -> list[tuple[str, list[SurveyItem]]]:
    grouped: dict[str, list[SurveyItem]] = defaultdict(list)
    for item in items:
        grouped[item.measure.group].append(item)
    return [(group, grouped[group]) for group in SURVEY_GROUPS if grouped.get(group)]


def survey_progress(items: list[SurveyItem]) -> tuple[int, int]:
    return sum(1 for i in items if i.answer and i.answer.is_answered), len(items)


@dataclass
class Scorecard:
    assessment: Assessment
    results: list[AssessmentResult]
    items: list[RectificationItem]

    @property
    def failed(self) -> list[AssessmentResult]:
        return [r for r in self.results if not r.passed and not r.is_bonus]

    @property
    def safety_failed(self) -> list[AssessmentResult]:
        return [r for r in self.failed if r.is_safety]

    @property
    def changed(self) -> list[AssessmentResult]:
        return [r for r in self.results if r.change in ("fixed", "broken")]


def scorecard(assessment: Assessment) -> Scorecard:
    """Results with the safety items first, then in rule order; the rectification list likewise."""
    results = list(assessment.results.order_by("-is_safety", "order", "pk"))
    items = list(
        assessment.items.select_related("owner", "result")
        .prefetch_related("evidence")
        .order_by("-is_safety", "result__order", "pk")
    )
    return Scorecard(assessment, results, items)


@dataclass
class CentreHistory:
    centre: Centre
    assessments: list[Assessment]
    progression: list[tuple[str, str, list[bool | None]]]
    open_items: list[RectificationItem]

    @property
    def trend(self) -> dict[str, Any]:
        return {
            "labels": [
                f"第{a.sequence}次 {timezone.localtime(a.assessed_at):%Y-%m-%d}" for a in self.assessments
            ],
            "scores": [float(a.score) for a in self.assessments],
            "name": self.centre.name,
        }


def centre_history(centre: Centre) -> CentreHistory:
    """Every assessment of a centre in order, and for every rule that ever failed, its result at each one:
    the progression of the rectification."""
    assessments: list[Assessment] = list(
        Assessment.objects.filter(centre=centre)
        .select_related("rule_set", "assessed_by")
        .annotate(item_count=Count("items"))
        .order_by("sequence")
    )
    position = {a.pk: i for i, a in enumerate(assessments)}
    ever_failed = (
        AssessmentResult.objects.filter(assessment__centre=centre, passed=False, is_bonus=False)
        .values_list("code", flat=True)
        .distinct()
    )
    rows = (
        AssessmentResult.objects.filter(assessment__centre=centre, code__in=list(ever_failed))
        .values("assessment_id", "code", "title", "passed", "order")
        .order_by("order", "code")
    )
    titles: dict[str, str] = {}
    matrix: dict[str, list[bool | None]] = {}
    for row in rows:
        titles.setdefault(row["code"], row["title"])
        matrix.setdefault(row["code"], [None] * len(assessments))[position[row["assessment_id"]]] = row[
            "passed"
        ]
    open_items = list(
        RectificationItem.objects.filter(centre=centre, status__in=OPEN_STATUSES)
        .select_related("owner", "assessment")
        .order_by("-is_safety", "due_date", "pk")
    )
    progression = [(code, title, matrix[code]) for code, title in titles.items()]
    return CentreHistory(centre, assessments, progression, open_items)


# --- GOV-1: the bureau's overview --------------------------------------------------------------------------


@dataclass
class OverviewRow:
    centre: Centre
    town_class: int | None
    latest: dict[str, Any] | None = None
    trend: list[float] = field(default_factory=list)
    open_items: int = 0
    overdue_items: int = 0
    rank: int | None = None

    @property
    def score(self) -> Decimal | None:
        return self.latest["score"] if self.latest else None

    @property
    def town_class_label(self) -> str:
        return TownClass(self.town_class).label if self.town_class else "—"


SORTS = {
    "score": lambda r: (r.score is None, -(r.score or 0), r.centre.division.code),
    "-score": lambda r: (r.score is None, r.score or 0, r.centre.division.code),
    "name": lambda r: r.centre.division.code,
    "open": lambda r: (-r.open_items, r.centre.division.code),
    "overdue": lambda r: (-r.overdue_items, r.centre.division.code),
}


@dataclass
class Overview:
    rows: list[OverviewRow]
    ranking: list[OverviewRow]
    totals: dict[str, int]

    @property
    def chart(self) -> dict[str, Any]:
        towns = [r for r in self.ranking]
        return {
            "towns": [r.centre.division.name for r in towns],
            "scores": [float(r.score or 0) for r in towns],
            "classes": [r.town_class_label for r in towns],
        }


def overview(
    *, town_class: int | None = None, level: str = "", sort: str = "score", today: dt.date | None = None
) -> Overview:
    """All active centres with their latest score, grade, trend and open / overdue rectification items, and
    a ranking of the towns. Four queries, whatever the number of centres."""
    today = today or timezone.localdate()
    centres = Centre.objects.filter(is_active=True).select_related("division", "parent__division")
    if level in (CentreLevel.TOWN, CentreLevel.VILLAGE):
        centres = centres.filter(level=level)
    if town_class in (1, 2, 3):
        centres = centres.filter(
            Q(level=CentreLevel.TOWN, division__town_class=town_class)
            | Q(level=CentreLevel.VILLAGE, parent__division__town_class=town_class)
        )
    rows = {}
    for c in centres:
        klass = (
            c.division.town_class
            if c.level == CentreLevel.TOWN
            else (c.parent.division.town_class if c.parent else None)
        )
        rows[c.pk] = OverviewRow(c, klass)
    history = (
        Assessment.objects.filter(centre_id__in=list(rows))
        .values(
            "centre_id",
            "pk",
            "sequence",
            "score",
            "grade",
            "assessed_at",
            "safety_failed_count",
            "failed_count",
            "rule_set__version",
        )
        .order_by("centre_id", "sequence")
    )
    for a in history:
        row = rows[a["centre_id"]]
        row.trend.append(float(a["score"]))
        row.latest = dict(a)
    counts = (
        RectificationItem.objects.filter(centre_id__in=list(rows), status__in=OPEN_STATUSES)
        .values("centre_id")
        .annotate(
            pending=Count("pk"), overdue=Count("pk", filter=Q(status=ItemStatus.OPEN, due_date__lt=today))
        )
    )
    for count in counts:
        rows[count["centre_id"]].open_items = count["pending"]
        rows[count["centre_id"]].overdue_items = count["overdue"]
    ranking = sorted(
        (r for r in rows.values() if r.centre.level == CentreLevel.TOWN and r.latest), key=SORTS["score"]
    )
    previous_score, previous_rank = None, 0
    for i, r in enumerate(ranking, start=1):
        if r.score != previous_score:
            previous_rank, previous_score = i, r.score
        r.rank = previous_rank
    ordered = sorted(rows.values(), key=SORTS.get(sort, SORTS["score"]))
    totals = {
        "centres": len(ordered),
        "assessed": sum(1 for r in ordered if r.latest),
        "open": sum(r.open_items for r in ordered),
        "overdue": sum(r.overdue_items for r in ordered),
        "safety": sum(1 for r in ordered if r.latest and r.latest["safety_failed_count"]),
    }
    return Overview(ordered, ranking, totals)


def survey_photo(pk: int) -> SurveyPhoto | None:
    return SurveyPhoto.objects.filter(pk=pk).first()


def evidence_photo(pk: int) -> RectificationEvidence | None:
    return RectificationEvidence.objects.filter(pk=pk).first()
