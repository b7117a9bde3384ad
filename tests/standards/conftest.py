from __future__ import annotations

import pytest

from govhall.accounts.models import Role
from govhall.standards.models import RuleSet
from govhall.standards.seed import load_builtin
from tests.factories import bureau_user


@pytest.fixture
def rule_set(db: object) -> RuleSet:
    load_builtin()
    return RuleSet.objects.get(version="2020-37")


@pytest.fixture
def inspector(db: object) -> object:
    return bureau_user(full_name="钱考核", roles=[Role.INSPECTOR])


@pytest.fixture
def bureau_admin(db: object) -> object:
    return bureau_user(full_name="周局长")


@pytest.fixture(autouse=True)
def _fast_passwords(settings: object) -> None:
    """The towns here have dozens of staff: hash their test passwords cheaply."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]
