"""The questions the read models answer: the weekly handover list, its aggregate counts, a
journal's trace, and who appears together with a person, each scoped to the caller by the
access policy (shared/auth/policy.py).

Scoping happens here, on every record, so no entry point can forget it: a row is returned only
when the policy lets the caller see it, and fields the caller may not see are emptied.

Over 400 lines because the four questions share that scoping, and keeping them together keeps
every read of the read models visibly scoped in one place."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from pydantic import BaseModel
from sqlalchemy import select

from services.reporting.adapters.views import tables
from services.reporting.adapters.views.reader import ViewReader
from services.reporting.application.access_policy import ReportingAction
from services.reporting.application.answers import NOTHING_KNOWN, Answer
from services.reporting.application.timeline import PersonTimelines
from services.reporting.domain.clocks import ClockGroup, ClockReadings, groups, readings_of
from services.reporting.domain.disclosure import DEFAULT_SMALLEST_SHOWN, protect
from services.reporting.domain.handover import LetterStatus, Route, TaskStatus, letter_status
from services.reporting.domain.weeks import IsoWeek
from services.reporting.domain.wording import describe
from shared.auth import DataKind, Principal, Resource, Visibility, decide
from shared.auth.withheld import withhold_social_services

OUT_OF_SCOPE_REASON = "age_out_of_scope"


class HandoverEntry(BaseModel):
    journal_number: str
    revision: int
    reported_at: str
    person_key: str
    role: str
    age_at_incident: int
    offence_code: str
    route: Route | None
    """None while triage has not routed an in-scope person yet, and for callers who may not
    see social services' involvement (the police)."""
    severity: str | None
    workflow: str | None
    owner_role: str | None
    letter_task_status: LetterStatus | None
    """None for callers who may not see social services' involvement."""
    letter_kind: str | None
    due_at: str | None
    reasons: list[str]
    decision_kind: str | None = None
    """initial, revised (a higher revision changed the decision) or handover (a case was
    opened after tovholder routing); None while not routed and for callers who may not see
    social services' involvement."""
    owner_team: str | None = None
    """The owning team the municipality profile names (e.g. a district SSP team)."""
    district: str | None = None
    """The person's district in the profile, from their school."""
    earlier_reports: int | None = None
    """Earlier police reports about the person when triage decided."""
    repeat: bool | None = None
    """The report made a repeat within the profile's window (severity raised)."""
    psp_ksp_handover: bool | None = None
    """An adult who reached 18 with an open item: to be handed over to PSP/KSP."""
    exit_referral: bool | None = None
    """Triage referred the person to the exit coordinator for this incident."""
    letter_waiver_reason: str | None = None
    """Issue 14, part 2: why a waived letter was waived (not_in_childs_interest,
    already_informed, police_informs); None for every other status and for callers who may
    not see social services' involvement."""
    clocks: ClockReadings | None = None
    """Issue 16: registration → intake → routed → letter sent or waived, in seconds; None for
    callers who may not see social services' involvement."""
    confirmed_in_revision: int | None = None
    """A later revision of the incident re-evaluated the person and left the decision
    unchanged: the latest such revision ("confirmed in revision 2"), so every revision leaves a
    current statement. None when the decision is the latest revision's own, or not routed."""
    # The decision's fields above are None while not routed, for decisions made before
    # municipality profiles, and (with exit_referral) for callers who may not see social
    # services' involvement.


class HandoverList(BaseModel):
    municipality_code: str
    iso_week: str
    persons: list[HandoverEntry]


class CountCell(BaseModel):
    value: str
    count: int | None
    """None when suppressed: fewer than `suppressed_below` persons (primary suppression), or
    hidden so that such a cell cannot be derived from the total and the other cells
    (secondary suppression; services/reporting/domain/disclosure.py)."""


class HandoverStatistics(BaseModel):
    """Aggregates only: for management and the district groups (no person keys). Each of the
    three tables adds up to `persons`; no suppressed cell can be derived from the rest."""

    municipality_code: str
    iso_week: str
    persons: int | None
    """The week's persons; None when the total itself is suppressed (fewer than
    `suppressed_below`, or the only way to protect a table's hidden cells)."""
    by_route: list[CountCell]
    by_severity: list[CountCell]
    by_offence: list[CountCell]
    suppressed_below: int = DEFAULT_SMALLEST_SHOWN
    """Counts below this are never shown (`REPORTING_STATISTICS_SMALLEST_SHOWN`)."""
    clocks: list[ClockGroup] = []
    """Issue 16: the routed persons per route, per severity and all together: p50/p90/max
    hours of each clock and the share of letters ended within the deadline. Suppressed with
    the tables (`domain/clocks.py` `groups`): a route's group only when `by_route` shows its
    count; the severity groups and the whole only when every route's and severity's group
    is shown; a clock's figures (and the share) in every shown group or in none."""


class TraceStep(BaseModel):
    at: str
    service: str
    step: str
    person_key: str | None
    revision: int | None
    detail: str
    trace_id: str | None
    text: str = ""
    """What happened, in Danish (the words of the person's timeline, issue 17)."""

    @classmethod
    def of(cls, stored: dict[str, Any]) -> TraceStep:
        step = cls.model_validate(stored)
        step.text = describe(step.step, stored.get("facts"), step.revision, step.detail)
        return step


class Trace(BaseModel):
    journal_number: str
    steps: list[TraceStep]
    clocks: dict[str, ClockReadings] = {}
    """Issue 16: each person's clocks (seconds), by person key, for the persons whose keys and
    social-services details the caller may see."""


TraceAnswer = Answer[Trace]
"""The caller may see the journal when they may see any person of it (their municipality)."""


class CoRegisteredIncident(BaseModel):
    journal_number: str
    reported_at: str
    role: str
    """The other person's role in the incident."""


class CoRegisteredPerson(BaseModel):
    person_key: str
    incidents: int
    """Incidents the two were registered in together."""
    last_reported_at: str
    together: list[CoRegisteredIncident]
    """Most recent first."""


class CoRegistrations(BaseModel):
    """Who a person was registered with in police reports, within the caller's municipalities:
    the group behind a group-level specific intervention."""

    person_key: str
    incidents: int
    """The person's incidents the caller may see."""
    persons: list[CoRegisteredPerson]
    """Most frequent first, then the most recent."""


CoRegistrationsAnswer = Answer[CoRegistrations]


class ReportingQueries:
    def __init__(self, reader: ViewReader, smallest_shown: int = DEFAULT_SMALLEST_SHOWN) -> None:
        self.reader = reader
        self.smallest_shown = smallest_shown
        self.timelines = PersonTimelines(reader)
        """One timeline per person (issue 17): application/timeline.py."""

    # --- unscoped: for the projection's tests and internal checks, never for a caller ---
    def handover(self, municipality_code: str, week: IsoWeek) -> HandoverList:
        return self._handover(municipality_code, week, None)

    def trace(self, journal_number: str) -> Trace | None:
        steps = self.reader.trace_steps(journal_number)
        if not steps:
            return None
        return Trace(
            journal_number=journal_number,
            steps=[TraceStep.of(step) for step in steps],
            clocks={
                str(row["person_key"]): readings_of(row)
                for row in self.reader.clock_facts(None, None, journal_number)
                if row["in_scope"]
            },
        )

    # --- scoped to the caller --------------------------------------------------------------
    def handover_for(
        self, principal: Principal, municipality_code: str, week: IsoWeek
    ) -> HandoverList:
        return self._handover(
            municipality_code, week, Visibility(principal, ReportingAction.READ_HANDOVER_LIST)
        )

    def _handover(
        self, municipality_code: str, week: IsoWeek, visibility: Visibility | None
    ) -> HandoverList:
        persons = [
            person
            for person in self.reader.persons_registered(municipality_code, str(week))
            if visibility is None or visibility.sees(_person_resource(municipality_code, person))
        ]
        tasks = self.reader.latest_tasks(p["journal_number"] for p in persons)
        clocks = {
            (row["journal_number"], row["person_key"]): readings_of(row)
            for row in self.reader.clock_facts(municipality_code, str(week), None)
        }
        entries = []
        for person in persons:
            key = (person["journal_number"], person["person_key"])
            entry = _entry(person, tasks.get(key))
            if person["in_scope"]:
                entry.clocks = clocks.get(key)
            resource = _person_resource(municipality_code, person)
            if visibility is not None and not visibility.sees(
                resource.with_kind(DataKind.SOCIAL_SERVICES)
            ):
                entry = _without_social_services(entry)
            entries.append(entry)
        return HandoverList(
            municipality_code=municipality_code, iso_week=str(week), persons=entries
        )

    def statistics(self, municipality_code: str, week: IsoWeek) -> HandoverStatistics:
        """The handover list's persons counted by the route, severity and offence its entries
        show (`_entry`'s rules), from counts the database groups; the clocks of the routed
        persons (one reading per person and journal, as the handover list shows them)."""
        clocks = {
            (row["journal_number"], row["person_key"]): (
                row["route"],
                row["severity"],
                readings_of(row),
            )
            for row in self.reader.clock_facts(municipality_code, str(week), None)
            if row["in_scope"] and row["route"] is not None
        }
        return weekly_statistics(
            municipality_code,
            str(week),
            self.reader.registration_counts(municipality_code, str(week)),
            clocks.values(),
            self.smallest_shown,
        )

    def trace_for(self, principal: Principal, journal_number: str) -> TraceAnswer:
        steps = self.reader.trace_steps(journal_number)
        if not steps:
            return NOTHING_KNOWN
        residence = self._residence_of_persons(journal_number)
        journal = Resource(municipalities=frozenset(residence.values()))
        decision = decide(principal, ReportingAction.READ_TRACE, journal)
        if not decision.allowed:
            return TraceAnswer(known=True, decision=decision)
        visibility = Visibility(principal, ReportingAction.READ_TRACE)
        shown: list[TraceStep] = []
        for step in steps:
            person_key = step["person_key"]
            resource = journal
            if person_key is not None:
                code = residence.get(person_key)
                resource = Resource(municipalities=frozenset({code} if code else ()))
            if not visibility.sees(resource):
                continue
            if person_key is not None and not visibility.sees(
                resource.with_kind(DataKind.PSEUDONYM)
            ):
                step = {**step, "person_key": None}
            shown.append(TraceStep.of(step))
        clocks = {
            str(row["person_key"]): readings_of(row)
            for row in self.reader.clock_facts(None, None, journal_number)
            if row["in_scope"]
            and visibility.sees(Resource.of(str(row["municipality_code"]), kind=DataKind.PSEUDONYM))
            and visibility.sees(
                Resource.of(str(row["municipality_code"]), kind=DataKind.SOCIAL_SERVICES)
            )
        }
        trace = Trace(journal_number=journal_number, steps=shown, clocks=clocks)
        return TraceAnswer(True, decision, trace)

    def co_registered_for(self, principal: Principal, person_key: str) -> CoRegistrationsAnswer:
        """Every other person registered in an incident with the person. Only incidents where
        the person lives in the caller's municipalities count, and only others who do too are
        named: the caller learns nothing of another municipality's residents."""
        rows = self.reader.registrations_with_others(person_key)
        if not rows:
            return NOTHING_KNOWN
        residence = Resource(municipalities=frozenset(r["municipality_code"] for r in rows))
        decision = decide(principal, ReportingAction.READ_CO_REGISTRATIONS, residence)
        if not decision.allowed:
            return CoRegistrationsAnswer(known=True, decision=decision)
        visibility = Visibility(principal, ReportingAction.READ_CO_REGISTRATIONS)
        journals: set[str] = set()
        together: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            if not visibility.sees(Resource.of(row["municipality_code"])):
                continue
            journals.add(row["journal_number"])
            other = row["other_person_key"]
            if other is None or not visibility.sees(Resource.of(row["other_municipality_code"])):
                continue
            together.setdefault(other, []).append(row)
        persons = [_co_registered(key, shared) for key, shared in together.items()]
        persons.sort(key=lambda p: p.person.person_key)
        persons.sort(key=lambda p: p.last_reported_at_utc, reverse=True)
        persons.sort(key=lambda p: p.person.incidents, reverse=True)
        return CoRegistrationsAnswer(
            known=True,
            decision=decision,
            found=CoRegistrations(
                person_key=person_key,
                incidents=len(journals),
                persons=[p.person for p in persons],
            ),
        )

    def _residence_of_persons(self, journal_number: str) -> dict[str, str]:
        """person key → municipality of residence, for the journal's latest revision."""
        p = tables.incident_persons
        statement = select(p.c.person_key, p.c.municipality_code).where(
            p.c.journal_number == journal_number
        )
        with self.reader.engine.connect() as conn:
            return {str(key): str(code) for key, code in conn.execute(statement)}


def _person_resource(municipality_code: str, person: dict[str, Any]) -> Resource:
    # A person without a school on record is seen by no school representative (fails closed).
    return Resource.of(municipality_code, school=person.get("school"))


@dataclass(frozen=True)
class _Ranked:
    person: CoRegisteredPerson
    last_reported_at_utc: str


def _co_registered(person_key: str, rows: list[dict[str, Any]]) -> _Ranked:
    # rows come in time order; one row per incident (a person appears once per journal).
    latest_first = sorted(rows, key=lambda r: str(r["reported_at_utc"]), reverse=True)
    return _Ranked(
        CoRegisteredPerson(
            person_key=person_key,
            incidents=len(latest_first),
            last_reported_at=latest_first[0]["reported_at"],
            together=[
                CoRegisteredIncident(
                    journal_number=r["journal_number"],
                    reported_at=r["reported_at"],
                    role=r["other_role"],
                )
                for r in latest_first
            ],
        ),
        str(latest_first[0]["reported_at_utc"]),
    )


def _without_social_services(entry: HandoverEntry) -> HandoverEntry:
    # The one list of what reveals social services' involvement (shared with triage's view).
    emptied = withhold_social_services(entry.model_dump())
    if entry.route == "out_of_scope":  # the age scope is the police's own information
        emptied.update(route="out_of_scope", reasons=[OUT_OF_SCOPE_REASON])
    return HandoverEntry.model_validate(emptied)


def _entry(person: dict[str, Any], task: dict[str, Any] | None) -> HandoverEntry:
    route: Route | None = person["route"]
    reasons: list[str] = list(person["reasons"] or [])
    if not person["in_scope"]:
        route, reasons = "out_of_scope", [OUT_OF_SCOPE_REASON]
    task_status = cast(TaskStatus, task["status"]) if task else None
    decided = person["in_scope"] and person["decision_revision"] is not None
    owner_role = person.get("owner_role") if decided else None
    if owner_role is None and route in ("caseworker", "tovholder"):
        # A decision made before municipality profiles names no owner: its route does.
        owner_role = route
    return HandoverEntry(
        journal_number=person["journal_number"],
        revision=max(person["incident_revision"], person["decision_revision"] or 0),
        reported_at=person["reported_at"],
        person_key=person["person_key"],
        role=person["role"],
        age_at_incident=person["age_at_incident"],
        offence_code=person["offence_code"],
        route=route,
        severity=person["severity"] if person["in_scope"] else None,
        workflow=person["workflow"] if person["in_scope"] else None,
        owner_role=owner_role,
        letter_task_status=letter_status(route, task_status),
        letter_kind=task["kind"] if task else None,
        letter_waiver_reason=task.get("waiver_reason") if task else None,
        due_at=task["due_at"] if task else None,
        reasons=reasons,
        decision_kind=person.get("decision_kind") if person["in_scope"] else None,
        owner_team=person.get("owner_team") if decided else None,
        district=person.get("district") if decided else None,
        earlier_reports=person.get("earlier_reports") if decided else None,
        repeat=person.get("repeat_in_window") if decided else None,
        psp_ksp_handover=bool(person.get("psp_ksp_handover")) if decided else None,
        exit_referral=person.get("exit_referral_id") is not None,
        confirmed_in_revision=_confirmed_in(person) if decided else None,
    )


def _confirmed_in(person: dict[str, Any]) -> int | None:
    """The revision that confirmed the person's current decision, if any (a confirmation of a
    decision since replaced does not count)."""
    confirmed = person.get("confirmed_revision")
    if (
        confirmed is None
        or person.get("confirmed_decision_id") != person.get("decision_id")
        or confirmed <= (person["decision_revision"] or 0)
    ):
        return None
    return int(confirmed)


LINKED_PARTS = {
    "route": {
        "caseworker": "routed",
        "tovholder": "routed",
        "not_routed": "not_routed",
        "out_of_scope": "not_routed",
    },
    "severity": {
        "low": "routed",
        "medium": "routed",
        "high": "routed",
        "not_assessed": "not_routed",
    },
}
"""The route and severity tables are linked: a routed person carries a severity, the others
are not assessed (caseworker + tovholder = low + medium + high; not_routed + out_of_scope =
not_assessed), so they are protected together (`protect`'s parts)."""


def weekly_statistics(
    municipality_code: str,
    iso_week: str,
    counts: Iterable[tuple[bool, str | None, str | None, str, int]],
    clock_rows: Iterable[tuple[str, str | None, ClockReadings]],
    smallest_shown: int,
) -> HandoverStatistics:
    """The statistics response from the week's counts per (in scope, route, severity,
    offence) and the routed persons' (route, severity, clocks): the three tables protected
    together (`domain/disclosure.py`), and the clock groups suppressed with them
    (`domain/clocks.py`), so nothing hidden in one can be read from the other."""
    routes: Counter[str] = Counter()
    severities: Counter[str] = Counter()
    offences: Counter[str] = Counter()
    for in_scope, route, severity, offence, count in counts:
        routes[(route or "not_routed") if in_scope else "out_of_scope"] += count
        severities[(severity or "not_assessed") if in_scope else "not_assessed"] += count
        offences[offence] += count
    protected = protect(
        {"route": routes, "severity": severities, "offence": offences},
        routes.total(),
        smallest_shown,
        LINKED_PARTS,
    )

    def cells(name: str) -> list[CountCell]:
        return [
            CountCell(value=value, count=count) for value, count in protected.tables[name].cells
        ]

    routed = [
        (route, severity or "not_assessed", reading) for route, severity, reading in clock_rows
    ]
    return HandoverStatistics(
        municipality_code=municipality_code,
        iso_week=iso_week,
        persons=protected.total,
        by_route=cells("route"),
        by_severity=cells("severity"),
        by_offence=cells("offence"),
        suppressed_below=smallest_shown,
        clocks=groups(routed, protected, smallest_shown),
    )
