"""The joined-pattern phone validity check answers as libphonenumber's ``is_valid_number`` does."""

from __future__ import annotations

import random

import phonenumbers
import pytest

from collector.detect.phone_validity import is_valid_national, is_valid_number

CALLING_CODES = (49, 33, 34, 39, 31, 43, 32, 48, 44, 1, 7, 41, 45, 46, 47, 351, 352, 353, 358, 420, 800, 882)
"""The shop's regions, calling codes shared by several regions (+1, +7, +39, +44) and non-geographic ones."""


def _numbers(seed: int, count: int):
    rng = random.Random(seed)
    for _ in range(count):
        length = rng.randint(2, 14)
        national = rng.choice("0123456789") + "".join(rng.choice("0123456789") for _ in range(length - 1))
        zeros = len(national) - len(national.lstrip("0"))
        yield phonenumbers.PhoneNumber(country_code=rng.choice(CALLING_CODES), national_number=int(national),
                                       italian_leading_zero=zeros > 0 or None,
                                       number_of_leading_zeros=zeros if zeros > 1 else None)


@pytest.mark.parametrize("seed", range(4))
def test_random_numbers_get_libphonenumbers_answer(seed: int) -> None:
    numbers = list(_numbers(seed, 5_000))
    assert [is_valid_number(n) for n in numbers] == [phonenumbers.is_valid_number(n) for n in numbers]


@pytest.mark.parametrize("text,region", [("+49 30 12345678", None), ("+33 6 12 34 56 78", None),
                                         ("030 1234567", "DE"), ("06 12 34 56 78", "FR"), ("+39 06 1234 5678", None),
                                         ("+39 333 123 4567", None), ("612 345 678", "ES"), ("+48 512 345 678", None),
                                         ("+31 20 123 4567", None), ("+43 1 234567", None), ("+32 2 123 45 67", None)])
def test_real_shapes_get_libphonenumbers_answer(text: str, region: str | None) -> None:
    number = phonenumbers.parse(text, region)
    assert is_valid_number(number) == phonenumbers.is_valid_number(number)


def test_valid_numbers_are_found_valid() -> None:
    """The random table above is mostly invalid numbers; each region's own example numbers are valid."""
    examples = [phonenumbers.example_number_for_type(region, kind) for region in ("DE", "FR", "ES", "NL", "AT", "PL")
                for kind in (phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.MOBILE,
                             phonenumbers.PhoneNumberType.TOLL_FREE)]
    assert all(is_valid_number(n) for n in examples if n is not None) and len(examples) == 18


@pytest.mark.parametrize("seed", range(4))
def test_the_digits_as_written_get_libphonenumbers_answer(seed: int) -> None:
    """``is_valid_national`` reads the national digits as written; where it answers, it answers as libphonenumber."""
    numbers = list(_numbers(seed + 10, 5_000))
    answers = [(is_valid_national(n.country_code, phonenumbers.national_significant_number(n)),
                phonenumbers.is_valid_number(n)) for n in numbers]
    answered = [(ours, theirs) for ours, theirs in answers if ours is not None]
    assert len(answered) > len(numbers) // 2 and all(ours == theirs for ours, theirs in answered)
    assert any(theirs for _, theirs in answered)  # some valid ones among them, not only refusals
