"""SCOPE-1 search: Chinese words, 事项编码 and pinyin initials, ranked sensibly, with filters."""

from __future__ import annotations

import pytest

from govhall.catalog import services
from govhall.catalog.selectors import matter_search, matters_for_centre


@pytest.fixture
def catalogue(make_matter):
    return {
        "dibao": make_matter(code="320681MZ050011", name="最低生活保障申请"),
        "linshi": make_matter(
            code="320681MZ050013",
            name="临时救助申请",
            check_method="",
            check_days=None,
            materials=[{"name": "临时救助申请书", "originals": 1}],
            rongque_supply_days=None,
        ),
        "jzz": make_matter(
            code="320681GA070001",
            name="居住证申领",
            department="GA",
            category="social_management",
            window_class="professional",
            window_department="GA",
        ),
        "village": make_matter(
            code="320681MZ200016",
            name="最低生活保障申请代办",
            levels="6",
            category="v_relief",
            window_class="quanke",
        ),
        "water": make_matter(
            code="320681GS200385",
            name="居民生活用水报装",
            department="GS",
            category="living",
            window_class="shizheng",
            matter_type="20",
        ),
    }


def names(qs) -> list[str]:
    return [v.name for v in qs]


@pytest.mark.django_db
def test_scope1_pinyin_initials_find_the_matter(catalogue):
    assert names(matter_search("dbsq"))[:2] == ["最低生活保障申请", "最低生活保障申请代办"]
    assert names(matter_search("zdshbzsq"))[0] == "最低生活保障申请"
    assert names(matter_search("JZZ")) == ["居住证申领"]
    assert names(matter_search("juzhuzheng")) == ["居住证申领"]


@pytest.mark.django_db
def test_scope1_chinese_words_and_characters_in_order(catalogue):
    assert names(matter_search("低保")) == ["最低生活保障申请", "最低生活保障申请代办"]
    assert names(matter_search("救助 申请")) == ["临时救助申请"]
    assert names(matter_search("报装")) == ["居民生活用水报装"]
    assert names(matter_search("不存在的事项")) == []


@pytest.mark.django_db
def test_scope1_code_match_ranks_first(catalogue):
    assert names(matter_search("320681GA070001")) == ["居住证申领"]
    assert set(names(matter_search("320681mz05"))) == {"最低生活保障申请", "临时救助申请"}
    # The exact name outranks a longer name containing it.
    assert names(matter_search("最低生活保障申请")) == ["最低生活保障申请", "最低生活保障申请代办"]


@pytest.mark.django_db
def test_scope1_filters_category_department_level_centre(catalogue, hall):
    assert names(matter_search("", category="living")) == ["居民生活用水报装"]
    assert names(matter_search("", department="GA")) == ["居住证申领"]
    assert names(matter_search("sq", level=6)) == ["最低生活保障申请代办"]
    services.centre_matter_assign(actor=None, centre=hall.town, matter=catalogue["water"])
    assert names(matter_search("", centre=hall.town)) == ["居民生活用水报装"]
    assert names(matter_search("", centre=hall.village)) == []


@pytest.mark.django_db
def test_scope1_suspended_matters_are_left_out_unless_asked(catalogue):
    services.matter_suspend(actor=None, matter=catalogue["jzz"], reason="系统升级")
    assert names(matter_search("jzz")) == []
    assert names(matter_search("jzz", include_inactive=True)) == ["居住证申领"]


@pytest.mark.django_db
def test_scope1_search_and_centre_list_are_one_query(catalogue, hall, django_assert_num_queries):
    for matter in catalogue.values():
        services.centre_matter_assign(actor=None, centre=hall.town, matter=matter)
    with django_assert_num_queries(1):
        rows = list(matter_search("sq", level=5))
        [(v.matter.code, v.department.short_name) for v in rows]
    with django_assert_num_queries(1):
        rows = list(matters_for_centre(hall.town))
        assert len(rows) == 5 and {r.service_mode for r in rows} == {"handle"}
