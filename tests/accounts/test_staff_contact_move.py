"""Staff notification mobiles (`StaffContact`, used by STD-3 deadline warnings and 好差评 checks) moved from
the cases app to accounts: a database migrated from before the move keeps every row."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from govhall.accounts.models import StaffContact
from govhall.accounts.selectors import staff_phone, staff_phones
from tests.factories import UserFactory

BEFORE = [("cases", "0005_caseevent_public_allow_list"), ("accounts", "0002_initial")]


@pytest.mark.django_db(transaction=True)
def test_a_mobile_saved_before_the_move_is_still_there_after_migrating():
    """STD-3: a director's warning mobile entered under cases.StaffContact reaches accounts.StaffContact."""
    user = UserFactory()
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old_apps = executor.loader.project_state(BEFORE).apps
    old_apps.get_model("cases", "StaffContact").objects.create(user_id=user.pk, mobile="13911110002")

    executor = MigrationExecutor(connection)  # a fresh loader sees the applied set as it is now
    executor.migrate(executor.loader.graph.leaf_nodes())

    contact = StaffContact.objects.get(user_id=user.pk)
    assert contact.mobile == "13911110002"
    assert staff_phone(user.pk) == "13911110002"


@pytest.mark.django_db
def test_staff_without_a_notification_mobile_are_left_out():
    with_phone, without = UserFactory(), UserFactory()
    StaffContact.objects.create(user=with_phone, mobile="13911110003")

    assert staff_phones([with_phone.pk, without.pk]) == {with_phone.pk: "13911110003"}
    assert staff_phone(without.pk) == ""
