"""One access function for cases, proven on every endpoint: a village clerk sees only their village's cases
(including those it forwarded, MODE-4), town staff their town, departments the cases of their matters
(GOV-2), the bureau all. Missing and forbidden are the same 404; nothing is written."""

from __future__ import annotations

import io

import pytest

from govhall.accounts.models import Role
from govhall.cases.models import CaseEvent
from govhall.cases.policy import access_case, cases_visible_to
from govhall.cases.services import case_accept, case_attach_file
from govhall.core.errors import NotFound
from tests.cases.conftest import receive
from tests.conftest import login
from tests.factories import TownCentreFactory, UserFactory

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

API = [
    ("get", "/api/v1/cases/{id}", None),
    ("post", "/api/v1/cases/{id}/reveal", {}),
    ("get", "/api/v1/cases/{id}/export", None),
    ("post", "/api/v1/cases/{id}/materials", {"materials": []}),
    ("get", "/api/v1/cases/{id}/files/{file}", None),
    ("get", "/api/v1/cases/{id}/notices/{notice}/pdf", None),
    ("post", "/api/v1/cases/{id}/accept", {}),
    ("post", "/api/v1/cases/{id}/reject", {"reason": "x"}),
    ("post", "/api/v1/cases/{id}/correction", {"items": []}),
    ("post", "/api/v1/cases/{id}/supply", {"material_ids": []}),
    ("post", "/api/v1/cases/{id}/pass", {}),
    ("post", "/api/v1/cases/{id}/return", {"to": "front", "reason": "x"}),
    ("post", "/api/v1/cases/{id}/resubmit", {}),
    ("post", "/api/v1/cases/{id}/special/start", {"procedure": "publicity", "reason": "x"}),
    ("post", "/api/v1/cases/{id}/special/end", {"result": "x"}),
    ("post", "/api/v1/cases/{id}/finish", {"result": "voided", "reason": "x"}),
    ("post", "/api/v1/cases/{id}/deliver", {"method": "mail", "tracking_no": "1"}),
    ("post", "/api/v1/cases/{id}/agency", {"agent_id": 1, "authorisation": "x"}),
    ("post", "/api/v1/cases/{id}/commitment-check", {"passed": True, "note": "x"}),
]
PAGES = [
    ("get", "/cases/{id}/"),
    ("get", "/cases/{id}/files/{file}/"),
    ("get", "/cases/{id}/notices/{notice}.pdf"),
    ("post", "/cases/{id}/act/accept/"),
    ("post", "/cases/{id}/act/finish/"),
    ("post", "/cases/{id}/upload/"),
]


@pytest.fixture
def forwarded(flow):
    """A case the village received and forwarded; the town accepted it; with a scan attached."""
    case = case_accept(case=receive(flow, actor=flow.village_clerk), actor=flow.front_desk)
    record = case_attach_file(case=case, actor=flow.village_clerk, upload=io.BytesIO(PNG), name="id.png")
    return case, record


@pytest.fixture
def outsiders(flow):
    other_town = TownCentreFactory()
    return {
        "other_village_clerk": flow.other_village_clerk,
        "other_town_front_desk": UserFactory(centre=other_town, roles=[Role.FRONT_DESK]),
        "other_department": UserFactory(
            unit_kind="department", centre=None, department=flow.other_department, roles=[Role.DEPT_LIAISON]
        ),
    }


def _url(template, case, record):
    return template.format(id=case.pk, file=record.pk, notice=case.notices.first().pk)


@pytest.mark.parametrize(("method", "template", "body"), API)
def test_every_api_endpoint_is_404_for_outsiders(client, flow, forwarded, outsiders, method, template, body):
    case, record = forwarded
    events = CaseEvent.objects.filter(case=case).count()
    for user in outsiders.values():
        login(client, user)
        url = _url(template, case, record)
        response = (
            client.get(url) if method == "get" else client.post(url, body, content_type="application/json")
        )
        assert response.status_code == 404, (user, url, response.content)
        assert response.json()["code"] == "not_found"
    assert CaseEvent.objects.filter(case=case).count() == events
    case.refresh_from_db()
    assert case.status == "processing"


@pytest.mark.parametrize(("method", "template"), PAGES)
def test_every_page_is_404_for_outsiders(client, flow, forwarded, outsiders, method, template):
    case, record = forwarded
    for user in outsiders.values():
        login(client, user)
        url = _url(template, case, record)
        response = (
            client.get(url) if method == "get" else client.post(url, {"reason": "x", "result": "voided"})
        )
        assert response.status_code == 404, (user, url)
    case.refresh_from_db()
    assert case.status == "processing"


@pytest.mark.parametrize(
    "who", ["village_clerk", "front_desk", "back_office", "director", "bureau_admin", "guide"]
)
def test_those_who_may_see_it_do(client, flow, forwarded, who):
    case, record = forwarded
    login(client, getattr(flow, who))
    assert client.get(f"/api/v1/cases/{case.pk}").status_code == 200
    assert client.get(f"/cases/{case.pk}/").status_code == 200
    assert client.get(f"/api/v1/cases/{case.pk}/files/{record.pk}").status_code == 200


def test_the_department_of_the_matter_sees_its_cases(flow, forwarded):
    """GOV-2: shared information — a 民政 liaison sees 民政 cases of every centre, and no others."""
    case, _ = forwarded
    liaison = UserFactory(
        unit_kind="department", centre=None, department=flow.department, roles=[Role.DEPT_LIAISON]
    )
    assert access_case(liaison, case.pk) == case
    other = UserFactory(unit_kind="department", centre=None, department=flow.other_department)
    with pytest.raises(NotFound):
        access_case(other, case.pk)


def test_lists_only_show_visible_cases(client, flow, forwarded):
    case, _ = forwarded
    mine = receive(flow)  # a town case, not the village's
    assert set(cases_visible_to(flow.village_clerk)) == {case}
    assert set(cases_visible_to(flow.front_desk)) == {case, mine}
    assert set(cases_visible_to(flow.other_village_clerk)) == set()
    login(client, flow.other_village_clerk)
    assert client.get("/api/v1/cases/").json()["items"] == []
    assert case.number not in client.get("/cases/list/").content.decode()
    login(client, flow.village_clerk)
    assert [c["number"] for c in client.get("/api/v1/cases/").json()["items"]] == [case.number]
    assert case.number in client.get("/cases/list/").content.decode()


def test_access_by_number_too(flow, forwarded):
    case, _ = forwarded
    assert access_case(flow.village_clerk, case.number) == case
    with pytest.raises(NotFound):
        access_case(flow.other_village_clerk, case.number)


def test_anonymous_gets_401_and_the_login_page(client, flow, forwarded):
    case, _ = forwarded
    assert client.get(f"/api/v1/cases/{case.pk}").status_code == 401
    assert client.get(f"/cases/{case.pk}/").status_code == 302


def test_reading_one_case_sees_exactly_the_cases_of_the_lists(flow, forwarded, outsiders):
    """MODE-4: access_case reads a town's villages through a join (no query first); it must grant exactly
    the cases the lists grant, for every kind of user (town roles with and without village reach, village
    clerks of this and another village, departments, the bureau, another town)."""
    from govhall.cases.models import Case
    from govhall.cases.policy import case_filter

    receive(flow)  # a town case beside the village's
    village_only = receive(flow)  # and one the village keeps: seen in the town only through village reach
    Case.objects.filter(pk=village_only.pk).update(centre=flow.village, handling_centre=flow.village)
    assert village_only.pk in set(cases_visible_to(flow.front_desk).values_list("pk", flat=True))
    users = [
        getattr(flow, who) for who in ("village_clerk", "front_desk", "back_office", "director", "guide")
    ]
    users += [flow.other_village_clerk, flow.bureau_admin, *outsiders.values()]
    users.append(UserFactory(centre=flow.town, roles=[Role.GUIDE]))
    for user in users:
        listed = set(cases_visible_to(user).values_list("pk", flat=True))
        joined = case_filter(user, joined=True)
        one = set(
            (Case.objects.all() if joined is None else Case.objects.filter(joined)).values_list(
                "pk", flat=True
            )
        )
        assert one == listed, user


def test_reading_one_case_by_id_or_number_grants_exactly_the_listed_cases_and_reads_the_whole_row(
    flow, forwarded, outsiders
):
    """Issue 15: access_case's read is compiled once per shape of the user's condition (core.compiled
    ShapedRead). For every kind of user and every case, by id and by number, it must grant exactly what the
    lists grant, and give the row and its two centres exactly as the ORM reads them."""
    from govhall.cases.models import Case

    receive(flow)
    village_only = receive(flow)
    Case.objects.filter(pk=village_only.pk).update(centre=flow.village, handling_centre=flow.village)
    agent = UserFactory(centre=flow.town, roles=[Role.AGENT])
    Case.objects.filter(pk=village_only.pk).update(agency_agent=agent)
    inactive = UserFactory(centre=flow.town, roles=[Role.FRONT_DESK], is_active=False)
    users = [getattr(flow, w) for w in ("village_clerk", "front_desk", "back_office", "director", "guide")]
    users += [flow.other_village_clerk, flow.bureau_admin, agent, inactive, *outsiders.values()]
    users.append(UserFactory(unit_kind="department", centre=None, department=flow.department))

    def columns(row):
        return {f.attname: getattr(row, f.attname) for f in row._meta.concrete_fields}

    granted_somewhere = denied_somewhere = 0
    for user in users:
        listed = set(cases_visible_to(user).values_list("pk", flat=True))
        for case in Case.objects.all():
            for key in (case.pk, str(case.pk), case.number):
                try:
                    got = access_case(user, key)
                except NotFound:
                    assert case.pk not in listed, (user, key)
                    denied_somewhere += 1
                    continue
                assert case.pk in listed, (user, key)
                granted_somewhere += 1
                orm = Case.objects.select_related("centre", "handling_centre").get(pk=case.pk)
                assert columns(got) == columns(orm)
                assert columns(got.centre) == columns(orm.centre)
                assert columns(got.handling_centre) == columns(orm.handling_centre)
    assert granted_somewhere and denied_somewhere
    with pytest.raises(NotFound):
        access_case(flow.bureau_admin, 10**9)
    with pytest.raises(NotFound):
        access_case(flow.bureau_admin, "no-such-number")
