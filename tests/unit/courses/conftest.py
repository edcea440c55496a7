from __future__ import annotations

from pathlib import Path

import pytest

from services.courses.settings import CoursesSettings
from tests.unit.courses.factories import FakeClock


@pytest.fixture
def settings(tmp_path: Path) -> CoursesSettings:
    return CoursesSettings(SSP_DATABASE_URL="memory", SSP_DATA_DIR=str(tmp_path))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()
