"""Aggregates whose events remember the trace they were caused in.

The outbox relay publishes an event long after (and in another task than) the request or
message that caused it; restoring the stored context keeps one trace across every hop.
"""

from __future__ import annotations

from typing import Any, Self

from eventsourcing.domain import Aggregate

from shared.telemetry import current_trace_context


class TracedAggregate(Aggregate):
    class Event(Aggregate.Event):
        trace_context: dict[str, str]

    class Created(Event, Aggregate.Created):
        pass

    @classmethod
    def _create(cls, event_class: Any, **kwargs: Any) -> Self:
        """`trace_context`: the one a caller already has (copied: each event has its own), or
        None or absent for the current one."""
        given = kwargs.get("trace_context")
        kwargs["trace_context"] = current_trace_context() if given is None else dict(given)
        return super()._create(event_class, **kwargs)

    def trigger_event(self, event_class: Any, **kwargs: Any) -> None:
        if "trace_context" not in kwargs:
            kwargs["trace_context"] = current_trace_context()
        super().trigger_event(event_class, **kwargs)
