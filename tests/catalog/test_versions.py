"""SCOPE-1: a published matter is never edited; each change (新增/变更/暂停/恢复/取消) is a version with who
and why, and a case keeps the version it was accepted under."""

from __future__ import annotations

import pytest

from govhall.catalog import services
from govhall.catalog.models import ChangeKind, MatterStatus, MatterVersion, VersionState
from govhall.core.errors import Conflict, ServiceError
from govhall.core.models import AuditEntry


@pytest.mark.django_db
def test_scope1_change_publishes_new_version_and_keeps_the_old_one(make_matter, hall):
    matter = make_matter()
    v1 = matter.current_version
    assert (v1.number, v1.state, v1.change_kind) == (1, VersionState.PUBLISHED, ChangeKind.CREATE)
    accepted_under = v1.pk  # what a case stores

    draft = services.matter_draft_save(
        actor=hall.bureau_admin, matter=matter, data={"promised_limit": 15}, change_reason="压缩承诺时限"
    )
    matter.refresh_from_db()
    assert matter.current_version_id == v1.pk, "a draft does not change the current version"
    assert draft.number == 2 and draft.state == VersionState.DRAFT
    assert draft.materials.count() == 3

    v2 = services.matter_publish(actor=hall.bureau_admin, matter=matter)
    matter.refresh_from_db()
    old = MatterVersion.objects.get(pk=accepted_under)
    assert matter.current_version_id == v2.pk
    assert (old.state, old.promised_limit, old.materials.count()) == (VersionState.SUPERSEDED, 20, 3)
    assert old.superseded_at is not None
    assert (v2.promised_limit, v2.change_kind, v2.change_reason) == (15, ChangeKind.CHANGE, "压缩承诺时限")
    assert v2.published_by == hall.bureau_admin and v2.created_by == hall.bureau_admin
    assert AuditEntry.objects.filter(action="catalog.matter.publish", object_id=str(matter.pk)).count() == 2


@pytest.mark.django_db
def test_scope1_publishing_a_change_requires_a_reason(make_matter, hall):
    matter = make_matter()
    services.matter_draft_save(actor=hall.bureau_admin, matter=matter, data={"promised_limit": 10})
    with pytest.raises(ServiceError) as exc:
        services.matter_publish(actor=hall.bureau_admin, matter=matter)
    assert "变更原因" in exc.value.message
    matter.refresh_from_db()
    assert matter.current_version.number == 1


@pytest.mark.django_db
def test_scope1_suspend_resume_cancel_are_versions_with_who_and_why(make_matter, hall):
    matter = make_matter()
    s = services.matter_suspend(actor=hall.bureau_admin, matter=matter, reason="上级部门调整办理流程")
    matter.refresh_from_db()
    assert matter.status == MatterStatus.SUSPENDED and not matter.is_serviceable
    assert (s.number, s.change_kind, s.change_reason, s.published_by) == (
        2,
        ChangeKind.SUSPEND,
        "上级部门调整办理流程",
        hall.bureau_admin,
    )
    assert s.materials.count() == 3

    services.matter_resume(actor=hall.bureau_admin, matter=matter, reason="流程调整完毕")
    services.matter_cancel(actor=hall.bureau_admin, matter=matter, reason="事项取消（省清单调整）")
    matter.refresh_from_db()
    assert matter.status == MatterStatus.CANCELLED
    history = list(matter.versions.order_by("number").values_list("change_kind", "state"))
    assert history == [
        ("create", "superseded"),
        ("suspend", "superseded"),
        ("resume", "superseded"),
        ("cancel", "published"),
    ]
    with pytest.raises(Conflict):
        services.matter_draft_save(actor=hall.bureau_admin, matter=matter, data={"promised_limit": 5})


@pytest.mark.django_db
def test_scope1_suspend_without_reason_is_refused(make_matter, hall):
    matter = make_matter()
    with pytest.raises(ServiceError) as exc:
        services.matter_suspend(actor=hall.bureau_admin, matter=matter, reason=" ")
    assert exc.value.fields == {"reason": "暂停事项必须填写原因。"}
    matter.refresh_from_db()
    assert matter.status == MatterStatus.ACTIVE and matter.versions.count() == 1


@pytest.mark.django_db
def test_scope1_suspending_with_an_open_draft_keeps_the_draft_after_it(make_matter, hall):
    matter = make_matter()
    services.matter_draft_save(
        actor=hall.bureau_admin, matter=matter, data={"promised_limit": 10}, change_reason="提速"
    )
    services.matter_suspend(actor=hall.bureau_admin, matter=matter, reason="暂停")
    draft = services.matter_draft(matter)
    assert draft.number == 3 and draft.promised_limit == 10


@pytest.mark.django_db
def test_scope1_new_matter_is_a_draft_until_published(make_matter, hall):
    matter = make_matter(publish=False)
    assert matter.status == MatterStatus.DRAFT and matter.current_version is None
    services.matter_draft_discard(actor=hall.bureau_admin, matter=matter)
    assert not type(matter).objects.filter(pk=matter.pk).exists()


@pytest.mark.django_db
def test_scope1_replacing_materials_in_a_draft_leaves_the_published_list(make_matter, hall):
    matter = make_matter()
    services.matter_draft_save(
        actor=hall.bureau_admin,
        matter=matter,
        materials=[{"name": "最低生活保障申请书", "originals": 1}],
        data={"check_method": "", "rongque_supply_days": None},
        change_reason="精简材料",
    )
    services.matter_publish(actor=hall.bureau_admin, matter=matter)
    matter.refresh_from_db()
    assert [m.name for m in matter.current_version.materials.all()] == ["最低生活保障申请书"]
    assert matter.versions.get(number=1).materials.count() == 3
