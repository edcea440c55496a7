from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from shared.contracts import IncidentPerson, InvalidCpr, age_on, birth_date, normalise_cpr
from shared.contracts.errors import describe_validation_error


@pytest.mark.parametrize(
    ("cpr", "born"),
    [
        # 7th digit 0-3: 1900s
        ("010100-0001", date(1900, 1, 1)),
        ("311299-3001", date(1999, 12, 31)),
        ("150550-2001", date(1950, 5, 15)),
        # 4 and 9: 2000-2036, else 1937-1999
        ("010136-4001", date(2036, 1, 1)),
        ("010137-4001", date(1937, 1, 1)),
        ("010100-9001", date(2000, 1, 1)),
        ("010199-9001", date(1999, 1, 1)),
        # 5-8: 2000-2057, else 1858-1899
        ("010157-5001", date(2057, 1, 1)),
        ("010158-5001", date(1858, 1, 1)),
        ("010120-6001", date(2020, 1, 1)),
        ("010199-8001", date(1899, 1, 1)),
        ("0101577001", date(2057, 1, 1)),
        # 29 February in leap years
        ("290200-4001", date(2000, 2, 29)),
        ("290204-1001", date(1904, 2, 29)),
        ("290296-9001", date(1996, 2, 29)),
        ("290260-5001", date(1860, 2, 29)),
        ("290208-4001", date(2008, 2, 29)),
    ],
)
def test_birth_date_and_century(cpr: str, born: date) -> None:
    assert birth_date(cpr) == born
    assert normalise_cpr(cpr) == cpr.replace("-", "")


@pytest.mark.parametrize(
    "cpr",
    [
        "290200-0001",  # 1900 is not a leap year
        "290201-4001",  # 2001
        "290258-5001",  # 1858
        "290297-9001",  # 1997
        "320110-1001",
        "001210-1001",
        "011310-1001",
        "010010-1001",
        "310499-1001",  # 31 April
        "310299-1234",  # 31 February
    ],
)
def test_impossible_dates_are_rejected(cpr: str) -> None:
    with pytest.raises(InvalidCpr) as info:
        normalise_cpr(cpr)
    assert info.value.code == "cpr_date"
    assert cpr not in str(info.value) and cpr.replace("-", "") not in str(info.value)


@pytest.mark.parametrize(
    "cpr",
    [
        "",
        "120310412",
        "12031041234",
        "120310 4123",
        "120310--4123",
        "1203-104123",
        "12031O4123",
        "١٢٠٣١٠٤١٢٣",  # Arabic-Indic digits
    ],
)
def test_malformed_numbers_are_rejected(cpr: str) -> None:
    with pytest.raises(InvalidCpr) as info:
        normalise_cpr(cpr)
    assert info.value.code == "cpr_format"


def test_modulus_11_is_not_required() -> None:
    assert normalise_cpr("120310-4124") == "1203104124"


@pytest.mark.parametrize(
    ("cpr", "day", "age"),
    [
        ("120310-4123", date(2026, 3, 11), 15),
        ("120310-4123", date(2026, 3, 12), 16),
        ("290208-4001", date(2026, 2, 28), 17),
        ("290208-4001", date(2026, 3, 1), 18),
        ("290208-4001", date(2028, 2, 29), 20),
        ("120310-4123", date(2010, 3, 12), 0),
        ("120310-4123", date(2010, 3, 11), -1),
    ],
)
def test_age_on_counts_full_years(cpr: str, day: date, age: int) -> None:
    assert age_on(cpr, day) == age


def _person(cpr: object) -> dict[str, object]:
    return {"cpr": cpr, "role": "sigtet", "municipality_code": "607"}


def test_person_normalises_cpr() -> None:
    assert IncidentPerson.model_validate(_person("120310-4123")).cpr == "1203104123"


@settings(max_examples=200, deadline=None)
@given(st.from_regex(r"[0-9-]{6,12}", fullmatch=True))
def test_cpr_problems_never_contain_the_input(value: str) -> None:
    try:
        IncidentPerson.model_validate(_person(value))
    except ValidationError as exc:
        assert value not in str(exc)
        for problem in describe_validation_error(exc):
            assert value not in problem.message
            assert problem.field == "cpr"
