from __future__ import annotations

from pathlib import Path

import pytest

from services.triage.settings import TriageSettings


@pytest.fixture
def settings(tmp_path: Path) -> TriageSettings:
    return TriageSettings(SSP_DATABASE_URL="memory", SSP_DATA_DIR=str(tmp_path))
