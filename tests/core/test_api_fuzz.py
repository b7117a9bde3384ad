"""Schema-driven fuzz of the whole API (issue 12, part 5): every operation of the OpenAPI document gets
a few dozen generated requests, valid and invalid, with a town director's token against the demo data,
on a frozen clock (2026-06-10 07:45, before the demo's 08:30 sign-ins). No answer may be a 5xx, and every
answer must match what the document declares for it (status, content type, body schema).

Bounded and reproducible: Hypothesis is derandomized, keeps no example database and has no deadline."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import schemathesis
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

FROZEN_AT = dt.datetime(2026, 6, 10, 7, 45, tzinfo=ZoneInfo("Asia/Shanghai"))
MAX_EXAMPLES = 25
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def _wsgi_app() -> Any:
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()


def _schema() -> Any:
    from django.test import Client

    # The document as Django serves it, read once at collection; requests go to the WSGI app.
    document = Client(HTTP_HOST="localhost").get("/api/v1/openapi.json").json()
    schema = schemathesis.openapi.from_dict(document)
    schema.app = _wsgi_app()
    return schema


def _operations() -> list[Any]:
    return [result.ok() for result in _schema().get_all_operations()]


def _operation_ids() -> list[str]:
    return [f"{op.method.upper()} {op.path}" for op in OPERATIONS]


OPERATIONS = _operations()


@pytest.fixture(scope="module")
def director_token(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    """The demo data, loaded once per worker inside a transaction that is rolled back at the end."""
    from django.core.management import call_command
    from django.db import transaction

    from govhall.accounts.models import User
    from govhall.accounts.tokens import token_create

    with time_machine.travel(FROZEN_AT, tick=False), django_db_blocker.unblock(), transaction.atomic():
        call_command("loaddemo", verbosity=0)
        _, token = token_create(user=User.objects.get(username="lvsi_director"), name="fuzz")
        yield token
        transaction.set_rollback(True)


@pytest.fixture
def wsgi_requests_keep_the_test_transaction() -> Iterator[None]:
    """Django's WSGI handler closes "old" connections around each request, which would end the test's
    transaction; the test client disconnects the same two signals."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.django_db
@pytest.mark.parametrize("operation", OPERATIONS, ids=_operation_ids())
def test_operation_never_fails_and_answers_as_documented(
    operation: Any,
    director_token: str,
    wsgi_requests_keep_the_test_transaction: None,
    record_property: Any,
) -> None:
    strategy = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE)
    )

    @given(case=strategy)
    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        print_blob=False,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        sent.append(case.method)
        case.call_and_validate(headers={"Authorization": f"Bearer {director_token}"}, checks=CHECKS)

    sent: list[str] = []
    with time_machine.travel(FROZEN_AT, tick=False):
        run()
    record_property("requests", len(sent))
    if os.environ.get("GOVHALL_FUZZ_REPORT"):
        with open(os.environ["GOVHALL_FUZZ_REPORT"], "a") as report:
            report.write(f"{operation.method.upper()} {operation.path}\t{len(sent)}\n")
