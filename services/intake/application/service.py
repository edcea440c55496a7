"""Intake's use cases: accept, de-duplicate and pseudonymise police incidents and case-register
events; keep what fails validation for correction.

Handlers are plain methods; the Kafka and HTTP entry points only translate into these calls.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from services.intake.application.app import IntakeApplication
from services.intake.application.identities import index_ids, record_municipality
from services.intake.domain.model import (
    CaseRegisterEntry,
    IncidentRecord,
    PersonIdentity,
    RejectedInput,
)
from services.intake.domain.municipalities import (
    DEFAULT_MUNICIPALITIES,
    codes_of_document,
    codes_of_incident,
    municipality_problems,
)
from services.intake.domain.pseudonym import Pseudonymiser
from shared.contracts import (
    AcceptedIncident,
    CaseRegisterEvent,
    FieldProblem,
    IntakeRejection,
    PoliceIncident,
    PseudonymisedCaseEvent,
    PseudonymousPerson,
    age_on,
    build_rejection,
    is_in_scope,
    parse_bytes,
)
from shared.eventstore import UnitOfWork
from shared.messaging.inbound import Inbound

log = logging.getLogger(__name__)
_NS = uuid5(NAMESPACE_URL, "urn:ssp:intake:rejections")

Outcome = Literal["accepted", "duplicate", "superseded", "rejected"]
ParsedIncident = tuple[PoliceIncident | None, list[FieldProblem]]
Clock = Callable[[], datetime]


@dataclass(frozen=True)
class SubmissionResult:
    outcome: Outcome
    journal_number: str | None = None
    revision: int | None = None
    reference: str | None = None
    problems: list[FieldProblem] = field(default_factory=list)


class RejectionNotFound(LookupError):
    pass


class IntakeService:
    def __init__(
        self,
        app: IntakeApplication,
        pseudonymiser: Pseudonymiser,
        *,
        incidents_topic: str,
        cases_topic: str,
        served_municipalities: Iterable[str] = DEFAULT_MUNICIPALITIES,
        clock: Clock = lambda: datetime.now(UTC),
    ) -> None:
        self.app = app
        self.served = frozenset(served_municipalities)
        self.pseudonymiser = pseudonymiser
        self.incidents_topic = incidents_topic
        self.cases_topic = cases_topic
        self.clock = clock

    # --- Kafka -------------------------------------------------------------------------
    def handle_batch(self, messages: Sequence[Inbound]) -> None:
        uow = UnitOfWork(self.app)
        incidents = {
            id(m): parse_bytes(m.value, PoliceIncident)
            for m in messages
            if m.topic == self.incidents_topic
        }
        uow.prefetch(self._aggregates_touched(incidents.values()))
        for message in messages:
            with message.processing_span("intake"):
                reference = self._kafka_reference(message)
                if message.topic == self.incidents_topic:
                    parsed = incidents[id(message)]
                    self._receive_incident(uow, message.value, "kafka", reference, parsed)
                elif message.topic == self.cases_topic:
                    self._receive_case_event(uow, message.value, reference)
                else:
                    log.warning(
                        "intake: ignoring a message from unexpected topic %s", message.topic
                    )
            uow.processed(message.upstream)
        uow.commit()

    def _aggregates_touched(self, parsed: Iterable[ParsedIncident]) -> set[UUID]:
        ids: set[UUID] = set()
        for incident, _ in parsed:
            if incident is not None:
                ids.add(IncidentRecord.create_id(incident.journal_number))
                keys = {self.pseudonymiser.person_key(p.cpr) for p in incident.persons}
                ids.update(PersonIdentity.create_id(k) for k in keys)
                ids.update(index_ids(keys))
        return ids

    @staticmethod
    def _kafka_reference(message: Inbound) -> UUID:
        # Re-reading the same record after a crash must not record a second rejection.
        digest = hashlib.sha256(message.value).hexdigest()
        return uuid5(_NS, f"{message.topic}|{message.partition}|{message.offset}|{digest}")

    # --- HTTP --------------------------------------------------------------------------
    def submit_incident(self, raw: bytes) -> SubmissionResult:
        uow = UnitOfWork(self.app)
        result = self._receive_incident(uow, raw, "http", uuid4())
        uow.commit()
        return result

    def import_incidents(
        self, documents: Sequence[tuple[bytes, Sequence[FieldProblem]]]
    ) -> list[SubmissionResult]:
        """Incidents built from one police list (see police_list.py), in one transaction: each
        through exactly the rules of `submit_incident`, with the problems the list itself had
        (e.g. rows of one incident disagreeing) added to its own. A rejected incident's
        reference is derived from its content, so importing the same file again records no
        second rejection, as the de-duplication records no second incident."""
        uow = UnitOfWork(self.app)
        results = []
        for raw, list_problems in documents:
            reference = uuid5(_NS, f"import|{hashlib.sha256(raw).hexdigest()}")
            results.append(
                self._receive_incident(uow, raw, "http", reference, extra=list(list_problems))
            )
        uow.commit()
        return results

    def rejected_input(self, reference: str) -> RejectedInput:
        try:
            aggregate_id = UUID(reference)
        except ValueError as exc:
            raise RejectionNotFound(reference) from exc
        uow = UnitOfWork(self.app)
        rejected = uow.get(RejectedInput, aggregate_id)
        if rejected is None:
            raise RejectionNotFound(reference)
        return rejected

    def resubmit(self, reference: str, corrected: bytes) -> SubmissionResult:
        rejected = self.rejected_input(reference)
        uow = UnitOfWork(self.app)
        uow.add(rejected)
        result = self._receive_incident(uow, corrected, "http", uuid4())
        if result.outcome in ("accepted", "duplicate", "superseded") and result.journal_number:
            rejected.mark_corrected(
                journal_number=result.journal_number, revision=result.revision or 0
            )
        uow.commit()
        return result

    # --- the rules ---------------------------------------------------------------------
    def _receive_incident(
        self,
        uow: UnitOfWork,
        raw: bytes,
        channel: Literal["kafka", "http"],
        reference: UUID,
        parsed: ParsedIncident | None = None,
        extra: list[FieldProblem] | None = None,
    ) -> SubmissionResult:
        incident, problems = parsed or parse_bytes(raw, PoliceIncident)
        if incident is not None:
            problems = self._birth_after_incident(incident)
        problems = [*(extra or []), *problems, *self._municipality_problems(incident, raw)]
        if incident is None or problems:
            return self._reject(uow, raw, problems, channel, reference)
        record_id = IncidentRecord.create_id(incident.journal_number)
        record = uow.get(IncidentRecord, record_id)
        if record is None:
            record = IncidentRecord(incident.journal_number)
            uow.add(record)
        elif not record.supersedes(incident.revision):
            outcome: Outcome = "duplicate" if incident.revision == record.revision else "superseded"
            return SubmissionResult(outcome, incident.journal_number, incident.revision)
        accepted = self._pseudonymise(uow, incident)
        record.accept_revision(
            revision=incident.revision,
            accepted=accepted.model_dump(mode="json"),
            details=incident.model_dump(mode="json", include={"offence", "location", "narrative"}),
        )
        return SubmissionResult("accepted", incident.journal_number, incident.revision)

    def _municipality_problems(
        self, incident: PoliceIncident | None, raw: bytes
    ) -> list[FieldProblem]:
        if incident is not None:
            return municipality_problems(codes_of_incident(incident), self.served)
        try:
            doc = json.loads(raw)
        except (ValueError, RecursionError):
            return []
        if not isinstance(doc, dict):
            return []
        return municipality_problems(codes_of_document(doc), self.served)

    @staticmethod
    def _birth_after_incident(incident: PoliceIncident) -> list[FieldProblem]:
        day = incident.occurred_at.date()
        return [
            FieldProblem(
                field=f"persons[{i}].cpr",
                code="birth_after_incident",
                message="the CPR birth date is after occurred_at",
            )
            for i, person in enumerate(incident.persons)
            if age_on(person.cpr, day) < 0
        ]

    def _pseudonymise(self, uow: UnitOfWork, incident: PoliceIncident) -> AcceptedIncident:
        persons = []
        day = incident.occurred_at.date()
        for person in incident.persons:
            person_key = self.pseudonymiser.person_key(person.cpr)
            self._remember_identity(
                uow, person_key, person.cpr, person.name, person.address, person.municipality_code
            )
            age = age_on(person.cpr, day)
            persons.append(
                PseudonymousPerson(
                    person_key=person_key,
                    role=person.role,
                    municipality_code=person.municipality_code,
                    age_at_incident=age,
                    in_scope=is_in_scope(age),
                    school=person.school,
                )
            )
        return AcceptedIncident(
            journal_number=incident.journal_number,
            revision=incident.revision,
            source=incident.source,
            police_district=incident.police_district,
            reported_at=incident.reported_at,
            occurred_at=incident.occurred_at,
            offence_code=incident.offence.code,
            location_municipality_code=incident.location.municipality_code,
            flags=list(incident.flags),
            accepted_at=self.clock(),
            persons=persons,
        )

    def _remember_identity(
        self,
        uow: UnitOfWork,
        person_key: str,
        cpr: str,
        name: str | None,
        address: str | None,
        municipality_code: str,
    ) -> None:
        identity = uow.get(PersonIdentity, PersonIdentity.create_id(person_key))
        if identity is None:
            uow.add(PersonIdentity(person_key, cpr, name, address))
        else:
            identity.learn(name, address)
        # Who may resolve the pseudonym: staff of the municipalities the person lives in.
        record_municipality(uow, person_key, municipality_code)

    def _reject(
        self,
        uow: UnitOfWork,
        raw: bytes,
        problems: list[FieldProblem],
        channel: Literal["kafka", "http"],
        reference: UUID,
    ) -> SubmissionResult:
        if uow.get(RejectedInput, reference) is None:
            rejection: IntakeRejection = build_rejection(
                raw, problems, channel=channel, reference=str(reference), received_at=self.clock()
            )
            uow.add(
                RejectedInput(
                    reference=str(reference),
                    channel=channel,
                    received_at=rejection.received_at,
                    original_b64=base64.b64encode(raw).decode(),
                    rejection=rejection.model_dump(mode="json"),
                )
            )
            log.info(
                "intake: rejected %s input %s: %s",
                channel,
                reference,
                ", ".join(f"{p.field} ({p.code})" for p in problems),
            )
        return SubmissionResult("rejected", reference=str(reference), problems=problems)

    def _receive_case_event(self, uow: UnitOfWork, raw: bytes, reference: UUID) -> None:
        case_event, problems = parse_bytes(raw, CaseRegisterEvent)
        if case_event is not None:
            problems = municipality_problems(
                [("municipality_code", case_event.municipality_code)], self.served
            )
        if case_event is None or problems:
            self._reject(uow, raw, problems, "kafka", reference)
            return
        at = case_event.at.isoformat()
        entry_id = CaseRegisterEntry.create_id(case_event.case_id, case_event.event, at)
        if uow.get(CaseRegisterEntry, entry_id) is not None:
            return
        person_key = self.pseudonymiser.person_key(case_event.cpr)
        self._remember_identity(
            uow, person_key, case_event.cpr, None, None, case_event.municipality_code
        )
        pseudonymised = PseudonymisedCaseEvent(
            event=case_event.event,
            case_id=case_event.case_id,
            person_key=person_key,
            municipality_code=case_event.municipality_code,
            team=case_event.team,
            caseworker=case_event.caseworker,
            at=case_event.at,
        )
        uow.add(
            CaseRegisterEntry(
                case_event.case_id, case_event.event, at, pseudonymised.model_dump(mode="json")
            )
        )
