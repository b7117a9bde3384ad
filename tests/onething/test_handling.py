"""一件事办件: one acceptance, members in order through the ordinary case flow, the parent clock, 统一出件,
tracking and the refusal of one member (MODE-1, MODE-3, MODE-4, STD-2, STD-3, SCOPE-1, SCOPE-4, NET-1).

A small composition built on the case-flow fixtures (tests/cases/conftest.py): 最低生活保障申请 (民政, 10
working days, AB posts 审核岗/审批岗, produces 最低生活保障证) → 住房保障资格确认 (住建, 5 days, needs the
最低生活保障证 and the same ID), and in parallel 残疾人证补办申请 (民政, 即办)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from govhall.cases.models import CaseStatus, MaterialForm, MaterialStatus, ResultKind
from govhall.cases.services import (
    case_finish,
    case_special_end,
    case_special_start,
    case_step_pass,
)
from govhall.core.errors import ServiceError
from govhall.onething import handling, selectors
from govhall.onething.models import ThingCase, ThingCaseStatus, ThingMemberState
from tests.cases.conftest import Flow, applicant, local

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fixed_clock() -> Any:
    with time_machine.travel(local(2026, 6, 9, 9, 0), tick=False) as traveller:
        yield traveller


ALL = {"申请人居民身份证": "received", "居民户口簿": "received", "家庭收入情况证明": "received"}


def _receive(flow: Flow, *, disability: str = "1", actor: Any = None, **kw: Any) -> ThingCase:
    actor = actor or flow.front_desk
    return handling.thing_case_receive(
        actor=actor,
        code="YJS-0101",
        answers={"disability": disability},
        applicant=applicant(),
        materials=kw.pop("materials", ALL),
        window_id=flow.windows["minsheng"].pk if actor.centre_id == flow.town.pk else None,
        **kw,
    )


def _members(parent: ThingCase) -> dict[str, Any]:
    return {r.name: r for r in parent.members.select_related("case")}


def _finish_low_income(flow: Flow, case: Any) -> Any:
    case = case_step_pass(case=case, actor=flow.back_office)  # A of 审核岗
    return case_finish(case=case, actor=flow.approver, result=ResultKind.APPROVED, certificate_no="DB-1")


def test_one_number_children_through_case_flow_routed_in_parallel_with_ab(world: Any) -> None:
    # MODE-1, SCOPE-4: one parent number and password, one child case per first-stage member, each routed
    # to its own department's AB post; the later member waits.
    flow, _ = world
    parent = _receive(flow)
    assert parent.number and len(parent.query_password) == 6
    rows = _members(parent)
    assert set(rows) == {"最低生活保障申请", "住房保障资格确认", "残疾人证补办申请"}
    assert (
        rows["住房保障资格确认"].state == ThingMemberState.WAITING and rows["住房保障资格确认"].case is None
    )
    low = rows["最低生活保障申请"].case
    assert low.status == CaseStatus.RECEIVED and low.number != parent.number
    # One set of materials: the ID ticked once counts for both started members.
    assert low.materials.get(name="申请人居民身份证").status == MaterialStatus.RECEIVED
    assert rows["残疾人证补办申请"].case.materials.get().status == MaterialStatus.RECEIVED

    parent = handling.thing_case_accept(parent=parent, actor=flow.front_desk)
    rows = _members(parent)
    low = rows["最低生活保障申请"].case
    assert parent.status == ThingCaseStatus.PROCESSING
    assert low.status == CaseStatus.PROCESSING
    assert low.current_post == flow.review_post and low.current_assignee == flow.back_office  # A角
    assert rows["残疾人证补办申请"].case.current_assignee == flow.front_desk  # 即办 stays with the clerk
    view = selectors.thing_case_view(parent)
    # Parent deadline: 12 working days from Tue 9 June 2026 (端午 19 June is a holiday).
    assert view.clock.due_at is not None
    assert view.clock.due_at.date() == dt.date(2026, 6, 26)
    assert "最慢：" in view.clock.line


def test_later_member_starts_when_prerequisite_finishes_with_the_produced_document(world: Any) -> None:
    flow, _ = world
    parent = handling.thing_case_accept(parent=_receive(flow, disability="0"), actor=flow.front_desk)
    assert set(_members(parent)) == {"最低生活保障申请", "住房保障资格确认"}  # the answer left one out
    _finish_low_income(flow, _members(parent)["最低生活保障申请"].case)
    housing = _members(parent)["住房保障资格确认"]
    assert housing.state == ThingMemberState.STARTED
    case = housing.case
    assert case.status == CaseStatus.PROCESSING and case.current_assignee == flow.housing_a
    produced = case.materials.get(name="最低生活保障证")
    assert produced.status == MaterialStatus.RECEIVED and produced.form == MaterialForm.SHARED
    assert "最低生活保障申请" in produced.note
    assert case.applicant_id_number == applicant()["id_number"]


def test_parent_clock_stops_only_for_a_member_that_blocks_the_rest(world: Any, _fixed_clock: Any) -> None:
    # STD-3: 特别程序 of the 即办-free parallel member does not stop the parent; of the blocking one it does.
    flow, _ = world
    parent = handling.thing_case_accept(parent=_receive(flow), actor=flow.front_desk)
    low = _members(parent)["最低生活保障申请"].case
    due = selectors.thing_case_view(parent).clock.due_at
    case_special_start(case=low, actor=flow.back_office, procedure="publicity", reason="公示")
    _fixed_clock.move_to(local(2026, 6, 12, 9, 0))  # Fri: three working days later
    view = selectors.thing_case_view(parent)
    assert view.clock.stopped and "暂停计时" in view.clock.line
    assert view.members[0].blocks and not view.members[2].blocks
    case_special_end(case=low, actor=flow.back_office, result="公示无异议")
    view = selectors.thing_case_view(parent)
    assert not view.clock.stopped
    assert view.clock.paused_days == 3
    assert view.clock.due_at is not None and due is not None and view.clock.due_at > due


def test_refusing_one_member_keeps_the_others_and_finishes_as_one(world: Any) -> None:
    # MODE-1: 不予受理 of one member at the window; the others go on; a member waiting for a refused one
    # cannot start and says why; the parent finishes when each is finished or lawfully refused.
    flow, _ = world
    parent = _receive(flow)
    with pytest.raises(ServiceError):
        handling.thing_member_reject(parent=parent, actor=flow.front_desk, order=1, reason="")
    handling.thing_member_reject(parent=parent, actor=flow.front_desk, order=1, reason="家庭收入超过低保标准")
    parent = handling.thing_case_accept(parent=parent, actor=flow.front_desk)
    rows = _members(parent)
    assert rows["最低生活保障申请"].case.status == CaseStatus.NOT_ACCEPTED
    assert rows["住房保障资格确认"].state == ThingMemberState.NOT_STARTED
    assert "最低生活保障申请" in rows["住房保障资格确认"].note
    assert parent.status == ThingCaseStatus.PROCESSING  # the 即办 member is still open
    immediate = rows["残疾人证补办申请"].case
    case_finish(case=immediate, actor=flow.front_desk, result=ResultKind.APPROVED, certificate_no="CJ-9")
    parent.refresh_from_db()
    assert parent.status == ThingCaseStatus.FINISHED
    results = {m.row.name: m.result for m in selectors.thing_case_view(parent).members}
    assert results["最低生活保障申请"] == "不予受理：家庭收入超过低保标准"
    assert results["残疾人证补办申请"].startswith("准予许可/出证")


def test_unified_delivery_once_and_tracking_shows_each_member(world: Any) -> None:
    # 统一出件 and tracking (NET-1: public steps only).
    flow, _ = world
    parent = handling.thing_case_accept(parent=_receive(flow), actor=flow.front_desk)
    with pytest.raises(ServiceError, match="全部成员事项办结后"):
        handling.thing_case_deliver(parent=parent, actor=flow.front_desk, method="window")
    rows = _members(parent)
    _finish_low_income(flow, rows["最低生活保障申请"].case)
    case_finish(case=rows["残疾人证补办申请"].case, actor=flow.front_desk, result=ResultKind.APPROVED)
    housing = _members(parent)["住房保障资格确认"].case
    case_finish(case=housing, actor=flow.housing_b, result=ResultKind.DENIED, reason="已享受公租房")  # B角
    parent.refresh_from_db()
    assert parent.status == ThingCaseStatus.FINISHED
    view = handling_view = selectors.track_thing(parent.number, parent.query_password)
    assert [m.closed for m in handling_view.members] == [True, True, True]
    timelines = selectors.public_member_timeline(view)
    text = " ".join(e.label + e.detail for _, events in timelines for e in events)
    assert "受理" in text and "张海峰" not in text and "周住建" not in text and "吴住建" not in text
    with pytest.raises(ServiceError):
        selectors.track_thing(parent.number, "WRONG1")

    parent = handling.thing_case_deliver(
        parent=parent,
        actor=flow.front_desk,
        method="window",
        collector_name="张三",
        collector_id_number=applicant()["id_number"],
    )
    assert parent.status == ThingCaseStatus.DELIVERED
    statuses = {r.name: r.case.status for r in parent.members.select_related("case")}
    assert statuses == {
        "最低生活保障申请": CaseStatus.DELIVERED,
        "残疾人证补办申请": CaseStatus.DELIVERED,
        "住房保障资格确认": CaseStatus.DELIVERED,
    }
    assert "窗口领取" in parent.delivery_detail


def test_village_forwards_the_whole_thing_under_one_number(world: Any) -> None:
    # MODE-4: received at the village, every child forwarded to the town; the town accepts.
    flow, _ = world
    parent = _receive(flow, actor=flow.village_clerk)
    assert parent.centre == flow.village and parent.handling_centre == flow.town
    assert all(r.case.forwarded for r in parent.members.exclude(case=None).select_related("case"))
    with pytest.raises(ServiceError):
        handling.thing_case_accept(parent=parent, actor=flow.village_clerk)  # the town's seal accepts
    assert ThingCase.objects.get(pk=parent.pk).status == ThingCaseStatus.RECEIVED
    handling.thing_case_accept(parent=parent, actor=flow.front_desk)


def test_missing_material_is_refused_naming_the_member_and_nothing_is_written(world: Any) -> None:
    flow, _ = world
    parent = _receive(flow, materials={"申请人居民身份证": "received", "居民户口簿": "missing"})
    with pytest.raises(ServiceError, match="最低生活保障申请"):
        handling.thing_case_accept(parent=parent, actor=flow.front_desk)
    low = _members(parent)["最低生活保障申请"].case
    assert low.status == CaseStatus.RECEIVED
    # MODE-3: 容缺 per material where the member allows it (居民户口簿 可容缺, 家庭收入情况证明 告知承诺).
    parent = handling.thing_case_accept(
        parent=parent,
        actor=flow.front_desk,
        rongque=["居民户口簿"],
        commitment=["家庭收入情况证明"],
        rongque_signed=True,
        commitment_signed=True,
    )
    low.refresh_from_db()
    assert low.rongque_pending and low.uses_commitment


def test_answers_leaving_nothing_or_unknown_material_write_nothing(world: Any) -> None:
    flow, _ = world
    before = ThingCase.objects.count()
    with pytest.raises(ServiceError):
        _receive(flow, disability="maybe")
    with pytest.raises(ServiceError, match="不在本一件事的材料清单"):
        _receive(flow, materials={"营业执照": "received"})
    assert ThingCase.objects.count() == before


def test_the_city_view_counts_a_thing_received_today_at_its_centre(world: Any) -> None:
    """GOV-1 / MODE-1: the bureau's dashboard shows 一件事收件 per centre, one per parent number however
    many member cases it opened."""
    from tests.reports.conftest import figure

    flow, _thing = world
    assert figure("one_things_received", flow.town) == 0
    parent = _receive(flow)
    assert parent.members.exclude(case=None).count() >= 2  # two member cases, one 一件事
    assert figure("one_things_received", flow.town) == 1
    assert figure("one_things_received", flow.village) == 0
