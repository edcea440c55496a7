"""The Danish words of the timeline and the trace (issue 17): every course event the contract
lists reads as words, not as its code; the caseworker's assessment and meeting with the family
(published by notifications, issue 17 part 3) read as what they are."""

from __future__ import annotations

import pytest

from services.reporting.domain.wording import describe

COURSE_EVENTS = {
    "trivsel_plus": (
        "started step_placed consent_requested consent_given consent_refused "
        "consent_not_required goal_added measure_added measure_started measure_completed "
        "item_reviewed follow_up_recorded review_overdue consent_overdue closed erased"
    ),
    "exit_programme": (
        "referred clarifying_talk_held accepted declined contract_agreed "
        "contract_measure_completed meeting_held transferred escalated_to_infohus "
        "meeting_missed contract_measure_overdue ended erased"
    ),
    "acute_procedure": (
        "started standard_letter_requested standard_letter_sent standard_letter_overdue "
        "step_assigned step_completed closed"
    ),
}


@pytest.mark.parametrize(
    ("course_type", "event"),
    [(kind, event) for kind, events in COURSE_EVENTS.items() for event in events.split()],
)
def test_every_course_event_reads_as_words(course_type: str, event: str) -> None:
    facts = {
        "course_type": course_type,
        "event": event,
        "municipality_code": "607",
        "data": {"step": 3, "owner": "ABJ", "completed_on": "2026-11-20"},
    }
    text = describe("course_changed", facts, None, f"{course_type} {event}")
    assert text.startswith(("TRIVSEL+ i Fredericia (607): ", "Exitforløb i", "Akut hændelse i"))
    assert event not in text and "_" not in text, text


def test_a_follow_up_erased_by_its_deadline_says_so() -> None:
    facts = {"event": "erased", "kind": "hjemmebesoeg", "held_on": "2026-11-20", "held_by": "ABJ"}
    text = describe("follow_up_erased", facts, None, "-")
    assert text.endswith(": slettet, slettefristen er udløbet"), text


def test_the_caseworkers_assessment_and_family_meeting() -> None:
    assessed = {"event": "assessed", "outcome": "inform", "caseworker": "ABJ", "via": "http"}
    assert describe("caseworker_assessed", assessed, None, "-") == (
        "Sagsbehandlerens vurdering (ABJ): orientér forældrene (ingen yderligere handling)"
    )
    met = {"event": "family_meeting_held", "caseworker": "ABJ", "held_on": "2026-11-20"}
    assert describe("family_meeting_held", met, None, "-") == (
        "Sagsbehandleren (ABJ) holdt møde med familien 20. november 2026"
    )


def test_a_step_without_words_or_with_facts_of_another_shape_says_its_detail() -> None:
    assert describe("something_new", {}, None, "what it said") == "what it said"
    assert describe("routed_tovholder", {"reasons": 5}, None, "the detail") == "the detail"
