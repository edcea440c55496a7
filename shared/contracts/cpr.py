"""CPR numbers: normalisation, birth date and age (contracts.md §1).

Rules: ten ASCII digits, optionally with a hyphen after the sixth. The first six are a real
calendar date DDMMYY; the century follows from the 7th digit as the CPR office defines it:

- 0-3: 1900-1999
- 4 and 9: 2000-2036 when YY <= 36, else 1937-1999
- 5-8: 2000-2057 when YY <= 57, else 1858-1899

Modulus 11 is *not* checked (CPR numbers issued since 2007 need not satisfy it).

Error messages never contain the number itself, so they are safe to log and to return.
"""

from __future__ import annotations

import re
from datetime import date

__all__ = [
    "CPR_PATTERN",
    "InvalidCpr",
    "age_on",
    "birth_date",
    "contains_cpr_like_number",
    "is_valid_cpr",
    "mask_cpr_like_numbers",
    "normalise_cpr",
    "turns_18_on",
]

#: Accepted input shape (JSON Schema / ECMA semantics: ASCII digits only).
CPR_PATTERN = r"^[0-9]{6}-?[0-9]{4}$"
_CPR_RE = re.compile(r"[0-9]{6}-?[0-9]{4}", re.ASCII)
#: Ten digits, optionally split 6+4 by a hyphen, a space or a dot, not part of a longer number:
#: what a CPR number looks like inside a text (date validity is not asked: a mistyped number
#: is still personal data in the wrong place).
_CPR_LIKE_IN_TEXT = re.compile(r"(?<![0-9])[0-9]{6}[-. ]?[0-9]{4}(?![0-9])", re.ASCII)


class InvalidCpr(ValueError):
    """A CPR number that breaks the contract. ``code`` is machine-readable; the message never
    contains the number."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _century(seventh: int, yy: int) -> int:
    if seventh <= 3:
        return 1900
    if seventh in (4, 9):
        return 2000 if yy <= 36 else 1900
    return 2000 if yy <= 57 else 1800


def _parse(cpr: str) -> tuple[str, date]:
    if not isinstance(cpr, str) or _CPR_RE.fullmatch(cpr.strip()) is None:
        raise InvalidCpr(
            "cpr_format", "CPR number must be ten digits, optionally with a hyphen after the sixth"
        )
    digits = cpr.strip().replace("-", "")
    day, month, yy, seventh = int(digits[0:2]), int(digits[2:4]), int(digits[4:6]), int(digits[6])
    try:
        born = date(_century(seventh, yy) + yy, month, day)
    except ValueError:
        raise InvalidCpr(
            "cpr_date",
            "the first six digits of the CPR number must be a real calendar date DDMMYY "
            "in the century given by the seventh digit",
        ) from None
    return digits, born


def contains_cpr_like_number(text: str) -> bool:
    """Whether ``text`` holds something shaped like a CPR number (see ``_CPR_LIKE_IN_TEXT``)."""
    return _CPR_LIKE_IN_TEXT.search(text) is not None


def mask_cpr_like_numbers(text: str, mask: str = "[cpr]") -> str:
    """``text`` with everything shaped like a CPR number replaced by ``mask``."""
    return _CPR_LIKE_IN_TEXT.sub(mask, text)


def normalise_cpr(cpr: str) -> str:
    """Return the CPR number as ten digits without hyphen; raise :class:`InvalidCpr`."""
    return _parse(cpr)[0]


def is_valid_cpr(cpr: str) -> bool:
    try:
        _parse(cpr)
    except InvalidCpr:
        return False
    return True


def birth_date(cpr: str) -> date:
    """Birth date encoded in the CPR number (with or without hyphen)."""
    return _parse(cpr)[1]


def age_on(cpr: str, day: date) -> int:
    """Age in full years on ``day``. A person born on 29 February becomes a year older on
    1 March in non-leap years. Negative when ``day`` is before the birth date."""
    born = birth_date(cpr)
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def turns_18_on(born: date) -> date:
    """The 18th birthday of someone born on `born`; born on 29 February: 1 March (as
    `age_on` counts)."""
    try:
        return born.replace(year=born.year + 18)
    except ValueError:
        return date(born.year + 18, 3, 1)
