"""Out: routing decisions on ``ssp.triage.caseworker.v1`` / ``ssp.triage.tovholder.v1``
(contracts.md §4). One message per person in an incident, keyed by ``person_key``; a later
revised or handover decision replaces it (``revises_decision_id``).

The fields after ``decided_at`` extend §4 (docs/contracts.md): all optional with defaults, so a
decision without them still parses and old consumers ignore them.
"""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from pydantic import Field

from shared.contracts.assessments import AssessmentOutcome
from shared.contracts.common import (
    MAX_PLACE_NAME_CHARS,
    Code,
    ContractModel,
    Id,
    IdReference,
    IncidentJournalNumber,
    IncidentTime,
    JournalNumber,
    KeyPersonKey,
    PersonKey,
    ResidenceMunicipality,
    Revision,
    TeamName,
    Timestamp,
)
from shared.contracts.incidents import IncidentOffenceCode, IncidentRole, OffenceCode, Role
from shared.contracts.letter_kinds import LetterKind, Recipients

__all__ = [
    "CASE_OPENED_AFTER_ROUTING",
    "HISTORY_REPORTS_SHOWN",
    "MEETING_DECISION",
    "REVISION_CHANGED",
    "ROUTES",
    "SEVERITIES",
    "WORKFLOWS",
    "DecisionId",
    "DecisionKind",
    "DecisionOwnerTeam",
    "EarlierReport",
    "LetterPlan",
    "ReportHistory",
    "Route",
    "RoutingDecision",
    "Severity",
    "Workflow",
]

Route = Literal["caseworker", "tovholder"]
Workflow = Literal["minor", "adult"]
Severity = Literal["low", "medium", "high"]
DecisionKind = Literal["initial", "revised", "handover"]

PersonWorkflow = Annotated[
    Workflow, Field(description="minor (under 18) | adult (18-25).", examples=["minor"])
]
"""The workflow a person's age puts them in."""

DecisionId = Annotated[Id, Field(examples=["0b8e4f8e-3c1e-4f7a-9d51-2f3b7a1c9e20"])]
"""The id of a routing decision: on the decision and on the messages that name it."""

DecisionOwnerTeam = Annotated[
    TeamName | None, Field(default=None, examples=["SSP-medarbejder distrikt nord", None])
]
"""The team that owns a routing decision, where the municipality profile has one; the
decision's letter task carries it on."""

ROUTES: tuple[Route, ...] = get_args(Route)
WORKFLOWS: tuple[Workflow, ...] = get_args(Workflow)
SEVERITIES: tuple[Severity, ...] = get_args(Severity)

#: Reason on a decision that replaces an earlier one because a higher revision changed it.
REVISION_CHANGED = "revision_changed"
#: Reason on a handover decision: a case was opened after the person was routed to the
#: tovholder, so the caseworker takes over.
CASE_OPENED_AFTER_ROUTING = "case_opened_after_routing"

#: Reason on a decision revised at the weekly meeting (a person changed the route or the
#: owner); `decided_by` names who.
MEETING_DECISION = "meeting_decision"

#: A decision lists at most this many earlier reports (the most recent); `earlier_reports`
#: still counts them all.
HISTORY_REPORTS_SHOWN = 20


class EarlierReport(ContractModel):
    """One earlier police report about the person: codes and dates, no names and no free text."""

    journal_number: JournalNumber = Field(
        description="Journal number of the earlier incident.", examples=["3700-80123-00311-26"]
    )
    occurred_at: Timestamp = Field(
        description="When the earlier incident happened.", examples=["2026-09-02T17:10:00+02:00"]
    )
    role: Role = Field(description="The person's role in it.", examples=["antruffet"])
    offence_code: OffenceCode = Field(description="Its offence category.", examples=["haervaerk"])


class ReportHistory(ContractModel):
    """The person's history at decision time, from triage's own store."""

    earlier_reports: int = Field(
        ge=0,
        description="Distinct earlier incidents (other journal numbers that happened before "
        "this one).",
        examples=[1],
    )
    reports_in_window: int = Field(
        ge=1,
        description="Reports within the profile's repeat window up to this one, this one included.",
        examples=[2],
    )
    window_days: int = Field(ge=1, description="The profile's repeat window.", examples=[180])
    repeat_threshold: int = Field(
        ge=2,
        description="Reports within the window that make a repeat (profile).",
        examples=[3],
    )
    repeat: bool = Field(
        description="reports_in_window >= repeat_threshold, counting only the roles the "
        "profile's repeat rule names (default sigtet and antruffet: a victim's reports are "
        "listed but never make a repeat); the reasons then include repeat_within_window and "
        "the severity was raised.",
        examples=[False],
    )
    reports: list[EarlierReport] = Field(
        default_factory=list,
        description="The earlier reports, most recent first (at most 20).",
        examples=[
            [
                {
                    "journal_number": "3700-80123-00311-26",
                    "occurred_at": "2026-09-02T17:10:00+02:00",
                    "role": "antruffet",
                    "offence_code": "haervaerk",
                }
            ]
        ],
    )


class LetterPlan(ContractModel):
    """The letter a decision calls for once its assessment (if any) is known: its kind and
    who receives it, by the municipality profile's recipients table and the person's role."""

    assessment: AssessmentOutcome | None = Field(
        description="The caseworker's assessment outcome this letter follows (`inform`, "
        "`summon`); null for the tovholder's letter, due at once.",
        examples=["inform"],
    )
    kind: LetterKind = Field(description="The letter's kind.", examples=["orientering"])
    recipients: Recipients = Field(description="Who receives it.")


class RoutingDecision(ContractModel):
    """Where one person of an incident was routed, and why."""

    decision_id: DecisionId = Field(description="Unique id of this decision.")
    journal_number: IncidentJournalNumber
    revision: Revision = Field(description="Revision of the incident decided on.")
    person_key: KeyPersonKey
    municipality_code: ResidenceMunicipality
    route: Route = Field(
        description="caseworker when the person has an active case at decision time, else "
        "tovholder.",
        examples=["tovholder"],
    )
    workflow: PersonWorkflow
    age_at_incident: int = Field(
        description="Age in full years on the date of occurred_at.", examples=[14]
    )
    role: IncidentRole
    offence_code: IncidentOffenceCode
    severity: Severity = Field(description="Assessed severity.", examples=["low"])
    reasons: list[Code] = Field(
        description="Machine-readable codes of the rules that fired.",
        examples=[["no_active_case"]],
    )
    case_id: IdReference | None = Field(
        default=None,
        description="The active case when route is caseworker, else null.",
        examples=[None, "DUBU-2026-001234"],
    )
    occurred_at: IncidentTime
    decided_at: Timestamp = Field(
        description="When the decision was made.", examples=["2026-11-16T08:12:03+01:00"]
    )
    owner_role: Code | None = Field(
        default=None,
        description="Role that owns the decision and its letter task, from the municipality "
        "profile: tovholder (the SSP coordinator, whatever its local title) | caseworker | "
        "team_leader | police_ssp_coordinator | exit_coordinator. Null on decisions made before "
        "profiles existed.",
        examples=["tovholder"],
    )
    owner_team: DecisionOwnerTeam = Field(
        description="The owning team where the profile has one: the district team of the "
        "person's school (e.g. Herning's district SSP workers) or the team of the active case."
    )
    due_at: Timestamp | None = Field(
        default=None,
        description="Deadline for informing the parents (or the young adult): the incident's "
        "reported_at plus the profile's service deadline for this route and severity.",
        examples=["2026-11-23T08:12:00+01:00"],
    )
    youth_letter_age: int | None = Field(
        default=None,
        ge=0,
        description="From this age the young person gets the letter too (profile; default 15).",
        examples=[15],
    )
    profile: Code | None = Field(
        default=None,
        description="The municipality profile applied: its code, or 'default' when the "
        "municipality has no profile of its own.",
        examples=["607", "default"],
    )
    district: str | None = Field(
        default=None,
        max_length=MAX_PLACE_NAME_CHARS,
        description="The person's district in the profile, from their school; null when unknown.",
        examples=["nord", None],
    )
    history: ReportHistory | None = Field(
        default=None,
        description="The person's earlier police reports as triage has seen them (codes and "
        "dates only), and whether this report makes a repeat within the profile's window.",
        examples=[
            {
                "earlier_reports": 1,
                "reports_in_window": 2,
                "window_days": 180,
                "repeat_threshold": 3,
                "repeat": False,
                "reports": [
                    {
                        "journal_number": "3700-80123-00311-26",
                        "occurred_at": "2026-09-02T17:10:00+02:00",
                        "role": "antruffet",
                        "offence_code": "haervaerk",
                    }
                ],
            }
        ],
    )
    co_registered_person_keys: list[PersonKey] = Field(
        default_factory=list,
        description="Pseudonyms of the other persons registered in the same incident, so "
        "reporting can show who appears together.",
        examples=[["pk_3c9d0e2f4a6b8c1d"]],
    )
    psp_ksp_handover: bool = Field(
        default=False,
        description="An adult (18-25) who was reported as a minor within the profile's repeat "
        "window, i.e. reached 18 with an open item: to be handed over from SSP to the PSP/KSP "
        "cooperation (seed 004); the reasons then include reached_18_with_open_item.",
        examples=[False],
    )
    letters: list[LetterPlan] | None = Field(
        default=None,
        description="The letters this decision calls for, one per assessment outcome (the "
        "tovholder's one letter has none): kind and recipients by the profile's recipients "
        "table (route x letter kind x age band x role) and the person's role (a victim's "
        "orientering is `orientering_forurettet`). Null on decisions made before it existed: "
        "the letter then follows the route and `youth_letter_age`.",
        examples=[None],
    )
    revises_decision_id: IdReference | None = Field(
        default=None,
        description="The decision this one replaces (same journal number and person): set on "
        "revised and handover decisions, null on initial ones.",
        examples=[None, "0b8e4f8e-3c1e-4f7a-9d51-2f3b7a1c9e20"],
    )
    decision_kind: DecisionKind = Field(
        default="initial",
        description="initial: the first decision for the person in the incident; revised: a "
        "higher revision changed route, role, offence, age, owner, severity or deadline, or the "
        "weekly meeting changed the route or owner (reason meeting_decision, with decided_by); "
        "handover: a case was opened after tovholder routing and the caseworker takes over "
        "(reason case_opened_after_routing). A revised or handover decision replaces the one "
        "named in revises_decision_id; a revision that changes nothing for a person publishes "
        "nothing.",
        examples=["initial"],
    )
    decided_by: str | None = Field(
        default=None,
        max_length=200,
        description="The user who took the decision (the `sub` of their token), for a decision "
        "revised at the weekly meeting (reason meeting_decision); null for decisions triage "
        "made by its rules.",
        examples=[None, "ssp-koordinator-607"],
    )
