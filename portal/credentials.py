"""Check digits of US provider identifiers: they catch typos and fakes, not lapsed registrations."""

from __future__ import annotations

import re

NPI_PREFIX = "80840"
_NPI = re.compile(r"^\d{10}$")
_DEA = re.compile(r"^[A-Z][A-Z9]\d{7}$")


def luhn_check_digit(digits: str) -> int:
    """The Luhn digit that makes `digits` + that digit pass."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return (10 - total % 10) % 10


def npi_is_valid(npi: str) -> bool:
    """A 10-digit NPI whose last digit is the Luhn digit over 80840 + the first nine."""
    npi = (npi or "").strip()
    if not _NPI.match(npi):
        return False
    return luhn_check_digit(NPI_PREFIX + npi[:9]) == int(npi[9])


def dea_is_valid(number: str) -> bool:
    """Two letters and seven digits, the last checking the others (DOMAIN.md)."""
    number = (number or "").strip().upper()
    if not _DEA.match(number):
        return False
    d = [int(c) for c in number[2:]]
    check = (d[0] + d[2] + d[4]) + 2 * (d[1] + d[3] + d[5])
    return check % 10 == d[6]


def npi_check(npi: str) -> bool | None:
    """True or False for the check digit, None when the clinic gave no NPI."""
    npi = (npi or "").strip()
    return npi_is_valid(npi) if npi else None
