"""GTIN check digits and ASINs, against an independent oracle and real identifiers."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shelfwise.catalog.identifiers import (
    gtin_check_digit,
    is_valid_asin,
    is_valid_gtin,
    normalize_asin,
    normalize_gtin,
)

DIGITS = "0123456789"
ASIN_CHARACTERS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def oracle_gtin_check(body: str) -> str:
    """GS1: weights 3 and 1 alternate leftwards from the digit next to the check digit."""
    weights = [3, 1] * len(body)
    total = sum(int(digit) * weight for digit, weight in zip(reversed(body), weights, strict=False))
    return str(-total % 10)


def oracle_isbn10_check(body: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(body, range(10, 1, -1), strict=True))
    check = -total % 11
    return "X" if check == 10 else str(check)


gtin_bodies = st.sampled_from([7, 11, 12, 13]).flatmap(
    lambda size: st.text(alphabet=DIGITS, min_size=size, max_size=size)
)
isbn_bodies = st.text(alphabet=DIGITS, min_size=9, max_size=9)


@given(body=gtin_bodies)
def test_any_gtin_body_with_its_check_digit_is_valid(body: str) -> None:
    assert gtin_check_digit(body) == int(oracle_gtin_check(body))
    assert is_valid_gtin(body + oracle_gtin_check(body))


@given(body=gtin_bodies, data=st.data())
def test_changing_any_single_gtin_digit_invalidates_it(body: str, data: st.DataObject) -> None:
    code = body + oracle_gtin_check(body)
    position = data.draw(st.integers(min_value=0, max_value=len(code) - 1), label="position")
    replacement = data.draw(st.sampled_from(DIGITS.replace(code[position], "")), label="digit")
    changed = code[:position] + replacement + code[position + 1 :]
    assert not is_valid_gtin(changed)


@given(code=st.text(alphabet=DIGITS, max_size=20).filter(lambda c: len(c) not in (8, 12, 13, 14)))
def test_digit_strings_of_other_lengths_are_not_gtins(code: str) -> None:
    assert not is_valid_gtin(code)


@given(body=isbn_bodies)
def test_any_isbn10_with_its_check_character_is_a_valid_asin(body: str) -> None:
    assert is_valid_asin(body + oracle_isbn10_check(body))


@given(body=isbn_bodies, data=st.data())
def test_changing_any_single_isbn10_character_invalidates_it(
    body: str, data: st.DataObject
) -> None:
    code = body + oracle_isbn10_check(body)
    position = data.draw(st.integers(min_value=0, max_value=9), label="position")
    alphabet = DIGITS + ("X" if position == 9 else "")
    replacement = data.draw(st.sampled_from(alphabet.replace(code[position], "")), label="char")
    changed = code[:position] + replacement + code[position + 1 :]
    assert not is_valid_asin(changed)


@given(tail=st.text(alphabet=ASIN_CHARACTERS, min_size=8, max_size=8))
def test_any_b0_asin_is_valid_in_either_case(tail: str) -> None:
    assert is_valid_asin("B0" + tail)
    assert is_valid_asin(normalize_asin(f"  b0{tail.lower()} "))


@pytest.mark.parametrize(
    "code",
    ["4006381333931", "036000291452", "96385074", "00012345600012", "5901234123457"],
    ids=["ean-13", "upc-a", "gtin-8", "gtin-14", "ean-13-gs1-example"],
)
def test_real_gtins_are_valid(code: str) -> None:
    assert is_valid_gtin(code)


def test_gtins_are_normalized_before_checking() -> None:
    assert normalize_gtin(" 400-6381 333931 ") == "4006381333931"


@pytest.mark.parametrize(
    "code",
    [
        "4006381333932",
        "036000291453",
        "96385075",
        "400638133393",
        "40063813339310",
        "",
        "400638133393a",
        "٤٠٠٦٣٨١٣٣٣٩٣١",
        "4006381333931\n",
    ],
    ids=[
        "ean-13-wrong-check",
        "upc-a-wrong-check",
        "gtin-8-wrong-check",
        "ean-13-missing-digit",
        "ean-13-extra-digit",
        "empty",
        "letter",
        "arabic-indic-digits",
        "trailing-newline",
    ],
)
def test_bad_gtins_are_invalid(code: str) -> None:
    assert not is_valid_gtin(code)


@pytest.mark.parametrize(
    "code",
    ["B07PGL2ZSL", "0306406152", "080442957X", "B000000000"],
    ids=["b0-asin", "isbn-10", "isbn-10-check-x", "b0-zeros"],
)
def test_real_asins_are_valid(code: str) -> None:
    assert is_valid_asin(code)


@pytest.mark.parametrize(
    "code",
    [
        "B07PGL2ZS",
        "B07PGL2ZSLX",
        "A07PGL2ZSL",
        "B17PGL2ZSL",
        "b07pgl2zsl",
        "0306406153",
        "030640615X",
        "X306406152",
        "B07PGL2ZSL\n",
        "0306406152\n",
        "",
    ],
    ids=[
        "too-short",
        "too-long",
        "not-b",
        "b1",
        "lower-case-unnormalized",
        "isbn-wrong-check",
        "isbn-wrong-x",
        "isbn-x-first",
        "trailing-newline",
        "isbn-trailing-newline",
        "empty",
    ],
)
def test_bad_asins_are_invalid(code: str) -> None:
    assert not is_valid_asin(code)
