"""一件事 fixtures: the sample catalogue in the 吕四港镇 persona hall and the three sample compositions, built
once per module (per xdist worker) inside a transaction rolled back at the end; each test runs in its own
savepoint and gets fresh rows (loading 65 matters per test would make this folder slow)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from govhall.onething.models import OneThing


@pytest.fixture(scope="module")
def _world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Any]:
    from govhall.catalog import seed as catalog_seed
    from govhall.onething import seed
    from govhall.orgs.models import Department
    from govhall.orgs.seed import DEPARTMENTS
    from tests.personas import make_hall

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            for code, name, short in DEPARTMENTS:
                Department.objects.update_or_create(code=code, defaults={"name": name, "short_name": short})
            hall = make_hall()
            catalog_seed.load_builtin()
            seed.load_builtin()
            yield hall
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def catalogue(_world: Any, db: Any) -> Any:
    """The hall with the sample catalogue published (and the sample 一件事, which tests may ignore)."""
    return _world


@pytest.fixture
def samples(catalogue: Any) -> dict[str, OneThing]:
    return {t.code: t for t in OneThing.objects.select_related("current_version")}


@pytest.fixture
def world(hall: Any) -> tuple[Any, OneThing]:
    """The case-flow fixtures (tests/cases/conftest.py) and a small 一件事 YJS-0101 over them:
    最低生活保障申请 (民政, 10 working days, AB posts, produces 最低生活保障证) → 住房保障资格确认 (住建, 5 days,
    its own AB post, needs the 最低生活保障证), and 残疾人证补办申请 (民政, 即办) in parallel when asked."""
    from govhall.accounts.models import Role
    from govhall.catalog.models import CentreMatter, CentreServiceMode
    from govhall.onething.services import (
        CompositionInput,
        MemberInput,
        QuestionInput,
        thing_create,
        thing_publish,
    )
    from tests.cases.conftest import make_flow, make_matter
    from tests.factories import PostFactory, UserFactory

    flow = make_flow(hall)
    housing = make_matter(
        department=flow.other_department,
        name="住房保障资格确认",
        code="320681ZJ05003005",
        promised_limit=5,
        steps=["受理", "审批"],
        result_name="住房保障资格确认书",
        materials=[{"name": "申请人居民身份证"}, {"name": "最低生活保障证"}],
    )
    for centre, mode in ((hall.town, CentreServiceMode.HANDLE), (hall.village, CentreServiceMode.FORWARD)):
        CentreMatter.objects.create(centre=centre, matter=housing, service_mode=mode)
    a = UserFactory(centre=hall.town, roles=[Role.BACK_OFFICE], full_name="周住建")
    b = UserFactory(centre=hall.town, roles=[Role.BACK_OFFICE], full_name="吴住建")
    PostFactory(centre=hall.town, name="住建审批岗", department=flow.other_department, a_staff=a, b_staff=b)
    thing = thing_create(
        actor=None,
        code="YJS-0101",
        data=CompositionInput(
            name="低保与住房保障一件事",
            life_event="困难群众救助",
            promised_limit=12,
            questions=[QuestionInput("disability", "是否需要补办残疾人证")],
            members=[
                MemberInput(flow.matter.code),
                MemberInput(housing.code, after=(1,)),
                MemberInput(flow.immediate.code, condition_question="disability"),
            ],
        ),
    )
    thing_publish(actor=None, thing=thing)
    flow.housing_a, flow.housing_b = a, b  # type: ignore[attr-defined]
    return flow, thing
