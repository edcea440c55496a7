"""The trace context a message's events store is what the propagators write for its span,
whatever the headers it came with."""

from __future__ import annotations

import pytest
from opentelemetry import propagate

from shared import telemetry
from shared.messaging.inbound import Inbound
from shared.telemetry import current_trace_context

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
SPAN_ID = "00f067aa0ba902b7"

_TRACEPARENTS = [
    f"00-{TRACE_ID}-{SPAN_ID}-01",
    f"00-{TRACE_ID}-{SPAN_ID}-00",
    f"00-{TRACE_ID}-{SPAN_ID}-03",
    f"00-{TRACE_ID}-{SPAN_ID}-ff",
    f"00-{'f' * 32}-{'f' * 16}-01",
    f"00-{'0' * 31}1-{'0' * 15}1-01",
    f"00-{TRACE_ID.upper()}-{SPAN_ID}-01",
    f"00-{'0' * 32}-{SPAN_ID}-01",
    f"01-{TRACE_ID}-{SPAN_ID}-01",
    f"00-{TRACE_ID}-{SPAN_ID}-0x",
    "",
]


@pytest.mark.parametrize("traceparent", [*_TRACEPARENTS, None])
@pytest.mark.parametrize("tracestate", [None, "vendor=value"])
@pytest.mark.parametrize("baggage", [None, "k=v"])
def test_the_stored_context_is_what_the_propagators_write(
    monkeypatch: pytest.MonkeyPatch,
    traceparent: str | None,
    tracestate: str | None,
    baggage: str | None,
) -> None:
    monkeypatch.setattr(telemetry, "_last_injected", None)
    headers = {"ssp-origin": "intake"}
    for name, value in (("traceparent", traceparent), ("tracestate", tracestate)):
        if value is not None:
            headers[name] = value
    if baggage is not None:
        headers["baggage"] = baggage
    message = Inbound(topic="t", partition=0, offset=1, key=None, value=b"", headers=headers)
    with message.processing_span("svc"):
        expected: dict[str, str] = {}
        propagate.inject(expected)
        first = current_trace_context()
        assert first == expected
        first["traceparent"] = "changed"  # each event gets its own copy
        assert current_trace_context() == expected
