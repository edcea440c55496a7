"""The console's pages in this process (`browser`), with the other services' APIs answered by
`platform` (a module overrides it with the answers its pages need)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.unit.console.fake_platform import FakePlatform, standard_platform
from tests.unit.console.test_console_pages import console, console_settings


@pytest.fixture
def platform() -> FakePlatform:
    return standard_platform()


@pytest.fixture
def browser(tmp_path: Path, platform: FakePlatform) -> Iterator[TestClient]:
    with console(console_settings(tmp_path), platform) as client:
        yield client
