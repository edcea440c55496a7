"""Triage's eventsourcing application: the active-case register and the routing decisions.
It holds pseudonyms and codes only, no CPR numbers or names."""

from __future__ import annotations

from shared.eventstore import ServiceApplication


class TriageApplication(ServiceApplication):
    name = "triage"
