"""Intake's use cases: accept, de-duplicate and pseudonymise police incidents and case-register
events; keep what fails validation for correction.

Handlers are plain methods; the Kafka and HTTP entry points only translate into these calls.
Over 400 lines because the Kafka, HTTP and import paths share one acceptance: the same checks,
the same pseudonymisation and the same rejection records, in one unit of work per batch.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar
from uuid import UUID, uuid4

from services.intake.application.app import IntakeApplication
from services.intake.application.concerns import (
    ConcernSubmission,
    ValidConcern,
    accept_concern,
    check_concern,
)
from services.intake.application.identities import (
    IdentityIds,
    OnePersonInput,
    prefetch_identities,
    remember_identity,
)
from services.intake.application.open_rejections import (
    CASE_REGISTER_INPUT,
    CONCERN_INPUT,
    OpenRejections,
)
from services.intake.application.sealed_data import original_of, seal_rejected
from services.intake.domain.model import CaseRegisterEntry, IncidentRecord, RejectedInput
from services.intake.domain.municipalities import (
    DEFAULT_MUNICIPALITIES,
    codes_of_document,
    codes_of_incident,
    municipality_problems,
)
from services.intake.domain.pseudonym import Pseudonymiser
from services.intake.domain.rejections import RESUBMITTED, CorrectionMatch, RejectionSummary
from services.intake.domain.scope import is_in_scope
from shared.clock import Clock, utc_now
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
    parse_bytes,
)
from shared.contracts.cpr import birth_date, turns_18_on
from shared.contracts.errors import MESSAGE_TOO_LARGE
from shared.eventstore import UnitOfWork
from shared.eventstore.ids import IdSpace
from shared.keys.sealing import PersonSealer
from shared.telemetry import current_trace_context

log = logging.getLogger(__name__)
_REJECTION_IDS = IdSpace("urn:ssp:intake:rejections")

Outcome = Literal["accepted", "duplicate", "superseded", "rejected"]
_SHARED_FIELDS = PoliceIncident.model_fields.keys() & AcceptedIncident.model_fields.keys()
_ACCEPTED_AS_GIVEN = _SHARED_FIELDS - {"persons"}
"""What the accepted incident takes from the police incident as it is: every field the two
contracts share, but the persons (pseudonymised one by one)."""
ParsedIncident = tuple[PoliceIncident | None, list[FieldProblem]]


@dataclass(frozen=True)
class SubmissionResult:
    outcome: Outcome
    journal_number: str | None = None
    revision: int | None = None
    reference: str | None = None
    problems: list[FieldProblem] = field(default_factory=list)


@dataclass(frozen=True)
class _ValidIncident:
    """An incident that passed every rule, with each person's pseudonym (and the ids of what
    is kept about them) and age worked out once: the batch's prefetch needs them as well."""

    incident: PoliceIncident
    record_id: UUID
    persons: tuple[IdentityIds, ...]
    ages: tuple[int, ...]

    def aggregate_ids(self) -> Iterator[UUID]:
        yield self.record_id
        for person in self.persons:
            yield person.identity_id


@dataclass(frozen=True)
class _ValidCaseEvent(OnePersonInput):
    """`record_id`: its `CaseRegisterEntry`."""

    case_event: CaseRegisterEvent
    at: str


@dataclass(frozen=True)
class _Invalid:
    problems: list[FieldProblem]
    reference: UUID  # of the rejection it is kept as
    raw: bytes  # the input, kept encrypted with the rejection
    case_register: bool = False
    """It came from the social-services case register (whatever it holds)."""
    concern: bool = False
    """It came as a concern (ssp.concerns.v1, POST /v1/concerns)."""

    def aggregate_ids(self) -> Iterator[UUID]:
        yield self.reference

    @property
    def persons(self) -> tuple[IdentityIds, ...]:
        return ()


Checked = _ValidIncident | _ValidCaseEvent | ValidConcern | _Invalid
"""A received message after intake's rules: what accepting or rejecting it needs."""
_Valid = TypeVar("_Valid", _ValidIncident, ValidConcern)
"""What a correction is checked into: an incident or a concern."""
_Result = TypeVar("_Result", SubmissionResult, ConcernSubmission)


def _closed_by_incident(rejected: RejectedInput, valid: _ValidIncident) -> None:
    incident = valid.incident
    rejected.mark_corrected(
        journal_number=incident.journal_number, revision=incident.revision, how=RESUBMITTED
    )


def _closed_by_concern(rejected: RejectedInput, valid: ValidConcern) -> None:
    rejected.mark_concern_corrected(concern_id=valid.concern.concern_id, how=RESUBMITTED)


MAJORITY_AGE = 18
"""Minors get their 18th birthday on the incident (`turns_18_on`)."""


class RejectionNotFound(LookupError):
    pass


class IntakeService:
    def __init__(
        self,
        app: IntakeApplication,
        pseudonymiser: Pseudonymiser,
        *,
        served_municipalities: Iterable[str] = DEFAULT_MUNICIPALITIES,
        max_message_bytes: int = 1024 * 1024,
        clock: Clock = utc_now,
        correction_match: CorrectionMatch = CorrectionMatch.JOURNAL_NUMBER,
    ) -> None:
        self.app = app
        self.rejections = OpenRejections(app, correction_match)
        self.max_message_bytes = max_message_bytes
        self.served = frozenset(served_municipalities)
        # An incident may name any official code: persons living in an unserved municipality
        # are accepted as not served, an unserved location is normal (issue 14, part 1).
        self.pseudonymiser = pseudonymiser
        self.clock = clock

    # --- Kafka: each message checked as it is read (entrypoints/kafka.py), then the batch ---
    def check_incident(self, raw: bytes, coordinates: str) -> Checked:
        """An incident as received on Kafka: valid, with what accepting it needs, or invalid
        (it is rejected and kept, never poison). `coordinates` names the record
        (topic|partition|offset), so that re-reading it after a crash records no second
        rejection. A message larger than `max_message_bytes` is rejected unread, and kept like
        any bad input (the broker bounds its size)."""
        checked: _ValidIncident | list[FieldProblem] = (
            [self._too_large()] if len(raw) > self.max_message_bytes else self._check_incident(raw)
        )
        if isinstance(checked, list):
            return _Invalid(checked, self._kafka_reference(raw, coordinates), raw)
        return checked

    def check_case_event(self, raw: bytes, coordinates: str) -> Checked:
        """A case-register event as received on Kafka; see `check_incident`."""
        checked: _ValidCaseEvent | list[FieldProblem] = (
            [self._too_large()]
            if len(raw) > self.max_message_bytes
            else self._check_case_event(raw)
        )
        if isinstance(checked, list):
            reference = self._kafka_reference(raw, coordinates)
            return _Invalid(checked, reference, raw, case_register=True)
        return checked

    def check_concern(self, raw: bytes, coordinates: str) -> Checked:
        """A concern as received on Kafka; see `check_incident`."""
        checked = self._check_concern(raw)
        if isinstance(checked, list):
            return _Invalid(checked, self._kafka_reference(raw, coordinates), raw, concern=True)
        return checked

    def _check_concern(self, raw: bytes) -> ValidConcern | list[FieldProblem]:
        if len(raw) > self.max_message_bytes:
            return [self._too_large()]
        return check_concern(raw, self.pseudonymiser, self.served)

    def _too_large(self) -> FieldProblem:
        return FieldProblem(
            field="$",
            code=MESSAGE_TOO_LARGE,
            message=f"the message is larger than {self.max_message_bytes} bytes; not read",
        )

    @staticmethod
    def _kafka_reference(raw: bytes, coordinates: str) -> UUID:
        digest = hashlib.sha256(raw).hexdigest()
        return _REJECTION_IDS(f"{coordinates}|{digest}")

    def prefetch(self, uow: UnitOfWork, checked: Sequence[Checked]) -> None:
        """Every message is checked first (the rules depend on nothing stored), so that every
        aggregate the batch touches is loaded with one query (the open rejections its valid
        incidents replace too)."""
        self._prefetch(uow, checked)

    def _prefetch(self, uow: UnitOfWork, checked: Sequence[Checked]) -> None:
        self.rejections.catch_up()
        uow.prefetch(
            [
                *(aggregate_id for c in checked for aggregate_id in c.aggregate_ids()),
                *(
                    aggregate_id
                    for c in checked
                    if isinstance(c, _ValidIncident)
                    for aggregate_id in self.rejections.replaced(c.incident)
                ),
                *(
                    aggregate_id
                    for c in checked
                    if isinstance(c, ValidConcern)
                    for aggregate_id in self.rejections.replaced_concern(c.concern)
                ),
            ]
        )
        prefetch_identities(uow, (person for c in checked for person in c.persons))
        self.sealer.prefetch(person.person_key for c in checked for person in c.persons)

    def receive_checked_in(self, uow: UnitOfWork, checked: Checked) -> None:
        if isinstance(checked, _Invalid):
            self._reject(
                uow,
                checked.raw,
                checked.problems,
                "kafka",
                checked.reference,
                case_register=checked.case_register,
                concern=checked.concern,
            )
        elif isinstance(checked, ValidConcern):
            self._accept_concern(uow, checked)
        elif isinstance(checked, _ValidIncident):
            self._accept_incident(uow, checked)
        else:
            self._accept_case_event(uow, checked)

    # --- HTTP --------------------------------------------------------------------------
    def submit_incident(self, raw: bytes) -> SubmissionResult:
        self.rejections.catch_up()
        uow = UnitOfWork(self.app)
        result = self._receive_incident(uow, raw, "http", uuid4())
        uow.commit()
        return result

    def submit_concern(self, raw: bytes) -> ConcernSubmission:
        """A concern over HTTP: accepted, a duplicate of its id, or rejected and kept."""
        self.rejections.catch_up()
        uow = UnitOfWork(self.app)
        checked = self._check_concern(raw)
        if isinstance(checked, list):
            reference = uuid4()
            self._reject(uow, raw, checked, "http", reference, concern=True)
            result = ConcernSubmission("rejected", reference=str(reference), problems=checked)
        else:
            self._prefetch(uow, [checked])
            result = self._accept_concern(uow, checked)
        uow.commit()
        return result

    def _accept_concern(self, uow: UnitOfWork, valid: ValidConcern) -> ConcernSubmission:
        """Accepted (or found already there), it closes the rejections it replaces."""
        self.rejections.close_replaced_concern(uow, valid.concern)
        new = accept_concern(uow, valid, self.clock(), self.sealer)
        return ConcernSubmission.of(valid, "accepted" if new else "duplicate")

    def resubmit_concern(self, reference: str, corrected: bytes) -> ConcernSubmission:
        """The corrected document for a kept rejected concern, checked as a concern (the rules
        of `submit_concern`). Valid: it is registered (or found already there) and the
        rejection is closed with its concern id. Still invalid: its problems under the same
        reference; nothing new is kept and the rejection stays open."""
        concern = (self._check_concern, _closed_by_concern, self._accept_concern)
        return self._resubmit(reference, corrected, ConcernSubmission, *concern)

    def import_incidents(
        self, documents: Sequence[tuple[bytes, Sequence[FieldProblem]]]
    ) -> list[SubmissionResult]:
        """Incidents built from one police list (see police_list.py), in one transaction: each
        through exactly the rules of `submit_incident`, with the problems the list itself had
        (e.g. rows of one incident disagreeing) added to its own. A rejected incident's
        reference is derived from its content, so importing the same file again records no
        second rejection, as the de-duplication records no second incident."""
        checked = [
            (raw, self._check_import(raw, list_problems)) for raw, list_problems in documents
        ]
        uow = UnitOfWork(self.app)
        self._prefetch(uow, [c for _, c in checked])
        results = []
        for raw, c in checked:
            if isinstance(c, _Invalid):
                results.append(self._reject(uow, raw, c.problems, "http", c.reference))
            else:
                results.append(self._accept_incident(uow, c))
        uow.commit()
        return results

    def _check_import(
        self, raw: bytes, list_problems: Sequence[FieldProblem]
    ) -> _ValidIncident | _Invalid:
        checked = self._check_incident(raw, extra=list_problems)
        if isinstance(checked, list):
            return _Invalid(
                checked, _REJECTION_IDS(f"import|{hashlib.sha256(raw).hexdigest()}"), raw
            )
        return checked

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

    @property
    def sealer(self) -> PersonSealer:
        return self.app.sealer

    def original_of(self, rejected: RejectedInput) -> bytes:
        """The rejected input as kept: whole while everyone it names is readable, else the
        others' parts only (application/sealed_data.py)."""
        return original_of(rejected, self.sealer)

    def resubmit(self, reference: str, corrected: bytes) -> SubmissionResult:
        """The corrected document for a kept rejection. Valid: it is accepted (or found
        already there) and the rejection is closed, with every other open rejection it
        replaces. Still invalid: its problems, under the same reference; nothing new is kept
        (the rejection stays open, with the input as it was)."""
        incident = (self._check_incident, _closed_by_incident, self._accept_incident)
        return self._resubmit(reference, corrected, SubmissionResult, *incident)

    def _resubmit(
        self,
        reference: str,
        corrected: bytes,
        result_type: type[_Result],
        check: Callable[[bytes], _Valid | list[FieldProblem]],
        close: Callable[[RejectedInput, _Valid], None],
        accept: Callable[[UnitOfWork, _Valid], _Result],
    ) -> _Result:
        """A correction for the kept rejection `reference`, checked by `check`: still invalid,
        nothing is kept; valid, the rejection is closed (`close`, unless it was already) and
        the correction accepted (`accept`, which closes the other rejections it replaces) in
        one unit of work."""
        rejected = self.rejected_input(reference)
        checked = check(corrected)
        if isinstance(checked, list):
            return result_type("rejected", reference=reference, problems=checked)
        self.rejections.catch_up()
        uow = UnitOfWork(self.app)
        uow.add(rejected)
        self._prefetch(uow, [checked])
        if rejected.is_open:
            close(rejected, checked)
        result = accept(uow, checked)
        uow.commit()
        return result

    def open_rejections(self) -> list[RejectionSummary]:
        """Every rejection not yet corrected, the most recently received first."""
        return self.rejections.listed()

    # --- the rules ---------------------------------------------------------------------
    def _receive_incident(
        self,
        uow: UnitOfWork,
        raw: bytes,
        channel: Literal["kafka", "http"],
        reference: UUID,
    ) -> SubmissionResult:
        checked = self._check_incident(raw)
        if isinstance(checked, list):
            return self._reject(uow, raw, checked, channel, reference)
        return self._accept_incident(uow, checked)

    def _check_incident(
        self, raw: bytes, extra: Sequence[FieldProblem] = ()
    ) -> _ValidIncident | list[FieldProblem]:
        """The incident with what accepting it needs, or every problem it has."""
        incident, problems = parse_bytes(raw, PoliceIncident)
        ages: tuple[int, ...] = ()
        if incident is not None:
            day = incident.occurred_at.date()
            ages = tuple(age_on(person.cpr, day) for person in incident.persons)
            problems = self._birth_after_incident(ages)
        problems = [*extra, *problems, *self._municipality_problems(incident, raw)]
        if incident is None or problems:
            return problems
        return _ValidIncident(
            incident=incident,
            record_id=IncidentRecord.create_id(incident.journal_number),
            persons=tuple(
                IdentityIds.of(self.pseudonymiser.key_of_normalised(p.cpr))
                for p in incident.persons
            ),
            ages=ages,
        )

    def _accept_incident(self, uow: UnitOfWork, valid: _ValidIncident) -> SubmissionResult:
        incident = valid.incident
        record = uow.get(IncidentRecord, valid.record_id)
        self.rejections.close_replaced(uow, incident)
        if record is not None and not record.supersedes(incident.revision):
            outcome: Outcome = "duplicate" if incident.revision == record.revision else "superseded"
            return SubmissionResult(outcome, incident.journal_number, incident.revision)
        # Every event this message causes stores the same context: worked out once.
        context = current_trace_context()
        accepted = self._pseudonymise(uow, valid, context)
        # Offence, location and narrative text may name anyone in the incident: sealed for
        # all of them (unreadable once any of them is erased).
        details = self.sealer.seal(
            (person.person_key for person in valid.persons),
            incident.model_dump_json(include={"offence", "location", "narrative"}).encode(),
        )
        if record is None:
            # A new record carries its first revision (one event). Created the eventsourcing
            # way: its id from `create_id` (`valid.record_id`), the current trace context.
            uow.add(IncidentRecord(incident.journal_number, incident.revision, accepted, details))
        else:
            record.accept_revision(revision=incident.revision, accepted=accepted, details=details)
        return SubmissionResult("accepted", incident.journal_number, incident.revision)

    def _municipality_problems(
        self, incident: PoliceIncident | None, raw: bytes
    ) -> list[FieldProblem]:
        if incident is not None:
            return municipality_problems(codes_of_incident(incident), None)
        try:
            doc = json.loads(raw)
        except (ValueError, RecursionError):
            return []
        if not isinstance(doc, dict):
            return []
        return municipality_problems(codes_of_document(doc), None)

    @staticmethod
    def _birth_after_incident(ages: Iterable[int]) -> list[FieldProblem]:
        return [
            FieldProblem(
                field=f"persons[{i}].cpr",
                code="birth_after_incident",
                message="the CPR birth date is after occurred_at",
            )
            for i, age in enumerate(ages)
            if age < 0
        ]

    def _pseudonymise(
        self, uow: UnitOfWork, valid: _ValidIncident, trace_context: dict[str, str]
    ) -> dict[str, Any]:
        """The `AcceptedIncident` as the JSON-mode dict it is stored as (and published)."""
        incident = valid.incident
        persons = []
        for person, ids, age in zip(incident.persons, valid.persons, valid.ages, strict=True):
            remember_identity(
                uow,
                ids,
                person.cpr,
                person.name,
                person.address,
                person.municipality_code,
                trace_context,
                self.sealer,
            )
            persons.append(
                PseudonymousPerson(
                    person_key=ids.person_key,
                    role=person.role,
                    municipality_code=person.municipality_code,
                    age_at_incident=age,
                    in_scope=is_in_scope(age),
                    school=person.school,
                    served=person.municipality_code in self.served,
                    turns_18_on=(
                        turns_18_on(birth_date(person.cpr)) if 0 <= age < MAJORITY_AGE else None
                    ),
                )
            )
        accepted_at = self.clock()
        if accepted_at.utcoffset() is None:  # what the contract's AwareDatetime refuses
            raise ValueError("the clock must give an aware datetime")
        return AcceptedIncident(
            **incident.model_dump(include=_ACCEPTED_AS_GIVEN),
            offence_code=incident.offence.code,
            location_municipality_code=incident.location.municipality_code,
            accepted_at=accepted_at,
            persons=persons,
        ).model_dump(mode="json")

    def _reject(
        self,
        uow: UnitOfWork,
        raw: bytes,
        problems: list[FieldProblem],
        channel: Literal["kafka", "http"],
        reference: UUID,
        *,
        case_register: bool = False,
        concern: bool = False,
    ) -> SubmissionResult:
        if uow.get(RejectedInput, reference) is None:
            rejection: IntakeRejection = build_rejection(
                raw, problems, channel=channel, reference=str(reference), received_at=self.clock()
            )
            kept = rejection.model_dump(mode="json")
            if case_register:
                # Kept with the record only (the published contract ignores it): a rejected
                # case-register event is social services' record, even when unreadable.
                kept[CASE_REGISTER_INPUT] = True
            if concern:
                # Likewise: a concern is about a child's welfare, whoever may correct incidents.
                kept[CONCERN_INPUT] = True
            sealed_original, sealed_persons = seal_rejected(
                self.sealer, raw, str(reference), self.pseudonymiser.person_key
            )
            rejected = RejectedInput(
                reference=str(reference),
                channel=channel,
                received_at=rejection.received_at,
                sealed_original=sealed_original,
                sealed_persons=sealed_persons,
                rejection=kept,
            )
            uow.add(rejected)
            self.rejections.recorded(uow, rejected)
            log.info(
                "intake: rejected %s input %s: %s",
                channel,
                reference,
                ", ".join(f"{p.field} ({p.code})" for p in problems),
            )
        return SubmissionResult("rejected", reference=str(reference), problems=problems)

    def _receive_case_event(self, uow: UnitOfWork, raw: bytes, reference: UUID) -> None:
        checked = self._check_case_event(raw)
        if isinstance(checked, list):
            self._reject(uow, raw, checked, "kafka", reference, case_register=True)
        else:
            self._accept_case_event(uow, checked)

    def _check_case_event(self, raw: bytes) -> _ValidCaseEvent | list[FieldProblem]:
        case_event, problems = parse_bytes(raw, CaseRegisterEvent)
        if case_event is not None:
            problems = municipality_problems(
                [("municipality_code", case_event.municipality_code)], self.served
            )
        if case_event is None or problems:
            return problems
        at = case_event.at.isoformat()
        return _ValidCaseEvent(
            case_event=case_event,
            at=at,
            record_id=CaseRegisterEntry.create_id(case_event.case_id, case_event.event, at),
            person=IdentityIds.of(self.pseudonymiser.key_of_normalised(case_event.cpr)),
        )

    def _accept_case_event(self, uow: UnitOfWork, valid: _ValidCaseEvent) -> None:
        if uow.get(CaseRegisterEntry, valid.record_id) is not None:
            return
        case_event = valid.case_event
        remember_identity(
            uow,
            valid.person,
            case_event.cpr,
            None,
            None,
            case_event.municipality_code,
            current_trace_context(),
            self.sealer,
        )
        pseudonymised = PseudonymisedCaseEvent(
            event=case_event.event,
            case_id=case_event.case_id,
            person_key=valid.person.person_key,
            municipality_code=case_event.municipality_code,
            team=case_event.team,
            caseworker=case_event.caseworker,
            at=case_event.at,
        )
        uow.add(
            CaseRegisterEntry(
                case_event.case_id,
                case_event.event,
                valid.at,
                pseudonymised.model_dump(mode="json"),
            )
        )
