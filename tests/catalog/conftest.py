"""Catalogue fixtures: the departments of SITE-5 and a helper that creates and publishes a matter."""

from __future__ import annotations

from typing import Any

import pytest

from govhall.catalog import services
from govhall.catalog.models import Matter
from govhall.orgs.models import Department
from govhall.orgs.seed import DEPARTMENTS


def matter_data(**overrides: Any) -> dict[str, Any]:
    """A valid town-level 承诺件 (最低生活保障申请-like)."""
    data: dict[str, Any] = {
        "name": "最低生活保障申请",
        "matter_type": "05",
        "legal_basis": "《社会救助暂行办法》第十一条",
        "levels": "5",
        "department": "MZ",
        "implementing_body": "启东市民政局",
        "category": "public_service",
        "delivery_mode": "delegated",
        "window_class": "minsheng",
        "case_type": 2,
        "legal_limit": 30,
        "legal_limit_unit": "workday",
        "promised_limit": 20,
        "promised_limit_unit": "workday",
        "approval_steps": ["受理", "审核", "审批"],
        "check_method": "online",
        "check_days": 15,
        "rongque_supply_days": 5,
    }
    data.update(overrides)
    return data


def materials_data() -> list[dict[str, Any]]:
    return [
        {"name": "最低生活保障申请书", "originals": 1, "required": True},
        {
            "name": "居民户口簿",
            "issuer": "公安机关",
            "originals": 1,
            "copies": 1,
            "required": True,
            "rongque": True,
        },
        {
            "name": "家庭收入和财产状况声明",
            "originals": 1,
            "commitment": True,
            "commitment_text": "本人承诺家庭收入、财产状况真实；如有虚假，愿承担法律责任并记入信用记录。",
        },
    ]


@pytest.fixture
def departments(db: object) -> dict[str, Department]:
    for code, name, short in DEPARTMENTS:
        Department.objects.update_or_create(code=code, defaults={"name": name, "short_name": short})
    return {d.code: d for d in Department.objects.all()}


@pytest.fixture
def make_matter(departments: dict[str, Department]) -> Any:
    counter = {"n": 0}

    def make(
        *,
        code: str | None = None,
        publish: bool = True,
        materials: list[dict[str, Any]] | None = None,
        **overrides: Any,
    ) -> Matter:
        counter["n"] += 1
        code = code or f"3206810TEST{counter['n']:04d}"
        matter = services.matter_create(
            actor=None,
            code=code,
            basic_code=f"T{counter['n']:04d}",
            data=matter_data(**overrides),
            materials=materials if materials is not None else materials_data(),
        )
        if publish:
            services.matter_publish(actor=None, matter=matter, reason="测试")
        matter.refresh_from_db()
        return matter

    return make


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
