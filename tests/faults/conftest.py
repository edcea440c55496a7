"""The fault suite prints its counts at the end of the run, whatever pytest captured."""

from __future__ import annotations

import pytest

from tests.faults.support import COUNTS, INCIDENTS


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not COUNTS:
        return
    terminalreporter.section(f"fault suite counts ({INCIDENTS} incidents per test)")
    for test, counts in COUNTS.items():
        terminalreporter.line(f"{test}: " + ", ".join(f"{k}={v}" for k, v in counts.items()))
