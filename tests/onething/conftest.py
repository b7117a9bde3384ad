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
