"""Part 6: ID numbers are not readable in the database file.

AT_REST lists every (model, encrypted field, how to make a row). It starts with a test-only probe
model; when a real model gets an EncryptedTextField (e.g. an applicant's id_number), add it to
REAL_MODELS — test_every_encrypted_field_is_covered fails until you do.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.db import connection

from govhall.core.crypto import EncryptedTextField, lookup_digest

ID = "320681199003071231"

# (app_label.ModelName, field, callable(id_number) -> saved instance). Add real models here.
def _notification(field: str) -> Callable[[str], Any]:
    def make(value: str) -> Any:
        from govhall.exchange.models import Notification

        values = {"recipient": "13800000000", "text": "您的验证码", field: value}
        return Notification.objects.create(recipient_digest="x", recipient_masked="138****0000", **values)

    return make


def _enquiry(field: str) -> Callable[[str], Any]:
    def make(value: str) -> Any:
        from govhall.staffing.models import Enquiry
        from tests.factories import UserFactory

        staff = UserFactory()
        return Enquiry.objects.create(centre=staff.centre, first_staff=staff, question="低保怎么申请",
                                      **{field: value})

    return make


REAL_MODELS: list[tuple[str, str, Callable[[str], Any]]] = [
    ("staffing.Enquiry", "asker_name", _enquiry("asker_name")),
    ("staffing.Enquiry", "asker_phone", _enquiry("asker_phone")),
    ("exchange.Notification", "recipient", _notification("recipient")),
    ("exchange.Notification", "text", _notification("text")),
]


def encrypted_fields_in_project() -> set[tuple[str, str]]:
    return {
        (model._meta.label, field.name)
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, EncryptedTextField)
    }


def test_every_encrypted_field_is_covered():
    assert encrypted_fields_in_project() <= {(label, field) for label, field, _ in REAL_MODELS}


def database_bytes() -> bytes:
    """The whole database as it is on disk: SQLite's file (copied with VACUUM INTO, which also works
    for the in-memory test database), or PostgreSQL's table pages as text of every row."""
    if connection.vendor == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "copy.sqlite3")
            with connection.cursor() as cursor:
                cursor.execute("VACUUM INTO %s", [path])
            with open(path, "rb") as handle:
                return handle.read()
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        chunks = []
        for table in tables:
            cursor.execute(f'SELECT t::text FROM "{table}" AS t')  # noqa: S608 (introspected names)
            chunks.extend(row[0].encode() for row in cursor.fetchall())
    return b"\n".join(chunks)


@pytest.fixture
def probe_table(probe_model):
    with connection.schema_editor() as editor:
        editor.create_model(probe_model)
    yield probe_model
    with connection.schema_editor() as editor:
        editor.delete_model(probe_model)


@pytest.mark.django_db(transaction=True)
def test_probe_id_number_is_not_in_the_database_file(probe_table):
    probe_table.objects.create(name="王五", id_number=ID, id_number_digest=lookup_digest(ID))
    data = database_bytes()
    assert "王五".encode() in data  # the copy holds the row…
    assert ID.encode() not in data and ID.encode("utf-16-le") not in data  # …but not the number
    found = probe_table.objects.get(id_number_digest=lookup_digest(ID))
    assert found.id_number == ID


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("label", "field", "make"), REAL_MODELS or [pytest.param(None, None, None, marks=pytest.mark.skip(reason="no real model has an EncryptedTextField yet"))])
def test_real_model_value_is_not_in_the_database_file(label, field, make):
    instance = make(ID)
    assert getattr(type(instance).objects.get(pk=instance.pk), field) == ID
    assert ID.encode() not in database_bytes()
