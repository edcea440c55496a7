"""A warning or error repeated in a loop is logged a few times a minute, then counted."""

from __future__ import annotations

import logging

from shared.log_limits import RepeatedLogLimit


def _record(msg: str, level: int = logging.ERROR, name: str = "aiokafka") -> logging.LogRecord:
    return logging.LogRecord(name, level, __file__, 1, msg, ("x",), None)


def test_a_repeated_error_passes_limit_times_per_window_then_says_how_many_were_held() -> None:
    now = [0.0]
    limit = RepeatedLogLimit(limit=3, window_s=60, clock=lambda: now[0])
    passed = [limit.filter(_record("commit failed for %s")) for _ in range(1000)]
    assert passed.count(True) == 3
    now[0] = 61.0
    summary = _record("commit failed for %s")
    assert limit.filter(summary)
    assert summary.getMessage() == "commit failed for x [997 more like this in the last minute]"


def test_other_templates_loggers_and_info_lines_are_not_held_back() -> None:
    limit = RepeatedLogLimit(limit=1, window_s=60, clock=lambda: 0.0)
    assert limit.filter(_record("a %s"))
    assert not limit.filter(_record("a %s"))
    assert limit.filter(_record("b %s"))
    assert limit.filter(_record("a %s", name="faststream"))
    assert all(limit.filter(_record("a %s", level=logging.INFO)) for _ in range(100))
