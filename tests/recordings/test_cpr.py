"""The CPR check: real-looking numbers are refused, near misses pass."""

import pytest
from django.core.exceptions import ValidationError

from recordings.cpr import MASK, contains_cpr, mask_cpr, validate_no_cpr

REAL_LOOKING = [
    "010190-1234",
    "0101901234",
    "311299 1234",
    "010190–1234",  # en dash from a word processor
    "Borgeren oplyste 010190-1234 ved skranken",
    "cpr:0101901234.",
    "(311299-1234)",
    "150685-3217 og 020304-4125",
    "290200-4123",  # 29 Feb 2000: serial 4 and year 00 → 2000, a leap year
    "290296-1234",  # 29 Feb 1996
    "310164-0001",
    "010107-5987",  # serial 5, year 07 → 2007
]

NEAR_MISSES = [
    "12 34 56 78",  # phone number
    "+45 12 34 56 78",
    "12345678",  # eight-digit phone
    "12-05-2024",  # a date
    "12.05.2024 kl. 10",
    "320199-1234",  # day 32
    "011399-1234",  # month 13
    "000190-1234",  # day 0
    "310490-1234",  # 31 April
    "290201-1234",  # 29 Feb 2001
    "290200-1234",  # serial 1 → 1900, not a leap year
    "290258-5123",  # serial 5 and year 58 → 1858, not a leap year
    "123456789",  # 9 digits
    "01019012345",  # 11 digits
    "010190-12345",  # 11 digits with a hyphen
    "1010190-1234",  # 7 digits before the hyphen
    "010190 - 1234",  # spaced hyphen is not how CPR is written
    "UDH-2026-0042",  # case reference
    "Mødet 12/05 kl. 10.30, lokale 2034",
    "Beløb 1.234.567,00 kr.",
    "",
]


@pytest.mark.parametrize("text", REAL_LOOKING)
def test_real_looking_numbers_are_refused(text):
    assert contains_cpr(text)
    with pytest.raises(ValidationError) as info:
        validate_no_cpr(text)
    assert info.value.code == "cpr"
    assert "CPR-nummer" in str(info.value.messages[0])


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_near_misses_pass(text):
    assert not contains_cpr(text)
    validate_no_cpr(text)


def test_masking_removes_only_the_number_and_keeps_the_rest():
    typed = "Borgeren (010190-1234) har svært ved at huske. Ring 12 34 56 78."
    assert mask_cpr(typed) == f"Borgeren ({MASK}) har svært ved at huske. Ring 12 34 56 78."
    assert mask_cpr("0101901234 og 311299 1234") == f"{MASK} og {MASK}"
    assert mask_cpr("ingen numre her") == "ingen numre her"
    assert not contains_cpr(mask_cpr(typed))
