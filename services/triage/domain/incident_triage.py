"""The triage of one police journal number: one current routing decision per in-scope person,
and a record of each out-of-scope person (recorded, never silently dropped).

A higher revision is re-evaluated person by person (issue 4, part 4): a person whose route,
role, offence, age, owner, severity or deadline changed gets a revised decision that replaces the
current one (`revises_decision_id`); a person for whom nothing material changed gets no new
decision (the current one stays, and the revision is recorded as seen); a person the revision
no longer lists, or lists out of scope, has their decision withdrawn. A case opened after a
person was routed to the tovholder hands the incident over to the caseworker (part 5).

One stored event per decision and per withdrawal, so the outbox relay publishes exactly one
message for each. Persons registered in the same incident are linked on each decision
(`co_registered_person_keys`), so reporting can show who appears together.

Over 400 lines because it is one aggregate: its event classes are stored under their
`module:Class` topic, so they stay nested in the class, with the rules that trigger them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from eventsourcing.domain import event

from services.triage.domain.erasure import ErasableAggregate
from services.triage.domain.ids import AGGREGATE_IDS, aggregate_id
from services.triage.domain.profiles import MunicipalityProfile, ProfileBook
from services.triage.domain.routing import (
    ACTIVE_CASE,
    EXIT_REFERRAL,
    NO_ACTIVE_CASE,
    ActiveCase,
    PersonFacts,
    decision_id_for,
    route_person,
)
from shared.contracts import (
    AcceptedIncident,
    DecisionWithdrawn,
    PersonStatement,
    PseudonymousPerson,
    RoutingDecision,
    Statement,
)
from shared.contracts.decisions import (
    CASE_OPENED_AFTER_ROUTING,
    MEETING_DECISION,
    REVISION_CHANGED,
    Route,
)
from shared.contracts.withdrawals import WithdrawalReason
from shared.eventstore import TracedAggregate
from shared.eventstore.ids import keyed_id

#: What makes a re-evaluated decision differ from the current one: anything the owner or the
#: letter task depends on, and what the owner reads first (role, offence). History,
#: co-registered persons and the decision time do not count.
MATERIAL_FIELDS = (
    "route",
    "role",
    "offence_code",
    "age_at_incident",
    "workflow",
    "municipality_code",
    "owner_role",
    "owner_team",
    "severity",
    "due_at",
    "case_id",
)


def _traced(trace_context: Mapping[str, str] | None) -> dict[str, Any]:
    """The event argument for a trace context the caller has already (a copy: each event its
    own), or none, so `TracedAggregate` asks for the current one."""
    return {} if trace_context is None else {"trace_context": dict(trace_context)}


class RevisionNotNewer(ValueError):
    """A revision not higher than the one already triaged changes nothing."""


class NoCurrentDecision(LookupError):
    """The person has no current decision in the incident (never routed, or withdrawn)."""


def withdrawal_id_for(journal_number: str, revision: int, person_key: str) -> str:
    return AGGREGATE_IDS.text(f"withdrawal:{journal_number}|{revision}|{person_key}")


def statement_for(
    statement: Statement,
    incident: AcceptedIncident,
    person_key: str,
    municipality_code: str,
    stated_at: datetime,
    decision_id: str | None = None,
) -> dict[str, Any]:
    """A `PersonStatement` about a person in the incident's revision, as JSON data, with its
    deterministic id."""
    journal_number, revision = incident.journal_number, incident.revision
    return PersonStatement(
        statement_id=AGGREGATE_IDS.text(
            f"statement:{statement}:{journal_number}|{revision}|{person_key}"
        ),
        statement=statement,
        journal_number=journal_number,
        revision=revision,
        person_key=person_key,
        municipality_code=municipality_code,
        decision_id=decision_id,
        stated_at=stated_at,
    ).model_dump(mode="json")


class NotRoutable(ValueError):
    """The person is not recorded as not served at the incident's current revision."""


def materially_changed(current: RoutingDecision, new: RoutingDecision) -> bool:
    """Times compare as instants, whatever offset they were stored with. A revision that now
    calls for an exit referral (a flag added, an age corrected to 15) is material too: the
    referral is made from the decision that says so."""
    if any(getattr(current, name) != getattr(new, name) for name in MATERIAL_FIELDS):
        return True
    return EXIT_REFERRAL in new.reasons and EXIT_REFERRAL not in current.reasons


class IncidentTriage(ErasableAggregate):
    class OpenedAtRevision(TracedAggregate.Created):
        """A journal number triaged for the first time, opened with that revision: one stored
        event for what `Opened` and `RevisionReceived` record (streams stored before begin with
        those two, and still load)."""

        journal_number: str
        revision: int
        reported_at: datetime

        def apply(self, aggregate: Any) -> None:
            aggregate._begin_revision(self.revision, self.reported_at)

    class RevisionReceived(TracedAggregate.Event):
        revision: int
        # Since revisions are re-evaluated (issue 4, part 4); absent from events stored before.
        reported_at: datetime | None

    class PersonRouted(TracedAggregate.Event):
        decision: dict[str, Any]

        # Applied directly rather than through an `@event` method: one per routed person,
        # and the decorator's argument binding costs a third of triggering the event.
        def apply(self, aggregate: Any) -> None:
            aggregate.decisions[self.decision["person_key"]] = self.decision
            # A rerouted person is no longer one not served (issue 14, part 1).
            aggregate.not_served.pop(self.decision["person_key"], None)

    class DecisionUnchanged(TracedAggregate.Event):
        """The revision was re-evaluated for the person and changed nothing material."""

        person_key: str
        revision: int
        # The `decision_confirmed` statement published for it (issue 14, part 7); absent
        # from events stored before, which published nothing.
        statement: dict[str, Any] | None

    class PersonNotServed(TracedAggregate.Event):
        """The person lives in a municipality this deployment does not serve: recorded, not
        routed (issue 14, part 1); `statement` is the `not_served` statement published."""

        person_key: str
        municipality_code: str
        statement: dict[str, Any]

    class PersonWithdrawn(TracedAggregate.Event):
        withdrawal: dict[str, Any]

    class PersonOutOfScope(TracedAggregate.Event):
        person_key: str
        age_at_incident: int
        # Since out-of-scope persons are scoped by municipality in the API; absent before.
        municipality_code: str | None

    create_id = keyed_id(aggregate_id, "journal_number", prefix="incident")

    @event("Opened")
    def __init__(self, journal_number: str) -> None:
        self.journal_number = journal_number
        self.revision = 0
        self.reported_at: datetime | None = None
        # The current decision per person: replaced by revised and handover decisions, removed
        # by a withdrawal.
        self.decisions: dict[str, dict[str, Any]] = {}
        self.out_of_scope: dict[str, int] = {}
        # person_key -> residence municipality of an out-of-scope person (None: recorded
        # before it was kept).
        self.out_of_scope_municipalities: dict[str, str | None] = {}
        # person_key -> the latest revision that re-evaluated and kept their current decision.
        self.confirmed: dict[str, int] = {}
        # person_key -> residence municipality of a person this revision lists who is not
        # served here (issue 14, part 1): no decision until rerouted.
        self.not_served: dict[str, str] = {}

    def supersedes(self, revision: int) -> bool:
        return revision > self.revision

    def _person_entries(self) -> tuple[dict[str, Any], ...]:
        return (
            self.decisions,
            self.out_of_scope,
            self.out_of_scope_municipalities,
            self.confirmed,
            self.not_served,
        )

    def mentions(self, person_key: str) -> bool:
        return any(person_key in entries for entries in self._person_entries())

    def forget(self, person_key: str) -> None:
        """Erased (issue 18): the person's decision and records leave the incident; a later
        revision does not list them (consumers withhold them), so nothing is withdrawn."""
        for entries in self._person_entries():
            entries.pop(person_key, None)

    @classmethod
    def open(
        cls,
        incident: AcceptedIncident,
        facts: Mapping[str, PersonFacts],
        profiles: ProfileBook,
        decided_at: datetime,
        trace_context: Mapping[str, str] | None = None,
    ) -> tuple[IncidentTriage, list[RoutingDecision]]:
        """The first triage of a journal number: the same as `IncidentTriage(journal_number)`
        followed by `triage(...)`, stored with one creation event (`OpenedAtRevision`) instead
        of `Opened` and `RevisionReceived`. Returns the aggregate and its decisions.

        `trace_context`: what `current_trace_context()` gives now, when the caller has it
        already (every event a message causes stores the same); else each event asks."""
        triage = cls._create(
            cls.OpenedAtRevision,
            id=cls.create_id(incident.journal_number),
            trace_context=trace_context,
            journal_number=incident.journal_number,
            revision=incident.revision,
            reported_at=incident.reported_at,
        )
        return triage, triage._decide(incident, facts, profiles, decided_at, trace_context)

    def triage(
        self,
        incident: AcceptedIncident,
        facts: Mapping[str, PersonFacts],
        profiles: ProfileBook,
        decided_at: datetime,
        trace_context: Mapping[str, str] | None = None,
    ) -> list[RoutingDecision]:
        """Re-evaluate every in-scope person of a new revision by their residence
        municipality's profile; `facts` by person_key (a person without facts has no case and
        no history). Returns the decisions to publish: initial ones for new persons, revised
        ones for changed persons; withdraws the decisions of persons no longer routed.
        `trace_context` as for `open`."""
        if not self.supersedes(incident.revision):
            raise RevisionNotNewer(f"{incident.journal_number} revision {incident.revision}")
        self.receive_revision(revision=incident.revision, reported_at=incident.reported_at)
        return self._decide(incident, facts, profiles, decided_at, trace_context)

    def _decide(
        self,
        incident: AcceptedIncident,
        facts: Mapping[str, PersonFacts],
        profiles: ProfileBook,
        decided_at: datetime,
        trace_context: Mapping[str, str] | None = None,
    ) -> list[RoutingDecision]:
        """`triage` once the incident's revision is the aggregate's."""
        everyone = list(dict.fromkeys(p.person_key for p in incident.persons))
        routed: set[str] = set()
        decisions = []
        for person in incident.persons:
            # The same person listed twice (e.g. in two roles) gets one decision: the first.
            if (
                person.person_key in routed
                or person.person_key in self.out_of_scope
                or person.person_key in self.not_served
            ):
                continue
            if not person.in_scope:
                self.record_out_of_scope(
                    person_key=person.person_key,
                    age_at_incident=person.age_at_incident,
                    municipality_code=person.municipality_code,
                )
                continue
            if not person.served:
                self.record_not_served(
                    person_key=person.person_key,
                    municipality_code=person.municipality_code,
                    statement=statement_for(
                        "not_served",
                        incident,
                        person.person_key,
                        person.municipality_code,
                        decided_at,
                    ),
                )
                continue
            routed.add(person.person_key)
            decision = route_person(
                person,
                incident,
                facts.get(person.person_key, PersonFacts()),
                profiles.for_municipality(person.municipality_code),
                decided_at,
                co_registered=everyone,
            )
            current = self.current_decision(person.person_key)
            if current is not None:
                if not materially_changed(current, decision):
                    self.keep_decision(
                        person_key=person.person_key,
                        revision=incident.revision,
                        statement=statement_for(
                            "decision_confirmed",
                            incident,
                            person.person_key,
                            current.municipality_code,
                            decided_at,
                            decision_id=current.decision_id,
                        ),
                    )
                    continue
                decision = decision.model_copy(
                    update={
                        "decision_id": decision_id_for(
                            incident.journal_number,
                            incident.revision,
                            person.person_key,
                            "revised",
                        ),
                        "decision_kind": "revised",
                        "revises_decision_id": current.decision_id,
                        "reasons": [*decision.reasons, REVISION_CHANGED],
                    }
                )
            self.record_decision(decision.model_dump(mode="json"), trace_context)
            decisions.append(decision)
        for person_key, withdrawn in list(self.decisions.items()):
            if person_key not in routed:
                reason: WithdrawalReason = (
                    "person_out_of_scope"
                    if person_key in self.out_of_scope
                    else "person_not_served"
                    if person_key in self.not_served
                    else "person_removed_from_incident"
                )
                self._withdraw(person_key, withdrawn, reason, decided_at)
        return decisions

    def route_not_served(
        self,
        person: PseudonymousPerson,
        incident: AcceptedIncident,
        facts: PersonFacts,
        profile: MunicipalityProfile,
        decided_at: datetime,
    ) -> RoutingDecision:
        """Route a person recorded as not served, now that their municipality is served
        (`ssp reroute`, issue 14 part 1): the initial decision the revision would have made.
        `incident` is the revision the person was recorded in; refused unless it is the
        current one and the person is still recorded as not served in it."""
        if (
            incident.revision != self.revision
            or self.not_served.get(person.person_key) != person.municipality_code
        ):
            raise NotRoutable(f"{incident.journal_number} revision {incident.revision}")
        everyone = list(dict.fromkeys(p.person_key for p in incident.persons))
        decision = route_person(
            person, incident, facts, profile, decided_at, co_registered=everyone
        )
        self.record_decision(decision.model_dump(mode="json"))
        return decision

    def hand_over(
        self,
        person_key: str,
        case: ActiveCase,
        profile: MunicipalityProfile,
        decided_at: datetime,
        case_opened_at: datetime,
    ) -> RoutingDecision | None:
        """A case was opened for the person: if the incident is still with the tovholder and
        was routed within the profile's handover window before the case opened (or after it),
        the caseworker takes over. None when there is nothing to hand over."""
        stored = self.decisions.get(person_key)
        if stored is None or stored["route"] != "tovholder":
            return None
        current = RoutingDecision.model_validate(stored)
        if current.decided_at < case_opened_at - profile.handover_window:
            return None
        repeat = current.history.repeat if current.history is not None else False
        owner = profile.owner(
            route="caseworker",
            severity=current.severity,
            workflow=current.workflow,
            repeat=repeat,
            district=current.district,
            case_team=case.team,
        )
        due_at = (
            self.reported_at + profile.deadlines_hours.due_after("caseworker", current.severity)
            if self.reported_at is not None
            else current.due_at
        )
        kept = [r for r in current.reasons if r not in (NO_ACTIVE_CASE, ACTIVE_CASE)]
        handover = current.model_copy(
            update={
                "decision_id": decision_id_for(
                    self.journal_number, self.revision, person_key, "handover"
                ),
                "revision": self.revision,
                "route": "caseworker",
                "case_id": case.case_id,
                "owner_role": owner.role,
                "owner_team": owner.team,
                "due_at": due_at,
                "reasons": [ACTIVE_CASE, *kept, CASE_OPENED_AFTER_ROUTING],
                "decided_at": decided_at,
                "decision_kind": "handover",
                "revises_decision_id": current.decision_id,
                "decided_by": None,
            }
        )
        self.record_decision(decision=handover.model_dump(mode="json"))
        return handover

    def revise_at_meeting(
        self,
        person_key: str,
        *,
        route: Route,
        owner_role: str,
        owner_team: str | None,
        decided_by: str,
        decided_at: datetime,
    ) -> RoutingDecision | None:
        """The weekly meeting keeps or changes the person's route or owner (issue 15). A change
        becomes a revised decision (reason `meeting_decision`, `decided_by`) that replaces the
        current one; keeping everything as it is publishes nothing (None). Raises
        `NoCurrentDecision` when the person has no current decision in this incident."""
        stored = self.decisions.get(person_key)
        if stored is None:
            raise NoCurrentDecision(person_key)
        current = RoutingDecision.model_validate(stored)
        if (route, owner_role, owner_team) == (
            current.route,
            current.owner_role,
            current.owner_team,
        ):
            return None
        kept = [r for r in current.reasons if r != MEETING_DECISION]
        revised = current.model_copy(
            update={
                "decision_id": AGGREGATE_IDS.text(f"meeting:{current.decision_id}"),
                "route": route,
                "case_id": current.case_id if route == "caseworker" else None,
                "owner_role": owner_role,
                "owner_team": owner_team,
                "reasons": [*kept, MEETING_DECISION],
                "decided_at": decided_at,
                "decided_by": decided_by,
                "decision_kind": "revised",
                "revises_decision_id": current.decision_id,
            }
        )
        self.record_decision(decision=revised.model_dump(mode="json"))
        return revised

    def latest_decisions(self) -> list[RoutingDecision]:
        return [RoutingDecision.model_validate(d) for d in self.decisions.values()]

    def current_decision(self, person_key: str) -> RoutingDecision | None:
        stored = self.decisions.get(person_key)
        return RoutingDecision.model_validate(stored) if stored is not None else None

    def _withdraw(
        self,
        person_key: str,
        current: Mapping[str, Any],
        reason: WithdrawalReason,
        withdrawn_at: datetime,
    ) -> None:
        withdrawal = DecisionWithdrawn(
            withdrawal_id=withdrawal_id_for(self.journal_number, self.revision, person_key),
            decision_id=current["decision_id"],
            journal_number=self.journal_number,
            revision=self.revision,
            person_key=person_key,
            municipality_code=current["municipality_code"],
            reason=reason,
            withdrawn_at=withdrawn_at,
        )
        self.withdraw_decision(withdrawal=withdrawal.model_dump(mode="json"))

    @event(RevisionReceived)
    def receive_revision(self, revision: int, reported_at: datetime | None = None) -> None:
        self._begin_revision(revision, reported_at)

    def _begin_revision(self, revision: int, reported_at: datetime | None) -> None:
        """What receiving a revision does to the state (`RevisionReceived`, `OpenedAtRevision`)."""
        self.revision = revision
        self.reported_at = reported_at
        self.out_of_scope = {}
        self.out_of_scope_municipalities = {}
        self.not_served = {}
        if reported_at is None:
            # Stored before revisions were re-evaluated: each revision then decided everyone
            # afresh, so replaying such a stream must start each revision empty as it did.
            self.decisions = {}

    def record_decision(
        self, decision: dict[str, Any], trace_context: Mapping[str, str] | None = None
    ) -> None:
        """A routing decision (`RoutingDecision` as JSON data) becomes the person's current one."""
        self.trigger_event(self.PersonRouted, decision=decision, **_traced(trace_context))

    @event(DecisionUnchanged)
    def keep_decision(
        self, person_key: str, revision: int, statement: dict[str, Any] | None = None
    ) -> None:
        self.confirmed[person_key] = revision

    @event(PersonNotServed)
    def record_not_served(
        self, person_key: str, municipality_code: str, statement: dict[str, Any]
    ) -> None:
        self.not_served[person_key] = municipality_code

    @event(PersonWithdrawn)
    def withdraw_decision(self, withdrawal: dict[str, Any]) -> None:
        self.decisions.pop(withdrawal["person_key"], None)

    @event(PersonOutOfScope)
    def record_out_of_scope(
        self, person_key: str, age_at_incident: int, municipality_code: str | None = None
    ) -> None:
        self.out_of_scope[person_key] = age_at_incident
        self.out_of_scope_municipalities[person_key] = municipality_code
