"""The trace id of a received message, from its W3C `traceparent` header."""

from __future__ import annotations

import re
from collections.abc import Mapping

_TRACEPARENT = re.compile(r"[0-9a-f]{2}-(?P<trace_id>[0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}")
_INVALID_TRACE_ID = "0" * 32


def trace_id_from_headers(headers: Mapping[str, str]) -> str | None:
    value = headers.get("traceparent", "").strip().lower()
    match = _TRACEPARENT.match(value)
    if match is None or match["trace_id"] == _INVALID_TRACE_ID:
        return None
    return match["trace_id"]
