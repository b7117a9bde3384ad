"""The case state machine in one table (govhall/cases/rules.py, issue 14): every status × action, the
role refused before the state, the case page and the API listing exactly the actions the rules allow,
and one deadline colour for pages, the API and the scan (STD-3)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest

from govhall.accounts.models import Role, User
from govhall.cases import rules
from govhall.cases.models import CaseStatus, CheckStatus, ResultKind, StepStatus, SuspensionKind
from govhall.core.actors import CitizenActor, SystemActor
from govhall.core.errors import Conflict, Forbidden
from tests.cases.conftest import local, receive
from tests.conftest import login

S = CaseStatus
# The statuses each action is allowed in: written here again on purpose, as the test's expectation.
ALLOWED = {
    "accept": {S.RECEIVED},
    "correction": {S.RECEIVED},
    "materials": {S.RECEIVED, S.CORRECTION},
    "reject": {S.RECEIVED, S.CORRECTION},
    "supply": {S.CORRECTION, S.PROCESSING, S.RETURNED, S.SUSPENDED, S.FINISHED},
    "pass": {S.PROCESSING},
    "finish": {S.PROCESSING},
    "return": {S.PROCESSING},
    "special_start": {S.PROCESSING},
    "special_end": {S.SUSPENDED},
    "resubmit": {S.RETURNED},
    "deliver": {S.FINISHED},
    "check": set(S.values),
    "agency": {S.RECEIVED, S.CORRECTION, S.PROCESSING, S.RETURNED, S.SUSPENDED, S.FINISHED},
    "withdraw": {S.RECEIVED, S.CORRECTION, S.PROCESSING, S.RETURNED, S.SUSPENDED},
    "void": {S.RECEIVED, S.CORRECTION, S.PROCESSING, S.RETURNED, S.SUSPENDED},
    "upload": {S.RECEIVED, S.CORRECTION, S.PROCESSING, S.RETURNED, S.SUSPENDED, S.FINISHED},
}
# Facts under which every guard passes.
OPEN = rules.Facts(suspension=SuspensionKind.SPECIAL, check=CheckStatus.PLANNED)


def superuser() -> User:
    return User(pk=1, username="root", is_superuser=True, is_active=True, centre_id=10)


def staff(*roles: str, centre_id: int = 10, pk: int = 2) -> User:
    user = User(pk=pk, username=f"u{pk}", is_active=True, centre_id=centre_id)
    user.has_role = lambda *wanted: bool(set(wanted) & set(roles))  # type: ignore[method-assign]
    return user


def fake_case(status: str, **over: Any) -> Any:
    step = SimpleNamespace(
        status=StepStatus.PENDING, assignee_id=3, assignee_role="A", post_id=None, post=None, name="审核"
    )
    values = {
        "number": "N1",
        "status": status,
        "result": "",
        "rongque_pending": False,
        "centre_id": 10,
        "handling_centre_id": 10,
        "department_id": 7,
        "agency_agent_id": None,
        "current_step_id": 1,
        "current_step": step,
        "handling_centre": SimpleNamespace(name="吕四港镇为民服务中心"),
        "due_at": None,
        "warn_at": None,
    }
    values.update(over)
    case = SimpleNamespace(**values)
    case.get_status_display = lambda: S(case.status).label
    case.get_result_display = lambda: ResultKind(case.result).label if case.result else ""
    return case


@pytest.mark.parametrize("status", S.values)
@pytest.mark.parametrize("code", sorted(ALLOWED))
def test_every_status_and_action_follows_the_table(code: str, status: str) -> None:
    case = fake_case(status, rongque_pending=code == "supply")  # a finished case takes only 容缺 materials
    allowed = status in ALLOWED[code]
    assert rules.allows(case, superuser(), code, OPEN) is allowed
    if allowed:
        rules.require_action(case, superuser(), code, facts=OPEN)
    else:
        with pytest.raises(Conflict) as refused:
            rules.require_action(case, superuser(), code, facts=OPEN)
        assert refused.value.status == 409 and f"当前状态为「{S(status).label}」" in refused.value.message


def test_the_table_has_every_action_the_page_and_api_know() -> None:
    assert set(rules.ACTIONS) == set(ALLOWED)


@pytest.mark.parametrize(
    "role", [Role.GUIDE, Role.INSPECTOR, Role.DEPT_LIAISON, Role.BACK_OFFICE, Role.AGENT]
)
@pytest.mark.parametrize("status", S.values)
def test_a_role_that_may_never_accept_is_refused_whatever_the_state(role: str, status: str) -> None:
    """403, not 409: the answer does not tell a guide which state the case is in."""
    with pytest.raises(Forbidden) as refused:
        rules.require_action(fake_case(status), staff(role), "accept")
    assert refused.value.message == "只有吕四港镇为民服务中心的前台受理员或中心主任可以作出受理决定。"


def test_a_front_desk_clerk_of_the_centre_is_told_the_state_and_one_of_another_centre_is_refused() -> None:
    with pytest.raises(Conflict):
        rules.require_action(fake_case(S.PROCESSING), staff(Role.FRONT_DESK), "accept")
    with pytest.raises(Forbidden):
        rules.require_action(fake_case(S.RECEIVED), staff(Role.FRONT_DESK, centre_id=99), "accept")
    rules.require_action(fake_case(S.RECEIVED), staff(Role.FRONT_DESK), "accept")


def test_guards_beyond_the_status() -> None:
    root = superuser()
    assert not rules.allows(fake_case(S.FINISHED, result=ResultKind.VOIDED), root, "deliver")
    assert not rules.allows(fake_case(S.FINISHED, rongque_pending=True), root, "deliver")
    assert rules.allows(fake_case(S.FINISHED, rongque_pending=True), root, "supply")
    assert not rules.allows(fake_case(S.FINISHED), root, "supply")
    assert not rules.allows(
        fake_case(S.SUSPENDED), root, "special_end", rules.Facts(suspension=SuspensionKind.CORRECTION)
    )
    assert not rules.allows(fake_case(S.PROCESSING), root, "check", rules.Facts(check=CheckStatus.PASSED))
    assert not rules.allows(fake_case(S.PROCESSING), root, "check", rules.Facts())
    assert not rules.allows(fake_case(S.PROCESSING, current_step_id=None, current_step=None), root, "pass")


def test_only_the_step_handler_acts_on_the_step() -> None:
    case = fake_case(S.PROCESSING)
    assert rules.allows(case, staff(Role.BACK_OFFICE, pk=3), "pass")
    with pytest.raises(Forbidden) as refused:
        rules.require_action(case, staff(Role.BACK_OFFICE, pk=4), "pass")
    assert refused.value.message == "「审核」环节由前台办理，您不是该岗位的A角或B角。"
    assert rules.allows(case, staff(Role.DIRECTOR, pk=5), "pass")  # the centre's director


def test_the_system_may_withdraw_but_not_void() -> None:
    case = fake_case(S.SUSPENDED)
    assert rules.allows(case, SystemActor("容缺期限检查"), "withdraw")
    assert not rules.allows(case, SystemActor("容缺期限检查"), "void")


# --- the deadline colour ---------------------------------------------------------------------------------


def test_deadline_light_and_the_scan_lookups_agree_at_the_boundaries() -> None:
    """STD-3: one rule for the badge, the API and the scan; at the exact moment the case is not yet red."""
    due, warn = local(2026, 3, 24, 23, 59), local(2026, 3, 19, 23, 59)
    running = fake_case(S.PROCESSING, due_at=due, warn_at=warn)
    lookups = rules.light_lookups

    def by_query(now: dt.datetime) -> str:
        def hit(colour: str) -> bool:
            checks = {
                "due_at__lt": lambda v: due < v,
                "due_at__gte": lambda v: due >= v,
                "warn_at__lt": lambda v: warn < v,
            }
            return all(checks[k](v) for k, v in lookups(now)[colour].items())

        return rules.RED if hit(rules.RED) else rules.YELLOW if hit(rules.YELLOW) else rules.GREEN

    for now in (warn, warn + dt.timedelta(seconds=1), due, due + dt.timedelta(seconds=1)):
        assert rules.deadline_light(running, now) == by_query(now)
    assert rules.deadline_light(running, warn) == "green"
    assert rules.deadline_light(running, due) == "yellow"
    assert rules.deadline_light(running, due + dt.timedelta(seconds=1)) == "red"
    assert rules.deadline_light(fake_case(S.SUSPENDED, due_at=due), due + dt.timedelta(days=9)) == "paused"
    assert rules.deadline_light(fake_case(S.FINISHED, due_at=due), due + dt.timedelta(days=9)) == ""


# --- the page and the API show exactly the available actions --------------------------------------------

FORMS = {
    "accept": "受理并出具受理通知书",
    "correction": "出具一次性告知单",
    "materials": "保存材料清单",
    "reject": "不予受理并出具通知书",
    "pass": "通过，转下一环节",
    "finish": "<h3>办结</h3>",
    "return": "<h3>退回</h3>",
    "special_start": "启动（暂停计时）",
    "resubmit": "复核后重新提交",
    "withdraw": "确认退件",
    "void": "确认作废",
    "agency": "指定代办员",
}


def shown(page: str) -> set[str]:
    return {code for code, text in FORMS.items() if text in page}


@pytest.mark.django_db
def test_the_case_page_shows_exactly_the_forms_of_the_available_actions(client, flow) -> None:
    from govhall.cases.services import case_accept

    case = receive(flow)
    expected = {  # a received case
        flow.front_desk: {"accept", "correction", "materials", "reject", "withdraw", "agency"},
        flow.director: {"accept", "correction", "materials", "reject", "withdraw", "void", "agency"},
        flow.back_office: set(),
        flow.guide: set(),
    }
    for user, codes in expected.items():
        login(client, user)
        page = client.get(f"/cases/{case.pk}/").content.decode()
        assert shown(page) == codes, user
        api = client.get(f"/api/v1/cases/{case.pk}").json()["actions"]
        assert {a["code"] for a in api} - {"upload"} == codes
    case_accept(case=case, actor=flow.front_desk)  # routed to 审核岗, A 张海峰 (back_office)
    step = {"pass", "finish", "return", "special_start"}
    expected = {
        flow.back_office: step,  # A of 审核岗
        flow.approver: step,  # B of 审核岗 (STD-4)
        flow.front_desk: {"withdraw", "agency"},
        flow.guide: set(),
    }
    for user, codes in expected.items():
        login(client, user)
        assert shown(client.get(f"/cases/{case.pk}/").content.decode()) == codes, user


@pytest.mark.django_db
def test_the_api_lists_the_actions_with_their_chinese_labels(client, flow) -> None:
    case = receive(flow)
    login(client, flow.front_desk)
    actions = client.get(f"/api/v1/cases/{case.pk}").json()["actions"]
    assert actions[0] == {"code": "accept", "label": "受理"}
    schema = client.get("/api/v1/openapi.json").json()
    assert "actions" in schema["components"]["schemas"]["CaseDetailOut"]["properties"]


@pytest.mark.django_db
def test_accept_over_the_api_is_refused_403_for_a_guide_whatever_the_state(client, flow) -> None:
    """Before issue 14 a guide got 409 (wrong state) once the case was accepted: the state leaked."""
    from govhall.cases.services import case_accept

    case = case_accept(case=receive(flow), actor=flow.front_desk)
    login(client, flow.guide)
    response = client.post(f"/api/v1/cases/{case.pk}/accept", {}, content_type="application/json")
    assert response.status_code == 403


# --- uploading a scan: the page offers the form exactly when the service takes the file --------------------

UPLOADERS = [  # (who, may upload a case received at centre 10 that agent 8 handles for the applicant)
    ("front desk of the centre", staff(Role.FRONT_DESK), True),
    ("guide of the centre", staff(Role.GUIDE), True),
    ("director of the centre", staff(Role.DIRECTOR), True),
    ("front desk of another centre", staff(Role.FRONT_DESK, centre_id=99), False),
    ("the case's agent, based elsewhere", staff(Role.AGENT, centre_id=99, pk=8), True),
    ("the applicant online", CitizenActor("张*"), True),
    ("a background job", SystemActor("容缺期限检查"), False),
]


@pytest.mark.parametrize("status", S.values)
@pytest.mark.parametrize(("who", "user", "may"), UPLOADERS, ids=[w for w, _, _ in UPLOADERS])
def test_who_may_upload_a_scan_in_which_status(who: str, user: Any, may: bool, status: str) -> None:
    """MODE-1, MODE-3: scans are attached while the case is alive or finished (容缺 materials), by its centres'
    staff, its agent or the applicant; never after delivery, rejection, withdrawal or voiding."""
    case = fake_case(status, agency_agent_id=8)
    allowed = may and status in ALLOWED["upload"]
    assert ("upload" in {a.code for a in rules.available_actions(case, user)}) is allowed
    if allowed:
        rules.require_action(case, user, "upload")
    else:
        with pytest.raises((Forbidden, Conflict)):
            rules.require_action(case, user, "upload")


@pytest.mark.django_db
def test_the_upload_form_is_offered_only_while_the_service_takes_the_file(client, flow) -> None:
    """MODE-1: a received case shows the scan form; once 不予受理 it is gone, and a posted file is refused
    with the same Chinese message the rules give."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from govhall.cases.models import CaseFile
    from govhall.cases.services import case_reject

    case = receive(flow)
    login(client, flow.front_desk)
    assert "上传扫描件或照片" in client.get(f"/cases/{case.pk}/").content.decode()

    case_reject(case=case, actor=flow.front_desk, reason="不属于本中心受理范围")
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "上传扫描件或照片" not in page and "您当前没有可对本办件执行的操作。" in page
    png = SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64)
    refused = client.post(f"/cases/{case.pk}/upload/", {"file": png}, follow=True).content.decode()
    assert (
        "当前状态为「不予受理」，不能上传材料。" in refused
        and not CaseFile.objects.filter(case=case).exists()
    )
