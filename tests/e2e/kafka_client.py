"""A librdkafka client (confluent-kafka), as an outside system would use."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from confluent_kafka import Consumer, Producer


def produce(bootstrap: str, topic: str, items: list[tuple[str, dict[str, Any] | bytes]]) -> None:
    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 5})
    for key, value in items:
        body = value if isinstance(value, bytes) else json.dumps(value).encode()
        producer.produce(topic, value=body, key=key.encode())
        producer.poll(0)
    remaining = producer.flush(30)
    assert remaining == 0, f"{remaining} messages not delivered"


class TopicReader:
    """Reads topics from the beginning and keeps every record seen."""

    def __init__(self, bootstrap: str, topics: list[str]) -> None:
        self.consumer = Consumer(
            {
                "bootstrap.servers": bootstrap,
                "group.id": f"e2e-{uuid.uuid4().hex}",
                "auto.offset.reset": "earliest",
                "enable.auto.commit": False,
                "fetch.wait.max.ms": 10,
            }
        )
        self.consumer.subscribe(topics)
        self.records: list[tuple[str, bytes | None, bytes, dict[str, bytes]]] = []

    def poll_until(self, done: Any, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if done(self):
                return True
            message = self.consumer.poll(0.2)
            if message is None or message.error():
                continue
            headers = {k: v for k, v in (message.headers() or [])}
            self.records.append((message.topic(), message.key(), message.value(), headers))
        return bool(done(self))

    def values(self, topic_suffix: str) -> list[dict[str, Any]]:
        return [json.loads(v) for t, _, v, _ in self.records if t.endswith(topic_suffix)]

    def close(self) -> None:
        self.consumer.close()
