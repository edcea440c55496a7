"""Triage puts each concern on a weekly meeting's agenda (issue 15, part 5): the meeting of the
week it was registered in, or the next one not held yet when that one has been held; the
agenda's concerns are shown need-to-know; a concern never becomes a decision, so never a
letter to the parents."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from services.notifications.entrypoints.kafka import CONSUMERS as NOTIFICATIONS_CONSUMERS
from services.triage.adapters.publications import triage_publications
from services.triage.domain.meetings import next_iso_week
from services.triage.entrypoints.kafka import CONSUMERS
from shared.auth.withheld import SHOWN_WITHOUT_SOCIAL_SERVICES, SOCIAL_SERVICES_DETAILS
from shared.contracts import (
    INTAKE_CONCERNS,
    MEETINGS_EVENTS,
    ConcernRegistered,
    MeetingEvent,
)
from shared.messaging.inbound import Inbound
from shared.messaging.outgoing import Outgoing
from tests.unit.auth.support import (
    IN,
    PK_IN,
    PK_OUT,
    SCHOOL,
    ServiceUnderTest,
    headers,
    triage_under_test,
)

WEEK = "2026-W49"
_OFFSETS = iter(range(1, 10_000))


@pytest.fixture
def triage(tmp_path: Path) -> Iterator[ServiceUnderTest]:
    with triage_under_test(tmp_path) as served:
        yield served


def registered(concern_id: str, **changes: Any) -> ConcernRegistered:
    document: dict[str, Any] = {
        "concern_id": concern_id,
        "person_key": PK_IN,
        "municipality_code": IN,
        "school": SCHOOL,
        "category": "mistrivsel",
        "reporter_kind": "parent",
        "registered_at": "2026-12-02T14:05:00+01:00",
        "iso_week": WEEK,
        "accepted_at": "2026-12-02T13:05:01Z",
    }
    document.update(changes)
    return ConcernRegistered.model_validate(document)


def deliver(triage: ServiceUnderTest, *concerns: ConcernRegistered) -> None:
    batch = [
        Inbound(
            INTAKE_CONCERNS, 0, next(_OFFSETS), c.person_key.encode(), c.model_dump_json().encode()
        )
        for c in concerns
    ]
    triage.seed(CONSUMERS.batch_handler(triage.seeder), batch)


def agenda(
    triage: ServiceUnderTest, week: str = WEEK, role: str = "tovholder", **token: Any
) -> Any:
    answer = triage.client.get(f"/v1/meetings/{IN}/{week}/concerns", headers=headers(role, **token))
    assert answer.status_code == 200, answer.text
    return answer.json()


def hold_meeting(triage: ServiceUnderTest, week: str) -> None:
    note = triage.client.post(
        f"/v1/meetings/{IN}/{week}/notes",
        json={"text": "Mødet er holdt"},
        headers=headers("tovholder", purpose=False),
    )
    assert note.status_code == 201, note.text


def published(triage: ServiceUnderTest) -> list[Outgoing]:
    def read() -> list[Any]:
        return list(triage.app.recorder.select_notifications(start=1, limit=10_000))

    return [
        outgoing
        for notification in triage.seed(read)
        for outgoing in triage_publications(triage.app.mapper.to_domain_event(notification))
    ]


def test_the_concern_goes_on_its_weeks_meeting_and_later_ones_on_the_next_once_held(
    triage: ServiceUnderTest,
) -> None:
    deliver(triage, registered("c-1"))
    first = agenda(triage)
    assert first["held"] is False
    assert [(c["concern_id"], c["category"], c["reporter_kind"]) for c in first["concerns"]] == [
        ("c-1", "mistrivsel", "parent")
    ]
    hold_meeting(triage, WEEK)
    deliver(triage, registered("c-2"), registered("c-1"))  # c-1 again: a re-delivery
    assert [c["concern_id"] for c in agenda(triage)["concerns"]] == ["c-1"]
    following = next_iso_week(WEEK)
    assert [c["concern_id"] for c in agenda(triage, following)["concerns"]] == ["c-2"]
    assert next_iso_week("2026-W53") == "2027-W01"
    assert next_iso_week("2025-W52") == "2026-W01"


def test_a_concern_is_published_on_the_meeting_topic_never_as_a_decision_or_letter(
    triage: ServiceUnderTest,
) -> None:
    before = len(published(triage))
    deliver(triage, registered("c-1"))
    new = published(triage)[before:]
    assert {o.topic for o in new} == {MEETINGS_EVENTS}
    events = [MeetingEvent.model_validate(o.value) for o in new]
    assert [e.event for e in events] == ["opened", "concern_placed"]
    assert (events[1].concern_id, events[1].person_key, events[1].by) == ("c-1", PK_IN, "triage")
    assert '"concern_id"' not in events[0].model_dump_json()  # other events' bytes unchanged
    # Notifications creates letter tasks from routing decisions only: it reads neither the
    # concern nor the meeting's topic, so no concern can ever make a letter.
    assert INTAKE_CONCERNS not in NOTIFICATIONS_CONSUMERS.topics
    assert MEETINGS_EVENTS not in NOTIFICATIONS_CONSUMERS.topics


def test_need_to_know_school_representatives_see_their_pupils_police_no_category(
    triage: ServiceUnderTest,
) -> None:
    deliver(
        triage,
        registered("c-ours"),
        registered("c-other-school", person_key=PK_OUT, school="Anden Skole"),
        registered("c-no-school", school=None),
    )
    everyone = agenda(triage)["concerns"]
    assert {c["concern_id"] for c in everyone} == {"c-ours", "c-other-school", "c-no-school"}
    school = agenda(triage, role="school_representative")["concerns"]
    assert [c["concern_id"] for c in school] == ["c-ours"]
    police = agenda(triage, role="police_coordinator")["concerns"]
    assert len(police) == 3
    assert all(c["category"] is None and c["reporter_kind"] for c in police)
    fields = set(everyone[0])
    assert fields <= SOCIAL_SERVICES_DETAILS | SHOWN_WITHOUT_SOCIAL_SERVICES | {"person_key"}
    refused = triage.client.get(f"/v1/meetings/{IN}/{WEEK}/concerns", headers=headers("management"))
    assert refused.status_code == 403
