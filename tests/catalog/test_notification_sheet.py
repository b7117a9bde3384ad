"""STD-2: the one-time notification sheet service records every item with a reason and a serial number."""

from __future__ import annotations

import pytest
import time_machine

from govhall.catalog import services
from govhall.catalog.models import NotificationSheet
from govhall.core.errors import Conflict, NotFound, ServiceError


@pytest.mark.django_db
@time_machine.travel("2026-03-02 09:00 +0800", tick=False)
def test_std2_sheet_keeps_items_clerk_and_serial_per_centre_and_year(make_matter, hall):
    version = make_matter().current_version
    material = version.materials.first()
    first = services.notification_sheet_create(
        matter_version=version,
        centre=hall.town,
        clerk=hall.front_desk,
        items=[(material.pk, "missing", "请补交")],
    )
    second = services.notification_sheet_create(
        matter_version=version,
        centre=hall.town,
        clerk=hall.front_desk,
        items=[{"name": "其他证明", "problem": "wrong", "reason": "日期错"}],
    )
    code = hall.town.division.code
    assert (first.serial, second.serial) == (f"GZ{code}202600001", f"GZ{code}202600002")
    assert first.clerk_staff_no == hall.front_desk.staff_no and first.clerk_name == "王晓燕"
    item = first.items.get()
    assert (item.material, item.name, item.problem, item.reason) == (
        material,
        material.name,
        "missing",
        "请补交",
    )
    village = services.notification_sheet_create(
        matter_version=version,
        centre=hall.village,
        clerk=hall.village_clerk,
        items=[(material, "缺少", "请补交")],
    )
    assert village.seq == 1


@pytest.mark.django_db
def test_std2_every_item_needs_a_problem_and_a_reason_and_nothing_is_saved_otherwise(make_matter, hall):
    version = make_matter().current_version
    other = make_matter().current_version.materials.first()
    with pytest.raises(ServiceError) as exc:
        services.notification_sheet_create(
            matter_version=version,
            centre=hall.town,
            clerk=hall.front_desk,
            items=[
                (version.materials.first(), "missing", ""),
                ("证明", "丢了", "x"),
                (other, "missing", "x"),
            ],
        )
    assert exc.value.fields["items.0.reason"] == "第1项“最低生活保障申请书”：必须写明原因及补正要求。"
    assert "「问题」只能是缺少或有误" in exc.value.fields["items.1.problem"]
    assert "不属于该事项版本" in exc.value.fields["items.2.material"]
    with pytest.raises(ServiceError) as exc:
        services.notification_sheet_create(
            matter_version=version, centre=hall.town, clerk=hall.front_desk, items=[]
        )
    assert exc.value.fields == {"items": "一次性告知单至少列出一项缺少或有误的材料。"}
    assert NotificationSheet.objects.count() == 0


@pytest.mark.django_db
def test_std2_clerk_issues_only_for_centres_they_see_and_only_from_published_versions(make_matter, hall):
    matter = make_matter()
    version = matter.current_version
    with pytest.raises(NotFound):
        services.notification_sheet_create(
            matter_version=version,
            centre=hall.other_village,
            clerk=hall.village_clerk,
            items=[("x", "missing", "y")],
        )
    draft = services.matter_draft_save(actor=None, matter=matter, data={"promised_limit": 10})
    with pytest.raises(Conflict):
        services.notification_sheet_create(
            matter_version=draft, centre=hall.town, clerk=hall.front_desk, items=[("x", "missing", "y")]
        )
    assert NotificationSheet.objects.count() == 0
