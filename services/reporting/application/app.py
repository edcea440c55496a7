"""Reporting's eventsourcing application: what it observed, from which the read models are built."""

from __future__ import annotations

import json

from eventsourcing.persistence import JSONTranscoder, Transcoder

from shared.eventstore import ServiceApplication


class ReportingApplication(ServiceApplication):
    name = "reporting"

    def construct_transcoder(self) -> Transcoder:
        transcoder = super().construct_transcoder()
        if isinstance(transcoder, JSONTranscoder):
            # The library's encoder, without its check for circular references, a tenth of
            # encoding a step (one per message): events are built from parsed JSON and never
            # refer to themselves, and the JSON written is the same.
            transcoder.encoder = json.JSONEncoder(
                default=transcoder._encode_obj,
                separators=(",", ":"),
                ensure_ascii=False,
                check_circular=False,
            )
        return transcoder
