"""Where each service's CPU goes: its real handler on its real SQLite store, without a broker.

    uv run --no-sync python -m bench.handlers [--incidents 2000] [--profile triage]

Feeds the police incidents through intake's handler, intake's published messages through
triage's, and triage's through notifications', in batches like the inbox gives them, and
prints milliseconds per message for each service. `--profile <service>` prints the hottest
functions of that service's handler (cProfile). Complements `bench.pipeline`, which measures
the whole platform on the broker.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import tempfile
import time
from collections.abc import Callable, Sequence
from typing import Any

from shared.messaging.inbound import NOTIFICATION_ID_HEADER, ORIGIN_HEADER, Inbound
from shared.runtime import ServiceDefinition
from ssp_platform.samples import sample_incident


def _definition(name: str) -> ServiceDefinition:
    from ssp_platform.registry import definition_factory

    return definition_factory(name)()


def _published(definition: ServiceDefinition, app: Any, after: int) -> tuple[list[Inbound], int]:
    """What the service's relay would publish since notification `after`, as inbound records."""
    publications = definition.publications
    messages: list[Inbound] = []
    last = after
    while True:
        batch = app.recorder.select_notifications(start=last, limit=1000, inclusive_of_start=False)
        if not batch:
            return messages, last
        for notification in batch:
            event = app.mapper.to_domain_event(notification)
            for outgoing in publications(event):
                messages.append(
                    Inbound(
                        topic=definition.settings.topic(outgoing.topic),
                        partition=0,
                        offset=len(messages),
                        key=outgoing.key.encode(),
                        value=outgoing.body(),
                        headers={
                            ORIGIN_HEADER: definition.name,
                            NOTIFICATION_ID_HEADER: str(notification.id),
                        },
                    )
                )
        last = batch[-1].id


def _run(
    handler: Callable[[Sequence[Inbound]], None],
    messages: list[Inbound],
    batch: int,
    profile: bool,
) -> float:
    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    for i in range(0, len(messages), batch):
        chunk = messages[i : i + batch]
        if profiler:
            profiler.enable()
        handler(chunk)
        if profiler:
            profiler.disable()
    elapsed = time.perf_counter() - started
    if profiler:
        stats = pstats.Stats(profiler).sort_stats(os.environ.get("PROFILE_SORT", "tottime"))
        stats.print_stats(int(os.environ.get("PROFILE_LINES", "25")))
        if os.environ.get("PROFILE_CALLERS"):
            stats.print_callers(os.environ["PROFILE_CALLERS"])
    return elapsed


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--profile", default="")
    args = parser.parse_args(argv)
    os.environ.setdefault("SSP_DATA_DIR", tempfile.mkdtemp(prefix="ssp-handlers-"))
    os.environ.setdefault("SSP_LOG_LEVEL", "WARNING")
    from shared.settings import PlatformSettings
    from ssp_platform.platform import tune_garbage_collection

    # As `ssp up` / `ssp run` do once started.
    tune_garbage_collection(PlatformSettings().gc_young_threshold)
    police_topic = None
    messages: list[Inbound] = []
    everything: list[Inbound] = []
    for name in ("intake", "triage", "notifications", "reporting"):
        definition = _definition(name)
        app = definition.app_factory()
        assert definition.handler_factory is not None
        handler = definition.handler_factory(app)
        if name == "intake":
            police_topic = definition.settings.topic(definition.consumes[0])
            messages = [
                Inbound(
                    topic=police_topic,
                    partition=0,
                    offset=i,
                    key=None,
                    value=json.dumps(sample_incident(i, age=14, seed=i)).encode(),
                )
                for i in range(args.incidents)
            ]
        if name == "reporting":
            consumed = {definition.settings.topic(t) for t in definition.consumes}
            messages = [m for m in everything if m.topic in consumed]
        elapsed = _run(handler, messages, args.batch, args.profile == name)
        print(
            f"{name:14s} {len(messages):6d} messages  {elapsed * 1000 / len(messages):6.2f} ms/msg"
            f"  ({len(messages) / elapsed:,.0f} msg/s)"
        )
        if name == "reporting":
            _project(app, args.profile == "projection")
            break
        messages, _ = _published(definition, app, 0)
        everything += messages
        messages = [m for m in messages if not m.topic.endswith(("rejected.v1",))]


def _project(app: Any, profile: bool) -> None:
    """Reporting's second step: its read models from its own log."""
    from services.reporting.bootstrap import build_read_side
    from services.reporting.settings import ReportingSettings

    projection, _ = build_read_side(ReportingSettings(), app)
    profiler = cProfile.Profile() if profile else None
    if profiler:
        profiler.enable()
    started = time.perf_counter()
    events = projection.catch_up()
    elapsed = time.perf_counter() - started
    if profiler:
        profiler.disable()
        stats = pstats.Stats(profiler).sort_stats(os.environ.get("PROFILE_SORT", "tottime"))
        stats.print_stats(int(os.environ.get("PROFILE_LINES", "25")))
    print(
        f"{'projection':14s} {events:6d} events    {elapsed * 1000 / max(events, 1):6.2f} ms/event"
        f"  ({events / elapsed:,.0f} events/s)"
    )


if __name__ == "__main__":
    main()
