"""The sender port (issue 16, part 3): where a rendered letter goes. Two adapters implement
it: the outbox folder for print and post (`adapters/outbox_sender.py`, the default) and the
Digital Post shape (`adapters/digital_post.py`). Both are idempotent by letter id: sending the
same copy again changes nothing, so a send the platform could not record (a crash between
sending and recording) is simply repeated.

When a person is erased (issue 18) each sender discards the copies of their letters it still
holds in the platform's own hands: the outbox folder's files not yet taken to print. What was
handed over (printed and posted, or delivered by Digital Post) is the recipient system's."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from shared.contracts.letter_tasks import Recipient, SendChannel


@dataclass(frozen=True)
class LetterCopy:
    """One copy of one letter. `letter_id` is `{task_id}-{n}` (n from 1, in recipient order)."""

    letter_id: str
    recipient: Recipient
    addressee_lines: tuple[str, ...]
    pdf: bytes


class SendFailed(RuntimeError):
    """The channel did not take the letter (after its retries); nothing was recorded as sent."""


class LetterSender(Protocol):
    channel: SendChannel

    async def send(self, copies: Sequence[LetterCopy]) -> None:
        """Deliver every copy, or raise `SendFailed`. Idempotent by `letter_id`."""
        ...

    def discard(self, task_id: str) -> int:
        """Remove the copies of the task's letter the platform still holds (an erased
        person's); how many. Idempotent."""
        ...
