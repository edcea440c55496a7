"""The default sender: each copy as `{letter_id}.pdf` in the outbox folder
(`NOTIFICATIONS_LETTER_OUTBOX_DIR`, default `$SSP_DATA_DIR/letter-outbox`), from where the
letters are printed and posted. A copy already there is left as it is (no duplicate).

The folder is the platform's until print takes a letter away: an erased person's copies still
there are discarded (issue 18)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from services.notifications.application.sending import LetterCopy, SendFailed
from shared.contracts.letter_tasks import SendChannel


class OutboxSender:
    channel: SendChannel = "outbox"

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    async def send(self, copies: Sequence[LetterCopy]) -> None:
        await asyncio.to_thread(self._write_all, copies)

    def path_of(self, letter_id: str) -> Path:
        return self.directory / f"{letter_id}.pdf"

    def discard(self, task_id: str) -> int:
        """Every copy of the task's letter (`{task_id}-{n}.pdf`) still in the folder."""
        discarded = 0
        for copy in self.directory.glob(f"{task_id}-*.pdf"):
            with contextlib.suppress(FileNotFoundError):
                copy.unlink()
                discarded += 1
        return discarded

    def _write_all(self, copies: Sequence[LetterCopy]) -> None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            for copy in copies:
                self._write_once(copy)
        except OSError as error:
            raise SendFailed(f"outbox {self.directory}: {error.strerror}") from None

    def _write_once(self, copy: LetterCopy) -> None:
        target = self.path_of(copy.letter_id)
        if target.exists():
            return
        # Written whole under a temporary name, then linked into place: a reader never sees
        # half a letter, and of two writers at once only one links (the other finds it there).
        handle, temporary = tempfile.mkstemp(dir=self.directory, suffix=".part")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(copy.pdf)
                file.flush()
                os.fsync(file.fileno())
            with contextlib.suppress(FileExistsError):
                os.link(temporary, target)
        finally:
            os.unlink(temporary)
