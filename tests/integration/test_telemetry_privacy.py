"""Operable without leaking: a few incidents through intake, triage and notifications on the
real broker, every span recorded and every service's /metrics read. Each service reports its
own service.name; the metrics count what happened; and no span attribute, span name, event or
metric label carries a person key, a CPR number or a name."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from shared import telemetry
from shared.auth import AuthSettings, mint_development_token
from shared.settings import PlatformSettings
from shared.telemetry import add_span_processor
from ssp_platform.broker import EmbeddedBroker
from ssp_platform.platform import start_platform, stop_platform
from tests.integration.platform_env import eventually, use_platform_env
from tests.support import example

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

CPR_LIKE = re.compile(r"(?<![0-9A-Za-z])\d{6}-?\d{4}(?![0-9A-Za-z])")


def _span_texts(span: ReadableSpan) -> list[str]:
    texts = [span.name]
    texts += [f"{k}={v}" for k, v in (span.attributes or {}).items()]
    for event in span.events:
        texts.append(event.name)
        texts += [f"{k}={v}" for k, v in (event.attributes or {}).items()]
    return texts


async def test_spans_and_metrics_name_their_service_and_no_person(
    embedded_broker: EmbeddedBroker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(telemetry, "_exporting", False)  # back to "no exporter" afterwards
    spans = InMemorySpanExporter()
    add_span_processor(SimpleSpanProcessor(spans))
    prefix = use_platform_env(monkeypatch, embedded_broker, tmp_path, None)
    names = ["intake", "triage", "notifications", "reporting"]
    platform = await start_platform(names, PlatformSettings())
    urls = {s.name: s.http_url for s in platform.services}
    dev = AuthSettings()
    police = {
        "Authorization": "Bearer "
        + mint_development_token(dev, role="police_integration", scopes=["incidents:write"])
    }
    tovholder = {
        "Authorization": "Bearer "
        + mint_development_token(dev, role="tovholder", municipalities=["607"]),
        "X-Purpose": "telemetry test",
    }
    incidents = []
    for i in range(3):
        incident = example("incident-valid.json")
        incident["journal_number"] = f"3700-80123-0045{i}-26"
        incidents.append(incident)
    producer = AIOKafkaProducer(bootstrap_servers=embedded_broker.bootstrap_servers, acks="all")
    await producer.start()
    try:
        # two by HTTP, one on the police topic
        async with httpx.AsyncClient() as client:
            for incident in incidents[:2]:
                response = await client.post(
                    f"{urls['intake']}/v1/incidents",
                    content=json.dumps(incident).encode(),
                    headers=police,
                )
                assert response.status_code == 202
            await producer.send_and_wait(
                prefix + "ssp.police.incidents.v1",
                json.dumps(incidents[2]).encode(),
                key=incidents[2]["journal_number"].encode(),
            )

            async def letter_tasks() -> list[dict[str, Any]]:
                r = await client.get(
                    f"{urls['notifications']}/v1/letter-tasks",
                    params={"municipality_code": "607"},
                    headers=tovholder,
                )
                tasks: list[dict[str, Any]] = r.json().get("tasks", r.json())
                return tasks if len(tasks) >= 6 else []

            tasks = await eventually(letter_tasks)
            assert len(tasks) == 6, tasks
            for person_key in {task["person_key"] for task in tasks}:  # a person key in a path
                await client.get(
                    f"{urls['reporting']}/v1/persons/{person_key}/co-registered",
                    headers=tovholder,
                )
            metrics = {name: (await client.get(f"{urls[name]}/metrics")).text for name in names}
    finally:
        await producer.stop()
        await stop_platform(platform)
        finished = spans.get_finished_spans()
        spans.shutdown()  # the providers keep the processor; a shut-down exporter keeps nothing

    service_names = {span.resource.attributes.get("service.name") for span in finished}
    assert {"ssp-intake", "ssp-triage", "ssp-notifications", "ssp-reporting"} <= service_names
    consumers = [
        (span.name.split(" ")[0], span.resource.attributes["service.name"])
        for span in finished
        if span.name.endswith(f" process {prefix}ssp.intake.incidents.v1")
    ]
    assert {service for service, _ in consumers} == {"triage", "reporting"}
    assert all(name == f"ssp-{service}" for service, name in consumers)

    topic = re.escape(f"{prefix}ssp.intake.incidents.v1")
    processed = rf'ssp_messages_processed_total{{[^}}]*topic="{topic}"[^}}]*}} 3\.0'
    assert re.search(processed, metrics["triage"])
    assert "ssp_handler_duration_seconds_count" in metrics["notifications"]
    assert "ssp_consumer_lag" in metrics["notifications"]
    assert 'service_name="ssp-notifications"' in metrics["notifications"]

    person_keys = {task["person_key"] for task in tasks}
    assert len(person_keys) == 2
    forbidden = set(person_keys)
    for incident in incidents:
        for person in incident["persons"]:
            forbidden |= {person["cpr"], person["cpr"].replace("-", ""), person["name"]}
            forbidden |= set(person["name"].split())
    texts = [text for span in finished for text in _span_texts(span)]
    texts += [line for body in metrics.values() for line in body.splitlines()]
    leaks = [text for text in texts if any(secret in text for secret in forbidden)]
    assert leaks == []
    assert [text for text in texts if CPR_LIKE.search(text)] == []
