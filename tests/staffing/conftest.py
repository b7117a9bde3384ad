"""Staffing fixtures: a back-office post in the persona hall with A = 张海峰 and B = 李秀梅."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from govhall.accounts.models import Role
from tests.factories import PostFactory, UserFactory

TZ = ZoneInfo("Asia/Shanghai")


def local(*args: int) -> dt.datetime:
    """An aware Asia/Shanghai datetime: local(2026, 3, 10, 9, 0)."""
    return dt.datetime(*args, tzinfo=TZ)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The personas get passwords; argon2 makes each test's setup take seconds. These tests log in with
    force_login, so a fast hasher changes nothing they check."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def post(hall):
    b = UserFactory(centre=hall.town, roles=[Role.BACK_OFFICE], full_name="李秀梅")
    return PostFactory(centre=hall.town, name="民政审批岗", a_staff=hall.back_office, b_staff=b)
