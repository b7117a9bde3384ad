"""GovStack adapter fixtures: the persona hall and the 民政 flow of tests/cases/conftest.py (吕四港镇, AB posts,
最低生活保障申请 with four materials), API tokens per persona, the spec's schemas (tests/vendor/govstack), and
a client that speaks to /api/govstack/registration/ with a token and the Information-Mediator-Client header."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.cases.conftest import Flow, local, make_flow, receive  # noqa: F401  (re-exported fixtures' helpers)

BASE = "/api/govstack/registration"
IM = "eGovStack/GOV/90000009/eregistrations-dev"
VENDOR = Path(__file__).resolve().parent.parent / "vendor" / "govstack"
SPEC = json.loads((VENDOR / "GovStack_Registration_BB_API.json").read_text(encoding="utf-8"))
STATS_SPEC = json.loads((VENDOR / "GovStack_Registration_BB_API_statistics.json").read_text(encoding="utf-8"))


def spec_schema(name: str, *, array: bool = False, stats: bool = False) -> dict[str, Any]:
    doc = STATS_SPEC if stats else SPEC
    ref = {"$ref": f"#/components/schemas/{name}"}
    return {"components": doc["components"], **({"type": "array", "items": ref} if array else ref)}


def assert_matches(body: Any, name: str, *, array: bool = False, stats: bool = False) -> None:
    """The answer validates against the spec's component schema (formats checked where jsonschema can)."""
    jsonschema.validate(
        body, spec_schema(name, array=array, stats=stats), format_checker=jsonschema.FormatChecker()
    )


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fixed_clock() -> Any:
    """A known working day (Tue 9 June 2026, 09:00): deadlines never depend on the day the suite runs."""
    import time_machine

    with time_machine.travel(local(2026, 6, 9, 9, 0), tick=True):
        yield


@dataclass
class GovStack:
    client: Any
    flow: Flow
    tokens: dict[str, str] = field(default_factory=dict)

    def headers(self, who: str = "front_desk", *, im: str | None = IM) -> dict[str, str]:
        out = {"HTTP_AUTHORIZATION": f"Bearer {self.tokens[who]}"}
        if im is not None:
            out["HTTP_INFORMATION_MEDIATOR_CLIENT"] = im
        return out

    def get(self, path: str, who: str = "front_desk", *, im: str | None = IM, **params: Any) -> Any:
        return self.client.get(BASE + path, params, **self.headers(who, im=im))

    def post(
        self, path: str, body: Any = None, who: str = "front_desk", *, im: str | None = IM, **kw: Any
    ) -> Any:
        if "content_type" not in kw and not isinstance(body, (bytes, str)) and "multipart" not in kw:
            return self.client.post(
                BASE + path, json.dumps(body), content_type="application/json", **self.headers(who, im=im)
            )
        kw.pop("multipart", None)
        return self.client.post(BASE + path, body, **kw, **self.headers(who, im=im))

    def put(self, path: str, body: Any, who: str = "front_desk", *, im: str | None = IM, **kw: Any) -> Any:
        content_type = kw.pop("content_type", "application/json")
        data = (
            json.dumps(body)
            if content_type == "application/json" and not isinstance(body, (str, bytes))
            else body
        )
        return self.client.put(BASE + path, data, content_type=content_type, **self.headers(who, im=im))


@pytest.fixture
def gs(hall: Any, api_client: Any) -> GovStack:
    from govhall.accounts.tokens import token_create

    flow = make_flow(hall)
    tokens = {}
    for who in ("front_desk", "back_office", "director", "guide", "village_clerk", "other_village_clerk"):
        tokens[who] = token_create(user=getattr(flow, who), name="govstack")[1]
    tokens["approver"] = token_create(user=flow.approver, name="govstack")[1]
    tokens["bureau_admin"] = token_create(user=flow.bureau_admin, name="govstack")[1]
    return GovStack(client=api_client, flow=flow, tokens=tokens)


def applicant_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "applicantName": "张三",
        "idType": "id_card",
        "idNumber": "110101199003071233",
        "phone": "13800138000",
        "address": "启东市吕四港镇鹤城路1号",
    }
    data.update(overrides)
    return data
