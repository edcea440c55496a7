"""The official list of Danish municipality codes."""

from __future__ import annotations

from shared.contracts.common import MUNICIPALITY_CODE_PATTERN
from shared.contracts.municipalities import MUNICIPALITIES, is_municipality_code


def test_there_are_98_municipalities_with_three_digit_codes() -> None:
    import re

    assert len(MUNICIPALITIES) == 98
    assert all(re.fullmatch(MUNICIPALITY_CODE_PATTERN, code) for code in MUNICIPALITIES)
    assert len(set(MUNICIPALITIES.values())) == 98


def test_known_codes() -> None:
    expected = {
        "101": "København",
        "147": "Frederiksberg",
        "161": "Glostrup",
        "376": "Guldborgsund",
        "400": "Bornholm",
        "461": "Odense",
        "492": "Ærø",
        "575": "Vejen",
        "607": "Fredericia",
        "657": "Herning",
        "751": "Aarhus",
        "825": "Læsø",
        "851": "Aalborg",
        "860": "Hjørring",
    }
    assert {code: MUNICIPALITIES[code] for code in expected} == expected


def test_codes_that_are_no_municipality() -> None:
    # Christiansø (411) is administered by the state; 999 and the pre-2007 codes are gone.
    for code in ("411", "999", "000", "185 ", "6O7", "401", "665x"):
        assert not is_municipality_code(code)
