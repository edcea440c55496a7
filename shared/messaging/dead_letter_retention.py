"""Dead letters have a deadline (issue 18, part 2): a step of every service's daily job
(shared/eventstore/daily_job.py, added by the runtime) that destroys the key of each dead
letter kept `SSP_RETENTION_DEAD_LETTER_DAYS` (default 30) or more days ago. Its original bytes
(sealed under that key, shared/messaging/dead_letters.py) are then unreadable in the store and
every backup; the erasure counts in the service's keyring (kind `dead_letter`, reason
`retention_deadline`), for `ssp erasure-report`.

One setting for every service: a dead letter is operations data, the same in each, kept only to
be diagnosed and replayed; the dead-letter topics are created with the same retention.

Dead letters kept before issue 18 (unsealed) cannot be made unreadable in an append-only store
and are left as they are (intake's are under its store key)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from shared.eventstore.application import ServiceApplication
from shared.eventstore.followed_log import FollowedLog
from shared.eventstore.ids import IdSpace
from shared.keys.keyring import PersonKeyring
from shared.messaging.dead_letters import KIND, DeadLetter, owner_of

_ERASURE_IDS = IdSpace("urn:ssp:dead-letter-erasures")
_TOPIC = f"{DeadLetter.Recorded.__module__}:{DeadLetter.Recorded.__qualname__}"


class SealedDeadLetters(FollowedLog):
    """The sealed dead letters whose key is not yet destroyed: id → when each was kept."""

    def __init__(self, app: ServiceApplication) -> None:
        super().__init__(app, topics=(_TOPIC,))
        self.kept_at: dict[UUID, datetime] = {}

    def apply(self, event: Any) -> None:
        if isinstance(event, DeadLetter.Recorded) and event.sealed is not None:
            self.kept_at[event.originator_id] = event.timestamp


class DeadLetterRetention:
    """The daily step: `{"dead_letter": how many keys it destroyed}`."""

    def __init__(self, app: ServiceApplication, keyring: PersonKeyring, days: int) -> None:
        self.keyring = keyring
        self.days = days
        self.letters = SealedDeadLetters(app)

    def due(self, now: datetime) -> list[UUID]:
        self.letters.catch_up()
        deadline = timedelta(days=self.days)
        return sorted(i for i, kept in self.letters.kept_at.items() if kept + deadline <= now)

    def __call__(self, now: datetime) -> dict[str, int]:
        erased = 0
        for letter_id in self.due(now):
            owner = owner_of(letter_id)
            if self.keyring.erasure_of(owner) is None:
                erasure_id = _ERASURE_IDS.text(f"{owner}|{now.isoformat()}")
                self.keyring.destroy(owner, erasure_id, KIND, "retention_deadline", now)
                erased += 1
            del self.letters.kept_at[letter_id]
        return {KIND: erased}
