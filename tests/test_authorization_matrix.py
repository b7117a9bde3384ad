"""The authorisation matrix (issue 13, "One policy"; GOV-2, STD-6, STD-7, 等保2.0 access control): every URL
pattern and every OpenAPI operation, asked as each of the nine staff roles, a citizen, an enterprise and an
anonymous visitor, answers what tests/authorization_matrix.py's table says. A new endpoint without a row
fails here, naming it; docs/security.md carries the same table."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from tests import authorization_matrix as am

DOC = Path(__file__).resolve().parent.parent / "docs" / "security.md"
RECORD = os.environ.get("GOVHALL_AUTHZ_RECORD")  # write what each endpoint answers (to draft new rows)


def test_every_endpoint_has_a_row() -> None:
    missing = [key for key in am.endpoint_keys() if key not in am.MATRIX]
    assert not missing, (
        "These endpoints have no row in tests/authorization_matrix.py's MATRIX; add one saying "
        "what each role gets, then regenerate docs/security.md:\n  " + "\n  ".join(missing)
    )


def test_every_row_is_an_endpoint() -> None:
    stale = sorted(set(am.MATRIX) - set(am.endpoint_keys()))
    assert not stale, "Rows for endpoints that no longer exist:\n  " + "\n  ".join(stale)


def test_security_doc_carries_the_matrix() -> None:
    assert am.doc_table(DOC.read_text(encoding="utf-8")) == am.markdown(), (
        "docs/security.md's matrix differs from tests/authorization_matrix.py: regenerate it with "
        "`python -m tests.authorization_matrix --markdown`"
    )


# --- the world ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """Built once per module (per xdist worker) inside a transaction rolled back at the end."""
    import time_machine

    from govhall.accounts.models import Role
    from govhall.core.crypto import lookup_digest
    from govhall.portal.models import AccountKind, Citizen
    from tests.cases.conftest import TZ, make_flow, receive
    from tests.factories import UserFactory
    from tests.personas import make_hall
    from tests.portal.conftest import valid_id, valid_uscc

    with (
        django_db_blocker.unblock(),
        time_machine.travel(dt.datetime(2026, 6, 9, 9, 0, tzinfo=TZ), tick=False),
    ):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            hall = make_hall()
            flow = make_flow(hall)
            hall.people["dept_liaison"] = UserFactory(
                unit_kind="department",
                centre=None,
                department=flow.department,
                roles=[Role.DEPT_LIAISON],
                full_name="何联络",
            )
            case = receive(flow)
            people: dict[str, Any] = {role: hall.people[role] for role in am.STAFF_ROLES}
            for role, kind in (("citizen", AccountKind.PERSON), ("enterprise", AccountKind.ENTERPRISE)):
                mobile = "13900001111" if kind == AccountKind.PERSON else "13900002222"
                citizen = Citizen(kind=kind, mobile=mobile, mobile_digest=lookup_digest(mobile))
                citizen.set_password("Shimin2026pw")
                # Real-name data of someone else than the case's applicant: a stranger to the case.
                number = valid_id("32068119700101002")
                citizen.real_name, citizen.id_number, citizen.id_digest = (
                    "李秀英",
                    number,
                    lookup_digest(number),
                )
                if kind == AccountKind.ENTERPRISE:
                    citizen.org_name, citizen.uscc = "启东市海鲜小吃店", valid_uscc("92320681MA1AB0001")
                citizen.save()
                people[role] = citizen
            material = flow.matter.current_version.materials.order_by("order").first()
            params = {
                "centre_id": hall.town.pk,
                "centre_code": hall.town.division.code,
                "case_id": case.pk,
                "number": case.number,
                "code": flow.matter.code,
                "window_id": hall.windows["minsheng"].pk,
                "post_id": flow.review_post.pk,
                "material_id": material.pk if material else 0,
            }
            yield {"people": people, "params": params}
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


# Path parameters without an object in the world: ids (0) and tokens that exist nowhere.
MISSING = {"fmt": "pdf", "kind": "blank", "action": "x", "slug": "x", "rest": "x", "path": "x"}


def fill(path: str, params: dict[str, Any]) -> str:
    import re

    if path.startswith("/catalog/m/{code}/v/") or path.startswith("/api/v1/catalog/matters/{code}/versions/"):
        params = {**params, "number": 1}
    if path.startswith("/catalog/centres/") or path.startswith("/standards/centres/{pk}"):
        params = {**params, "pk": params["centre_id"]}
    return re.sub(r"\{(\w+)\}", lambda m: str(params.get(m.group(1), MISSING.get(m.group(1), 0))), path)


def client_for(role: str, people: dict[str, Any]) -> Client:
    client = Client()
    if role == "anonymous":
        return client
    person = people[role]
    if role in ("citizen", "enterprise"):
        from govhall.portal.auth import HASH_KEY, SESSION_KEY, session_hash

        session = client.session
        session[SESSION_KEY], session[HASH_KEY] = person.pk, session_hash(person)
        session.save()
        return client
    client.force_login(person, backend="django.contrib.auth.backends.ModelBackend")
    return client


def ask(client: Client, method: str, path: str) -> int:
    if method == "GET":
        return client.get(path).status_code
    return client.generic(method, path, data="{}", content_type="application/json").status_code


def matches(expected: str, got: int) -> bool:
    if expected == "ok":
        return got not in (401, 403) and got < 500
    return expected == "-" or expected == str(got)


def _params() -> list[Any]:
    marks = []
    recorded = set()
    if RECORD and os.path.exists(RECORD):
        recorded = {line.split("\t", 1)[0] for line in Path(RECORD).read_text(encoding="utf-8").splitlines()}
    for key in sorted(am.MATRIX) if not RECORD else [k for k in am.endpoint_keys() if k not in recorded]:
        pending = am.PENDING.get(key) if not RECORD else None
        marks.append(
            pytest.param(
                key, id=key, marks=[pytest.mark.xfail(strict=True, reason=pending[1])] if pending else []
            )
        )
    return marks


@pytest.mark.django_db
@pytest.mark.parametrize("key", _params())
def test_endpoint_answers_each_role_as_the_matrix_says(key: str, world: dict[str, Any]) -> None:
    method, path = key.split(" ", 1)
    paths = am.admin_paths() if key == am.ADMIN_KEY else [fill(path, world["params"])]
    row = am.MATRIX.get(key)
    wrong, seen = [], {}
    for role in am.ROLES:
        client = client_for(role, world["people"])
        for url in paths:
            got = ask(client, method, url)
            seen.setdefault(role, got)
            if row and not matches(row.expected(role), got):
                wrong.append(f"{role}: {method} {url} answered {got}, the matrix says {row.expected(role)}")
                break
    if RECORD:
        with open(RECORD, "a", encoding="utf-8") as out:
            out.write(f"{key}\t" + " ".join(str(seen[r]) for r in am.ROLES) + "\n")
        return
    assert not wrong, f"{key}:\n  " + "\n  ".join(wrong)
