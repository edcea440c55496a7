"""Intake's aggregates. Only `PersonIdentity` and `RejectedInput` hold personal data, and the
whole intake store is encrypted at rest; nothing personal leaves intake on a topic."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from shared.eventstore import TracedAggregate
from shared.eventstore.ids import IdSpace

_IDS = IdSpace("urn:ssp:intake")


class IncidentRecord(TracedAggregate):
    """The accepted revisions of one police journal number, pseudonymised.

    A record is created with its first accepted revision (`Received`, one event); each higher
    revision is a `RevisionAccepted`. Records stored before `Received` existed begin with
    `Opened` (the journal number alone) followed by a `RevisionAccepted` for the first revision;
    they still load."""

    class Received(TracedAggregate.Created):
        journal_number: str
        revision: int
        accepted: dict[str, Any]
        details: dict[str, Any]

    class Opened(TracedAggregate.Created):
        """How records began before `Received`: no revision yet (one follows at once)."""

        journal_number: str

    class RevisionAccepted(TracedAggregate.Event):
        revision: int
        accepted: dict[str, Any]
        details: dict[str, Any]

    @staticmethod
    def create_id(journal_number: str) -> UUID:
        return _IDS(f"incident:{journal_number}")

    # The defaults are for `Opened` (no revision yet); `Received` names every field.
    @event(Received)
    def __init__(
        self,
        journal_number: str,
        revision: int = 0,
        accepted: dict[str, Any] | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        """`accepted` is what triage sees; `details` (narrative, offence and location text) can
        name people, so it stays in this encrypted store."""
        self.journal_number = journal_number
        self.revision = revision
        self.accepted: dict[str, Any] | None = accepted
        self.details: dict[str, Any] | None = details

    @classmethod
    def received(
        cls,
        record_id: UUID,
        journal_number: str,
        revision: int,
        accepted: dict[str, Any],
        details: dict[str, Any],
        trace_context: dict[str, str],
    ) -> IncidentRecord:
        """`IncidentRecord(journal_number, revision, accepted, details)` for a caller that has
        already worked out `record_id` (`create_id(journal_number)`) and the trace context
        (`current_trace_context()`, the same for every event of one message)."""
        return cls._create(
            cls.Received,
            id=record_id,
            trace_context=trace_context,
            journal_number=journal_number,
            revision=revision,
            accepted=accepted,
            details=details,
        )

    def supersedes(self, revision: int) -> bool:
        return revision > self.revision

    @event(RevisionAccepted)
    def accept_revision(
        self, revision: int, accepted: dict[str, Any], details: dict[str, Any]
    ) -> None:
        self.revision = revision
        self.accepted = accepted
        self.details = details


class PersonIdentity(TracedAggregate):
    """Who a pseudonym stands for, and the municipalities the person has been registered as
    living in (staff of one of them may resolve the pseudonym: services/intake/application/
    identities.py). Resolved only by authorised, audited calls.

    An identity is created with the municipality it was first registered in
    (`RegisteredIn`, one event; a later municipality is a `MunicipalityAdded`). Identities
    stored before `RegisteredIn` existed begin with `Registered` and keep their municipalities
    in a separate aggregate, `PersonMunicipalities`; for them `municipalities` is None."""

    class RegisteredIn(TracedAggregate.Created):
        person_key: str
        cpr: str
        name: str | None
        address: str | None
        municipality_code: str

    class Registered(TracedAggregate.Created):
        """How identities began before `RegisteredIn`: without a municipality."""

        person_key: str
        cpr: str
        name: str | None
        address: str | None

    @staticmethod
    def create_id(person_key: str) -> UUID:
        return _IDS(f"person:{person_key}")

    @classmethod
    def register(
        cls,
        identity_id: UUID,
        person_key: str,
        cpr: str,
        name: str | None,
        address: str | None,
        municipality_code: str,
        trace_context: dict[str, str],
    ) -> PersonIdentity:
        """`PersonIdentity(person_key, cpr, name, address, municipality_code)` for a caller
        that has already worked out `identity_id` (`create_id(person_key)`) and the trace
        context (`current_trace_context()`, the same for every event of one message)."""
        return cls._create(
            cls.RegisteredIn,
            id=identity_id,
            trace_context=trace_context,
            person_key=person_key,
            cpr=cpr,
            name=name,
            address=address,
            municipality_code=municipality_code,
        )

    # The default is for `Registered` (no municipality); `RegisteredIn` names every field.
    @event(RegisteredIn)
    def __init__(
        self,
        person_key: str,
        cpr: str,
        name: str | None = None,
        address: str | None = None,
        municipality_code: str | None = None,
    ) -> None:
        self.person_key = person_key
        self.cpr = cpr
        self.names: list[str] = [name] if name else []
        self.addresses: list[str] = [address] if address else []
        self.municipalities: list[str] | None = (
            None if municipality_code is None else [municipality_code]
        )

    def learn(self, name: str | None, address: str | None) -> None:
        if name and name not in self.names:
            self.record_name(name=name)
        if address and address not in self.addresses:
            self.record_address(address=address)

    def include(self, municipality_code: str) -> None:
        """Only for an identity that keeps its own municipalities (`municipalities` not None)."""
        if self.municipalities is None:
            raise ValueError("this identity's municipalities are kept in PersonMunicipalities")
        if municipality_code not in self.municipalities:
            self.add_municipality(municipality_code=municipality_code)

    @event("NameRecorded")
    def record_name(self, name: str) -> None:
        self.names.append(name)

    @event("AddressRecorded")
    def record_address(self, address: str) -> None:
        self.addresses.append(address)

    @event("MunicipalityAdded")
    def add_municipality(self, municipality_code: str) -> None:
        assert self.municipalities is not None
        self.municipalities.append(municipality_code)


class RejectedInput(TracedAggregate):
    """Input that failed validation, kept (encrypted) until it is corrected: resubmitted by
    staff, or replaced by the same incident arriving valid (domain/rejections.py)."""

    class Recorded(TracedAggregate.Created):
        reference: str
        channel: str
        received_at: datetime
        original_b64: str
        rejection: dict[str, Any]

    @staticmethod
    def create_id(reference: str) -> UUID:
        return UUID(reference)

    @event(Recorded)
    def __init__(
        self,
        reference: str,
        channel: str,
        received_at: datetime,
        original_b64: str,
        rejection: dict[str, Any],
    ) -> None:
        self.reference = reference
        self.channel = channel
        self.received_at = received_at
        self.original_b64 = original_b64
        self.rejection = rejection
        self.corrected_by: tuple[str, int] | None = None
        self.corrected_concern_id: str | None = None
        self.corrected_how: str | None = None

    @property
    def is_open(self) -> bool:
        """Not yet corrected, by an incident (`corrected_by`) or a concern."""
        return self.corrected_by is None and self.corrected_concern_id is None

    @event("Corrected")
    def mark_corrected(self, journal_number: str, revision: int, how: str = "resubmitted") -> None:
        """Closed by the accepted incident (`journal_number`, `revision`): resubmitted for
        this reference, or the same incident arriving valid later (`submitted_again`;
        domain/rejections.py says which). Events stored before `how` existed were all
        resubmissions."""
        self.corrected_by = (journal_number, revision)
        self.corrected_how = how

    @event("ConcernCorrected")
    def mark_concern_corrected(self, concern_id: str, how: str) -> None:
        """A rejected concern closed by the registered concern `concern_id` (issue 15, part 5):
        resubmitted for this reference, or the same concern id arriving valid later. Its own
        event: `Corrected` names an incident's journal number and revision, which a concern
        has not, and the events stored before stay as they are."""
        self.corrected_concern_id = concern_id
        self.corrected_how = how

    def correction(self) -> dict[str, Any] | None:
        """What corrected it, as the API shows it (`corrected_by`); None while it is open."""
        how = {"how": self.corrected_how or "resubmitted"}
        if self.corrected_by is not None:
            return {"journal_number": self.corrected_by[0], "revision": self.corrected_by[1]} | how
        if self.corrected_concern_id is not None:
            return {"concern_id": self.corrected_concern_id} | how
        return None


class CaseRegisterEntry(TracedAggregate):
    """One event from the social-services case register, pseudonymised for triage."""

    class Received(TracedAggregate.Created):
        case_id: str
        event_type: str
        at: str
        pseudonymised: dict[str, Any]

    @staticmethod
    def create_id(case_id: str, event_type: str, at: str) -> UUID:
        return _IDS(f"case:{case_id}:{event_type}:{at}")

    @event(Received)
    def __init__(
        self, case_id: str, event_type: str, at: str, pseudonymised: dict[str, Any]
    ) -> None:
        self.pseudonymised = pseudonymised
