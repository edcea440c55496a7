"""Ids derived from names are stored (aggregate ids) and published (task, decision and
withdrawal ids): each service's derivation is pinned to the uuid5 value it has always made."""

from __future__ import annotations

from datetime import date
from uuid import NAMESPACE_URL, UUID, uuid5

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.courses.domain.acute_procedure import AcuteProcedure
from services.courses.domain.eligibility import TrivselEligibility
from services.courses.domain.exit_programme import ExitProgramme
from services.courses.domain.exit_referral import ExitReferralRecord
from services.courses.domain.trivsel import TrivselCourse
from services.intake.application.identities import PersonMunicipalities
from services.intake.domain.concerns import ConcernRecord
from services.intake.domain.model import CaseRegisterEntry, IncidentRecord, PersonIdentity
from services.intake.domain.retention import RetentionRun
from services.notifications.domain.caseworker_record import CaseworkerRecord
from services.notifications.domain.letter_task_case import LetterTaskCase
from services.reporting.domain.model import JournalTimeline, TimelineStep, UnattributedRejection
from services.triage.domain.adulthood import PersonOpenItems, PspKspHandovers
from services.triage.domain.case_register import PersonCaseRegister
from services.triage.domain.exit_referrals import PersonExitReferral
from services.triage.domain.incident_triage import IncidentTriage, withdrawal_id_for
from services.triage.domain.meetings import PersonMeetings
from services.triage.domain.not_served import NotServedRegister
from services.triage.domain.person_history import PersonHistory
from services.triage.domain.routing import decision_id_for
from shared.eventstore.daily_job import DailyRun
from shared.eventstore.erasure import ErasedPerson
from shared.eventstore.ids import IdSpace

J = "3700-80123-00456-26"
K = "pk_9f2c4e1a7b3d5e6f"

PINNED = [
    (
        "PersonCaseRegister.create_id",
        PersonCaseRegister.create_id(K),
        "5cff21bc-1788-55ed-87b4-967bc190a4df",
    ),
    (
        "PersonExitReferral.create_id",
        PersonExitReferral.create_id(J, K),
        "1ccff159-fa04-580d-8a75-707e49689425",
    ),
    (
        "IncidentTriage.create_id",
        IncidentTriage.create_id(J),
        "df79103e-f629-59f5-a121-63e04e52ba6a",
    ),
    ("PersonHistory.create_id", PersonHistory.create_id(K), "771fa393-1f3d-57a7-80a7-cd4a039724d9"),
    ("decision_id_for", decision_id_for(J, 2, K), "c2260695-26cd-511f-92b2-639ccb7c3c13"),
    (
        "decision_id_for",
        decision_id_for(J, 2, K, "revised"),
        "6e43f373-8edc-5127-9249-05478da63986",
    ),
    ("withdrawal_id_for", withdrawal_id_for(J, 2, K), "4609a4b6-d363-5254-8ad3-eaf25e89aea8"),
    (
        "LetterTaskCase.create_id",
        LetterTaskCase.create_id(J, K),
        "a39d9420-158b-5050-8833-e5ff9ef1ea8b",
    ),
    (
        "JournalTimeline.create_id",
        JournalTimeline.create_id(J),
        "7a15010f-e888-590d-8987-3f45a17ba8ef",
    ),
    (
        "TimelineStep.create_id",
        TimelineStep.create_id(J, "intake"),
        "466f9377-ad8e-5367-8181-51a84944fe0d",
    ),
    (
        "UnattributedRejection.create_id",
        UnattributedRejection.create_id("ref-1"),
        "59865b4a-68e9-5dff-8b74-f581db1437ee",
    ),
    (
        "IncidentRecord.create_id",
        IncidentRecord.create_id(J),
        "0dfcbec6-4ab7-5e66-b0c2-e74475d965bb",
    ),
    (
        "PersonIdentity.create_id",
        PersonIdentity.create_id(K),
        "ce99d368-67af-541e-ae65-49f1d187c35d",
    ),
    (
        "CaseRegisterEntry.create_id",
        CaseRegisterEntry.create_id("c-1", "opened", "2026-01-01"),
        "b304755e-6316-5b18-b643-a4b9de5c9709",
    ),
    (
        "TrivselCourse.create_id",
        TrivselCourse.create_id(K, J),
        "305fd76a-3c33-598c-8d33-847543bef82c",
    ),
    (
        "ExitProgramme.create_id",
        ExitProgramme.create_id(K, date(2026, 1, 2)),
        "682a2b01-09f8-5426-a946-f4e375f28603",
    ),
    (
        "TrivselEligibility.create_id",
        TrivselEligibility.create_id(K, J),
        "cc2e7710-6662-51b0-aceb-19e2c0a34261",
    ),
    (
        "AcuteProcedure.create_id",
        AcuteProcedure.create_id("607", "r-1"),
        "2337ef69-0866-5ae5-a8e2-d8932cae1055",
    ),
    (
        "ExitReferralRecord.create_id",
        ExitReferralRecord.create_id(K, J),
        "f38f109e-e040-54fb-a765-3430c7199ae0",
    ),
    (
        "PersonMunicipalities.create_id",
        PersonMunicipalities.create_id(K),
        "84e5d887-fba7-561e-b129-05d9578cdc31",
    ),
    (
        "RetentionRun.create_id",
        RetentionRun.create_id("2026-01-01"),
        "c7f9923a-a453-5805-86a0-869c88892522",
    ),
    (
        "ConcernRecord.create_id",
        ConcernRecord.create_id("7f3c2a10-0000-4000-8000-000000000001"),
        "d609d0a8-42e3-5db0-b78c-b3784aed96e1",
    ),
    (
        "PersonOpenItems.create_id",
        PersonOpenItems.create_id(K),
        "8fb74457-0d59-5502-b97f-3ce66136ea6f",
    ),
    (
        "PspKspHandovers.create_id",
        PspKspHandovers.create_id("607"),
        "868901ee-0716-5ba5-a33c-d10ed4b38d37",
    ),
    (
        "NotServedRegister.create_id",
        NotServedRegister.create_id("607"),
        "d285213b-f25f-520e-9139-a5acfd16cb24",
    ),
    (
        "PersonMeetings.create_id",
        PersonMeetings.create_id(K),
        "fd2266cb-e8af-508e-b770-6d5a8d5eda6d",
    ),
    (
        "CaseworkerRecord.create_id",
        CaseworkerRecord.create_id(J, K),
        "71f6623f-de50-56df-bf92-3620c29e23cd",
    ),
    ("ErasedPerson.create_id", ErasedPerson.create_id(K), "c9ba04e8-7bb5-57c9-8228-e1912a603c78"),
    (
        "DailyRun.create_id",
        DailyRun.create_id("intake", "retention", "2026-01-01"),
        "1cc75e79-5e6d-5c95-be58-12e90003b027",
    ),
    # Created without an id: eventsourcing passes `create_id` the creation fields by name.
    (
        "PersonCaseRegister(person_key=…)",
        PersonCaseRegister(person_key=K).id,
        "5cff21bc-1788-55ed-87b4-967bc190a4df",
    ),
    (
        "NotServedRegister(municipality_code=…)",
        NotServedRegister(municipality_code="607").id,
        "d285213b-f25f-520e-9139-a5acfd16cb24",
    ),
    (
        "JournalTimeline(journal_number=…)",
        JournalTimeline(journal_number=J).id,
        "7a15010f-e888-590d-8987-3f45a17ba8ef",
    ),
    (
        "TrivselEligibility.without_decision",
        TrivselEligibility.without_decision(K, J, "607").id,
        "cc2e7710-6662-51b0-aceb-19e2c0a34261",
    ),
    (
        "DailyRun(service=…, job=…, day=…)",
        DailyRun(service="intake", job="retention", day="2026-01-01", counts={}).id,
        "1cc75e79-5e6d-5c95-be58-12e90003b027",
    ),
]


@pytest.mark.parametrize(("what", "made", "pinned"), PINNED, ids=[p[0] for p in PINNED])
def test_derived_ids_are_the_ones_stored_and_published(
    what: str, made: object, pinned: str
) -> None:
    assert str(made) == pinned


@given(st.text(), st.text())
def test_an_id_space_is_uuid5_in_its_namespace(urn: str, name: str) -> None:
    ids = IdSpace(urn)
    assert ids(name) == uuid5(uuid5(NAMESPACE_URL, urn), name)
    assert ids.text(name) == str(ids(name))
    assert isinstance(ids(name), UUID)
