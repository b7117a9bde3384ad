"""Issue 13, typed actor: a case's timeline and audit log say who acted — a staff member, the applicant online
(masked), or the system naming its job — instead of 「系统（自动）」 for all three."""

from __future__ import annotations

import pytest

from govhall.cases.models import Case
from govhall.cases.services import case_accept, case_receive, case_update_materials
from govhall.core.errors import Forbidden
from govhall.core.models import AuditEntry
from tests.cases.conftest import applicant, receive

pytestmark = pytest.mark.django_db


def test_an_online_application_names_the_applicant_masked(client, flow):
    response = client.post(
        "/api/v1/cases/online",
        {"centre_id": flow.town.pk, "matter_id": flow.matter.pk, "applicant": applicant()},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    case = Case.objects.get(number=response.json()["number"])
    event = case.events.get(action="receive")
    assert event.actor_label == "申请人 张*（网上申报）" and event.actor is None
    entry = AuditEntry.objects.get(action="case.receive", object_id=str(case.pk))
    assert entry.actor_label == "申请人 张*（网上申报）" and entry.actor is None
    login_free_page = client.get(f"/cases/{case.pk}/")
    assert login_free_page.status_code == 302  # the staff page still needs a login


def test_system_jobs_say_which_job(flow):
    from govhall.core.actors import SystemActor, system

    case = case_accept(case=receive(flow), actor=flow.front_desk)
    route = case.events.get(action="route")
    assert route.actor_label == "系统（流转）" and route.actor is None
    assert str(system("期限重新核定")) == "系统（期限重新核定）"
    assert str(SystemActor()) == "系统（自动）"


def test_neither_a_citizen_nor_the_system_passes_a_staff_role_check(flow):
    from govhall.core.actors import CitizenActor, system

    case = receive(flow)
    for who in (CitizenActor("申请人 张*（网上申报）"), system("测试")):
        with pytest.raises(Forbidden):
            case_accept(case=case, actor=who)
        with pytest.raises(Forbidden):
            case_update_materials(case=case, actor=who, materials=[])
    with pytest.raises(Forbidden):  # a window case needs a staff member at a window
        case_receive(actor=system("测试"), matter_id=flow.matter.pk, applicant=applicant())
