"""SCOPE-1 bad input: each refused with a Chinese message naming the field, and nothing half-saved."""

from __future__ import annotations

import pytest

from govhall.catalog import services
from govhall.catalog.models import Material, Matter, MatterVersion
from govhall.core.errors import Conflict, Forbidden, ServiceError

from .conftest import materials_data, matter_data


def _refused(data: dict, materials: list | None = None, code: str = "320681BAD0001") -> ServiceError:
    before = (Matter.objects.count(), MatterVersion.objects.count(), Material.objects.count())
    with pytest.raises(ServiceError) as exc:
        services.matter_create(
            actor=None,
            code=code,
            basic_code="BAD01",
            data=data,
            materials=materials if materials is not None else materials_data(),
        )
    assert (Matter.objects.count(), MatterVersion.objects.count(), Material.objects.count()) == before
    return exc.value


@pytest.mark.django_db
def test_missing_required_field_is_named(departments):
    err = _refused(matter_data(name="", legal_basis=None))
    assert err.fields["name"] == "「事项名称」必须填写。"
    assert err.fields["legal_basis"] == "「设定依据」必须填写。"


@pytest.mark.django_db
def test_unknown_code_is_refused(departments):
    err = _refused(matter_data(matter_type="99", levels="5,8", department="XX"))
    assert "「事项类型」代码“99”未知" in err.fields["matter_type"]
    assert "「行使层级」含未知代码" in err.fields["levels"]
    assert "「主管部门」代码“XX”不存在" in err.fields["department"]


@pytest.mark.django_db
def test_promised_limit_longer_than_legal_limit_is_refused(departments):
    err = _refused(matter_data(legal_limit=20, promised_limit=25))
    assert (
        err.fields["promised_limit"]
        == "「承诺办结时限」（25个工作日）不能超过「法定办结时限」（20个工作日）。"
    )
    # Different units compare by length: 15 working days are three weeks, more than 15 natural days.
    err = _refused(matter_data(legal_limit=15, legal_limit_unit="natural_day", promised_limit=15))
    assert "不能超过「法定办结时限」（15个自然日）" in err.fields["promised_limit"]


@pytest.mark.django_db
def test_commitment_material_without_text_is_refused(departments):
    materials = materials_data()
    materials[2]["commitment_text"] = "  "
    err = _refused(matter_data(), materials)
    assert (
        err.fields["materials.2.commitment_text"]
        == "第3项材料「家庭收入和财产状况声明」可告知承诺，必须填写「告知承诺书」内容。"
    )


@pytest.mark.django_db
def test_duplicate_implementing_code_is_refused(make_matter):
    existing = make_matter(code="320681DUP0001")
    with pytest.raises(Conflict) as exc:
        services.matter_create(
            actor=None, code="320681DUP0001", basic_code="X1", data=matter_data(name="另一事项"), materials=[]
        )
    assert exc.value.fields == {"code": "实施编码“320681DUP0001”已存在。"}
    assert Matter.objects.filter(code="320681DUP0001").count() == 1
    assert existing.versions.count() == 1


@pytest.mark.django_db
def test_check_plan_and_rongque_period_are_required_when_materials_allow_them(departments):
    err = _refused(matter_data(check_method="", rongque_supply_days=None))
    assert err.fields["check_method"] == "有可告知承诺的材料时，「告知承诺核查方式」必须填写。"
    assert err.fields["rongque_supply_days"] == "有可容缺材料时，「容缺补齐期限（工作日）」必须填写且大于0。"
    err = _refused(matter_data(rongque_supply_days=30))
    assert "不能超过「承诺办结时限」（20个工作日）" in err.fields["rongque_supply_days"]


@pytest.mark.django_db
def test_professional_window_needs_its_department_and_bad_codes_are_named(departments):
    err = _refused(matter_data(window_class="professional"), code="3206810AB!")
    assert err.fields["window_department"] == "受理窗口为专业窗口时，「专业窗口部门」必须填写。"
    assert "「实施编码」“3206810AB!”应为不超过24位的字母或数字" in err.fields["code"]


@pytest.mark.django_db
def test_village_category_needs_village_level(departments):
    err = _refused(matter_data(category="v_relief", levels="5"))
    assert "「行使层级」应包含6" in err.fields["levels"]


@pytest.mark.django_db
def test_a_bad_draft_change_leaves_the_draft_and_current_version_as_they_were(make_matter, hall):
    matter = make_matter()
    with pytest.raises(ServiceError):
        services.matter_draft_save(actor=hall.bureau_admin, matter=matter, data={"promised_limit": 99})
    assert matter.versions.count() == 1
    assert services.matter_draft(matter) is None


@pytest.mark.django_db
def test_only_bureau_admins_change_the_catalogue(make_matter, hall):
    matter = make_matter()
    for user in (hall.village_clerk, hall.director, hall.front_desk, hall.inspector):
        with pytest.raises(Forbidden):
            services.matter_draft_save(actor=user, matter=matter, data={"promised_limit": 10})
        with pytest.raises(Forbidden):
            services.matter_suspend(actor=user, matter=matter, reason="x")
    assert matter.versions.count() == 1
