"""`parse_bytes` tries pydantic's JSON parser first; whatever the result, it must be the one the
general path (json.loads, then validation) gives, problems included."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from shared.contracts import ContractModel, PoliceIncident, parse_bytes
from shared.contracts.errors import parse_loaded

_EXAMPLE = (Path(__file__).parents[4] / "shared" / "examples" / "incident-valid.json").read_text()
_RAW = json.dumps(json.loads(_EXAMPLE))


def _with_revision(text: str) -> bytes:
    return _RAW.replace('"revision": 1', f'"revision": {text}').encode()


_CASES = {
    "valid": _RAW.encode(),
    "duplicate key": _with_revision('1, "revision": 2'),
    "lone surrogate": _RAW.replace('"journal_number"', '"x": "\\ud800", "journal_number"').encode(),
    "byte order mark": b"\xef\xbb\xbf" + _RAW.encode(),
    "not UTF-8": _RAW.encode().replace(b'"revision"', b'"revision\xff"'),
    "float for int": _with_revision("1.0"),
    "exponent for int": _with_revision("1e0"),
    "string for int": _with_revision('"1"'),
    "boolean for int": _with_revision("true"),
    "huge int": _with_revision("1" + "0" * 30),
    "NaN": _with_revision("NaN"),
    "Infinity": _with_revision("-Infinity"),
    "trailing blanks": (_RAW + " \n").encode(),
    "trailing garbage": (_RAW + "x").encode(),
    "two documents": (_RAW + _RAW).encode(),
    "array": f"[{_RAW}]".encode(),
    "empty": b"",
    "unknown field": _RAW.replace('"revision"', '"surplus": {"a": [1, 2]}, "revision"').encode(),
}


def test_the_cases_change_what_they_say() -> None:
    assert '"revision": 1' in _RAW
    assert len(set(_CASES.values())) == len(_CASES)


@pytest.mark.parametrize("raw", _CASES.values(), ids=_CASES.keys())
def test_both_paths_give_the_same_result(raw: bytes) -> None:
    assert parse_bytes(raw, PoliceIncident) == parse_loaded(raw, PoliceIncident)


class _Measurement(ContractModel):
    value: float
    anything: Any = None


@pytest.mark.parametrize(
    "raw",
    [
        b'{"value": NaN}',
        b'{"value": Infinity}',
        b'{"value": 1.5, "anything": -Infinity}',
        b'{"value": 1.5, "anything": {"x": NaN}}',
    ],
)
def test_nan_and_infinity_are_refused_as_not_json(raw: bytes) -> None:
    # pydantic's own parser would take them for floats; the contract's JSON has no such values.
    value, problems = parse_bytes(raw, _Measurement)
    assert value is None
    assert [p.code for p in problems] == ["invalid_json"]
