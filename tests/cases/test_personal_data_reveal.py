"""Issue 13, hole 2 (STD-6, GOV-2, DEVELOPERS.md personal data): a whole ID number or phone is shown only
through `core.pii` — the roles whose work needs it (front desk, back office, director …) get the value and an
audit entry ("pii.view", never the value); a department liaison, an inspector or bureau staff, who may see the
case, get a 403 (API) or a Chinese message (page), no value, no audit of a view, and no "显示完整" button."""

from __future__ import annotations

import pytest

from govhall.accounts.models import Role
from govhall.cases.services import case_accept
from govhall.core.models import AuditEntry
from tests.cases.conftest import ID_AGENT, ID_ZHANG, receive
from tests.conftest import login
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PHONE = "13800138000"
AGENT_PHONE = "13900139000"
WHOLE = (ID_ZHANG, PHONE, ID_AGENT, AGENT_PHONE)


@pytest.fixture
def case(flow):
    agent = {"name": "李四", "id_type": "id_card", "id_number": ID_AGENT, "phone": AGENT_PHONE}
    return case_accept(case=receive(flow, agent=agent), actor=flow.front_desk)


def _user(flow, who):
    if who == "dept_liaison":  # the 民政 liaison sees 民政 cases (GOV-2)
        return UserFactory(
            unit_kind="department",
            centre=None,
            department=flow.department,
            roles=[Role.DEPT_LIAISON],
            full_name="刘联络",
        )
    return getattr(flow, who)


def _views(case):
    return AuditEntry.objects.filter(action="pii.view", object_type="cases.case", object_id=str(case.pk))


@pytest.mark.parametrize("who", ["dept_liaison", "inspector", "bureau_admin"])
def test_roles_that_see_the_masked_form_are_refused_the_whole_numbers(client, flow, case, who):
    user = _user(flow, who)
    login(client, user)
    # They may see the case, masked …
    assert client.get(f"/api/v1/cases/{case.pk}").status_code == 200
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "110101********1233" in page and not any(value in page for value in WHOLE)
    assert "显示完整" not in page  # no button they cannot use
    # … but not the whole numbers: API 403 with a structured error, page 403 with a Chinese message.
    response = client.post(f"/api/v1/cases/{case.pk}/reveal")
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "forbidden" and "无权查看完整" in body["message"]
    assert not any(value in response.content.decode() for value in WHOLE)
    response = client.post(f"/cases/{case.pk}/reveal/")
    html = response.content.decode()
    assert response.status_code == 403 and "无权查看完整" in html
    assert not any(value in html for value in WHOLE)
    # The GB/T 39046 export carries the whole numbers too: refused the same way.
    export = client.get(f"/api/v1/cases/{case.pk}/export")
    assert export.status_code == 403 and ID_ZHANG not in export.content.decode()
    assert not _views(case).exists()


@pytest.mark.parametrize("who", ["front_desk", "back_office", "director"])
def test_roles_whose_work_needs_them_see_the_whole_numbers_and_each_view_is_audited(client, flow, case, who):
    user = _user(flow, who)
    login(client, user)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "显示完整证件号码和电话" in page and ID_ZHANG not in page
    response = client.post(f"/api/v1/cases/{case.pk}/reveal")
    assert response.status_code == 200
    assert response.json() == {
        "applicant_id_number": ID_ZHANG,
        "applicant_phone": PHONE,
        "agent_id_number": ID_AGENT,
        "agent_phone": AGENT_PHONE,
    }
    entry = _views(case).get()
    assert entry.actor == user
    assert not any(value in str(entry.before) + str(entry.after) + entry.note for value in WHOLE)
    response = client.post(f"/cases/{case.pk}/reveal/")
    html = response.content.decode()
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    assert all(value in html for value in WHOLE) and "本次查看已记录" in html
    assert _views(case).filter(actor=user).count() == 2
    # Revealed once, on that answer only: the page stays masked afterwards.
    assert ID_ZHANG not in client.get(f"/cases/{case.pk}/").content.decode()
