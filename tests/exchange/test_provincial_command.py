"""NET-2: `govhall exchange_sync --matters / --cases` queues the current data for the provincial platform;
running it again queues nothing new."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from govhall.cases.services import case_accept
from govhall.catalog import services as catalog
from govhall.exchange.models import SyncItem, SyncStatus
from tests.cases.conftest import receive
from tests.catalog.conftest import materials_data, matter_data

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("exchange_sync", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_matters_queues_every_current_version_once(settings, publish_matter):
    """NET-2: one record per published matter (drafts never), with the current version; a rerun finds
    nothing new; the operator is told the platform is not configured."""
    settings.PROVINCE_URL = ""
    first, second = publish_matter(), publish_matter()
    catalog.matter_create(
        actor=None, code="3206810DRAFT01", basic_code="D01", data=matter_data(), materials=materials_data()
    )  # never published
    out, err = run("--matters")
    assert "事项：新排队 2 条，未变化 0 条。" in out and "GOVHALL_PROVINCE_URL" in err
    assert sorted(SyncItem.objects.values_list("object_label", flat=True)) == [first.code, second.code]
    assert set(SyncItem.objects.values_list("status", flat=True)) == {SyncStatus.QUEUED}
    out, _ = run("--matters")
    assert "新排队 0 条，未变化 2 条" in out
    assert SyncItem.objects.count() == 2


def test_matters_are_sent_when_the_platform_is_configured(
    huey_immediate, province, publish_matter, django_capture_on_commit_callbacks
):
    """NET-2: with the platform configured the queued records go out after each batch commits."""
    matter = publish_matter()
    with django_capture_on_commit_callbacks(execute=True):
        out, err = run("--matters")
    assert "新排队 1 条" in out and err == ""
    assert province.datasets == [(matter.code, "matter")]
    assert SyncItem.objects.get().status == SyncStatus.SENT


def test_cases_queues_every_dataset_each_case_has(settings, flow):
    """NET-2: a received case has 申请; an accepted one 申请, 受理 and 办理 (its first back-office step is
    open); --since leaves older cases out."""
    settings.PROVINCE_URL = ""
    received = receive(flow)
    accepted = case_accept(case=receive(flow), actor=flow.front_desk)
    out, _ = run("--cases")
    assert "办件数据：新排队 4 条，未变化 0 条。" in out
    datasets = sorted(SyncItem.objects.values_list("object_label", "dataset"))
    assert datasets == sorted(
        [
            (received.number, "apply"),
            (accepted.number, "apply"),
            (accepted.number, "accept"),
            (accepted.number, "process"),
        ]
    )
    out, _ = run("--cases", "--since", "2026-06-10")
    assert "新排队 0 条，未变化 0 条" in out


@pytest.mark.parametrize(
    ("args", "says"),
    [
        ((), "--matters"),
        (("--matters", "--since", "2026-01-01"), "--cases"),
        (("--cases", "--since", "6/9"), "YYYY-MM-DD"),
    ],
)
def test_bad_arguments_are_refused(db, args, says):
    with pytest.raises(CommandError) as caught:
        run(*args)
    assert says in str(caught.value)
    assert SyncItem.objects.count() == 0
