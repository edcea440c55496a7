"""Intake's aggregates. Only `PersonIdentity`, `RejectedInput` and an incident's `details` hold
personal data. The whole intake store is encrypted at rest, and since issue 18 that personal
data is sealed, inside the events, with the data keys of the persons it is about
(shared/keys/sealing.py): a `Sealed` value (`{"owners", "sealed"}`) instead of the plain one.
Events stored before hold it plain (under the store key only) and still load. Nothing personal
leaves intake on a topic."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from shared.eventstore import TracedAggregate
from shared.eventstore.ids import IdSpace, keyed_id

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

    create_id = keyed_id(_IDS, "journal_number", prefix="incident")

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

    class RegisteredSealed(TracedAggregate.Created):
        """Since issue 18: CPR number, name and address sealed with the person's data key."""

        person_key: str
        sealed: dict[str, Any]
        municipality_code: str

    class FactsSealed(TracedAggregate.Event):
        """A further name or address, sealed with the person's data key."""

        sealed: dict[str, Any]

    class Erased(TracedAggregate.Event):
        """The person's data key was destroyed: nothing of them is readable any more."""

        erasure_id: str
        reason: str

    create_id = keyed_id(_IDS, "person_key", prefix="person")

    @classmethod
    def register_sealed(
        cls,
        identity_id: UUID,
        person_key: str,
        sealed: dict[str, Any],
        municipality_code: str,
        trace_context: dict[str, str],
    ) -> PersonIdentity:
        """A new identity whose CPR number, name and address are `sealed` (with the person's
        data key) for a caller that has already worked out `identity_id`
        (`create_id(person_key)`) and the trace context (`current_trace_context()`)."""
        return cls._create(
            cls.RegisteredSealed,
            id=identity_id,
            trace_context=trace_context,
            person_key=person_key,
            sealed=sealed,
            municipality_code=municipality_code,
        )

    # The defaults are for `Registered` (no municipality) and `RegisteredSealed` (no plain
    # values); `RegisteredIn` names every plain field.
    @event(RegisteredIn)
    def __init__(
        self,
        person_key: str,
        cpr: str | None = None,
        name: str | None = None,
        address: str | None = None,
        municipality_code: str | None = None,
        sealed: dict[str, Any] | None = None,
    ) -> None:
        self.person_key = person_key
        self.cpr = cpr
        """Plain only in identities registered before issue 18; else in `sealed_facts`."""
        self.names: list[str] = [name] if name else []
        self.addresses: list[str] = [address] if address else []
        self.sealed_facts: list[dict[str, Any]] = [sealed] if sealed else []
        """Sealed `{"cpr", "name", "address"}` parts, in the order they were learnt."""
        self.erased = False
        self.municipalities: list[str] | None = (
            None if municipality_code is None else [municipality_code]
        )

    @event(FactsSealed)
    def record_facts(self, sealed: dict[str, Any]) -> None:
        self.sealed_facts.append(sealed)

    @event(Erased)
    def mark_erased(self, erasure_id: str, reason: str) -> None:
        self.erased = True
        self.cpr = None
        self.names, self.addresses, self.sealed_facts = [], [], []

    def include(self, municipality_code: str) -> None:
        """Only for an identity that keeps its own municipalities (`municipalities` not None)."""
        if self.municipalities is None:
            raise ValueError("this identity's municipalities are kept in PersonMunicipalities")
        if municipality_code not in self.municipalities:
            self.add_municipality(municipality_code=municipality_code)

    # Plain names and addresses learnt before issue 18 (now `FactsSealed`): kept to load them.
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

    class SealedRecorded(TracedAggregate.Created):
        """Since issue 18: the original sealed for every person it names (readable while none
        of them is erased) and each person's part sealed for that person alone."""

        reference: str
        channel: str
        received_at: datetime
        original_b64: str | None
        """None: sealed (set only by a caller that constructs a plain one, as tests do)."""
        rejection: dict[str, Any]
        sealed_original: dict[str, Any] | None
        sealed_persons: list[dict[str, Any]] | None
        """`{"index", "sealed"}` for each person of `persons` whose CPR number could be read."""

    @staticmethod
    def create_id(reference: str) -> UUID:
        return UUID(reference)

    # `Recorded` (before issue 18) lacks the sealed fields: their defaults.
    @event(SealedRecorded)
    def __init__(
        self,
        reference: str,
        channel: str,
        received_at: datetime,
        original_b64: str | None = None,
        rejection: dict[str, Any] | None = None,
        sealed_original: dict[str, Any] | None = None,
        sealed_persons: list[dict[str, Any]] | None = None,
    ) -> None:
        self.reference = reference
        self.channel = channel
        self.received_at = received_at
        self.original_b64 = original_b64
        """Plain (under the store key only) in rejections recorded before issue 18."""
        self.sealed_original = sealed_original
        self.sealed_persons = sealed_persons or []
        self.rejection: dict[str, Any] = rejection or {}
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

    create_id = keyed_id(_IDS, "case_id", "event_type", "at", prefix="case")

    @event(Received)
    def __init__(
        self, case_id: str, event_type: str, at: str, pseudonymised: dict[str, Any]
    ) -> None:
        self.pseudonymised = pseudonymised
