"""The access matrix: every role, every endpoint of every service (intake, reporting, triage,
notifications, courses), a record in the caller's reach (Fredericia, 607) and one out of it
(Guldborgsund, 376).

The expectations are written out by hand in one table (not derived from the policy), and the
table must name every route the apps have: a new endpoint without a row fails here. Every cell
also checks that the request left exactly one audit entry."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import pytest
from fastapi.routing import APIRoute

from services.courses.application.commands.follow_up import RecordFollowUpAction
from services.intake.application.service import IntakeService
from services.intake.domain.pseudonym import Pseudonymiser
from services.notifications.application.task_index import status_of
from services.notifications.domain.letter_task_case import LetterTaskCase
from shared.auth import Role
from shared.contracts import CaseworkerAssessment
from tests.support import example
from tests.unit.auth.support import (
    CPR_IN,
    CPR_OUT,
    IN,
    JOURNAL_IN,
    JOURNAL_OUT,
    OUT,
    PK_IN,
    PK_OUT,
    PSEUDONYM_SECRET,
    WEEK,
    ServiceUnderTest,
    courses_under_test,
    decision_in,
    headers,
    intake_under_test,
    notifications_under_test,
    reporting_under_test,
    triage_under_test,
)
from tests.unit.concerns.documents import concern

OK = "ok"  # any 2xx
UNKNOWN_ROLE = "intern"
ROLES = [*(r.value for r in Role), UNKNOWN_ROLE]
HEALTH = {"/healthz", "/readyz"}


@dataclass(frozen=True)
class Endpoint:
    service: str
    method: str
    path: str
    """The route's template, as the app declares it."""
    fill: Callable[[ServiceUnderTest, bool], tuple[str, dict[str, Any]]]
    """(the app, in reach?) → the concrete path and extra request arguments."""
    allowed: dict[str, tuple[str | int, str | int]]
    """role → expected (in reach, out of reach); every role not named gets 403 for both."""


def _path(
    template: str, **values: str
) -> Callable[[ServiceUnderTest, bool], tuple[str, dict[str, Any]]]:
    def fill(served: ServiceUnderTest, in_reach: bool) -> tuple[str, dict[str, Any]]:
        concrete = {name: (v[0] if in_reach else v[1]) for name, v in values.items()}
        for name, value in concrete.items():
            concrete[name] = served.records.get(value, value)
        return template.format(**concrete), {}

    return fill


def _with_body(
    fill: Callable[[ServiceUnderTest, bool], tuple[str, dict[str, Any]]],
    body: bytes | dict[str, Any],
) -> Callable[[ServiceUnderTest, bool], tuple[str, dict[str, Any]]]:
    def with_body(served: ServiceUnderTest, in_reach: bool) -> tuple[str, dict[str, Any]]:
        path, _ = fill(served, in_reach)
        return path, {"json": body} if isinstance(body, dict) else {"content": body}

    return with_body


MUNICIPAL = ("tovholder", "team_leader", "caseworker")


def police_list(in_reach: bool) -> bytes:
    code = IN if in_reach else OUT
    return (
        "journal_number,reported_at,occurred_at,offence_code,location_municipality_code,cpr,"
        f"role,municipality_code\n3700-80777-00001-26,2026-11-16 08:00,2026-11-15 22:00,"
        f"tyveri,{code},120310-4123,sigtet,{code}\n"
    ).encode()


CORRECTED = json.dumps({**example("incident-valid.json"), "revision": 2}).encode()


def _concern_document(concern_id: str, in_reach: bool) -> dict[str, Any]:
    return concern(
        concern_id,
        cpr=CPR_IN if in_reach else CPR_OUT,
        municipality_code=IN if in_reach else OUT,
    )


def _new_concern(_served: ServiceUnderTest, in_reach: bool) -> tuple[str, dict[str, Any]]:
    return "/v1/concerns", {"json": _concern_document(f"matrix-{next(_FRESH)}", in_reach)}


def _kept_concern(served: ServiceUnderTest, in_reach: bool) -> tuple[str, dict[str, Any]]:
    """A concern of 607 or 376, registered without a request (no audit entry)."""
    concern_id = f"matrix-kept-{IN if in_reach else OUT}"
    service = IntakeService(served.app, Pseudonymiser(PSEUDONYM_SECRET.encode()))
    raw = json.dumps(_concern_document(concern_id, in_reach)).encode()
    served.seed(service.submit_concern, raw)
    return f"/v1/concerns/{concern_id}", {}


MATRIX: list[Endpoint] = [
    # --- intake ----------------------------------------------------------------------------
    Endpoint(
        "intake",
        "POST",
        "/v1/incidents",
        _with_body(_path("/v1/incidents"), json.dumps(example("incident-valid.json")).encode()),
        {"police_integration": (OK, OK), "police_coordinator": (OK, OK)},
    ),
    Endpoint(
        "intake",
        "POST",
        "/v1/incidents/import",
        lambda _s, in_reach: ("/v1/incidents/import", {"content": police_list(in_reach)}),
        # A tovholder's list may hold other municipalities' incidents: those are refused in
        # the summary (tests/unit/intake/test_intake_import.py), the request succeeds.
        {"police_integration": (OK, OK), "police_coordinator": (OK, OK), "tovholder": (OK, OK)},
    ),
    Endpoint(
        "intake",
        "GET",
        "/v1/rejected",
        lambda _s, in_reach: (
            "/v1/rejected",
            {"params": {"municipality_code": IN if in_reach else OUT}},
        ),
        {"police_coordinator": (OK, 403), "tovholder": (OK, 403)},
    ),
    Endpoint(
        "intake",
        "GET",
        "/v1/rejected/{reference}",
        _path("/v1/rejected/{reference}", reference=("rejected_in", "rejected_out")),
        {"police_coordinator": (OK, 404), "tovholder": (OK, 404)},
    ),
    Endpoint(
        "intake",
        "POST",
        "/v1/rejected/{reference}/resubmit",
        _with_body(
            _path("/v1/rejected/{reference}/resubmit", reference=("rejected_in", "rejected_out")),
            CORRECTED,
        ),
        {"police_coordinator": (OK, 404), "tovholder": (OK, 404)},
    ),
    Endpoint(
        "intake",
        "POST",
        "/v1/identities/{person_key}/resolve",
        _with_body(
            _path("/v1/identities/{person_key}/resolve", person_key=(PK_IN, PK_OUT)),
            {"purpose": "informing the parents"},
        ),
        {role: (OK, 404) for role in MUNICIPAL},
    ),
    Endpoint(
        "intake",
        "POST",
        "/v1/identities/{person_key}/letter-recipients",
        _with_body(
            _path("/v1/identities/{person_key}/letter-recipients", person_key=(PK_IN, PK_OUT)),
            {"purpose": "brev til forældre", "journal_number": JOURNAL_IN},
        ),
        {**{role: (OK, 404) for role in MUNICIPAL}, "police_coordinator": (OK, 404)},
    ),
    # The weekly meeting's names at once: the meeting's municipality must be in reach (403),
    # each person too (out of reach: listed as not_found, like an unknown one).
    Endpoint(
        "intake",
        "POST",
        "/v1/identities/resolve-batch",
        lambda _s, in_reach: (
            "/v1/identities/resolve-batch",
            {
                "json": {
                    "meeting": f"{IN if in_reach else OUT}/{WEEK}",
                    "purpose": "ugens moede",
                    "person_keys": [PK_IN, PK_OUT],
                }
            },
        ),
        {role: (OK, 403) for role in MUNICIPAL},
    ),
    # Concerns that do not come from the police (issue 15, part 5): registered by the
    # municipality's staff and a school for its pupils; read (the text) by case staff.
    Endpoint(
        "intake",
        "POST",
        "/v1/concerns",
        _new_concern,
        {**{role: (OK, 403) for role in MUNICIPAL}, "school_representative": (OK, 403)},
    ),
    Endpoint(
        "intake",
        "GET",
        "/v1/concerns/{concern_id}",
        _kept_concern,
        {role: (OK, 404) for role in MUNICIPAL},
    ),
    # --- reporting -------------------------------------------------------------------------
    Endpoint(
        "reporting",
        "GET",
        "/v1/handover/{municipality_code}/{iso_week}",
        _path("/v1/handover/{m}/{w}", m=(IN, OUT), w=(WEEK, WEEK)),
        {
            **{role: (OK, 403) for role in MUNICIPAL},
            "school_representative": (OK, 403),
            "police_coordinator": (OK, 403),
        },
    ),
    Endpoint(
        "reporting",
        "GET",
        "/v1/statistics/{municipality_code}/{iso_week}",
        _path("/v1/statistics/{m}/{w}", m=(IN, OUT), w=(WEEK, WEEK)),
        {
            "management": (OK, 403),
            "tovholder": (OK, 403),
            "team_leader": (OK, 403),
            "police_coordinator": (OK, 403),
        },
    ),
    Endpoint(
        "reporting",
        "GET",
        "/v1/trace/{journal_number}",
        _path("/v1/trace/{j}", j=(JOURNAL_IN, JOURNAL_OUT)),
        {"operations": (OK, OK), "auditor": (OK, OK), **{role: (OK, 404) for role in MUNICIPAL}},
    ),
    # A person out of reach looks like one that does not exist.
    Endpoint(
        "reporting",
        "GET",
        "/v1/persons/{person_key}/co-registered",
        _path("/v1/persons/{pk}/co-registered", pk=(PK_IN, PK_OUT)),
        {role: (OK, 404) for role in MUNICIPAL},
    ),
    # Need-to-know as the handover list (a school its pupils' police reports, the police their
    # own), and the auditor everywhere; out of reach looks like unknown.
    Endpoint(
        "reporting",
        "GET",
        "/v1/persons/{person_key}/timeline",
        _path("/v1/persons/{pk}/timeline", pk=(PK_IN, PK_OUT)),
        {
            **{role: (OK, 404) for role in MUNICIPAL},
            "school_representative": (OK, 404),
            "police_coordinator": (OK, 404),
            "auditor": (OK, OK),
        },
    ),
    # The review export (issue 17, part 4): the auditor everywhere, the municipality's own
    # quality reviewer (the team leader) in their municipality; a person out of reach is unknown.
    Endpoint(
        "reporting",
        "GET",
        "/v1/reviews/samples/{municipality_code}/{year}",
        _path("/v1/reviews/samples/{m}/2026", m=(IN, OUT)),
        {"team_leader": (OK, 403), "auditor": (OK, OK)},
    ),
    *(
        Endpoint(
            "reporting",
            "GET",
            f"/v1/reviews/persons/{{person_key}}{suffix}",
            _path(f"/v1/reviews/persons/{{pk}}{suffix}", pk=(PK_IN, PK_OUT)),
            {"team_leader": (OK, 404), "auditor": (OK, OK)},
        )
        for suffix in ("", "/pdf")
    ),
    # The PDF with the child's name: only a role that may resolve names sends one.
    Endpoint(
        "reporting",
        "POST",
        "/v1/reviews/persons/{person_key}/pdf",
        _with_body(
            _path("/v1/reviews/persons/{pk}/pdf", pk=(PK_IN, PK_OUT)), {"name": "Mads Jensen"}
        ),
        {"team_leader": (OK, 404)},
    ),
    # A person's concerns (issue 15, part 5): those of the caller's municipalities; a person
    # out of reach has none to show (200, an empty list: alike with one who has none).
    Endpoint(
        "reporting",
        "GET",
        "/v1/persons/{person_key}/concerns",
        _path("/v1/persons/{pk}/concerns", pk=(PK_IN, PK_OUT)),
        {role: (OK, OK) for role in MUNICIPAL},
    ),
    Endpoint(
        "reporting",
        "POST",
        "/v1/admin/rebuild",
        _path("/v1/admin/rebuild"),
        {"operations": (OK, OK)},
    ),
]
SERVICES = ("intake", "reporting", "triage", "notifications", "courses")
STAFF = (
    "tovholder",
    "team_leader",
    "caseworker",
    "school_representative",
    "police_coordinator",
    "exit_coordinator",
    "management",
    "operations",
)
_FRESH = itertools.count(1)


def _fresh_key() -> str:
    return f"pk_{next(_FRESH):032x}"


def _reach(in_reach: bool) -> tuple[str, str]:
    """The municipality and journal number of a record in (or out of) the caller's reach."""
    return (IN, JOURNAL_IN) if in_reach else (OUT, JOURNAL_OUT)


# --- triage ---------------------------------------------------------------------------------
MATRIX += [
    Endpoint(
        "triage",
        "GET",
        "/v1/decisions/{journal_number}",
        _path("/v1/decisions/{j}", j=(JOURNAL_IN, JOURNAL_OUT)),
        {**{role: (OK, 404) for role in MUNICIPAL}, "police_coordinator": (OK, 404)},
    ),
    Endpoint(
        "triage",
        "POST",
        "/v1/decisions/{journal_number}/persons/{person_key}/meeting-revision",
        _with_body(
            _path(
                "/v1/decisions/{j}/persons/{pk}/meeting-revision",
                j=(JOURNAL_IN, JOURNAL_OUT),
                pk=(PK_IN, PK_OUT),
            ),
            {"meeting": f"{IN}/{WEEK}", "route": "tovholder", "owner_role": "team_leader"},
        ),
        {"tovholder": (OK, 404), "team_leader": (OK, 404)},
    ),
    Endpoint(
        "triage",
        "GET",
        "/v1/meetings/{municipality_code}/{iso_week}",
        _path("/v1/meetings/{m}/{w}", m=(IN, OUT), w=(WEEK, WEEK)),
        {role: (OK, 403) for role in MUNICIPAL},
    ),
    Endpoint(
        "triage",
        "GET",
        "/v1/meetings/{municipality_code}/{iso_week}/concerns",
        _path("/v1/meetings/{m}/{w}/concerns", m=(IN, OUT), w=(WEEK, WEEK)),
        {
            **{role: (OK, 403) for role in MUNICIPAL},
            "school_representative": (OK, 403),
            "police_coordinator": (OK, 403),
        },
    ),
    Endpoint(
        "triage",
        "POST",
        "/v1/meetings/{municipality_code}/{iso_week}/actions",
        _with_body(
            _path("/v1/meetings/{m}/{w}/actions", m=(IN, OUT), w=(WEEK, WEEK)),
            {
                "journal_number": JOURNAL_IN,
                "person_key": PK_IN,
                "what": "Samtale med familien",
                "owner_role": "tovholder",
                "due_on": "2026-11-27",
            },
        ),
        {"tovholder": (OK, 403), "team_leader": (OK, 403)},
    ),
    Endpoint(
        "triage",
        "POST",
        "/v1/meetings/{municipality_code}/{iso_week}/notes",
        _with_body(
            _path("/v1/meetings/{m}/{w}/notes", m=(IN, OUT), w=(WEEK, WEEK)),
            {"text": "Mødet holdt"},
        ),
        {"tovholder": (OK, 403), "team_leader": (OK, 403)},
    ),
    Endpoint("triage", "GET", "/v1/profiles", _path("/v1/profiles"), {r: (OK, OK) for r in STAFF}),
    Endpoint(
        "triage",
        "GET",
        "/v1/profiles/{code}",
        _path("/v1/profiles/{c}", c=(IN, OUT)),
        {role: (OK, OK) for role in STAFF},
    ),
    # Operations only, platform-wide, never person keys (issue 14, part 1).
    Endpoint(
        "triage",
        "GET",
        "/v1/not-served/{municipality_code}",
        _path("/v1/not-served/{c}", c=(IN, OUT)),
        {"operations": (OK, OK)},
    ),
    # Issue 14, part 4: the municipality's staff; a task that does not exist, or is out of
    # reach, is 404 alike.
    Endpoint(
        "triage",
        "GET",
        "/v1/psp-ksp-handovers/{municipality_code}",
        _path("/v1/psp-ksp-handovers/{c}", c=(IN, OUT)),
        {role: (OK, 403) for role in MUNICIPAL},
    ),
    Endpoint(
        "triage",
        "POST",
        "/v1/psp-ksp-handovers/{municipality_code}/{person_key}/complete",
        _with_body(
            _path("/v1/psp-ksp-handovers/{c}/pk_nobody/complete", c=(IN, OUT)),
            {"handed_over_to": "ksp"},
        ),
        {role: (404, 404) for role in MUNICIPAL},
    ),
    Endpoint(
        "triage",
        "POST",
        "/v1/admin/reroute",
        _with_body(_path("/v1/admin/reroute"), {"municipality_code": IN, "since": "2026-11-01"}),
        {"operations": (OK, OK)},
    ),
]


# --- notifications --------------------------------------------------------------------------
def _open_task(served: ServiceUnderTest, in_reach: bool) -> tuple[str, dict[str, Any]]:
    """An open task (in or out of reach): a new one once an earlier cell completed it."""
    name = "task_in" if in_reach else "task_out"
    task = served.seed(served.seeder.task, served.records[name])
    if task is None or status_of(task) not in ("open", "overdue"):
        code, journal = _reach(in_reach)
        key = _fresh_key()
        served.seed(served.seeder.receive_decision, decision_in(code, key, journal))
        served.records[name] = str(LetterTaskCase.create_id(journal, key))
    return f"/v1/letter-tasks/{served.records[name]}/complete", {}


def _open_task_then(
    suffix: str, body: dict[str, Any] | None = None
) -> Callable[[ServiceUnderTest, bool], tuple[str, dict[str, Any]]]:
    """`_open_task`'s task, another of its routes (issue 16)."""

    def fill(served: ServiceUnderTest, in_reach: bool) -> tuple[str, dict[str, Any]]:
        path, _ = _open_task(served, in_reach)
        return path.removesuffix("/complete") + suffix, {} if body is None else {"json": body}

    return fill


def _send_batch(served: ServiceUnderTest, in_reach: bool) -> tuple[str, dict[str, Any]]:
    path, _ = _open_task(served, in_reach)
    task_id = path.split("/")[3]
    return "/v1/letter-tasks/send", {"json": {"task_ids": [task_id]}}


MATRIX += [
    Endpoint(
        "notifications",
        "GET",
        "/v1/letter-tasks",
        _path("/v1/letter-tasks?municipality_code={m}&status=all", m=(IN, OUT)),
        # Management sees only the acute procedure's letters (test_acute_letter.py).
        {
            **{role: (OK, 403) for role in MUNICIPAL},
            "police_coordinator": (OK, 403),
            "management": (OK, 403),
        },
    ),
    Endpoint(
        "notifications",
        "POST",
        "/v1/letter-tasks/{task_id}/complete",
        _open_task,
        # The police complete only tasks a profile gave them (test_service_scoping.py),
        # management only the acute procedure's letters (test_acute_letter.py).
        {
            **{role: (OK, 404) for role in MUNICIPAL},
            "police_coordinator": (404, 404),
            "management": (404, 404),
        },
    ),
    # Issue 16. Intake is not running here: past the access decision, 502.
    Endpoint(
        "notifications",
        "GET",
        "/v1/letter-tasks/{task_id}/letter.pdf",
        _open_task_then("/letter.pdf"),
        {
            **{role: (502, 404) for role in MUNICIPAL},
            "police_coordinator": (404, 404),
            "management": (404, 404),  # the acute procedure's letters only
        },
    ),
    Endpoint(
        "notifications",
        "POST",
        "/v1/letter-tasks/{task_id}/send",
        _open_task_then("/send"),
        {
            **{role: (502, 404) for role in MUNICIPAL},
            "police_coordinator": (404, 404),
            "management": (404, 404),
        },
    ),
    Endpoint(
        "notifications",
        "POST",
        "/v1/letter-tasks/send",
        _send_batch,  # each task's result in the answer: failed, or not_found out of reach
        {
            **{role: (OK, OK) for role in MUNICIPAL},
            "police_coordinator": (OK, OK),
            "management": (OK, OK),
        },
    ),
    Endpoint(
        "notifications",
        "POST",
        "/v1/letter-tasks/{task_id}/waive",
        _open_task_then("/waive", {"reason": "already_informed"}),
        # The owner (the tovholder owns these tasks) or the team leader: not the caseworker.
        {
            "tovholder": (OK, 404),
            "team_leader": (OK, 404),
            "caseworker": (403, 404),
            "police_coordinator": (404, 404),
            "management": (404, 404),
        },
    ),
    Endpoint(
        "notifications",
        "GET",
        "/v1/letter-tasks/escalations",
        _path("/v1/letter-tasks/escalations?municipality_code={m}", m=(IN, OUT)),
        {"management": (OK, 403), "team_leader": (OK, 403)},
    ),
]


def _caseworker_person(
    path: str, summoned: bool = False
) -> Callable[[ServiceUnderTest, bool], tuple[str, dict[str, Any]]]:
    """A fresh person routed to the caseworker (in or out of reach), summoned on Kafka when
    the route needs a summons (issue 17, part 3); the route's body names them."""

    def fill(served: ServiceUnderTest, in_reach: bool) -> tuple[str, dict[str, Any]]:
        code, journal = _reach(in_reach)
        key = _fresh_key()
        served.seed(served.seeder.receive_decision, decision_in(code, key, journal, "caseworker"))
        now = served.seeder.clock()
        person = {"journal_number": journal, "person_key": key, "caseworker": "ABJ"}
        if summoned:
            summons = CaseworkerAssessment(**person, outcome="summon", at=now)
            served.seed(served.seeder.receive_assessment, summons)
            body = {**person, "held_on": now.date().isoformat(), "youth_attended": True}
        else:
            body = {**person, "outcome": "inform"}
        return path, {"json": body}

    return fill


# Issue 17, part 3: a person out of reach is 404, alike with one notifications does not know.
ASSESSORS = {role: (OK, 404) for role in ("caseworker", "team_leader", "caseworker_app")}
MATRIX += [
    Endpoint("notifications", "POST", "/v1/assessments",
             _caseworker_person("/v1/assessments"), ASSESSORS),
    Endpoint("notifications", "POST", "/v1/assessments/family-meeting",
             _caseworker_person("/v1/assessments/family-meeting", summoned=True), ASSESSORS),
]  # fmt: skip


# --- courses --------------------------------------------------------------------------------
GOAL = {"goal_id": "g1", "description": "", "owner": "ABJ", "review_on": "2026-12-16"}
MEASURE = {
    "measure_id": "m1",
    "goal_id": "g1",
    "kind": "fritidsaktivitet",
    "description": "",
    "owner": "KLM",
    "review_on": "2026-12-01",
}
TALK = {"with_police": True, "in_target_group": "yes", "motivated": "yes"}
CONTRACT = {
    "measures": [
        {"measure_id": "mentor", "department": "Ungeenheden", "kind": "mentor",
         "due_on": "2026-12-15"}
    ]
}  # fmt: skip
_CONSENT = [("request-consent", {}), ("record-consent", {"answer": "given"})]
_ACCEPTED = [("record-clarifying-talk", TALK), ("accept", {})]

COMMANDS: dict[str, dict[str, tuple[list[tuple[str, dict[str, Any]]], dict[str, Any]]]] = {
    # kind → command → (the commands that make it possible on a new course, its body)
    "trivsel-courses": {
        "place-on-step": ([], {"step": 3, "rationale": ""}),
        "request-consent": ([], {}),
        "record-consent": (_CONSENT[:1], {"answer": "given"}),
        "add-goal": ([], GOAL),
        "add-measure": ([("add-goal", GOAL)], MEASURE),
        "start-measure": ([*_CONSENT, ("add-goal", GOAL), ("add-measure", MEASURE)],
                          {"measure_id": "m1"}),
        "complete-measure": (
            [*_CONSENT, ("add-goal", GOAL), ("add-measure", MEASURE),
             ("start-measure", {"measure_id": "m1"})],
            {"measure_id": "m1"},
        ),
        "review": ([("add-goal", GOAL)], {"item_id": "g1", "next_review_on": None}),
        "record-follow-up": ([], {"kind": "skolebesoeg"}),
        "close": ([], {"outcome": "dropped"}),
    },
    "exit-programmes": {
        "record-clarifying-talk": ([], TALK),
        "accept": (_ACCEPTED[:1], {}),
        "decline": ([], {"reason": "not_motivated"}),
        "agree-contract": (_ACCEPTED, CONTRACT),
        "complete-contract-measure": ([*_ACCEPTED, ("agree-contract", CONTRACT)],
                                      {"measure_id": "mentor"}),
        "record-meeting": (_ACCEPTED, {"departments": ["politi"]}),
        "transfer": (_ACCEPTED, {"to_municipality_code": "575"}),
        "escalate-to-infohus": (_ACCEPTED, {"reason": "safety"}),
        "end": (_ACCEPTED, {"outcome": "completed", "reason": "goals_met"}),
    },
    "acute-procedures": {
        "assign-step": ([], {"step": 4, "owner": "skoleleder"}),
        "complete-step": ([], {"step": 2}),
    },
}  # fmt: skip
MANAGER = {
    "trivsel-courses": "tovholder",
    "exit-programmes": "exit_coordinator",
    "acute-procedures": "management",
}


def _start_body(served: ServiceUnderTest, kind: str, in_reach: bool) -> dict[str, Any]:
    """A command starting a new course of the kind (the eligibility it needs recorded)."""
    code, journal = _reach(in_reach)
    key = _fresh_key()
    if kind == "trivsel-courses":
        served.seed(served.seeder.receive_decision, decision_in(code, key, journal))
        return {"person_key": key, "journal_number": journal, "step": 2, "rationale": "",
                "coordinator": "ABJ", "local_leader": "KLM"}  # fmt: skip
    if kind == "exit-programmes":
        return {"person_key": key, "municipality_code": code, "age_at_referral": 17,
                "referred_by": "police", "referred_on": "2026-11-16",
                "coordinator": "EXK"}  # fmt: skip
    return {"municipality_code": code, "reference": f"akut-{next(_FRESH)}",
            "journal_number": journal, "director": "DIR",
            "head_of_department": "FCH"}  # fmt: skip


def _start(kind: str) -> Callable[[ServiceUnderTest, bool], tuple[str, dict[str, Any]]]:
    def fill(served: ServiceUnderTest, in_reach: bool) -> tuple[str, dict[str, Any]]:
        return f"/v1/{kind}", {"json": _start_body(served, kind, in_reach)}

    return fill


def _from_referral(served: ServiceUnderTest, in_reach: bool) -> tuple[str, dict[str, Any]]:
    """A fresh referral from triage (in or out of reach), started by its id."""
    from shared.contracts import ExitReferral

    code, journal = _reach(in_reach)
    key = _fresh_key()
    referral_id = f"referral-{key}"
    served.seed(
        served.seeder.receive,
        ExitReferral.model_validate(
            {
                "referral_id": referral_id, "journal_number": journal, "revision": 1,
                "person_key": key, "municipality_code": code, "age_at_incident": 17,
                "workflow": "minor", "flags": ["bande"], "offence_code": "vold",
                "decision_id": f"decision-{key}", "owner_role": "exit_coordinator",
                "owner_team": None, "referred_at": "2026-11-16T08:12:03+01:00",
            }
        ),
    )  # fmt: skip
    return f"/v1/exit-programmes/from-referral/{referral_id}", {"json": {"coordinator": "EXK"}}


_prepared: dict[tuple[str, str, bool], tuple[str, int]] = {}


def _version(served: ServiceUnderTest, course_id: str) -> int:
    version: int = served.seed(served.seeder.course, UUID(course_id)).version
    return version


def _command(
    kind: str, command: str
) -> Callable[[ServiceUnderTest, bool], tuple[str, dict[str, Any]]]:
    """A course of the kind where the command is possible: prepared through the API by the
    kind's manager, and prepared again once an earlier cell changed it."""
    before, body = COMMANDS[kind][command]

    def fill(served: ServiceUnderTest, in_reach: bool) -> tuple[str, dict[str, Any]]:
        key = (kind, command, in_reach)
        if key not in _prepared or _version(served, _prepared[key][0]) != _prepared[key][1]:
            code, _ = _reach(in_reach)
            manager = headers(MANAGER[kind], municipalities=[code])
            started = served.client.post(
                f"/v1/{kind}", json=_start_body(served, kind, in_reach), headers=manager
            )
            assert started.status_code == 201, started.text
            course = started.json()
            for step, step_body in before:
                answer = served.client.post(
                    f"/v1/{kind}/{course['course_id']}/{step}",
                    json={"expected_version": course["version"], **step_body},
                    headers=manager,
                )
                assert answer.status_code == 200, answer.text
                course = answer.json()
            _prepared[key] = (course["course_id"], course["version"])
        course_id, version = _prepared[key]
        return f"/v1/{kind}/{course_id}/{command}", {"json": {"expected_version": version, **body}}

    return fill


COURSE_READERS = ("tovholder", "team_leader", "exit_coordinator")
MATRIX += [
    Endpoint(
        "courses",
        "GET",
        "/v1/eligibility",
        _path("/v1/eligibility?municipality_code={m}", m=(IN, OUT)),
        {"tovholder": (OK, 403), "team_leader": (OK, 403)},
    ),
    Endpoint(
        "courses",
        "GET",
        "/v1/exit-referrals",
        _path("/v1/exit-referrals?municipality_code={m}&status=all", m=(IN, OUT)),
        {"exit_coordinator": (OK, 403), "tovholder": (OK, 403)},
    ),
    Endpoint(
        "courses",
        "GET",
        "/v1/courses",
        _path("/v1/courses?municipality_code={m}&status=all", m=(IN, OUT)),
        {role: (OK, 403) for role in (*COURSE_READERS, "management")},
    ),
    # Management sees courses naming nobody (acute procedures; test_service_scoping.py).
    Endpoint(
        "courses",
        "GET",
        "/v1/courses/{course_id}",
        _path("/v1/courses/{c}", c=("course_in", "course_out")),
        {
            **{role: (OK, 404) for role in COURSE_READERS},
            "management": (404, 404),
        },
    ),
    Endpoint(
        "courses",
        "GET",
        "/v1/courses/{course_id}/events",
        _path("/v1/courses/{c}/events", c=("course_in", "course_out")),
        {
            **{role: (OK, 404) for role in COURSE_READERS},
            "management": (404, 404),
        },
    ),
    # Out of reach looks like no eligibility: the same 422 not_eligible.
    Endpoint("courses", "POST", "/v1/trivsel-courses", _start("trivsel-courses"),
             {"tovholder": (OK, 422)}),
    Endpoint("courses", "POST", "/v1/exit-programmes", _start("exit-programmes"),
             {role: (OK, 403) for role in ("exit_coordinator", "tovholder", "police_coordinator")}),
    Endpoint("courses", "POST", "/v1/acute-procedures", _start("acute-procedures"),
             {"management": (OK, 403), "tovholder": (OK, 403)}),
    # Issue 14, part 6: from triage's referral; a referral out of reach is 404 like none.
    Endpoint("courses", "POST", "/v1/exit-programmes/from-referral/{referral_id}",
             _from_referral,
             {role: (OK, 404) for role in ("exit_coordinator", "tovholder", "police_coordinator")}),
]  # fmt: skip
_MANAGERS = {
    "trivsel-courses": ("tovholder",),
    "exit-programmes": ("exit_coordinator",),
    "acute-procedures": ("management", "tovholder"),
}
for _kind, _commands in COMMANDS.items():
    MATRIX += [
        Endpoint(
            "courses",
            "POST",
            f"/v1/{_kind}/{{course_id}}/{_name}",
            _command(_kind, _name),
            {role: (OK, 404) for role in _MANAGERS[_kind]},
        )
        for _name in _commands
    ]


# A follow-up action with an open next step (issue 17, part 2).
FOLLOW_UP = {
    "kind": "hjemmebesoeg",
    "held_by": "ABJ",
    "outcome": "held",
    "next_step": {"kind": "skolebesoeg", "owner": "ABJ", "due_on": "2026-12-10"},
    "note": "",
}


def _new_follow_up(served: ServiceUnderTest, in_reach: bool) -> tuple[str, dict[str, Any]]:
    code, _ = _reach(in_reach)
    return "/v1/follow-ups", {"json": {**FOLLOW_UP, "person_key": _fresh_key(),
                                       "municipality_code": code}}  # fmt: skip


def _follow_up(
    suffix: str = "", body: dict[str, Any] | None = None
) -> Callable[[ServiceUnderTest, bool], tuple[str, dict[str, Any]]]:
    """A fresh follow-up action (in or out of reach) with its next step open, recorded
    without a request; one of its routes, the command against its current version."""

    def fill(served: ServiceUnderTest, in_reach: bool) -> tuple[str, dict[str, Any]]:
        code, journal = _reach(in_reach)
        command = RecordFollowUpAction.model_validate(
            {**FOLLOW_UP, "person_key": _fresh_key(), "municipality_code": code,
             "journal_number": journal}
        )  # fmt: skip
        action = served.seed(served.seeder.follow_ups.record, command, "tovholder")
        path = f"/v1/follow-ups/{action.id}{suffix}"
        return path, {} if body is None else {"json": {"expected_version": action.version, **body}}

    return fill


# Issue 17, part 2: everyone who follows young people, in the token's municipalities; an
# action of another municipality is 404 like one that does not exist.
FOLLOW_UP_STAFF = ("tovholder", "team_leader", "caseworker", "police_coordinator",
                   "exit_coordinator")  # fmt: skip
# The coordinator's home visit is a social-services detail: withheld from the police (§115),
# who reach only the follow-ups they held themselves.
HELD_BY_THE_COORDINATOR = {
    **{role: (OK, 404) for role in FOLLOW_UP_STAFF},
    "police_coordinator": (404, 404),
}


MATRIX += [
    Endpoint("courses", "POST", "/v1/follow-ups", _new_follow_up,
             {role: (OK, 403) for role in FOLLOW_UP_STAFF}),
    Endpoint("courses", "GET", "/v1/follow-ups",
             _path("/v1/follow-ups?municipality_code={m}", m=(IN, OUT)),
             {role: (OK, 403) for role in FOLLOW_UP_STAFF}),
    Endpoint("courses", "GET", "/v1/follow-ups/{action_id}", _follow_up(),
             HELD_BY_THE_COORDINATOR),
    Endpoint("courses", "POST", "/v1/follow-ups/{action_id}/complete-next-step",
             _follow_up("/complete-next-step", {"by": "ABJ"}),
             HELD_BY_THE_COORDINATOR),
    Endpoint("courses", "POST", "/v1/follow-ups/{action_id}/reschedule-next-step",
             _follow_up("/reschedule-next-step", {"owner": "KLM", "due_on": "2026-12-17"}),
             HELD_BY_THE_COORDINATOR),
]  # fmt: skip

# Each service's auditor endpoints (shared/auth) are part of its API.
for _service in SERVICES:
    MATRIX += [
        Endpoint(
            _service,
            "GET",
            "/v1/audit",
            lambda _s, in_reach: (f"/v1/audit?person_key={PK_IN if in_reach else PK_OUT}", {}),
            {"auditor": (OK, OK)},
        ),
        Endpoint(
            _service,
            "GET",
            "/v1/audit/export/{person_key}",
            _path("/v1/audit/export/{pk}", pk=(PK_IN, PK_OUT)),
            {"auditor": (OK, OK)},
        ),
    ]

# Erasure (issue 18), last: once erased, the person in reach is gone for the rows above. Only
# the coordinator of the person's municipality erases; erasing again answers the same.
MATRIX += [
    Endpoint(
        "intake",
        "POST",
        "/v1/persons/{person_key}/erasure",
        _with_body(_path("/v1/persons/{pk}/erasure", pk=(PK_IN, PK_OUT)), {"reason": "request"}),
        {"tovholder": (OK, 404)},
    ),
    Endpoint(
        "intake",
        "GET",
        "/v1/erasures/report",
        _path("/v1/erasures/report"),
        {"auditor": (OK, OK), "management": (OK, OK)},
    ),
    *(
        Endpoint(
            service,
            "GET",
            "/v1/erasures/report",
            _path("/v1/erasures/report"),
            {"auditor": (OK, OK), "management": (OK, OK)},
        )
        for service in ("courses", "triage", "notifications", "reporting")
    ),
]


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, ServiceUnderTest]]:
    with (
        intake_under_test(tmp_path_factory.mktemp("intake")) as intake,
        reporting_under_test(tmp_path_factory.mktemp("reporting")) as reporting,
        triage_under_test(tmp_path_factory.mktemp("triage")) as triage,
        notifications_under_test(tmp_path_factory.mktemp("notifications")) as notifications,
        courses_under_test(tmp_path_factory.mktemp("courses")) as courses,
    ):
        yield {
            "intake": intake,
            "reporting": reporting,
            "triage": triage,
            "notifications": notifications,
            "courses": courses,
        }


def _routes(served: ServiceUnderTest) -> set[tuple[str, str]]:
    """Every operation of the app: its OpenAPI document (which includes the routers it
    includes) and its own routes (in case one is left out of the document)."""
    documented = {
        (method.upper(), path)
        for path, operations in served.api.openapi()["paths"].items()
        for method in operations
    }
    direct = {
        (method, route.path)
        for route in served.api.routes
        if isinstance(route, APIRoute)
        for method in route.methods
    }
    return {(m, p) for m, p in documented | direct if p not in HEALTH}


@pytest.mark.parametrize("service", SERVICES)
def test_the_matrix_names_every_route(services: dict[str, ServiceUnderTest], service: str) -> None:
    rows = {(e.method, e.path) for e in MATRIX if e.service == service}
    assert _routes(services[service]) == rows


def _cells() -> list[Any]:
    return list(_each_cell())


def _each_cell() -> Iterator[Any]:
    for endpoint in MATRIX:
        for role in ROLES:
            for in_reach in (True, False):
                expected = endpoint.allowed.get(role, (403, 403))[0 if in_reach else 1]
                yield pytest.param(
                    endpoint,
                    role,
                    in_reach,
                    expected,
                    id=f"{endpoint.service} {endpoint.method} {endpoint.path} "
                    f"{role} {'in' if in_reach else 'out'}",
                )


@pytest.mark.parametrize(("endpoint", "role", "in_reach", "expected"), _cells())
def test_cell(
    services: dict[str, ServiceUnderTest],
    endpoint: Endpoint,
    role: str,
    in_reach: bool,
    expected: str | int,
) -> None:
    served = services[endpoint.service]
    path, extra = endpoint.fill(served, in_reach)
    before = served.audit_count()
    response = served.client.request(endpoint.method, path, headers=headers(role), **extra)
    if expected == OK:
        assert 200 <= response.status_code < 300, response.text
    else:
        assert response.status_code == expected, response.text
        assert set(response.json()) == {"error", "message", "field"}
    assert served.audit_count() == before + 1, "each request leaves exactly one audit entry"


def test_out_of_reach_and_unknown_are_indistinguishable(
    services: dict[str, ServiceUnderTest],
) -> None:
    intake, reporting = services["intake"], services["reporting"]
    pairs = [
        (intake, "POST", f"/v1/identities/{PK_OUT}/resolve", "/v1/identities/pk_"
         + "0" * 32 + "/resolve", {"json": {"purpose": "x"}}),
        (intake, "GET", f"/v1/rejected/{intake.records['rejected_out']}",
         "/v1/rejected/00000000-0000-0000-0000-000000000000", {}),
        (reporting, "GET", f"/v1/trace/{JOURNAL_OUT}", "/v1/trace/3700-00000-00000-26", {}),
    ]  # fmt: skip
    for served, method, out_of_reach, unknown, extra in pairs:
        a = served.client.request(method, out_of_reach, headers=headers("tovholder"), **extra)
        b = served.client.request(method, unknown, headers=headers("tovholder"), **extra)
        assert (a.status_code, a.content, dict(a.headers)) == (
            b.status_code,
            b.content,
            dict(b.headers),
        )
