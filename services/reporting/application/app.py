"""Reporting's eventsourcing application: what it observed, from which the read models are built."""

from __future__ import annotations

from shared.eventstore import ServiceApplication


class ReportingApplication(ServiceApplication):
    name = "reporting"
