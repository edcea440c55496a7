from __future__ import annotations

from pathlib import Path

import pytest

from services.notifications.settings import NotificationsSettings
from tests.unit.notifications.factories import FakeClock


@pytest.fixture
def settings(tmp_path: Path) -> NotificationsSettings:
    return NotificationsSettings(SSP_DATABASE_URL="memory", SSP_DATA_DIR=str(tmp_path))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()
