import pytest

from portal.credentials import dea_is_valid, luhn_check_digit, npi_is_valid


@pytest.mark.parametrize("npi", ["1234567893", "1245319599", " 1234567893 "])
def test_valid_npis_pass(npi):
    assert npi_is_valid(npi)


@pytest.mark.parametrize(
    "npi", ["1234567890", "123456789", "12345678931", "abcdefghij", "", "1234-56789"]
)
def test_wrong_npis_fail(npi):
    assert not npi_is_valid(npi)


def test_check_digit_uses_the_80840_prefix():
    assert luhn_check_digit("80840" + "123456789") == 3


@pytest.mark.parametrize("number", ["AP5836727", "ap5836727", "BJ1234563", "M91234563"])
def test_valid_dea_numbers_pass(number):
    assert dea_is_valid(number)


@pytest.mark.parametrize("number", ["AP5836728", "A15836727", "AP583672", "1P5836727", ""])
def test_wrong_dea_numbers_fail(number):
    assert not dea_is_valid(number)
