from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support import EXAMPLES


@pytest.fixture
def valid_incident_bytes() -> bytes:
    return (EXAMPLES / "incident-valid.json").read_bytes()


@pytest.fixture
def invalid_incident_bytes() -> bytes:
    return (EXAMPLES / "incident-invalid.json").read_bytes()


@pytest.fixture
def incident_doc(valid_incident_bytes: bytes) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(valid_incident_bytes)
    return doc
