"""NET-2: what reaches the provincial platform — matter versions from the catalogue (GB/T 39046 table 4,
English keys per docs/exchange.md) and case datasets 申请/受理/办理/办结 from the case app's export, through
the hooks other apps call: sync_matter_version, sync_case, sync_case_progress."""

from __future__ import annotations

import pytest
from django.db import transaction

from govhall.cases.export import case_datasets
from govhall.cases.models import ResultKind
from govhall.cases.services import case_accept, case_finish, case_reject, case_step_pass
from govhall.catalog import services as catalog
from govhall.catalog.models import MatterVersion, VersionState
from govhall.core.errors import Conflict, ServiceError
from govhall.exchange.models import SyncItem, SyncStatus
from govhall.exchange.payloads import masked_payload, matter_payload
from govhall.exchange.sync import sync_case, sync_case_progress, sync_matter_version
from tests.cases.conftest import ID_ZHANG, receive
from tests.factories import bureau_user

pytestmark = pytest.mark.django_db


def test_a_published_matter_version_maps_to_the_gb_39046_matter_dataset(publish_matter):
    """NET-2 / SCOPE-1: every catalogue field the standard names, with appendix A codes."""
    matter = publish_matter(special_procedures=["extension", "site_survey"], levels="5,6")
    data = matter_payload(matter.current_version)
    assert data["implement_code"] == matter.code and data["basic_code"] == matter.basic_code
    assert (data["name"], data["version"], data["status"]) == ("最低生活保障申请", 1, "active")
    assert (data["change_type"], data["change_type_name"]) == ("create", "新增")
    assert (data["matter_type"], data["case_type"]) == ("05", "2")
    assert data["exercise_levels"] == ["5", "6"] and data["service_objects"] == ["1"]
    assert data["handling_forms"] == ["1"]
    assert (data["department_code"], data["implementing_body"]) == ("MZ", "启东市民政局")
    assert (data["legal_limit"], data["legal_limit_unit"]) == (30, "工作日")
    assert (data["promised_limit"], data["promised_limit_unit"]) == (20, "工作日")
    assert data["special_procedures"] == [
        {"code": "1", "name": "延长审批"},
        {"code": "2", "name": "现场勘查"},
    ]
    assert data["charges"] is False and data["fee_amount"] is None
    assert [m["name"] for m in data["materials"]] == [
        "最低生活保障申请书",
        "居民户口簿",
        "家庭收入和财产状况声明",
    ]
    household = data["materials"][1]
    assert (household["issuer"], household["originals"], household["copies"]) == ("公安机关", 1, 1)
    assert (household["rongque"], household["commitment"]) == (True, False)
    assert (
        data["materials"][2]["commitment"] is True
        and "承担法律责任" in data["materials"][2]["commitment_text"]
    )
    assert data["published_at"] is not None


def test_the_catalogue_hook_sends_the_published_version(
    huey_immediate, province, publish_matter, django_capture_on_commit_callbacks
):
    """NET-2: sync_matter_version, called in the publish transaction, delivers the 事项 dataset."""
    matter = publish_matter()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        item = sync_matter_version(version=matter.current_version)
    item.refresh_from_db()
    assert (item.kind, item.dataset, item.object_id, item.object_label) == (
        "matter",
        "matter",
        str(matter.pk),
        matter.code,
    )
    assert item.status == SyncStatus.SENT
    [request] = province.requests
    assert request["body"]["data"] == matter_payload(matter.current_version)
    assert request["body"]["objectId"] == matter.code


def test_a_change_then_a_suspension_supersede_the_unsent_versions(settings, publish_matter):
    """NET-2: while the platform is not configured, the newest version of the matter is what waits."""
    settings.PROVINCE_URL = ""
    matter = publish_matter()
    first = sync_matter_version(version=matter.current_version)
    version = catalog.matter_change_publish(
        actor=None, matter=matter, data={"promised_limit": 15}, materials=None, reason="压缩承诺时限"
    )
    second = sync_matter_version(version=version)
    version = catalog.matter_suspend(actor=bureau_user(), matter=matter, reason="上级部门调整")
    third = sync_matter_version(version=version)
    statuses = dict(SyncItem.objects.values_list("pk", "status"))
    assert statuses == {first.pk: "superseded", second.pk: "superseded", third.pk: "queued"}
    assert second.payload["promised_limit"] == 15 and second.payload["version"] == 2
    assert (third.payload["status"], third.payload["change_type"], third.payload["version"]) == (
        "suspended",
        "suspend",
        3,
    )


def test_republishing_the_same_version_is_not_queued_again(settings, publish_matter):
    """NET-2: calling the hook twice for one version keeps one record."""
    settings.PROVINCE_URL = ""
    matter = publish_matter()
    assert (
        sync_matter_version(version=matter.current_version).pk
        == sync_matter_version(version=matter.current_version).pk
    )
    assert SyncItem.objects.count() == 1


def test_a_draft_or_superseded_version_cannot_be_synced(publish_matter):
    """NET-2: only the current version is reported; others are refused with their state named."""
    matter = publish_matter()
    catalog.matter_draft_save(actor=None, matter=matter, data={"promised_limit": 12}, change_reason="调整")
    draft = MatterVersion.objects.get(matter=matter, state=VersionState.DRAFT)
    with pytest.raises(Conflict) as caught:
        sync_matter_version(version=draft)
    assert "草稿" in caught.value.message
    assert SyncItem.objects.count() == 0


def test_case_datasets_follow_the_case_to_the_platform_in_order(
    huey_immediate, province, flow, django_capture_on_commit_callbacks
):
    """NET-2: 申请 at receipt, 受理 at acceptance, 办理 per step, 办结 at the end — each the case export's
    dataset, with the full identity number (the platform needs it) and masked on the bureau's pages."""
    with django_capture_on_commit_callbacks(execute=True):
        case = receive(flow)
        sync_case(case=case, dataset="apply")
    with django_capture_on_commit_callbacks(execute=True):
        case = case_accept(case=case, actor=flow.front_desk)
        sync_case(case=case, dataset="accept")
    with django_capture_on_commit_callbacks(execute=True):
        case = case_step_pass(case=case, actor=flow.back_office, opinion="材料齐全")
        sync_case(case=case, dataset="process")
    with django_capture_on_commit_callbacks(execute=True):
        case = case_finish(case=case, actor=flow.approver, result=ResultKind.APPROVED, certificate_no="DB-9")
        sync_case(case=case, dataset="process")
        sync_case(case=case, dataset="finish")
    assert province.datasets == [
        (case.number, d) for d in ("apply", "accept", "process", "process", "finish")
    ]
    assert set(SyncItem.objects.values_list("status", flat=True)) == {SyncStatus.SENT}
    export = case_datasets(case)
    by_dataset = {r["body"]["dataset"]: r["body"]["data"] for r in province.requests}
    assert by_dataset["apply"]["申请人证件号码"] == ID_ZHANG
    assert by_dataset["accept"] == export["受理"]
    assert by_dataset["finish"] == export["办结"] and by_dataset["finish"]["证照编号"] == "DB-9"
    assert [s["环节名称"] for s in by_dataset["process"]["办理环节"]] == ["审核", "审批"]

    apply = SyncItem.objects.get(dataset="apply")
    shown = masked_payload(apply)
    assert ID_ZHANG not in str(shown) and shown["申请人证件号码"] == "110101********1233"
    assert shown["联系人手机号码"] == "138****8000" and shown["申请人名称"] == "张*"


def test_a_dataset_the_case_has_not_reached_is_refused(flow):
    """NET-2: no 受理 or 办结 data before the case has it; a wrong dataset name is a field error."""
    case = receive(flow)
    for dataset, says in (("accept", "受理"), ("finish", "办结"), ("process", "办理")):
        with pytest.raises(Conflict) as caught:
            sync_case(case=case, dataset=dataset)
        assert case.number in caught.value.message and f"还没有{says}数据" in caught.value.message
    with pytest.raises(ServiceError) as caught:
        sync_case(case=case, dataset="matter")
    assert "dataset" in caught.value.fields
    assert SyncItem.objects.count() == 0


def test_case_progress_queues_what_the_case_has_and_only_what_changed(settings, flow):
    """NET-2: one call after each change keeps the platform current without repeats; a rejected case has
    a 受理 dataset saying 不予受理."""
    settings.PROVINCE_URL = ""
    case = receive(flow)
    assert [i.dataset for i in sync_case_progress(case=case)] == ["apply"]
    assert [i.dataset for i in sync_case_progress(case=case)] == ["apply"]
    assert SyncItem.objects.count() == 1
    case = case_reject(case=case, actor=flow.front_desk, reason="不属于本中心受理范围")
    items = sync_case_progress(case=case)
    assert [i.dataset for i in items] == ["apply", "accept"]
    assert items[1].payload["受理结果"] == "不予受理"
    assert SyncItem.objects.count() == 2  # the 申请 data did not change
