"""Intake's eventsourcing application: the encrypted store of incidents, identities and
rejected input."""

from __future__ import annotations

from shared.eventstore import ServiceApplication


class IntakeApplication(ServiceApplication):
    name = "intake"
