"""一件事 online scans (one upload serves every member that asks for the material, encrypted at rest like a
case's file, NET-1, MODE-1) and a follow-on member that the window refuses (MODE-1, MODE-3, STD-3): the others
stay whole and the parent finishes with that member's refusal stated.

Built on the small composition of tests/onething/conftest.py (`world`): 最低生活保障申请 → 住房保障资格确认,
残疾人证补办申请 in parallel."""

from __future__ import annotations

import io
from typing import Any

import pytest
import time_machine
from PIL import Image

from govhall.cases.models import CaseFile, CaseStatus, MaterialForm, MaterialStatus, ResultKind
from govhall.cases.services import case_finish
from govhall.cases.uploads import media_path
from govhall.core.documents import pdf_text
from govhall.core.errors import ServiceError
from govhall.core.filecrypt import read_plaintext
from govhall.onething import documents, handling, selectors
from govhall.onething.models import ThingCase, ThingCaseStatus, ThingMemberState
from govhall.onething.services import CompositionInput, MemberInput, thing_create, thing_publish
from tests.cases.conftest import Flow, applicant, local

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fixed_clock() -> Any:
    with time_machine.travel(local(2026, 6, 9, 9, 0), tick=False) as traveller:
        yield traveller


def png(colour: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(out, format="PNG")
    return out.getvalue()


def _online(flow: Flow, scans: dict[str, list[handling.Scan]], **kw: Any) -> ThingCase:
    person = applicant()
    return handling.thing_case_receive(
        actor=handling.online_actor(person, "online"),
        code="YJS-0101",
        answers={"disability": "1"},
        applicant=person,
        channel="online",
        centre_id=flow.town.pk,
        scans=scans,
        **kw,
    )


def _files(case: Any) -> dict[str, list[CaseFile]]:
    out: dict[str, list[CaseFile]] = {}
    for f in CaseFile.objects.filter(case=case).select_related("material"):
        out.setdefault(f.material.name if f.material else "", []).append(f)
    return out


def test_one_uploaded_id_serves_every_member_asking_for_it_encrypted_at_rest(world: Any) -> None:
    # NET-1, MODE-1: the applicant uploads the ID once; each started member's case gets it on its own
    # 申请人居民身份证 (received, electronic), stored encrypted; the member started later gets it too.
    flow, _ = world
    scan = png()
    parent = _online(flow, {"申请人居民身份证": [handling.Scan("身份证正面.png", scan)]})
    rows = {r.name: r for r in parent.members.select_related("case")}
    low, disability = rows["最低生活保障申请"].case, rows["残疾人证补办申请"].case
    for case in (low, disability):
        files = _files(case)
        assert [f.original_name for f in files["申请人居民身份证"]] == ["身份证正面.png"]
        row = case.materials.get(name="申请人居民身份证")
        assert row.status == MaterialStatus.RECEIVED and row.form == MaterialForm.ELECTRONIC
        stored = files["申请人居民身份证"][0]
        raw = media_path(stored.storage_name).read_bytes()
        assert scan not in raw and b"IHDR" not in raw  # encrypted at rest
        assert read_plaintext(media_path(stored.storage_name)) == scan
    assert low.materials.get(name="居民户口簿").status == MaterialStatus.MISSING  # not uploaded: bring it
    assert parent.materials["申请人居民身份证"] == MaterialStatus.RECEIVED

    # The clerk verifies the one checklist at acceptance; the follow-on member starts with the same scan.
    handling.thing_case_accept(
        parent=parent,
        actor=flow.front_desk,
        materials={"申请人居民身份证": "received", "居民户口簿": "received", "家庭收入情况证明": "received"},
    )
    from tests.onething.test_handling import _finish_low_income

    _finish_low_income(flow, ThingCase.objects.get(pk=parent.pk).members.get(order=1).case)
    housing = parent.members.get(name="住房保障资格确认").case
    assert housing is not None and housing.status == CaseStatus.PROCESSING
    copies = _files(housing)["申请人居民身份证"]
    assert len(copies) == 1 and read_plaintext(media_path(copies[0].storage_name)) == scan
    assert copies[0].uploaded_by is None  # the applicant's upload, not a clerk's


def test_a_scan_for_a_material_not_asked_writes_nothing_not_even_on_disk(world: Any, settings: Any) -> None:
    flow, _ = world
    before = (ThingCase.objects.count(), CaseFile.objects.count())
    with pytest.raises(ServiceError, match="不在本一件事的材料清单"):
        _online(
            flow,
            {
                "申请人居民身份证": [handling.Scan("id.png", png())],
                "营业执照": [handling.Scan("licence.png", png("blue"))],
            },
        )
    assert (ThingCase.objects.count(), CaseFile.objects.count()) == before
    # A refusal after a file was stored (a member refusing the receipt) leaves no file behind either.
    with pytest.raises(ServiceError):
        _online(flow, {"申请人居民身份证": [handling.Scan("id.png", png())]}, materials={"x": "received"})
    cases_dir = media_path("cases")
    assert not cases_dir.exists() or not [p for p in cases_dir.rglob("*") if p.is_file()]


@pytest.fixture
def ordered(world: Any) -> tuple[Flow, Any]:
    """残疾人证补办申请 (即办) → 最低生活保障申请 (10 working days): the second becomes due when the first
    is finished, and needs the 居民户口簿 that the applicant has not brought yet."""
    flow, _ = world
    thing = thing_create(
        actor=None,
        code="YJS-0102",
        data=CompositionInput(
            name="残疾人低保一件事",
            life_event="困难群众救助",
            promised_limit=10,
            members=[MemberInput(flow.immediate.code), MemberInput(flow.matter.code, after=(1,))],
        ),
    )
    thing_publish(actor=None, thing=thing)
    return flow, thing


def test_follow_on_member_refused_by_the_window_leaves_the_others_whole(ordered: Any) -> None:
    # MODE-1, MODE-3, STD-3: the ordered member becomes due when its prerequisite finishes; it cannot be
    # accepted (居民户口簿 still owed, no 容缺 signed) so it waits for the front desk, which refuses it.
    # The finished member stays finished; the parent finishes with that member's refusal stated.
    flow, _ = ordered
    parent = handling.thing_case_receive(
        actor=flow.front_desk,
        code="YJS-0102",
        answers={},
        applicant=applicant(),
        materials={"申请人居民身份证": "received", "家庭收入情况证明": "received"},
        window_id=flow.windows["minsheng"].pk,
    )
    parent = handling.thing_case_accept(parent=parent, actor=flow.front_desk)
    first = parent.members.get(order=1).case
    assert parent.members.get(order=2).state == ThingMemberState.WAITING
    case_finish(case=first, actor=flow.front_desk, result=ResultKind.APPROVED, certificate_no="CJ-7")

    follow = parent.members.select_related("case").get(order=2)
    assert follow.state == ThingMemberState.STARTED and follow.case is not None
    assert follow.case.status == CaseStatus.RECEIVED and "待前台受理" in follow.note
    parent.refresh_from_db()
    assert parent.status == ThingCaseStatus.PROCESSING  # not finished while the follow-on is open

    with pytest.raises(ServiceError, match="最低生活保障申请"):
        handling.thing_member_reject(parent=parent, actor=flow.front_desk, order=2, reason="")
    handling.thing_member_reject(
        parent=parent, actor=flow.front_desk, order=2, reason="未提供居民户口簿，申请人放弃补齐"
    )
    parent.refresh_from_db()
    assert parent.status == ThingCaseStatus.FINISHED and parent.finished_at is not None
    first.refresh_from_db()
    assert first.status == CaseStatus.FINISHED and first.result == ResultKind.APPROVED  # whole
    assert first.certificate_no == "CJ-7"

    view = selectors.thing_case_view(parent)
    results = {m.row.name: m.result for m in view.members}
    assert results["残疾人证补办申请"].startswith("准予许可/出证")
    assert results["最低生活保障申请"] == "不予受理：未提供居民户口簿，申请人放弃补齐"
    text = pdf_text(documents.result_file(view, "pdf"))
    assert "不予受理：未提供居民户口簿，申请人放弃补齐" in text and "CJ-7" in text

    # 统一出件 of what there is to hand out: the refused member is said, not lost.
    parent = handling.thing_case_deliver(
        parent=parent,
        actor=flow.front_desk,
        method="window",
        collector_name="张三",
        collector_id_number=applicant()["id_number"],
    )
    assert parent.status == ThingCaseStatus.DELIVERED and "残疾人证补办申请" in parent.delivery_detail
