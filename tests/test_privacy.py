"""Masking customer data before it is shared (R2.3.1.2): salessim.privacy.

All names and numbers are fictional: the ID numbers use the region code 000000, which does
not exist, and the mobile numbers have 0000 as their middle digits.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from salessim.privacy import (
    RULES,
    find_unmasked,
    mask_email,
    mask_extract,
    mask_id_card,
    mask_name,
    mask_phone,
)


# ---------------------------------------------------------------- phone numbers
@pytest.mark.parametrize("number, masked", [
    ("13812345678", "138****5678"),        # the example of the clause's task
    ("138 0000 0101", "138****0101"),
    ("138-0000-0101", "138****0101"),
    ("+8613800000101", "138****0101"),
    ("+86 138 0000 0101", "138****0101"),
    ("+86-138-0000-0101", "138****0101"),
    ("0086 19900000202", "199****0202"),
    ("86 150 0000 0303", "150****0303"),
    ("(+86) 177 0000 0404", "177****0404"),
    (" 13800000101 ", "138****0101"),
    (13800000101, "138****0101"),          # a column read as whole numbers
    (np.int64(15000000303), "150****0303"),
])
def test_mask_phone_keeps_first_three_and_last_four(number, masked):
    assert mask_phone(number) == masked


@pytest.mark.parametrize("number", [
    "1380000010",          # 10 digits
    "138000001012",        # 12 digits
    "12800000101",         # no mobile number starts with 12
    "0571-8888 0000",      # a landline
    "+1 138 0000 0101",    # another country's code
    "138 0000 01O1",       # a letter O for a zero
    "",
])
def test_mask_phone_refuses_what_is_not_a_mobile_number_and_names_it(number):
    with pytest.raises(ValueError) as err:
        mask_phone(number)
    assert repr(number) in str(err.value)
    assert "11 digits" in str(err.value)


@pytest.mark.parametrize("value", [None, 1.38e10, True, ["13800000101"]])
def test_mask_phone_refuses_non_text_and_says_how_to_read_it(value):
    with pytest.raises(TypeError, match="expected text") as err:
        mask_phone(value)
    assert repr(value) in str(err.value) and "dtype=str" in str(err.value)


_SEPARATORS = st.sampled_from(["", " ", "-"])


@given(second=st.sampled_from("3456789"), rest=st.text("0123456789", min_size=9, max_size=9),
       prefix=st.sampled_from(["", "+86", "+86 ", "86", "0086-"]), sep=_SEPARATORS)
def test_mask_phone_on_any_well_formed_number(second, rest, prefix, sep):
    digits = "1" + second + rest
    written = prefix + sep.join([digits[:3], digits[3:7], digits[7:]])
    masked = mask_phone(written)
    assert masked == digits[:3] + "****" + digits[7:]
    # the raw form is found, the masked one is not
    assert len(find_unmasked(pd.DataFrame({"m": [written]}))) == 1
    assert find_unmasked(pd.DataFrame({"m": [masked]})).empty


# ---------------------------------------------------------------- resident ID numbers
@pytest.mark.parametrize("number, masked", [
    ("000000198507120016", "000***********0016"),
    ("00000019900318002X", "000***********002X"),
    ("00000019900318002x", "000***********002X"),   # a lowercase x is the same check character
    ("000000 19781130 0034", "000***********0034"),
])
def test_mask_id_card_keeps_first_three_and_last_four(number, masked):
    assert mask_id_card(number) == masked
    assert len(masked) == 18


def test_mask_id_card_hides_the_birth_date_and_most_of_the_region():
    # 000000 | 1985 07 12 | 001 | 6: the characters 4 to 14 (region tail and birth date)
    masked = mask_id_card("000000198507120016")
    assert masked[3:14] == "*" * 11
    assert "19850712" not in masked


@pytest.mark.parametrize("number", [
    "000000850712001",        # 15 digits: a first-generation number
    "00000019850712001",      # 17 characters
    "0000001985071200166",    # 19
    "00000019850X120016",     # X not at the end
    "X00000198507120016",
    "00000019850712001Y",
])
def test_mask_id_card_refuses_malformed_numbers_and_names_them(number):
    with pytest.raises(ValueError) as err:
        mask_id_card(number)
    assert repr(number) in str(err.value) and "18 characters" in str(err.value)


def test_mask_id_card_does_not_judge_the_check_character():
    # a wrong check character is still somebody's number: masked, not refused
    # (the correct check digit of 00000019850712001 would be computed by ISO 7064 MOD 11-2)
    assert mask_id_card("000000198507120011") == "000***********0011"
    assert mask_id_card("000000198507120019") == "000***********0019"


# ---------------------------------------------------------------- names and emails
@pytest.mark.parametrize("name, masked", [
    ("张伟", "张*"),
    ("张示例", "张**"),
    ("欧阳娜娜", "欧***"),
    ("Wang Demo", "W*** D***"),
    ("阿依古丽·买买提", "阿***·买**"),
    ("  李样本 ", "李**"),
    ("伟", "*"),
])
def test_mask_name(name, masked):
    assert mask_name(name) == masked


def test_mask_name_refuses_an_empty_name():
    with pytest.raises(ValueError, match="empty"):
        mask_name("  ")


@pytest.mark.parametrize("address, masked", [
    ("zhang.wei@example.com", "z***@example.com"),
    ("a@example.cn", "a***@example.cn"),
    ("li.yangben@mail.example.org", "l***@mail.example.org"),
])
def test_mask_email_keeps_the_first_character_and_the_domain(address, masked):
    assert mask_email(address) == masked


@pytest.mark.parametrize("address", ["zhang.wei", "zhang@", "@example.com", "a@b", "a b@c.cn"])
def test_mask_email_refuses_what_is_not_an_address(address):
    with pytest.raises(ValueError) as err:
        mask_email(address)
    assert repr(address) in str(err.value)


# ---------------------------------------------------------------- extracts
def _extract() -> pd.DataFrame:
    return pd.DataFrame({
        "customer_id": ["X01", "X02", "X03"],
        "contact_name": ["张示例", "Chen Placeholder", None],
        "mobile": ["+86 138 0000 0101", "139-0000-0202", None],
        "id_card": ["000000198507120016", None, "00000019900318002x"],
        "email": ["zhang.shili@example.com", None, "li@example.cn"],
        "city": ["Hangzhou", "Chengdu", "Wuhan"],
        "last_order_cny": [128_000.0, 36_500.0, 54_000.0],
    }, index=pd.Index([10, 20, 30], name="row"))


RULES_OK = {"contact_name": "name", "mobile": "phone", "email": "email", "id_card": "drop"}


def test_mask_extract_masks_drops_and_keeps_by_rule():
    out = mask_extract(_extract(), RULES_OK)
    assert list(out.columns) == ["customer_id", "contact_name", "mobile", "email", "city",
                                 "last_order_cny"]
    assert out["contact_name"].tolist()[:2] == ["张**", "C*** P**********"]
    assert out["mobile"].tolist()[:2] == ["138****0101", "139****0202"]
    assert out["email"].tolist()[0] == "z***@example.com"
    # missing values stay missing, never become the text "None" or "nan"
    assert out["contact_name"].isna().tolist() == [False, False, True]
    assert out["email"].isna().tolist() == [False, True, False]
    # columns without a rule are untouched, values and types
    pd.testing.assert_series_equal(out["city"], _extract()["city"])
    pd.testing.assert_series_equal(out["last_order_cny"], _extract()["last_order_cny"])
    assert out.index.equals(_extract().index)
    assert find_unmasked(out).empty


def test_mask_extract_never_changes_its_input():
    extract = _extract()
    mask_extract(extract, RULES_OK | {"city": "keep"})
    pd.testing.assert_frame_equal(extract, _extract())


def test_mask_extract_accepts_a_function_and_keep():
    out = mask_extract(_extract(), {"city": lambda s: s[:2] + "…", "mobile": "keep",
                                    "id_card": "id_card"})
    assert out["city"].tolist() == ["Ha…", "Ch…", "Wu…"]
    assert out["mobile"].equals(_extract()["mobile"])
    assert out["id_card"].tolist()[2] == "000***********002X"


def test_mask_extract_errors_name_the_column_row_and_value():
    with pytest.raises(KeyError, match="no column 'phone'.*customer_id, contact_name"):
        mask_extract(_extract(), {"phone": "phone"})
    with pytest.raises(ValueError, match="unknown rule 'hide' for column 'mobile'.*keep, drop"):
        mask_extract(_extract(), {"mobile": "hide"})
    with pytest.raises(ValueError) as err:
        mask_extract(_extract(), {"city": "phone"})  # a phone rule on a column of cities
    assert "column 'city', row 10: mask_phone: 'Hangzhou'" in str(err.value)


def test_rules_are_named_as_documented():
    assert set(RULES) == {"phone", "id_card", "name", "email", "keep", "drop"}


# ---------------------------------------------------------------- the check before sharing
def test_find_unmasked_reports_column_kind_count_and_first_row_without_values():
    extract = _extract().assign(notes=["", "call 139 0000 0202 after 5 pm", "vip"])
    report = find_unmasked(extract)
    assert list(report.columns) == ["column", "looks_like", "values", "first_row"]
    assert report.to_dict("records") == [
        # mobile: two written numbers (one with +86 and spaces, one with dashes); row 30 empty
        {"column": "mobile", "looks_like": "mobile number", "values": 2, "first_row": 10},
        # id_card: rows 10 and 30 (lowercase x)
        {"column": "id_card", "looks_like": "resident ID number", "values": 2,
         "first_row": 10},
        {"column": "email", "looks_like": "email address", "values": 2, "first_row": 10},
        # a number typed into free text, in the second row
        {"column": "notes", "looks_like": "mobile number", "values": 1, "first_row": 20},
    ]
    assert "0202" not in report.to_string()  # the report never shows the values


def test_find_unmasked_reads_numbers_stored_as_numbers():
    table = pd.DataFrame({"phone": [13800000101, 15000000303], "amount": [128000, 36500]})
    assert find_unmasked(table)[["column", "values"]].values.tolist() == [["phone", 2]]


def test_find_unmasked_leaves_ordinary_columns_alone():
    # ids, amounts, dates, masked values and other long numbers are not personal data forms
    table = pd.DataFrame({
        "customer_id": ["C01", "C02"],
        "amount": [12345678901.0, 60000.0],     # eleven digits, but not starting 13-19
        "signed_on": pd.to_datetime(["2026-03-31", "2026-06-30"]),
        "order_no": ["SO-2026-000123", "20260630000001"],   # 14 digits
        "masked_phone": ["138****0101", "199****0202"],
        "masked_id": ["000***********0016", "000***********002X"],
        "masked_email": ["z***@example.com", None],
        "longer": ["1380000010112", "no"],      # 13 digits: not a mobile number
    })
    assert find_unmasked(table).empty


def test_find_unmasked_on_an_empty_table():
    assert find_unmasked(pd.DataFrame()).empty
    assert find_unmasked(pd.DataFrame({"a": [None, np.nan]})).empty


def test_find_unmasked_does_not_change_the_table():
    extract = _extract()
    find_unmasked(extract)
    pd.testing.assert_frame_equal(extract, _extract())


def test_docstring_examples_hold():
    # the module docstring's examples, as a plain test
    assert mask_phone("138 0000 0101") == "138****0101"
    assert mask_name("张伟") == "张*"
    assert re.fullmatch(r"z\*{3}@example\.com", mask_email("zhang.wei@example.com"))
