"""The read-model tables. Everything here can be dropped and rebuilt from reporting's event
store; names are prefixed `reporting_` because they may share a PostgreSQL database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Boolean, Column, Integer, MetaData, String, Table, Text

metadata = MetaData()


def journal_number_column(**options: Any) -> Column[Any]:
    """A police journal number (`3700-80123-00456-26`), the same column in every table."""
    return Column("journal_number", String(19), **options)


def person_key_column(**options: Any) -> Column[Any]:
    """A person's pseudonym, the same column in every table."""
    return Column("person_key", String(200), **options)


def time_column(name: str, **options: Any) -> Column[Any]:
    """A moment as ISO 8601 text (local with its offset, or `..._utc`)."""
    return Column(name, String(40), **options)


position = Table(
    "reporting_projection_position",
    metadata,
    Column("name", String(50), primary_key=True),
    Column("notification_id", Integer, nullable=False),
)

trace_steps = Table(
    "reporting_trace_steps",
    metadata,
    # originator id and version of the stored event: applying it again overwrites itself.
    Column("step_id", String(80), primary_key=True),
    journal_number_column(nullable=False, index=True),
    Column("notification_id", Integer, nullable=False),
    time_column("at", nullable=False),
    time_column("at_utc", nullable=False),
    Column("service", String(50), nullable=False),
    Column("step", String(50), nullable=False),
    person_key_column(),
    Column("revision", Integer),
    Column("detail", Text, nullable=False),
    Column("trace_id", String(32)),
    # The step's facts (codes, dates, owners), for its Danish words (issue 17); a new column
    # rebuilds the views, so every step has them.
    Column("facts", JSON, nullable=True),
)

# One row per step and person it concerns (issue 17, part 1: one timeline per person): every
# step with a person key, and each person of a police report. Keyed by the step and the
# person, so applying a step again overwrites its rows.
person_timeline = Table(
    "reporting_person_timeline",
    metadata,
    Column("row_id", String(300), primary_key=True),
    person_key_column(nullable=False, index=True),
    Column("notification_id", Integer, nullable=False),
    time_column("at", nullable=False),
    time_column("at_utc", nullable=False),
    journal_number_column(nullable=True),
    Column("municipality_code", String(3), nullable=True),
    Column("school", String(200), nullable=True),
    Column("service", String(50), nullable=False),
    Column("step", String(50), nullable=False),
    Column("revision", Integer),
    Column("detail", Text, nullable=False),
    Column("facts", JSON, nullable=False),
)

incidents = Table(
    "reporting_incidents",
    metadata,
    journal_number_column(primary_key=True),
    Column("revision", Integer, nullable=False),
    time_column("reported_at", nullable=False),
    time_column("reported_at_utc", nullable=False),
    Column("iso_week", String(8), nullable=False, index=True),
    Column("offence_code", String(50), nullable=False),
    # When intake accepted the revision (issue 16's clocks); a new column rebuilds the views.
    time_column("accepted_at_utc", nullable=True),
)

incident_persons = Table(
    "reporting_incident_persons",
    metadata,
    journal_number_column(primary_key=True),
    # Indexed alone for "who appears together" (a person's incidents). Deployments get it with
    # the routings columns of the same release, which drop and rebuild every read model.
    person_key_column(primary_key=True, index=True),
    Column("revision", Integer, nullable=False),
    Column("position", Integer, nullable=False),
    Column("role", String(20), nullable=False),
    Column("municipality_code", String(3), nullable=False, index=True),
    Column("age_at_incident", Integer, nullable=False),
    Column("in_scope", Boolean, nullable=False),
    Column("school", String(200), nullable=True),
)

routings = Table(
    "reporting_routings",
    metadata,
    journal_number_column(primary_key=True),
    person_key_column(primary_key=True),
    Column("revision", Integer, nullable=False),
    Column("route", String(20), nullable=False),
    Column("workflow", String(20), nullable=False),
    Column("severity", String(20), nullable=False),
    Column("reasons", JSON, nullable=False),
    time_column("decided_at_utc", nullable=False),
    # Since revised and handover decisions (issue 4, parts 4-5); null for older decisions.
    Column("decision_id", String(200), nullable=True),
    Column("revises_decision_id", String(200), nullable=True),
    Column("decision_kind", String(20), nullable=True),
    # From the municipality profile and triage's history (issue 4, parts 1-3, 6); null for
    # decisions made before profiles.
    Column("owner_role", String(50), nullable=True),
    Column("owner_team", String(200), nullable=True),
    Column("district", String(100), nullable=True),
    Column("earlier_reports", Integer, nullable=True),
    Column("repeat_in_window", Boolean, nullable=True),
    Column("psp_ksp_handover", Boolean, nullable=True),
)

# One referral per person and incident (ssp.triage.exit-referrals.v1). Kept apart from the
# routing: the referral and its decision arrive on different topics in any order, and a later
# decision replaces the routing row. A deployment that gains this table has no referrals in
# its event store yet (reporting did not consume them before), so an empty table is correct.
exit_referrals = Table(
    "reporting_exit_referrals",
    metadata,
    journal_number_column(primary_key=True),
    person_key_column(primary_key=True),
    Column("referral_id", String(200), nullable=False),
    Column("revision", Integer, nullable=False),
    time_column("referred_at_utc", nullable=False),
)

# The revision that last confirmed a person's decision unchanged (ssp.triage.statements.v1,
# `decision_confirmed`; issue 14, part 7). Kept apart from the routing, like referrals: the
# statement and its decision arrive on different topics in any order. A deployment gaining the
# table has no confirmations in its store yet (triage did not publish them before).
confirmations = Table(
    "reporting_confirmations",
    metadata,
    journal_number_column(primary_key=True),
    person_key_column(primary_key=True),
    Column("revision", Integer, nullable=False),
    Column("decision_id", String(200), nullable=False),
)

# The concerns that do not come from the police, per young person (issue 15, part 5): the
# person's history beside their police reports. Codes and dates only (ssp.intake.concerns.v1).
# A deployment gaining the table has no concerns in its store yet (the topic is new).
person_concerns = Table(
    "reporting_person_concerns",
    metadata,
    Column("concern_id", String(100), primary_key=True),
    person_key_column(nullable=False, index=True),
    Column("municipality_code", String(3), nullable=False),
    Column("school", String(200), nullable=True),
    Column("category", String(30), nullable=False),
    Column("reporter_kind", String(30), nullable=False),
    time_column("registered_at", nullable=False),
    time_column("registered_at_utc", nullable=False),
    Column("iso_week", String(8), nullable=False),
)

letter_tasks = Table(
    "reporting_letter_tasks",
    metadata,
    Column("task_id", String(200), primary_key=True),
    journal_number_column(nullable=False, index=True),
    person_key_column(nullable=False),
    Column("kind", String(30), nullable=False),
    time_column("due_at", nullable=False),
    Column("status", String(20), nullable=False),
    time_column("status_at_utc", nullable=False),
    time_column("first_seen_at_utc", nullable=False),
    # The newest event's time: a task's deadline may change (`updated`, issue 4 parts 4-5).
    time_column("latest_at_utc", nullable=True),
    # Why a waived task was waived (issue 14, part 2); null for every other status.
    time_column("waiver_reason", nullable=True),
)
