"""Notifications' eventsourcing application: one letter-task case per person and incident.
It holds pseudonyms, codes and caseworker initials only, no CPR numbers, names or free text."""

from __future__ import annotations

from shared.eventstore import ServiceApplication


class NotificationsApplication(ServiceApplication):
    name = "notifications"
