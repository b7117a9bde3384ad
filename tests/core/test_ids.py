"""Personal identifiers (part 6): 居民身份证号 (GB 11643), 统一社会信用代码 (GB 32100), mobile numbers."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from govhall.core.ids import (
    id_card_birth_date,
    mask_id_card,
    mask_mobile,
    mask_uscc,
    normalize_id_card,
    normalize_mobile,
    normalize_uscc,
)

# 11010519491231002X is GB 11643-1999's own example; the Qidong ones (320681…) were checked by hand:
# Σ(digit × weight) mod 11 → "10X98765432".
VALID_IDS = ["11010519491231002X", "320681199003071231", "320681198512240027"]


@pytest.mark.parametrize("value", VALID_IDS)
def test_valid_id_numbers_are_accepted(value):
    assert normalize_id_card(value) == value


def test_id_number_is_normalised_to_upper_case_x_without_spaces():
    assert normalize_id_card(" 11010519491231002x ") == "11010519491231002X"
    assert id_card_birth_date("320681199003071231").isoformat() == "1990-03-07"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("320681199003071232", "校验位不正确"),  # last digit changed
        ("320681199003171231", "校验位不正确"),  # one digit of the birth date changed
        ("32068119900307123", "应为18位"),
        ("3206811990030712311", "应为18位"),
        ("32068119900307123A", "应为18位"),
        ("320681199002301234", "出生日期无效"),  # 30 February
        ("320681199013011234", "出生日期无效"),
        ("320681209901011234", "出生日期不在合理范围内"),  # born in 2099
        ("", "应为18位"),
    ],
)
def test_bad_id_numbers_are_rejected_with_a_chinese_message(value, message):
    with pytest.raises(ValidationError) as caught:
        normalize_id_card(value)
    assert message in caught.value.messages[0]


# 91350100M000100Y43 is GB 32100-2015's example; the others are published codes of listed companies.
VALID_USCC = ["91350100M000100Y43", "9144030071526726XG", "91110000802100433B"]


@pytest.mark.parametrize("value", VALID_USCC)
def test_valid_credit_codes_are_accepted(value):
    assert normalize_uscc(value.lower()) == value


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("91350100M000100Y44", "校验位不正确"),
        ("91350100M000100Y4", "应为18位"),
        ("91350100M00O100Y43", "不含I、O、S、V、Z"),  # letter O
        ("91350100M000100I43", "不含I、O、S、V、Z"),
    ],
)
def test_bad_credit_codes_are_rejected(value, message):
    with pytest.raises(ValidationError) as caught:
        normalize_uscc(value)
    assert message in caught.value.messages[0]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("13812345678", "13812345678"), ("+86 138-1234-5678", "13812345678"), ("19912345678", "19912345678")],
)
def test_valid_mobiles_are_normalised(value, expected):
    assert normalize_mobile(value) == expected


@pytest.mark.parametrize(
    "value", ["12812345678", "1381234567", "138123456789", "0513-83212345", "1381234567a"]
)
def test_bad_mobiles_are_rejected(value):
    with pytest.raises(ValidationError, match="11位中国大陆手机号"):
        normalize_mobile(value)


def test_masks_show_only_the_ends():
    assert mask_id_card("320681199003071231") == "320681********1231"
    assert mask_mobile("13812345678") == "138****5678"
    assert mask_uscc("91350100M000100Y43") == "9135**********0Y43"
