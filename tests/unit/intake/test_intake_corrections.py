"""A correction closes the rejection it replaces (issue 15, part 6): resubmitted through its
reference, or the same incident arriving valid later on any channel (HTTP, the police list,
Kafka, in the same batch too), matched as `INTAKE_CORRECTION_MATCH` says."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from services.intake.application.service import IntakeService
from services.intake.bootstrap import build_application, build_service
from services.intake.domain.model import RejectedInput
from services.intake.domain.rejections import CorrectionMatch
from services.intake.entrypoints.kafka import CONSUMERS
from services.intake.settings import IntakeSettings
from shared.contracts import POLICE_INCIDENTS
from shared.eventstore import UnitOfWork
from shared.messaging.inbound import Inbound
from tests.support import example

JOURNAL = "3700-80123-00456-26"


def service_of(
    tmp_path: Path, match: CorrectionMatch = CorrectionMatch.JOURNAL_NUMBER
) -> IntakeService:
    settings = IntakeSettings(
        SSP_DATABASE_URL="memory",
        SSP_DATA_DIR=str(tmp_path),
        INTAKE_CORRECTION_MATCH=match.value,
    )
    app = build_application(settings, base64.b64encode(b"c" * 32).decode())
    return build_service(settings, app, "s" * 32)


def incident(revision: int = 1, *, valid: bool = True, **changes: Any) -> bytes:
    document = {**example("incident-valid.json"), "revision": revision, **changes}
    if not valid:
        document["persons"][0]["cpr"] = "310299-1234"  # no such date: rejected, journal kept
    return json.dumps(document).encode()


def rejected(service: IntakeService, reference: str) -> RejectedInput:
    return service.rejected_input(reference)


def open_references(service: IntakeService) -> set[str]:
    return {summary.reference for summary in service.open_rejections()}


def test_the_same_incident_posted_valid_closes_the_rejection(tmp_path: Path) -> None:
    service = service_of(tmp_path)
    reference = service.submit_incident(incident(valid=False)).reference
    assert reference is not None
    [listed] = service.open_rejections()
    assert (listed.journal_number, listed.revision, listed.municipalities) == (
        JOURNAL,
        1,
        frozenset({"607"}),
    )
    assert {r["field"] for r in listed.reasons} == {"persons[0].cpr"}

    assert service.submit_incident(incident()).outcome == "accepted"
    assert open_references(service) == set()
    closed = rejected(service, reference)
    assert closed.corrected_by == (JOURNAL, 1)
    assert closed.corrected_how == "submitted_again"


def test_a_lower_revision_does_not_close_the_rejection_of_a_higher_one(tmp_path: Path) -> None:
    service = service_of(tmp_path)
    reference = service.submit_incident(incident(2, valid=False)).reference
    assert service.submit_incident(incident(1)).outcome == "accepted"
    assert open_references(service) == {reference}
    assert service.submit_incident(incident(3)).outcome == "accepted"  # a later revision does
    assert open_references(service) == set()


def test_another_journal_number_closes_nothing(tmp_path: Path) -> None:
    service = service_of(tmp_path)
    reference = service.submit_incident(incident(valid=False)).reference
    service.submit_incident(incident(journal_number="3700-80123-00457-26"))
    assert open_references(service) == {reference}


def test_a_rejection_without_a_readable_journal_number_is_closed_only_by_resubmitting(
    tmp_path: Path,
) -> None:
    service = service_of(tmp_path)
    reference = service.submit_incident(incident(valid=False, journal_number="37-1")).reference
    assert reference is not None
    service.submit_incident(incident())
    assert open_references(service) == {reference}
    assert service.resubmit(reference, incident(2)).outcome == "accepted"
    assert open_references(service) == set()
    assert rejected(service, reference).corrected_by == (JOURNAL, 2)
    assert rejected(service, reference).corrected_how == "resubmitted"


def test_the_matching_can_require_the_same_list_or_only_resubmissions(tmp_path: Path) -> None:
    by_source = service_of(tmp_path / "a", CorrectionMatch.JOURNAL_NUMBER_AND_SOURCE)
    reference = by_source.submit_incident(incident(valid=False)).reference  # doegnrapport
    by_source.submit_incident(incident(source="ssp_liste"))
    assert open_references(by_source) == {reference}
    by_source.submit_incident(incident(2, source="doegnrapport"))
    assert open_references(by_source) == set()

    only_resubmitted = service_of(tmp_path / "b", CorrectionMatch.RESUBMISSION_ONLY)
    kept = only_resubmitted.submit_incident(incident(valid=False)).reference
    only_resubmitted.submit_incident(incident(2))
    assert open_references(only_resubmitted) == {kept}


def test_a_still_invalid_resubmission_keeps_nothing_new_and_the_rejection_open(
    tmp_path: Path,
) -> None:
    service = service_of(tmp_path)
    reference = service.submit_incident(incident(valid=False)).reference
    assert reference is not None
    again = service.resubmit(reference, incident(valid=False))
    assert again.outcome == "rejected" and again.reference == reference
    assert {p.field for p in again.problems} == {"persons[0].cpr"}
    assert open_references(service) == {reference}
    assert len(service.open_rejections()) == 1


def test_a_corrected_police_list_closes_the_rejection(tmp_path: Path) -> None:
    service = service_of(tmp_path)
    [first] = service.import_incidents([(incident(valid=False), [])])
    assert first.outcome == "rejected"
    [second] = service.import_incidents([(incident(), [])])
    assert second.outcome == "accepted"
    assert open_references(service) == set()
    assert rejected(service, str(first.reference)).corrected_by == (JOURNAL, 1)


def _message(offset: int, raw: bytes) -> Inbound:
    return Inbound(POLICE_INCIDENTS, 0, offset, JOURNAL.encode(), raw)


def test_on_kafka_a_correction_closes_the_rejection_in_a_later_and_in_the_same_batch(
    tmp_path: Path,
) -> None:
    service = service_of(tmp_path)
    handle = CONSUMERS.batch_handler(service)
    handle([_message(1, incident(valid=False))])
    assert len(open_references(service)) == 1
    handle([_message(2, incident())])
    assert open_references(service) == set()

    # Rejected and corrected in one batch: the rejection is closed as it is recorded.
    handle([_message(3, incident(2, valid=False)), _message(4, incident(2))])
    assert open_references(service) == set()
    [reference] = [
        r.reference
        for r in _all_rejections(service)
        if r.rejection.get("revision") == 2  # the one of the batch
    ]
    assert rejected(service, reference).corrected_by == (JOURNAL, 2)


def _all_rejections(service: IntakeService) -> list[RejectedInput]:
    notifications = service.app.recorder.select_notifications(start=None, limit=1000)
    found = []
    uow = UnitOfWork(service.app)
    for notification in notifications:
        event = service.app.mapper.to_domain_event(notification)
        if isinstance(event, RejectedInput.Recorded | RejectedInput.SealedRecorded):
            aggregate = uow.get(RejectedInput, event.originator_id)
            assert aggregate is not None
            found.append(aggregate)
    return found


def test_the_open_rejections_are_rebuilt_from_the_store(tmp_path: Path) -> None:
    service = service_of(tmp_path)
    closed = service.submit_incident(incident(valid=False)).reference
    service.submit_incident(incident())
    kept = service.submit_incident(incident(5, valid=False)).reference
    restarted = IntakeService(service.app, service.pseudonymiser)
    assert open_references(restarted) == {kept}
    assert closed not in open_references(restarted)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["00456", "00457"]), st.integers(1, 3), st.booleans()),
        min_size=1,
        max_size=8,
    )
)
def test_a_rejection_stays_open_exactly_until_its_incident_arrives_valid(
    tmp_path_factory: Any, arrivals: list[tuple[str, int, bool]]
) -> None:
    """Whatever arrives in whatever order: a rejection of (J, R) is open exactly when no valid
    (J, R') with R' >= R arrived after it."""
    service = service_of(tmp_path_factory.mktemp("intake"))
    kept: list[tuple[str, int, int]] = []  # (journal, revision, index of arrival)
    references: dict[int, str] = {}
    for index, (case, revision, valid) in enumerate(arrivals):
        journal = f"3700-80123-{case}-26"
        # Each rejection differs (the narrative), so each is kept as its own.
        raw = incident(revision, valid=valid, journal_number=journal, narrative=f"#{index}")
        result = service.submit_incident(raw)
        if not valid:
            kept.append((journal, revision, index))
            references[index] = str(result.reference)
    expected_open = {
        references[index]
        for journal, revision, index in kept
        if not any(
            valid and f"3700-80123-{case}-26" == journal and later_revision >= revision
            for case, later_revision, valid in arrivals[index + 1 :]
        )
    }
    assert open_references(service) == expected_open
