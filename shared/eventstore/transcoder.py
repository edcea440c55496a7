"""The stored-event JSON encoder every service's transcoder uses."""

from __future__ import annotations

import json
from collections.abc import Callable
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from typing import Any


class StateEncoder(json.JSONEncoder):
    """eventsourcing's encoder (compact, UTF-8 kept), without its check for circular
    references: events are built from parsed JSON and values, never refer to themselves, and
    the JSON written is the same.

    `encode` calls the C encoder `JSONEncoder.encode` would build on every call, built once:
    the same encoder with the same arguments, so the same text. Together about a tenth of
    encoding a stored event, once or more per message in every service."""

    def __init__(self, default: Callable[[Any], Any]) -> None:
        super().__init__(
            default=default, separators=(",", ":"), ensure_ascii=False, check_circular=False
        )
        self._encode = (
            c_make_encoder(
                None,  # markers: no circular check
                default,
                encode_basestring,
                self.indent,
                self.key_separator,
                self.item_separator,
                self.sort_keys,
                self.skipkeys,
                self.allow_nan,
            )
            if c_make_encoder is not None
            else None
        )

    def encode(self, o: Any) -> str:
        if self._encode is None:
            return super().encode(o)
        return "".join(self._encode(o, 0))
