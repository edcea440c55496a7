"""Triage's use cases: keep the active-case register, and route each in-scope person of a new
incident revision to the caseworker or the tovholder stream (contracts.md §4), by the profile of
their municipality and in the light of their earlier reports (issue 4, parts 1-3); revise or
withdraw decisions when a higher revision changes them (part 4) and hand an incident over to the
caseworker when a case is opened after tovholder routing (part 5).

Handlers are plain methods; the Kafka and HTTP entry points only translate into these calls.
Over 400 lines because every use case loads and saves the same batch of aggregates (incident,
histories, case registers, referrals) in one unit of work.
"""

from __future__ import annotations

import logging
from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from services.triage.application.app import TriageApplication
from services.triage.application.erasure import erased_person_found_ids, erased_person_ids
from services.triage.application.exit_referrals import (
    already_referred,
    calls_for_referral,
    exit_referral_ids,
    record_exit_referrals,
)
from services.triage.application.meetings import (
    Participant,
    meeting_for,
    name_person,
    record_route_or_owner,
)
from services.triage.domain.adulthood import (
    HandedOverTo,
    OpenItem,
    PersonOpenItems,
    PspKspHandovers,
    TaskNotFound,
    Turns18Calendar,
)
from services.triage.domain.case_register import PersonCaseRegister
from services.triage.domain.incident_triage import IncidentTriage, NoCurrentDecision, NotRoutable
from services.triage.domain.not_served import NotServedEntry, NotServedRegister
from services.triage.domain.person_history import PersonHistory
from services.triage.domain.profiles import ProfileBook
from services.triage.domain.routing import ActiveCase, PersonFacts, Report
from shared.clock import Clock, utc_now
from shared.contracts import (
    AcceptedIncident,
    CourseEvent,
    LetterTaskEvent,
    PersonErased,
    PseudonymisedCaseEvent,
    PseudonymousPerson,
    RoutingDecision,
)
from shared.contracts.decisions import CASE_OPENED_AFTER_ROUTING, Route
from shared.contracts.municipalities import DEFAULT_SERVED_MUNICIPALITIES, served_problem
from shared.eventstore import UnitOfWork
from shared.telemetry import current_trace_context

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MeetingRevision:
    """What the weekly meeting decided for a person's route and owner, and who decided."""

    route: Route
    owner_role: str
    owner_team: str | None
    decided_by: str
    decider_role: str
    municipality_code: str
    """Of the meeting (with `iso_week`), which records the decision in its minutes."""
    iso_week: str


@dataclass(frozen=True)
class LatestTriage:
    journal_number: str
    revision: int
    decisions: list[RoutingDecision]
    out_of_scope: list[str]  # person keys
    out_of_scope_municipalities: dict[str, str | None] = field(default_factory=dict)
    """person_key -> residence municipality (None for persons recorded before it was kept)."""


@dataclass(frozen=True)
class NotServedPerson:
    """A person recorded as not served, as operations see it (no person key)."""

    journal_number: str
    revision: int
    reported_at: datetime
    rerouted: bool


@dataclass(frozen=True)
class RerouteResult:
    municipality_code: str
    routed: int
    """Persons routed now."""
    skipped: int
    """Entries whose incident a later revision changed (routed, removed or still pending under
    the later revision's own entry)."""
    decisions: list[RoutingDecision] = field(default_factory=list)


class MunicipalityNotServed(ValueError):
    """Rerouting asked for a municipality that is unknown or still not served here."""

    def __init__(self, code: str, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


def _without_erased(decision: RoutingDecision, erased: Container[str]) -> RoutingDecision:
    """The decision without erased persons among those registered with its person."""
    kept = [k for k in decision.co_registered_person_keys if k not in erased]
    if len(kept) == len(decision.co_registered_person_keys):
        return decision
    return decision.model_copy(update={"co_registered_person_keys": kept})


class TriageService:
    def __init__(
        self,
        app: TriageApplication,
        *,
        profiles: ProfileBook,
        clock: Clock = utc_now,
        served_municipalities: Iterable[str] = DEFAULT_SERVED_MUNICIPALITIES,
    ) -> None:
        self.app = app
        self.served = frozenset(served_municipalities)
        self.profiles = profiles
        self.clock = clock

    # --- Kafka: the batch's payloads, decoded by the runtime (entrypoints/kafka.py) -----------
    def prefetch(self, uow: UnitOfWork, payloads: Sequence[Any]) -> None:
        """Everything the batch reads, with two queries instead of one or more per message."""
        uow.prefetch(self._aggregates_touched(payloads))
        uow.prefetch(self._known_only_after_loading(uow, payloads))

    def follow_open_item_in(self, uow: UnitOfWork, payload: LetterTaskEvent | CourseEvent) -> None:
        """A person's letter task or course changed: whether it is still open (for the
        PSP/KSP handover on the 18th birthday, issue 14 part 4)."""
        person_key = _open_item_owner(payload)
        if person_key is None:
            return
        items = uow.get(PersonOpenItems, PersonOpenItems.create_id(person_key))
        if items is None:
            items = PersonOpenItems(person_key)
            uow.add(items)
        if isinstance(payload, LetterTaskEvent):
            items.task_seen(payload.task_id, payload.event)
        else:
            items.course_seen(payload.course_id, payload.course_type, payload.event)

    @staticmethod
    def _aggregates_touched(payloads: Iterable[Any]) -> set[UUID]:
        """Everything a batch reads, so it is loaded with one query instead of one each."""
        ids: set[UUID] = set()
        for payload in payloads:
            if isinstance(payload, AcceptedIncident):
                ids.add(IncidentTriage.create_id(payload.journal_number))
                ids.update(exit_referral_ids(payload))
                for person in payload.persons:
                    if not person.served:
                        ids.add(NotServedRegister.create_id(person.municipality_code))
                        continue
                    ids.add(PersonCaseRegister.create_id(person.person_key))
                    ids.add(PersonHistory.create_id(person.person_key))
                    if person.turns_18_on is not None:
                        ids.add(Turns18Calendar.create_id(person.turns_18_on))
            elif isinstance(payload, (LetterTaskEvent, CourseEvent)):
                if (person_key := _open_item_owner(payload)) is not None:
                    ids.add(PersonOpenItems.create_id(person_key))
            elif isinstance(payload, PseudonymisedCaseEvent):
                ids.add(PersonCaseRegister.create_id(payload.person_key))
                if payload.event == "case_opened":
                    ids.add(PersonHistory.create_id(payload.person_key))
            elif isinstance(payload, PersonErased):
                ids.update(erased_person_ids(payload.person_key))
        return ids

    @staticmethod
    def _known_only_after_loading(uow: UnitOfWork, payloads: Iterable[Any]) -> set[UUID]:
        """What the first query tells the batch it needs too (a second query): the persons
        of an incident's current decisions, whose report a new revision may withdraw, and the
        incidents of a person a case was opened for, which may be handed over."""
        ids: set[UUID] = set()
        for payload in payloads:
            if isinstance(payload, AcceptedIncident):
                triage = uow.get(IncidentTriage, IncidentTriage.create_id(payload.journal_number))
                if triage is not None:
                    ids.update(PersonHistory.create_id(key) for key in triage.decisions)
            elif isinstance(payload, PseudonymisedCaseEvent) and payload.event == "case_opened":
                history = uow.get(PersonHistory, PersonHistory.create_id(payload.person_key))
                if history is not None:
                    ids.update(IncidentTriage.create_id(journal) for journal in history.reports)
            elif isinstance(payload, PersonErased):
                ids.update(erased_person_found_ids(uow, payload.person_key))
        return ids

    # --- use cases, each in its own transaction --------------------------------------------
    def triage_incident(self, incident: AcceptedIncident) -> list[RoutingDecision]:
        return UnitOfWork.run(self.app, self.triage_in, incident)

    def register_case_event(self, case_event: PseudonymisedCaseEvent) -> bool:
        return UnitOfWork.run(self.app, self.register_case_event_in, case_event)

    def revise_at_meeting(
        self, journal_number: str, person_key: str, revision: MeetingRevision
    ) -> tuple[RoutingDecision, RoutingDecision | None]:
        """The person's current decision and, when the meeting changed it, the revised one
        (recorded, so the relay publishes it). Raises `NoCurrentDecision`."""
        uow = UnitOfWork(self.app)
        triage = uow.get(IncidentTriage, IncidentTriage.create_id(journal_number))
        current = triage.current_decision(person_key) if triage is not None else None
        if triage is None or current is None:
            raise NoCurrentDecision(person_key)
        now = self.clock()
        revised = triage.revise_at_meeting(
            person_key,
            route=revision.route,
            owner_role=revision.owner_role,
            owner_team=revision.owner_team,
            decided_by=revision.decided_by,
            decided_at=now,
        )
        meeting = meeting_for(
            uow,
            revision.municipality_code,
            revision.iso_week,
            Participant(revision.decided_by, revision.decider_role),
            now,
        )
        record_route_or_owner(meeting, current, revised, revision.decided_by, now)
        name_person(uow, meeting, person_key)
        if revised is not None:
            log.info(
                "triage: %s revision %d: %s revised at a meeting: %s, owner %s/%s",
                revised.journal_number,
                revised.revision,
                revised.person_key,
                revised.route,
                revised.owner_role,
                revised.owner_team or "-",
            )
        uow.commit()
        return current, revised

    def latest_triage(self, journal_number: str) -> LatestTriage | None:
        uow = UnitOfWork(self.app)
        triage = uow.get(IncidentTriage, IncidentTriage.create_id(journal_number))
        if triage is None:
            return None
        erased = self.app.erased_persons
        return LatestTriage(
            journal_number=triage.journal_number,
            revision=triage.revision,
            decisions=[
                _without_erased(d, erased)
                for d in triage.latest_decisions()
                if d.person_key not in erased
            ],
            out_of_scope=[key for key in triage.out_of_scope if key not in erased],
            out_of_scope_municipalities={
                key: code
                for key, code in triage.out_of_scope_municipalities.items()
                if key not in erased
            },
        )

    # --- the work, in the caller's unit of work (a Kafka batch's or a use case's own) -----
    def triage_in(self, uow: UnitOfWork, incident: AcceptedIncident) -> list[RoutingDecision]:
        triage = uow.get(IncidentTriage, IncidentTriage.create_id(incident.journal_number))
        if triage is not None and not triage.supersedes(incident.revision):
            log.info(
                "triage: %s revision %d ignored (revision %d already triaged)",
                incident.journal_number,
                incident.revision,
                triage.revision,
            )
            return []
        # Every event this message causes stores the same trace context: asked for once.
        trace_context = current_trace_context()
        previously_decided = set(triage.decisions) if triage is not None else set()
        # None: no report of the person recorded yet (the history starts with their first).
        histories: dict[str, PersonHistory | None] = {}
        facts: dict[str, PersonFacts] = {}
        for person in incident.persons:
            if not person.in_scope or not person.served or person.person_key in facts:
                continue
            history = uow.get(PersonHistory, PersonHistory.create_id(person.person_key))
            histories[person.person_key] = history
            facts[person.person_key] = self._facts(uow, incident, person, history)
        if triage is None:
            triage, decisions = IncidentTriage.open(
                incident, facts, self.profiles, self.clock(), trace_context
            )
            uow.add(triage)
        else:
            decisions = triage.triage(incident, facts, self.profiles, self.clock(), trace_context)
        record_exit_referrals(uow, incident, decisions, self.profiles)
        self._register_not_served(uow, incident, triage)
        self._note_birthdays(uow, incident, decisions)
        listed: dict[str, PseudonymousPerson] = {}
        for person in incident.persons:
            listed.setdefault(person.person_key, person)  # the first listing decides
        for person_key in triage.decisions:
            # Recorded after deciding: a report is never its own history. Persons whose
            # decision the revision kept are recorded too, from the revision itself: their
            # report may have changed in ways not material to the decision (e.g. the time).
            self._record_report(
                uow, histories[person_key], incident, listed[person_key], trace_context
            )
        for decision in decisions:
            log.info(
                "triage: %s revision %d: %s routed to %s (%s), owner %s/%s, severity %s, "
                "%d earlier reports (%s)",
                decision.journal_number,
                decision.revision,
                decision.person_key,
                decision.route,
                decision.decision_kind,
                decision.owner_role,
                decision.owner_team or "-",
                decision.severity,
                decision.history.earlier_reports if decision.history else 0,
                ", ".join(decision.reasons),
            )
        self._withdraw_removed(uow, incident, previously_decided - set(triage.decisions))
        return decisions

    def _facts(
        self,
        uow: UnitOfWork,
        incident: AcceptedIncident,
        person: PseudonymousPerson,
        history: PersonHistory | None,
    ) -> PersonFacts:
        return PersonFacts(
            active_case=self._active_case(uow, person),
            earlier_reports=(
                history.reports_before(incident.journal_number, incident.occurred_at)
                if history is not None
                else ()
            ),
            exit_referred=calls_for_referral(incident, person)
            and already_referred(uow, incident.journal_number, person.person_key),
        )

    @staticmethod
    def _register_not_served(
        uow: UnitOfWork, incident: AcceptedIncident, triage: IncidentTriage
    ) -> None:
        """The revision's not-served persons, into their municipality's register (for
        `ssp reroute`)."""
        if not triage.not_served:
            return
        stored = incident.model_dump(mode="json")
        for person_key, code in triage.not_served.items():
            register = uow.get(NotServedRegister, NotServedRegister.create_id(code))
            if register is None:
                register = NotServedRegister(code)
                uow.add(register)
            register.record(stored, person_key)
            log.info(
                "triage: %s revision %d: %s not served here (municipality %s): recorded",
                incident.journal_number,
                incident.revision,
                person_key,
                code,
            )

    @staticmethod
    def _note_birthdays(
        uow: UnitOfWork, incident: AcceptedIncident, decisions: Iterable[RoutingDecision]
    ) -> None:
        """The minors routed, into the calendar of the day they turn 18 (issue 14, part 4)."""
        routed = {d.person_key: d.municipality_code for d in decisions}
        for person in incident.persons:
            if person.turns_18_on is None or person.person_key not in routed:
                continue
            day = person.turns_18_on
            calendar = uow.get(Turns18Calendar, Turns18Calendar.create_id(day))
            if calendar is None:
                calendar = Turns18Calendar(day.isoformat())
                uow.add(calendar)
            calendar.note(person.person_key, routed[person.person_key])

    # --- turning 18 with an open item (issue 14, part 4) ------------------------------------
    def check_birthdays(self, today: date, lookback_days: int = 7) -> int:
        """Open a PSP/KSP handover task for every person who turned 18 on a day up to `today`
        (looking `lookback_days` back, for a check that missed days) and still has an open
        item; exactly once per person, whatever runs the check how often. Returns the number
        of tasks opened."""
        uow = UnitOfWork(self.app)
        opened = 0
        for back in range(lookback_days, -1, -1):
            day = today - timedelta(days=back)
            calendar = uow.get(Turns18Calendar, Turns18Calendar.create_id(day))
            if calendar is None:
                continue
            for person_key, code in sorted(calendar.persons.items()):
                if person_key in self.app.erased_persons:
                    continue  # erased (issue 18): no task is opened for them
                handovers = uow.get(PspKspHandovers, PspKspHandovers.create_id(code))
                if handovers is not None and person_key in handovers.tasks:
                    continue
                items = self._open_items(uow, person_key, code, day)
                if not items:
                    continue
                if handovers is None:
                    handovers = PspKspHandovers(code)
                    uow.add(handovers)
                contact = self.profiles.for_municipality(code).psp_ksp
                if handovers.open(
                    person_key,
                    turned_18_on=day,
                    open_items=items,
                    owner_role=contact.role,
                    owner_team=contact.team,
                    due_on=day + timedelta(days=contact.due_days),
                    at=self.clock(),
                ):
                    opened += 1
                    log.info(
                        "triage: %s turned 18 on %s with %s: PSP/KSP handover task opened",
                        person_key,
                        day.isoformat(),
                        "+".join(items),
                    )
        uow.commit()
        return opened

    def _open_items(
        self, uow: UnitOfWork, person_key: str, municipality_code: str, birthday: date
    ) -> list[OpenItem]:
        """What is still open for the person on their birthday: a letter task, TRIVSEL+
        course or exit programme (followed on their topics), an active case, a decision of
        theirs still standing from within the profile's repeat window, an exit referral from
        such an incident."""
        items: list[OpenItem] = []
        followed = uow.get(PersonOpenItems, PersonOpenItems.create_id(person_key))
        if followed is not None:
            items += followed.items()
        register = uow.get(PersonCaseRegister, PersonCaseRegister.create_id(person_key))
        if register is not None and register.active_case(municipality_code) is not None:
            items.append("active_case")
        history = uow.get(PersonHistory, PersonHistory.create_id(person_key))
        if history is None:
            return items
        window = self.profiles.for_municipality(municipality_code).repeat.window
        since = datetime.combine(birthday, time.min, tzinfo=UTC) - window
        recent = [j for j, r in history.reports.items() if r.occurred_at >= since]
        for journal_number in sorted(recent):
            triage = uow.get(IncidentTriage, IncidentTriage.create_id(journal_number))
            if triage is not None and triage.current_decision(person_key) is not None:
                if "recent_decision" not in items:
                    items.append("recent_decision")
                if already_referred(uow, journal_number, person_key) and (
                    "exit_referral" not in items
                ):
                    items.append("exit_referral")
        return items

    def psp_ksp_handovers(self, municipality_code: str) -> list[dict[str, Any]]:
        uow = UnitOfWork(self.app)
        handovers = uow.get(PspKspHandovers, PspKspHandovers.create_id(municipality_code))
        if handovers is None:
            return []
        erased = self.app.erased_persons
        return sorted(
            (t for t in handovers.tasks.values() if t["person_key"] not in erased),
            key=lambda t: (t["due_on"], t["person_key"]),
        )

    def complete_psp_ksp_handover(
        self, municipality_code: str, person_key: str, handed_over_to: HandedOverTo
    ) -> dict[str, Any]:
        uow = UnitOfWork(self.app)
        handovers = uow.get(PspKspHandovers, PspKspHandovers.create_id(municipality_code))
        if handovers is None:
            raise TaskNotFound(person_key)
        handovers.complete(person_key, handed_over_to, self.clock())
        uow.commit()
        return dict(handovers.tasks[person_key])

    # --- not served: list and reroute (issue 14, part 1) -----------------------------------
    def not_served(self, municipality_code: str) -> list[NotServedPerson]:
        uow = UnitOfWork(self.app)
        register = uow.get(NotServedRegister, NotServedRegister.create_id(municipality_code))
        if register is None:
            return []
        return [
            NotServedPerson(
                journal_number=entry.journal_number,
                revision=entry.revision,
                reported_at=entry.reported_at,
                rerouted=register.rerouted.get(key) == entry.revision,
            )
            for key, entry in sorted(register.entries.items(), key=lambda item: item[1].reported_at)
            if entry.person_key not in self.app.erased_persons
        ]

    def reroute(self, municipality_code: str, since: datetime) -> RerouteResult:
        """Route the persons of a municipality recorded as not served whose incident was
        reported at or after `since`, now that the municipality is served: each gets the
        initial decision of the revision that listed them (and so a letter task), unless a
        later revision has changed the incident since. Running it again routes nobody twice."""
        problem = served_problem(municipality_code, self.served)
        if problem is not None:
            raise MunicipalityNotServed(municipality_code, problem)
        uow = UnitOfWork(self.app)
        register = uow.get(NotServedRegister, NotServedRegister.create_id(municipality_code))
        if register is None:
            return RerouteResult(municipality_code, 0, 0)
        decisions: list[RoutingDecision] = []
        skipped = 0
        for entry in register.pending(since):
            if entry.person_key in self.app.erased_persons:
                continue  # erased (issue 18): never routed
            decision = self._route_late(uow, entry)
            if decision is None:
                skipped += 1
            else:
                decisions.append(decision)
            register.mark_rerouted(entry)
        uow.commit()
        log.info(
            "triage: rerouted %d not-served person(s) of municipality %s (%d skipped)",
            len(decisions),
            municipality_code,
            skipped,
        )
        return RerouteResult(municipality_code, len(decisions), skipped, decisions)

    def _route_late(self, uow: UnitOfWork, entry: NotServedEntry) -> RoutingDecision | None:
        incident = AcceptedIncident.model_validate(entry.incident)
        triage = uow.get(IncidentTriage, IncidentTriage.create_id(entry.journal_number))
        person = next((p for p in incident.persons if p.person_key == entry.person_key), None)
        if triage is None or person is None:
            return None
        person = person.model_copy(update={"served": True})
        history = uow.get(PersonHistory, PersonHistory.create_id(person.person_key))
        try:
            decision = triage.route_not_served(
                person,
                incident,
                self._facts(uow, incident, person, history),
                self.profiles.for_municipality(person.municipality_code),
                self.clock(),
            )
        except NotRoutable:
            return None
        record_exit_referrals(uow, incident, [decision], self.profiles)
        self._record_report(uow, history, incident, person)
        self._note_birthdays(uow, incident, [decision])
        return decision

    @staticmethod
    def _record_report(
        uow: UnitOfWork,
        history: PersonHistory | None,
        incident: AcceptedIncident,
        person: PseudonymousPerson,
        trace_context: Mapping[str, str] | None = None,
    ) -> None:
        """The person's part in the incident, into their history (started by it when they have
        none: one stored event instead of two)."""
        report = Report(
            incident.journal_number,
            incident.revision,
            incident.occurred_at,
            person.role,
            incident.offence_code,
            person.age_at_incident,
        )
        if history is not None:
            history.record(report)
        else:
            uow.add(PersonHistory.start(person.person_key, report, trace_context))

    @staticmethod
    def _withdraw_removed(
        uow: UnitOfWork, incident: AcceptedIncident, removed: Iterable[str]
    ) -> None:
        """Persons the new revision no longer routes: their report of this incident is
        withdrawn, so it is not counted in their history."""
        for person_key in removed:
            history = uow.get(PersonHistory, PersonHistory.create_id(person_key))
            if history is not None and history.withdraw(incident.journal_number, incident.revision):
                log.info(
                    "triage: %s revision %d no longer routes %s: report withdrawn from history",
                    incident.journal_number,
                    incident.revision,
                    person_key,
                )

    @staticmethod
    def _active_case(uow: UnitOfWork, person: PseudonymousPerson) -> ActiveCase | None:
        register = uow.get(PersonCaseRegister, PersonCaseRegister.create_id(person.person_key))
        return register.active_case(person.municipality_code) if register else None

    def register_case_event_in(self, uow: UnitOfWork, case_event: PseudonymisedCaseEvent) -> bool:
        register_id = PersonCaseRegister.create_id(case_event.person_key)
        register = uow.get(PersonCaseRegister, register_id)
        if register is None:
            register = PersonCaseRegister(case_event.person_key)
            uow.add(register)
        changed = register.apply(case_event)
        if changed and case_event.event == "case_opened":
            self._hand_over(uow, register, case_event)
        return changed

    def _hand_over(
        self, uow: UnitOfWork, register: PersonCaseRegister, case_event: PseudonymisedCaseEvent
    ) -> list[RoutingDecision]:
        """Every incident of the person still with the tovholder, routed within the handover
        window, goes to the caseworker (issue 4, part 5). The person's history lists every
        incident they currently have a decision in."""
        history = uow.get(PersonHistory, PersonHistory.create_id(case_event.person_key))
        if history is None:
            return []
        handovers = []
        for journal_number in sorted(history.reports):
            triage = uow.get(IncidentTriage, IncidentTriage.create_id(journal_number))
            current = triage.current_decision(case_event.person_key) if triage else None
            if triage is None or current is None:
                continue
            case = register.active_case(current.municipality_code)
            if case is None:
                continue
            handover = triage.hand_over(
                case_event.person_key,
                case,
                self.profiles.for_municipality(current.municipality_code),
                self.clock(),
                case_event.at,
            )
            if handover is not None:
                handovers.append(handover)
                log.info(
                    "triage: %s revision %d: %s handed over to the caseworker (%s), owner %s/%s",
                    handover.journal_number,
                    handover.revision,
                    handover.person_key,
                    CASE_OPENED_AFTER_ROUTING,
                    handover.owner_role,
                    handover.owner_team or "-",
                )
        return handovers


def _open_item_owner(payload: LetterTaskEvent | CourseEvent) -> str | None:
    """Whose open items a letter task or course event changes; None for an acute procedure,
    which concerns a group, not one person."""
    person_key = payload.person_key
    if person_key is None or person_key.startswith("acute:"):
        return None
    return person_key
