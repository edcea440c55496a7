"""Issue 16, part 3: the Digital Post sender against a fake gateway over real HTTP (a server on
an ephemeral port): a 503 is retried, and the same letter sent again is not delivered twice
(the idempotency key is the letter id)."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from services.notifications.adapters.digital_post import DigitalPostSender
from services.notifications.application.sending import LetterCopy, SendFailed
from services.notifications.domain.letter_task_case import LetterTaskCase
from services.notifications.settings import NotificationsSettings
from tests.unit.notifications.factories import JOURNAL, FakeClock, decision
from tests.unit.notifications.letters.support import in_store, letter_desk

TASK = str(LetterTaskCase.create_id(JOURNAL, "pk_a"))


class FakeGateway:
    """Answers 503 to the first `unavailable` requests, then delivers each idempotency key
    once (409 for a key it already has)."""

    def __init__(self, unavailable: int = 1) -> None:
        self.unavailable = unavailable
        self.requests: list[dict[str, Any]] = []
        self.delivered: dict[str, bytes] = {}
        self.lock = threading.Lock()

    def handle(self, headers: Any, body: bytes) -> int:
        with self.lock:
            document = json.loads(body)
            self.requests.append(
                {"key": headers["Idempotency-Key"], "auth": headers["Authorization"]}
            )
            if self.unavailable > 0:
                self.unavailable -= 1
                return 503
            key = headers["Idempotency-Key"]
            if key in self.delivered:
                return 409
            self.delivered[key] = base64.b64decode(document["document"]["content_base64"])
            return 202


@pytest.fixture
def gateway() -> Iterator[tuple[FakeGateway, str]]:
    fake = FakeGateway()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            status = fake.handle(self.headers, body) if self.path == "/v1/messages" else 404
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield fake, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def copy(letter_id: str = "t-1") -> LetterCopy:
    return LetterCopy(letter_id, "parents", ("Forældrene",), b"%PDF-1.7 test")


async def test_a_503_is_retried_and_the_letter_delivered_once(
    gateway: tuple[FakeGateway, str],
) -> None:
    fake, url = gateway
    sender = DigitalPostSender(url, "key", first_pause_s=0)
    await sender.send([copy()])
    assert [r["key"] for r in fake.requests] == ["t-1", "t-1"]  # 503, then delivered
    assert fake.requests[0]["auth"] == "Bearer key"
    assert fake.delivered == {"t-1": b"%PDF-1.7 test"}
    await sender.send([copy()])  # sent again (e.g. the recording was lost in a crash)
    assert fake.delivered == {"t-1": b"%PDF-1.7 test"}  # no duplicate


async def test_a_gateway_that_stays_down_fails_the_send(gateway: tuple[FakeGateway, str]) -> None:
    fake, url = gateway
    fake.unavailable = 10
    with pytest.raises(SendFailed):
        await DigitalPostSender(url, "key", attempts=3, first_pause_s=0).send([copy()])
    assert len(fake.requests) == 3 and fake.delivered == {}


async def test_a_task_sent_by_digital_post_ends_with_that_channel(
    gateway: tuple[FakeGateway, str],
    settings: NotificationsSettings,
    clock: FakeClock,
    tmp_path: Path,
) -> None:
    fake, url = gateway
    d = letter_desk(settings, clock, tmp_path, sender=DigitalPostSender(url, "k", first_pause_s=0))
    d.service.receive_decision(decision(age=16))
    sent = await d.desk.send(in_store, TASK, "Bearer t", "tovholder")
    assert (sent.event, sent.channel, sent.copies) == ("sent", "digital_post", 2)
    assert sorted(fake.delivered) == [f"{TASK}-1", f"{TASK}-2"]
    assert all(pdf.startswith(b"%PDF") for pdf in fake.delivered.values())
