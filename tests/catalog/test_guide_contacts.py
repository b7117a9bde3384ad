"""Centres' contact data on every guide (SCOPE-4, ORG-4): the bureau keeps them on one page, and the
catalogue check (应进必进情况) fails a centre whose guides would print without a place, phone or hours."""

from __future__ import annotations

import pytest

from govhall.catalog import services
from govhall.catalog.documents import guide_pdf
from govhall.catalog.selectors import coverage_report, guide_contact_missing
from govhall.core.audit import AuditEntry
from govhall.core.documents import pdf_text
from govhall.orgs.models import CONTACT_PLACEHOLDER, Centre
from govhall.orgs.services import centre_contacts_fill_placeholders
from tests.conftest import login

pytestmark = pytest.mark.django_db


def _in_hall(hall, make_matter):
    matter = make_matter(location="", consult_phone="", office_hours="")
    services.centre_matter_assign(actor=hall.bureau_admin, centre=hall.town, matter=matter)
    return matter


def test_scope4_placeholder_contacts_fail_the_catalogue_check_until_the_bureau_fills_them(
    hall, make_matter, client
):
    """The built-in 「（待填写）」 counts as missing; the bureau sees it on 应进必进情况 and fixes it on one page."""
    matter = _in_hall(hall, make_matter)
    Centre.objects.filter(pk=hall.town.pk).update(address="", phone="")
    assert centre_contacts_fill_placeholders() >= 1
    hall.town.refresh_from_db()
    assert (hall.town.address, hall.town.phone) == (CONTACT_PLACEHOLDER, CONTACT_PLACEHOLDER)
    assert guide_contact_missing(matter.current_version, hall.town) == ["办理地点", "咨询电话"]
    [row] = coverage_report(centres=[hall.town]).rows
    assert not row.guides_complete and row.contact_missing == ["办理地点", "咨询电话"]

    login(client, hall.bureau_admin)
    page = client.get("/catalog/coverage/?level=town").content.decode()
    assert "指南不完整" in page and "缺办理地点、咨询电话" in page
    contacts = client.get("/orgs/contacts/?missing=1")
    assert contacts.status_code == 200
    assert hall.town.name in contacts.content.decode()
    assert hall.village.name in contacts.content.decode()  # villages are listed too

    response = client.post(
        "/orgs/contacts/",
        {
            "ids": str(hall.town.pk),
            f"address_{hall.town.pk}": "启东市吕四港镇港城路100号",
            f"phone_{hall.town.pk}": "0513-83123456",
            f"supervision_phone_{hall.town.pk}": "0513-83123457",
            f"complaint_phone_{hall.town.pk}": "12345",
            f"opening_hours_{hall.town.pk}": hall.town.opening_hours,
        },
    )
    assert response.status_code == 302
    hall.town.refresh_from_db()
    assert (hall.town.address, hall.town.phone) == ("启东市吕四港镇港城路100号", "0513-83123456")
    entry = AuditEntry.objects.get(action="orgs.centre_contacts", object_id=str(hall.town.pk))
    assert entry.actor == hall.bureau_admin
    [row] = coverage_report(centres=[hall.town]).rows
    assert row.guides_complete
    text = pdf_text(guide_pdf(matter.current_version, centre=hall.town))
    assert "启东市吕四港镇港城路100号" in text and "0513-83123456" in text and "待填写" not in text


def test_scope4_a_bad_phone_is_refused_in_chinese_and_nothing_is_saved(hall, client):
    login(client, hall.bureau_admin)
    before = (hall.town.address, hall.village.phone)
    response = client.post(
        "/orgs/contacts/",
        {
            "ids": f"{hall.town.pk},{hall.village.pk}",
            f"address_{hall.town.pk}": "启东市吕四港镇港城路100号",
            f"phone_{hall.village.pk}": "打电话给村长",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "未保存任何修改" in page and "咨询电话“打电话给村长”格式不对" in page
    assert 'value="启东市吕四港镇港城路100号"' in page  # what was typed stays in the form
    hall.town.refresh_from_db()
    hall.village.refresh_from_db()
    assert (hall.town.address, hall.village.phone) == before


@pytest.mark.parametrize("who", ["director", "front_desk", "inspector"])
def test_only_the_bureau_admin_edits_centre_contacts(hall, client, who):
    login(client, getattr(hall, who))
    assert client.get("/orgs/contacts/").status_code == 403
    response = client.post("/orgs/contacts/", {"ids": str(hall.town.pk), f"phone_{hall.town.pk}": "12345"})
    assert response.status_code == 403
    hall.town.refresh_from_db()
    assert hall.town.phone != "12345"
