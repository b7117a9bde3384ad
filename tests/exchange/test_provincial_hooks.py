"""NET-2: publishing a matter and each step of a case queue their datasets for the provincial platform
without anyone running the sync command."""

from typing import Any

import pytest

from govhall.exchange.models import SyncItem


@pytest.fixture(autouse=True)
def _automatic_sync(settings: Any) -> None:
    settings.PROVINCE_SYNC_AUTO = True


def test_publishing_a_matter_queues_its_dataset(publish_matter, province_unset):
    matter = publish_matter()
    items = SyncItem.objects.filter(kind="matter", object_id=str(matter.pk))
    assert [i.dataset for i in items] == ["matter"]
    assert items[0].status == "queued"


def test_receiving_and_accepting_a_case_queue_apply_then_accept(flow, province_unset):
    from govhall.cases.services import case_accept
    from tests.cases.conftest import receive

    case = receive(flow)
    assert list(
        SyncItem.objects.filter(kind="case", object_id=str(case.pk)).values_list("dataset", flat=True)
    ) == ["apply"]
    case_accept(actor=flow.front_desk, case=case)
    datasets = set(
        SyncItem.objects.filter(kind="case", object_id=str(case.pk)).values_list("dataset", flat=True)
    )
    assert {"apply", "accept"} <= datasets


def test_switched_off_nothing_is_queued(publish_matter, province_unset, settings):
    settings.PROVINCE_SYNC_AUTO = False
    publish_matter()
    assert not SyncItem.objects.exists()
