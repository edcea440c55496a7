"""What reporting publishes for each stored event: nothing but its dead letters (its output
is the read models behind its HTTP API)."""

from __future__ import annotations

from typing import Any

from shared.messaging.dead_letters import dead_letter_publications
from shared.messaging.outgoing import Outgoing


def reporting_publications(event: Any) -> list[Outgoing]:
    return dead_letter_publications(event)
