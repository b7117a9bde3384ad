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
        return Enquiry.objects.create(
            centre=staff.centre, first_staff=staff, question="低保怎么申请", **{field: value}
        )

    return make


def _sync_item(value: str) -> Any:
    from govhall.exchange.models import SyncItem

    return SyncItem.objects.create(
        kind="case",
        object_id="1",
        object_label="QD-1",
        dataset="apply",
        payload_text=value,
        payload_digest="x",
    )


def _ticket(field: str) -> Callable[[str], Any]:
    def make(value: str) -> Any:
        import datetime as dt

        from django.utils import timezone

        from govhall.queueing.models import Ticket
        from tests.factories import TownCentreFactory

        return Ticket.objects.create(
            centre=TownCentreFactory(),
            date=dt.date(2026, 3, 10),
            prefix="A",
            number=1,
            window_class="minsheng",
            issued_at=timezone.now(),
            queued_at=timezone.now(),
            business_group="综合咨询",
            **{field: value},
        )

    return make


def _appointment(field: str) -> Callable[[str], Any]:
    def make(value: str) -> Any:
        import datetime as dt

        from govhall.queueing.models import Appointment, AppointmentSlot
        from tests.factories import TownCentreFactory
        from tests.queueing.conftest import make_matter

        slot = AppointmentSlot.objects.create(
            centre=TownCentreFactory(),
            window_class="minsheng",
            date=dt.date(2026, 3, 10),
            start=dt.time(9),
            end=dt.time(10),
            capacity=5,
        )
        matter = make_matter(slot.centre, name="生育登记", code="320681000001")
        values = {"phone": "13800000000", field: value}
        return Appointment.objects.create(slot=slot, matter=matter, name="王五", **values)

    return make


def _rating(field: str) -> Callable[[str], Any]:
    def make(value: str) -> Any:
        import datetime as dt

        from django.utils import timezone

        from govhall.queueing.models import Ticket
        from govhall.reviews.models import Rating
        from tests.factories import TownCentreFactory

        centre = TownCentreFactory()
        ticket = Ticket.objects.create(
            centre=centre,
            date=dt.date(2026, 3, 10),
            prefix="A",
            number=1,
            window_class="minsheng",
            business_group="咨询",
            issued_at=timezone.now(),
            queued_at=timezone.now(),
        )
        return Rating.objects.create(
            stage="visit",
            channel="qr",
            level=4,
            ticket=ticket,
            centre=centre,
            town_centre=centre,
            created_at=timezone.now(),
            **{field: value},
        )

    return make


def _case(field: str) -> Callable[[str], Any]:
    def make(value: str) -> Any:
        from govhall.cases.models import Case
        from tests.cases.conftest import make_flow, receive
        from tests.personas import make_hall

        case = receive(make_flow(make_hall()))
        Case.objects.filter(pk=case.pk).update(**{field: value})  # written through the field, encrypted
        return case

    return make


def _staff_contact(value: str) -> Any:
    from govhall.accounts.models import StaffContact
    from tests.factories import UserFactory

    return StaffContact.objects.create(user=UserFactory(), mobile=value)


def _govstack_applicant(field: str) -> Callable[[str], Any]:
    def make(value: str) -> Any:
        from govhall.govstack.models import Applicant

        values = {"id_number": "110101199003071233", "phone": "13800000000", field: value}
        return Applicant.objects.create(external_id="probe", name="张三", id_digest="x", **values)

    return make


def _hotline_order(field: str) -> Callable[[str], Any]:
    def make(value: str) -> Any:
        from django.utils import timezone

        from govhall.hotline.models import HotlineOrder

        values = {"citizen_name": "赵六", "citizen_phone": "13600006000", field: value}
        return HotlineOrder.objects.create(
            number="QD12345-PROBE",
            category="complaint",
            title="窗口排队时间长",
            content="来电反映",
            received_at=timezone.now(),
            **values,
        )

    return make


def _thing_case(value: str) -> Any:
    from django.utils import timezone

    from govhall.onething.models import OneThing, OneThingVersion, ThingCase
    from tests.factories import TownCentreFactory

    centre = TownCentreFactory()
    thing = OneThing.objects.create(code="YJS-PROBE", name="探针一件事", life_event="新生儿出生")
    version = OneThingVersion.objects.create(thing=thing, number=1)
    return ThingCase.objects.create(
        number="PROBE-1",
        query_password=value,
        thing=thing,
        version=version,
        centre=centre,
        handling_centre=centre,
        channel="window",
        applicant_name="陈小燕",
        applicant_id_digest="x",
        received_at=timezone.now(),
    )


def _citizen(field: str) -> Callable[[str], Any]:
    def make(value: str) -> Any:
        from govhall.portal.models import Citizen

        values = {"mobile": "13800000000", field: value}
        return Citizen.objects.create(mobile_digest=lookup_digest(values["mobile"]), password="!", **values)

    return make


def _online_application(value: str) -> Any:
    from govhall.portal.models import Citizen, OnlineApplication
    from tests.cases.conftest import make_flow
    from tests.personas import make_hall

    flow = make_flow(make_hall())
    citizen = Citizen.objects.create(
        mobile="13900000000", mobile_digest=lookup_digest("13900000000"), password="!"
    )
    return OnlineApplication.objects.create(
        token="t-1",
        citizen=citizen,
        matter=flow.matter,
        centre=flow.town,
        delivery="mail",
        mail_address=value,
    )


REAL_MODELS: list[tuple[str, str, Callable[[str], Any]]] = [
    ("portal.Citizen", "mobile", _citizen("mobile")),
    ("portal.Citizen", "id_number", _citizen("id_number")),
    ("portal.OnlineApplication", "mail_address", _online_application),
    *[
        ("cases.Case", f, _case(f))
        for f in (
            "query_password",
            "applicant_id_number",
            "applicant_phone",
            "applicant_address",
            "agent_id_number",
            "agent_phone",
            "mail_address",
        )
    ],
    ("accounts.StaffContact", "mobile", _staff_contact),
    ("queueing.Ticket", "phone", _ticket("phone")),
    ("queueing.Ticket", "id_number", _ticket("id_number")),
    ("queueing.Appointment", "phone", _appointment("phone")),
    ("queueing.Appointment", "id_number", _appointment("id_number")),
    ("staffing.Enquiry", "asker_name", _enquiry("asker_name")),
    ("staffing.Enquiry", "asker_phone", _enquiry("asker_phone")),
    ("exchange.Notification", "recipient", _notification("recipient")),
    ("exchange.Notification", "text", _notification("text")),
    ("reviews.Rating", "rater_name", _rating("rater_name")),
    ("reviews.Rating", "rater_phone", _rating("rater_phone")),
    ("exchange.SyncItem", "payload_text", _sync_item),
    ("govstack.Applicant", "id_number", _govstack_applicant("id_number")),
    ("govstack.Applicant", "phone", _govstack_applicant("phone")),
    ("hotline.HotlineOrder", "citizen_name", _hotline_order("citizen_name")),
    ("hotline.HotlineOrder", "citizen_phone", _hotline_order("citizen_phone")),
    ("onething.ThingCase", "query_password", _thing_case),
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
@pytest.mark.parametrize(
    ("label", "field", "make"),
    REAL_MODELS
    or [
        pytest.param(
            None, None, None, marks=pytest.mark.skip(reason="no real model has an EncryptedTextField yet")
        )
    ],
)
def test_real_model_value_is_not_in_the_database_file(label, field, make):
    instance = make(ID)
    assert getattr(type(instance).objects.get(pk=instance.pk), field) == ID
    assert ID.encode() not in database_bytes()
