"""The bureau composes, versions and withdraws 一件事; the samples; every bad composition refused with nothing
written (MODE-1, SCOPE-1, SCOPE-4, STD-3)."""

from __future__ import annotations

import pytest

from govhall.catalog import services as catalog
from govhall.catalog.models import Matter
from govhall.catalog.seed import TOWN
from govhall.core.errors import Forbidden, ServiceError
from govhall.onething import seed, selectors, services
from govhall.onething.models import Member, OneThing, OneThingVersion, ThingStatus, ThingVersionState
from govhall.onething.services import CompositionInput, MemberInput, QuestionInput

pytestmark = pytest.mark.django_db


def code(seq: int) -> str:
    return next(s.code for s in TOWN if s.seq == seq)


def test_mode1_three_samples_are_published_marked_and_loading_twice_changes_nothing(samples):
    assert sorted(samples) == ["YJS-0001", "YJS-0002", "YJS-0003"]
    for thing in samples.values():
        assert thing.is_sample and thing.status == ThingStatus.ACTIVE
        assert thing.current_version.state == ThingVersionState.PUBLISHED
        assert "样例" in thing.current_version.summary
    assert "新增 0 项" in seed.load_builtin()
    assert OneThing.objects.count() == 3 and OneThingVersion.objects.count() == 3


def test_scope4_newborn_guide_asks_each_document_once_and_not_the_hukou_the_birth_registration_issues(
    samples,
):
    """新生儿出生: 户口簿 comes out of 出生登记 and goes to 医保参保 inside; the parents' ID cards and marriage
    certificate that 出生登记 and 生育登记 both need are asked once."""
    version = samples["YJS-0001"].current_version
    guide = selectors.guide(version, {"medical_insurance": True, "birth_registration": True})
    asked = [m.name for m in guide.materials.asked]
    assert asked.count("父母双方居民身份证和户口簿") == 1 and "夫妻双方居民身份证" not in asked
    assert "父母结婚证" in asked and "结婚证" not in asked
    assert "居民户口簿" not in asked
    [produced] = guide.materials.produced
    assert (produced.name, produced.produced_by, produced.needed_by) == (
        "居民户口簿",
        "出生登记",
        ["城乡居民基本医疗保险参保登记"],
    )
    assert [gm.stage for gm in guide.members] == [1, 2, 1]  # 医保 waits for 出生登记; 生育登记 runs beside it


def test_scope4_answers_leave_out_members_and_their_materials(samples):
    version = samples["YJS-0001"].current_version
    guide = selectors.guide(version, {"medical_insurance": False, "birth_registration": False})
    assert [gm.member.matter_version.name for gm in guide.included] == ["出生登记"]
    assert guide.materials.produced == []
    assert "申请人居民身份证" not in [m.name for m in guide.materials.asked]


def test_restaurant_sample_runs_licence_first_then_three_in_parallel_within_its_promise(samples):
    version = samples["YJS-0002"].current_version
    guide = selectors.guide(version, {"invoice": True})
    assert [gm.stage for gm in guide.members] == [1, 2, 2, 2]
    assert "营业执照" not in [m.name for m in guide.materials.asked]
    assert guide.path_days <= version.promised_limit <= guide.sum_days


def test_answers_that_leave_nothing_to_do_or_miss_a_question_are_refused(samples):
    version = samples["YJS-0003"].current_version
    with pytest.raises(ServiceError) as exc:
        services.answers_for(version, {})
    assert exc.value.message == "请回答：家庭中是否有持残疾人证的成员"
    assert services.answers_for(version, {"disability": "否"}) == {"disability": False}

    only_optional = services.thing_create(
        actor=None,
        code="YJS-0100",
        data=CompositionInput(
            name="可选事项",
            life_event="测试",
            promised_limit=0,
            questions=[QuestionInput("want", "是否需要办理")],
            members=[MemberInput(code(2), condition_question="want")],
        ),
    )
    with pytest.raises(ServiceError) as exc:
        services.answers_for(only_optional.versions.get(), {"want": "0"})
    assert "没有需要办理的事项" in exc.value.message


def _restaurant(**overrides: object) -> CompositionInput:
    data = {
        "name": "开办小吃店一件事",
        "life_event": "开办小吃店",
        "promised_limit": 5,
        "members": [MemberInput(code(27)), MemberInput(code(30), after=(1,))],
    }
    data.update(overrides)
    return CompositionInput(**data)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"members": [MemberInput(code(27), after=(2,)), MemberInput(code(30), after=(1,))]},
            "办理顺序存在循环：个体工商户设立登记 → 食品经营许可（小餐饮） → 个体工商户设立登记。",
        ),
        ({"promised_limit": 6}, "承诺办结时限（6个工作日）不能超过各成员事项承诺时限之和（5个工作日）。"),
        (
            {"members": [MemberInput(code(27)), MemberInput(code(30))]},
            "「食品经营许可（小餐饮）」需要的「营业执照」由「个体工商户设立登记」产生，应排在其之后办理。",
        ),
        (
            {"members": [MemberInput("320681XX0000005")]},
            "第1个成员事项（实施编码 320681XX0000005）不存在或未在用。",
        ),
        (
            {"members": [MemberInput(code(27), condition_question="nope")]},
            "第1个成员事项的办理条件引用了不存在的问题「nope」。",
        ),
        ({"name": "  "}, "请填写“一件事”名称。"),
    ],
)
def test_mode1_bad_composition_is_refused_in_chinese_and_nothing_is_written(catalogue, overrides, message):
    with pytest.raises(ServiceError) as exc:
        services.thing_create(actor=None, code="YJS-0009", data=_restaurant(**overrides))
    assert exc.value.message == message
    assert OneThing.objects.count() == 3 and Member.objects.count() == 10  # the samples only


def test_only_the_bureau_composes(catalogue):
    with pytest.raises(Forbidden):
        services.thing_create(actor=catalogue.people["director"], code="YJS-0009", data=_restaurant())
    thing = services.thing_create(actor=catalogue.bureau_admin, code="yjs-0009", data=_restaurant())
    assert thing.code == "YJS-0009"


def test_a_change_publishes_a_new_version_and_the_old_one_is_kept(catalogue):
    admin = catalogue.bureau_admin
    thing = services.thing_create(actor=admin, code="YJS-0009", data=_restaurant())
    v1 = services.thing_publish(actor=admin, thing=thing)
    with pytest.raises(ServiceError) as exc:
        services.thing_draft_save(actor=admin, thing=thing, data=_restaurant(promised_limit=4))
        services.thing_publish(actor=admin, thing=thing)
    assert exc.value.message == "发布变更必须填写「变更原因」。"
    v2 = services.thing_publish(actor=admin, thing=thing, reason="压缩时限")
    thing.refresh_from_db()
    v1.refresh_from_db()
    assert (v2.number, thing.current_version, v1.state) == (2, v2, ThingVersionState.SUPERSEDED)
    assert v1.promised_limit == 5 and v2.promised_limit == 4


def test_publishing_refuses_a_member_whose_matter_version_was_withdrawn_or_superseded(catalogue):
    admin = catalogue.bureau_admin
    thing = services.thing_create(actor=admin, code="YJS-0009", data=_restaurant())
    matter = Matter.objects.get(code=code(30))
    catalog.matter_suspend(actor=admin, matter=matter, reason="暂停测试")
    with pytest.raises(ServiceError) as exc:
        services.thing_publish(actor=admin, thing=thing)
    assert exc.value.message == (
        "成员事项「食品经营许可（小餐饮）」的版本已停用或被替代，请重新保存草稿以采用现行版本。"
    )
    thing.refresh_from_db()
    assert thing.status == ThingStatus.DRAFT and thing.current_version is None


def test_withdrawn_thing_disappears_from_the_public_list(samples):
    services.thing_withdraw(actor=None, thing=samples["YJS-0002"], reason="政策调整")
    assert [t.code for t in selectors.public_things()] == ["YJS-0001", "YJS-0003"]
    with pytest.raises(ServiceError):
        services.thing_withdraw(actor=None, thing=samples["YJS-0002"], reason="再次")
