"""The review export's sample and checks (issue 17, part 4), on stored timeline rows."""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from services.reporting.domain.review import (
    consent_recorded,
    deadlines_kept,
    draw_sample,
    earlier_reports_visible,
    parents_informed,
    review_checks,
)

PK = "pk_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
DUE = "2026-11-19T16:00:00+01:00"


def report(journal: str, reported_at: str, accepted_at: str) -> dict[str, Any]:
    return {
        "step": "incident_accepted", "at": accepted_at, "journal_number": journal,
        "revision": 1, "facts": {"reported_at": reported_at, "offence_code": "butikstyveri"},
    }  # fmt: skip


def decision(journal: str, at: str, earlier: int | None) -> dict[str, Any]:
    return {
        "step": "routed_tovholder", "at": at, "journal_number": journal, "revision": 1,
        "facts": {"earlier_reports": earlier, "route": "tovholder"},
    }  # fmt: skip


def task(event: str, at: str, *, task_id: str = "task-1", **facts: Any) -> dict[str, Any]:
    return {
        "step": f"letter_task_{event}", "at": at, "journal_number": "J2", "revision": None,
        "facts": {"task_id": task_id, "event": event, "due_at": DUE, **facts},
    }  # fmt: skip


def course(event: str, at: str, course_id: str = "c-1") -> dict[str, Any]:
    return {
        "step": "course_changed", "at": at, "journal_number": "J2", "revision": None,
        "facts": {"course_id": course_id, "course_type": "trivsel_plus", "event": event},
    }  # fmt: skip


TWO_REPORTS = [
    report("J1", "2026-10-01T10:00:00+02:00", "2026-10-01T10:00:01+02:00"),
    report("J2", "2026-11-16T08:12:00+01:00", "2026-11-16T08:12:01+01:00"),
]
CHILD = [
    *TWO_REPORTS,
    decision("J2", "2026-11-16T08:12:03+01:00", earlier=1),
    task("created", "2026-11-16T08:12:04+01:00"),
    task("sent", "2026-11-17T10:00:00+01:00", channel="digital_post"),
]


# --- the sample -------------------------------------------------------------------------------
def test_the_same_seed_and_population_draw_the_same_sample_whatever_their_order() -> None:
    population = [f"pk_{i:032x}" for i in range(1000)]
    first = draw_sample(population, 300, seed=2026)
    assert first == draw_sample(list(reversed(population)), 300, seed=2026)
    assert len(first) == 300 == len(set(first))
    assert first != draw_sample(population, 300, seed=2027)


def test_the_documented_algorithm_gives_a_known_sample() -> None:
    """Pinned: anyone can redraw it with `sorted` and `random.Random(seed).sample`."""
    assert draw_sample(["pk_c", "pk_a", "pk_b", "pk_d"], 2, seed=1) == ["pk_b", "pk_c"]


@given(st.sets(st.text(min_size=1, max_size=5), max_size=40), st.integers(1, 60), st.integers(0))
def test_a_sample_is_a_subset_no_larger_than_the_population(
    population: set[str], size: int, seed: int
) -> None:
    sample = draw_sample(population, size, seed)
    assert set(sample) <= population
    assert len(sample) == min(size, len(population))
    assert sample == sorted(sample)


# --- the checks -------------------------------------------------------------------------------
def test_a_child_with_two_reports_and_a_letter_sent_in_time_passes_every_check() -> None:
    findings = {c.check: c.finding for c in review_checks(CHILD)}
    assert findings == {
        "tidligere_anmeldelser": "opfyldt",
        "forældre_orienteret": "opfyldt",
        "frister": "opfyldt",
        "samtykke": "opfyldt",
    }


def test_a_decision_that_did_not_count_an_earlier_accepted_report_fails_check_1() -> None:
    rows = [*TWO_REPORTS, decision("J2", "2026-11-16T08:12:03+01:00", earlier=0)]
    result = earlier_reports_visible(rows)
    assert result.finding == "ikke_opfyldt"
    assert "0 tidligere anmeldelse(r) indgik; 1 var modtaget" in result.facts[0]


def test_a_report_accepted_after_the_decision_was_not_there_to_see() -> None:
    late = report("J1", "2026-10-01T10:00:00+02:00", "2026-11-20T09:00:00+01:00")
    rows = [TWO_REPORTS[1], decision("J2", "2026-11-16T08:12:03+01:00", earlier=0), late]
    assert earlier_reports_visible(rows).finding == "opfyldt"


def test_without_a_decision_or_its_history_check_1_cannot_be_assessed() -> None:
    assert earlier_reports_visible(TWO_REPORTS).finding == "kan_ikke_vurderes"
    rows = [*TWO_REPORTS, decision("J2", "2026-11-16T08:12:03+01:00", earlier=None)]
    assert earlier_reports_visible(rows).finding == "kan_ikke_vurderes"


def test_parents_informed_after_the_deadline_fails_check_2_and_names_when() -> None:
    rows = [*CHILD[:4], task("sent", "2026-11-20T09:30:00+01:00")]
    result = parents_informed(rows)
    assert result.finding == "ikke_opfyldt"
    assert result.facts == [
        "Brevopgave task-1: brev sendt 20.11.2026 kl. 09:30, frist 19.11.2026 kl. 16:00 "
        "(efter fristen)."
    ]
    findings = {c.check: c.finding for c in review_checks(rows)}
    assert findings["forældre_orienteret"] == "ikke_opfyldt"
    assert findings["tidligere_anmeldelser"] == "opfyldt"
    assert findings["samtykke"] == "opfyldt"


def test_an_overdue_unsent_letter_fails_an_open_one_cannot_be_assessed() -> None:
    overdue = [task("created", "2026-11-16T08:12:04+01:00"), task("overdue", DUE)]
    assert parents_informed(overdue).finding == "ikke_opfyldt"
    assert parents_informed(overdue[:1]).finding == "kan_ikke_vurderes"
    assert parents_informed([]).finding == "kan_ikke_vurderes"


def test_a_waived_letter_with_a_reason_and_a_cancelled_task_do_not_fail() -> None:
    waived = [task("waived", "2026-11-17T10:00:00+01:00", waiver_reason="parents_informed")]
    cancelled = [task("cancelled", "2026-11-17T10:00:00+01:00", task_id="task-2")]
    assert parents_informed(waived + cancelled).finding == "opfyldt"


def test_a_course_step_reported_overdue_fails_check_3() -> None:
    rows = [*CHILD, course("review_overdue", "2026-12-01T08:00:00+01:00")]
    result = deadlines_kept(rows)
    assert result.finding == "ikke_opfyldt"
    assert any("review_overdue" in fact for fact in result.facts)
    assert deadlines_kept(CHILD).finding == "opfyldt"


def test_a_measure_started_before_consent_fails_check_4_after_consent_passes() -> None:
    started = course("measure_started", "2026-11-25T09:00:00+01:00")
    assert consent_recorded([started]).finding == "ikke_opfyldt"
    given_first = [course("consent_given", "2026-11-20T09:00:00+01:00"), started]
    assert consent_recorded(given_first).finding == "opfyldt"
    other_course = [course("consent_given", "2026-11-20T09:00:00+01:00", "c-2"), started]
    assert consent_recorded(other_course).finding == "ikke_opfyldt"


def handover(event: str, at: str, **facts: Any) -> dict[str, Any]:
    return {
        "step": f"psp_ksp_handover_{event}", "at": at, "journal_number": None,
        "revision": None, "facts": {"event": event, **facts},
    }  # fmt: skip


OPENED = handover("opened", "2026-11-20T07:00:00+01:00", due_on="2026-12-04")


def test_the_turning_18_handover_completed_by_its_due_date_keeps_check_3() -> None:
    on_time = deadlines_kept([*CHILD, OPENED, handover("completed", "2026-12-04T23:30:00+01:00")])
    assert on_time.finding == "opfyldt", on_time
    assert "Overdragelse til PSP/KSP: afsluttet 04.12.2026 kl. 23:30, frist 04.12.2026." in (
        on_time.facts
    )


def test_the_turning_18_handover_completed_late_fails_check_3_an_open_one_is_a_fact() -> None:
    # 00:30 Copenhagen time on the 5th is the 4th in UTC: the Danish day decides.
    late = deadlines_kept([*CHILD, OPENED, handover("completed", "2026-12-04T23:30:00+00:00")])
    assert late.finding == "ikke_opfyldt"
    assert any("(efter fristen)" in f and "PSP/KSP" in f for f in late.facts)
    still_open = deadlines_kept([*CHILD, OPENED], today=date(2026, 12, 4))
    assert still_open.finding == "opfyldt"
    assert "Overdragelse til PSP/KSP: åben, frist 04.12.2026." in still_open.facts


def test_a_turning_18_handover_still_open_after_its_due_date_fails_check_3() -> None:
    past_due = deadlines_kept([*CHILD, OPENED], today=date(2026, 12, 5))
    assert past_due.finding == "ikke_opfyldt", past_due
    assert "Overdragelse til PSP/KSP: åben efter fristen 04.12.2026." in past_due.facts
