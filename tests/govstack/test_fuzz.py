"""Schemathesis over the GovStack adapter's own OpenAPI document (issue 19 part 1: "no server error"): every
operation gets a bounded number of generated requests, valid and invalid (random ids, headers, bodies in
JSON, form-urlencoded and multipart), with a town director's token against the persona hall with one
accepted case, on a frozen clock. No answer may be a 5xx; every answer is JSON.

Bounded and reproducible: Hypothesis is derandomized, keeps no example database and has no deadline."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
import schemathesis
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from tests.govstack.conftest import BASE

MAX_EXAMPLES = 8


def _operations() -> list[Any]:
    document = Client(HTTP_HOST="localhost").get(f"{BASE}/openapi.json").json()
    return [result.ok() for result in schemathesis.openapi.from_dict(document).get_all_operations()]


OPERATIONS = _operations()


def _send(client: Client, case: Any, token: str) -> Any:
    headers = {k: v for k, v in (case.headers or {}).items() if "\n" not in str(v) and "\r" not in str(v)}
    headers["Authorization"] = f"Bearer {token}"
    path = case.formatted_path + (f"?{urlencode(case.query, doseq=True)}" if case.query else "")
    kwargs: dict[str, Any] = {"headers": headers}
    body, media = case.body, case.media_type
    if media == "application/json":
        kwargs |= {"data": json.dumps(body, default=str), "content_type": media}
    elif media == "application/x-www-form-urlencoded":
        data = (
            urlencode(body, doseq=True) if isinstance(body, dict) else str(body if body is not None else "")
        )
        kwargs |= {"data": data, "content_type": media}
    elif media == "multipart/form-data" and isinstance(body, dict):
        kwargs["data"] = {
            k: v if isinstance(v, (str, bytes)) else json.dumps(v, default=str) for k, v in body.items()
        }
    elif media:
        kwargs |= {
            "data": body if isinstance(body, (str, bytes)) else json.dumps(body, default=str),
            "content_type": media,
        }
    return (
        client.generic(case.method.upper(), path, **kwargs)
        if "data" in kwargs and isinstance(kwargs["data"], (str, bytes))
        else getattr(client, case.method.lower())(path, **kwargs)
    )


@pytest.fixture(scope="module")
def director_token(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    """The persona hall with one accepted case, built once per module in a transaction rolled back at the end."""
    import time_machine
    from django.db import transaction

    from govhall.accounts.tokens import token_create
    from govhall.cases.services import case_accept
    from tests.cases.conftest import local, make_flow, receive
    from tests.personas import make_hall

    with (
        time_machine.travel(local(2026, 6, 9, 9, 0), tick=False),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        flow = make_flow(make_hall())
        case_accept(case=receive(flow), actor=flow.front_desk)
        yield token_create(user=flow.director, name="fuzz")[1]
        transaction.set_rollback(True)


@pytest.mark.django_db
@pytest.mark.parametrize("operation", OPERATIONS, ids=[f"{o.method.upper()} {o.path}" for o in OPERATIONS])
def test_operation_never_fails(operation: Any, director_token: str) -> None:
    client, token = Client(), director_token
    strategy = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE)
    )
    answers: list[int] = []

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
        response = _send(client, case, token)
        answers.append(response.status_code)
        assert response.status_code < 500, (
            case.method,
            case.formatted_path,
            case.body,
            response.content[:500],
        )
        assert response["Content-Type"].startswith("application/json"), response["Content-Type"]

    run()
    assert answers
