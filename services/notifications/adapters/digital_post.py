"""The Digital Post sender shape (issue 16, part 3; docs/digital-post.md): each copy is POSTed
to `{base_url}/v1/messages` with the header `Idempotency-Key: {letter_id}`, so the national
channel's gateway delivers it once however often it is sent. A 503 (or 502/504, or a broken
connection) is retried with a growing pause; 409 means the gateway already has it (sent).
Other answers fail the send, and nothing is recorded as sent. The platform keeps no copy: an
erased person's letters delivered are the recipient system's (nothing to discard)."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Sequence

import httpx

from services.notifications.application.sending import LetterCopy, SendFailed
from shared.contracts.letter_tasks import SendChannel

RETRIED = frozenset({502, 503, 504})


class DigitalPostSender:
    channel: SendChannel = "digital_post"

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        attempts: int = 5,
        first_pause_s: float = 0.5,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.attempts = attempts
        self.first_pause_s = first_pause_s
        self.transport = transport

    async def send(self, copies: Sequence[LetterCopy]) -> None:
        async with httpx.AsyncClient(
            base_url=self.base_url, timeout=30, transport=self.transport
        ) as client:
            for copy in copies:
                await self._send_one(client, copy)

    def discard(self, task_id: str) -> int:
        return 0  # delivered copies are Digital Post's; the platform holds none

    async def _send_one(self, client: httpx.AsyncClient, copy: LetterCopy) -> None:
        body = {
            "letter_id": copy.letter_id,
            "recipient": {"kind": copy.recipient, "address_lines": list(copy.addressee_lines)},
            "document": {
                "media_type": "application/pdf",
                "content_base64": base64.b64encode(copy.pdf).decode(),
            },
        }
        headers = {"Idempotency-Key": copy.letter_id, "Authorization": f"Bearer {self.api_key}"}
        pause = self.first_pause_s
        for attempt in range(1, self.attempts + 1):
            try:
                answer = await client.post("/v1/messages", json=body, headers=headers)
            except httpx.TransportError:
                status = None
            else:
                if answer.status_code in (200, 201, 202, 409):
                    return
                status = answer.status_code
                if status not in RETRIED:
                    raise SendFailed(f"Digital Post refused letter {copy.letter_id}: {status}")
            if attempt < self.attempts:
                await asyncio.sleep(pause)
                pause *= 2
        raise SendFailed(
            f"Digital Post did not take letter {copy.letter_id} in {self.attempts} attempts"
        )
