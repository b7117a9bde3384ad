"""Org data and survey answers for standard-hall tests: a compliant town or village to break one rule at a time."""

from __future__ import annotations

from typing import Any

from govhall.accounts.models import Role
from govhall.orgs.models import Centre, WindowClass
from govhall.standards.measures import BOOL, MEASURES, SURVEY
from govhall.standards.models import Assessment, Survey
from govhall.standards.seed import load_builtin
from govhall.standards.selectors import survey_items
from govhall.standards.services import assessment_run, survey_finish, survey_save, survey_start
from tests.factories import (
    DepartmentFactory,
    TownCentreFactory,
    UserFactory,
    VillageCentreFactory,
    WindowFactory,
)

PROFESSIONAL = [
    ("GA", "公安"),
    ("SW", "税务"),
    ("RS", "人社"),
    ("YB", "医保"),
    ("GJJ", "公积金"),
    ("SG", "市管"),
]


def department(code: str) -> Any:
    short = dict(PROFESSIONAL).get(code, code)
    return DepartmentFactory(code=code, short_name=short)


def compliant_town(
    town_class: int = 3,
    *,
    name: str | None = None,
    windows: int | None = None,
    auxiliary: int | None = None,
    agent: bool = True,
) -> Centre:
    """A town centre meeting SITE-2, 5 and 6: the comprehensive classes, the six professional windows, the
    同城通办 windows for 一类/二类 towns, twice as many auxiliary staff as windows, and an agent."""
    kwargs: dict[str, Any] = {"division__town_class": town_class}
    if name:
        kwargs["division__name"] = name
    centre = TownCentreFactory(**kwargs)
    layout: list[tuple[str, str | None, str, bool]] = [
        (WindowClass.MINSHENG, None, "民生综合窗口", False),
        (WindowClass.JIANSHE, None, "建设综合窗口", False),
        (WindowClass.SHIZHENG, None, "市政公共服务综合窗口", False),
        (WindowClass.QITA, None, "其他事项综合窗口", False),
    ]
    same_city = town_class in (1, 2)
    layout += [
        (WindowClass.PROFESSIONAL, code, f"{short}窗口", same_city and code in ("SW", "GJJ"))
        for code, short in PROFESSIONAL
    ]
    if same_city:
        layout.append((WindowClass.PROFESSIONAL, "GA", "出入境窗口", True))
    while windows is not None and len(layout) < windows:
        layout.append((WindowClass.MINSHENG, None, "民生综合窗口", False))
    if windows is not None:
        layout = layout[:windows]
    for number, (klass, code, label, city) in enumerate(layout, start=1):
        add_window(centre, number, klass, code, label, same_city=city)
    count = len(layout)
    for _ in range(2 * count if auxiliary is None else auxiliary):
        UserFactory(centre=centre, is_auxiliary=True, roles=[Role.FRONT_DESK])
    if agent:
        UserFactory(centre=centre, roles=[Role.AGENT])
    return centre


def add_window(
    centre: Centre,
    number: int,
    klass: str = WindowClass.MINSHENG,
    code: str | None = None,
    label: str = "",
    *,
    same_city: bool = False,
) -> Any:
    return WindowFactory(
        centre=centre,
        number=number,
        window_class=klass,
        name=label or WindowClass(klass).label,
        department=department(code) if code else None,
        same_city=same_city,
    )


def compliant_village(quanke: int = 3, parent: Centre | None = None) -> Centre:
    village = VillageCentreFactory(**({"parent": parent} if parent else {}))
    for n in range(1, quanke + 1):
        WindowFactory(centre=village, number=n, window_class=WindowClass.QUANKE, name="全科窗口")
    return village


def passing_answers(**overrides: Any) -> dict[str, dict[str, Any]]:
    """Every survey item answered so that it passes (a village's and a first-class town's thresholds)."""
    answers: dict[str, dict[str, Any]] = {}
    for key, measure in MEASURES.items():
        if measure.source != SURVEY:
            continue
        answers[key] = {"value": True} if measure.kind == BOOL else {"value": 1}
    answers.update(
        {
            "hall_area": {"value": 1600},
            "office_rooms": {"value": 2},
            "counter_height": {"value": 85},
            "counter_width": {"value": 75},
        }
    )
    answers.update({k: (v if isinstance(v, dict) else {"value": v}) for k, v in overrides.items()})
    return answers


def finished_survey(centre: Centre, inspector: Any, **overrides: Any) -> Survey:
    load_builtin()
    survey = survey_start(centre=centre, actor=inspector)
    wanted = {i.measure.key for i in survey_items(survey)}
    answers = {k: v for k, v in passing_answers(**overrides).items() if k in wanted}
    survey_save(survey=survey, answers=answers, actor=inspector)
    return survey_finish(survey=survey, signed_name=inspector.display_name, actor=inspector)


def assess(centre: Centre, inspector: Any, **overrides: Any) -> Assessment:
    finished_survey(centre, inspector, **overrides)
    return assessment_run(centre=centre, actor=inspector)


def result(assessment: Assessment, code: str) -> Any:
    return assessment.results.get(code=code)
