"""The routing rules (contracts.md §4): a pure function from one person of an incident, what
triage knows about them (active case, earlier reports) and their municipality's profile to a
routing decision.

Every rule that fires adds a machine-readable reason, so a person can see why they were routed
as they were. The route itself is the contract's and no profile changes it: caseworker when the
person has an active case at decision time, else tovholder. Profiles decide severity, owner,
deadline, youth-letter age and what counts as a repeat (`profiles.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from services.triage.domain.ids import DECISION_IDS
from services.triage.domain.profiles import (
    BaseLetterKind,
    MunicipalityProfile,
    RepeatRule,
    SeverityRules,
    at_least,
    raised,
)
from services.triage.domain.roles import exit_flags_for, letter_kind_for_role, recipients_for
from services.triage.domain.workflow import workflow_for_age
from shared.contracts import (
    AcceptedIncident,
    AssessmentOutcome,
    DecisionKind,
    Flag,
    OffenceCode,
    PseudonymousPerson,
    Role,
    Route,
    RoutingDecision,
    Severity,
)
from shared.contracts.decisions import (
    HISTORY_REPORTS_SHOWN,
    EarlierReport,
    LetterPlan,
    ReportHistory,
)

ACTIVE_CASE = "active_case"
NO_ACTIVE_CASE = "no_active_case"
ADULT_WORKFLOW = "adult_workflow"
SEVERITY_RAISED_BY_FLAG = "severity_raised_by_flag"
REPEAT_WITHIN_WINDOW = "repeat_within_window"
DEFAULT_PROFILE = "default_profile"
EXIT_REFERRAL = "exit_referral"
REACHED_18_WITH_OPEN_ITEM = "reached_18_with_open_item"


@dataclass(frozen=True)
class ActiveCase:
    """A social-services case open for the person when the decision is made."""

    case_id: str
    municipality_code: str
    team: str | None = None


@dataclass(frozen=True)
class Report:
    """One police report about a person, as triage recorded it: codes and dates only."""

    journal_number: str
    revision: int
    occurred_at: datetime
    role: Role
    offence_code: OffenceCode
    age_at_incident: int | None = None
    """None for reports recorded before the age was kept."""


@dataclass(frozen=True)
class PersonFacts:
    """What triage knows about a person when deciding."""

    active_case: ActiveCase | None = None
    earlier_reports: Sequence[Report] = ()
    """Reports of other incidents that happened before this one."""
    exit_referred: bool = False
    """The person was referred to an exit programme for this incident already."""


def decision_id_for(
    journal_number: str, revision: int, person_key: str, kind: DecisionKind = "initial"
) -> str:
    """Deterministic, so a re-triaged revision could never yield a second id for a person.
    Initial decisions keep the id they had before revised and handover decisions existed."""
    suffix = "" if kind == "initial" else f"|{kind}"
    return DECISION_IDS.text(f"{journal_number}|{revision}|{person_key}{suffix}")


def assess_severity(
    rules: SeverityRules, offence_code: OffenceCode, flags: Sequence[Flag]
) -> tuple[Severity, list[str]]:
    severity = rules.offences[offence_code]
    for flag in flags:
        floor = rules.flags.get(flag)
        if floor is not None:
            severity = at_least(severity, floor)
    if severity != rules.offences[offence_code]:
        return severity, [SEVERITY_RAISED_BY_FLAG]
    return severity, []


def summarise_history(
    earlier: Sequence[Report],
    occurred_at: datetime,
    rule: RepeatRule,
    role: Role | None = None,
) -> ReportHistory:
    """`earlier` must hold only other incidents that happened before `occurred_at`. Every
    earlier report is shown; only reports in the roles `rule.roles` names count towards a
    repeat, this one (`role`; None: counted) included (issue 14, part 2)."""
    if not earlier:
        return _first_report(rule.window_days, rule.threshold)
    window_start = occurred_at - rule.window
    in_window = 1 + sum(1 for r in earlier if r.occurred_at >= window_start)
    counts = role is None or role in rule.roles
    counted = int(counts) + sum(
        1 for r in earlier if r.occurred_at >= window_start and r.role in rule.roles
    )
    newest_first = sorted(earlier, key=lambda r: (r.occurred_at, r.journal_number), reverse=True)
    return ReportHistory(
        earlier_reports=len(earlier),
        reports_in_window=in_window,
        window_days=rule.window_days,
        repeat_threshold=rule.threshold,
        repeat=counts and counted >= rule.threshold,
        reports=[
            EarlierReport(
                journal_number=r.journal_number,
                occurred_at=r.occurred_at,
                role=r.role,
                offence_code=r.offence_code,
            )
            for r in newest_first[:HISTORY_REPORTS_SHOWN]
        ],
    )


@lru_cache(maxsize=64)
def _first_report(window_days: int, threshold: int) -> ReportHistory:
    """The history of a person's first report: the same for everyone under the same repeat
    rule, so it is built once per rule (a frozen model, shared by the decisions)."""
    return ReportHistory(
        earlier_reports=0,
        reports_in_window=1,
        window_days=window_days,
        repeat_threshold=threshold,
        repeat=threshold <= 1,  # this report alone (thresholds are 2 or more)
        reports=[],
    )


def reached_18_with_open_item(
    age_at_incident: int, earlier: Sequence[Report], occurred_at: datetime, rule: RepeatRule
) -> bool:
    """An adult reported as a minor within the repeat window: still an open item of SSP's when
    they turned 18, so it is handed over to the PSP/KSP cooperation (seed 004). Reports recorded
    before the age was kept do not count."""
    if workflow_for_age(age_at_incident) != "adult":
        return False
    window_start = occurred_at - rule.window
    return any(
        r.age_at_incident is not None
        and workflow_for_age(r.age_at_incident) == "minor"
        and r.occurred_at >= window_start
        for r in earlier
    )


def route_person(
    person: PseudonymousPerson,
    incident: AcceptedIncident,
    facts: PersonFacts,
    profile: MunicipalityProfile,
    decided_at: datetime,
    co_registered: Sequence[str] = (),
) -> RoutingDecision:
    active_case = facts.active_case
    route: Route = "caseworker" if active_case is not None else "tovholder"
    reasons = [ACTIVE_CASE if active_case is not None else NO_ACTIVE_CASE]
    workflow = workflow_for_age(person.age_at_incident)
    if workflow == "adult":
        reasons.append(ADULT_WORKFLOW)
    severity, severity_reasons = assess_severity(
        profile.severity, incident.offence_code, incident.flags
    )
    reasons += severity_reasons
    history = summarise_history(
        facts.earlier_reports, incident.occurred_at, profile.repeat, person.role
    )
    if history.repeat:
        severity = raised(severity, profile.repeat.raise_steps)
        reasons.append(REPEAT_WITHIN_WINDOW)
    if profile.is_default:
        reasons.append(DEFAULT_PROFILE)
    # The referral itself is recorded by the caller (exit_referrals.py); once per incident.
    if (
        exit_flags_for(person.role, incident.flags, person.age_at_incident)
        and not facts.exit_referred
    ):
        reasons.append(EXIT_REFERRAL)
    handover = reached_18_with_open_item(
        person.age_at_incident, facts.earlier_reports, incident.occurred_at, profile.repeat
    )
    if handover:
        reasons.append(REACHED_18_WITH_OPEN_ITEM)
    district = profile.district_of(person.school)
    owner = profile.owner(
        route=route,
        severity=severity,
        workflow=workflow,
        repeat=history.repeat,
        district=district,
        case_team=active_case.team if active_case is not None else None,
    )
    return RoutingDecision(
        decision_id=decision_id_for(incident.journal_number, incident.revision, person.person_key),
        journal_number=incident.journal_number,
        revision=incident.revision,
        person_key=person.person_key,
        municipality_code=person.municipality_code,
        route=route,
        workflow=workflow,
        age_at_incident=person.age_at_incident,
        role=person.role,
        offence_code=incident.offence_code,
        severity=severity,
        reasons=reasons,
        case_id=active_case.case_id if active_case is not None else None,
        occurred_at=incident.occurred_at,
        decided_at=decided_at,
        owner_role=owner.role,
        owner_team=owner.team,
        due_at=incident.reported_at + profile.deadlines_hours.due_after(route, severity),
        youth_letter_age=profile.youth_letter_age,
        profile=profile.code,
        district=district,
        history=history,
        co_registered_person_keys=[key for key in co_registered if key != person.person_key],
        psp_ksp_handover=handover,
        letters=letter_plans(route, person.role, person.age_at_incident, profile),
    )


def letter_plans(
    route: Route, role: Role, age: int, profile: MunicipalityProfile
) -> list[LetterPlan]:
    """The letters a decision calls for (issue 14, parts 2-3): the tovholder's orientering at
    once; on the caseworker route the orientering after `inform` and the indkaldelse after
    `summon`. Recipients by the profile's table, the kind by the person's role."""
    wanted: list[tuple[AssessmentOutcome | None, BaseLetterKind]] = (
        [(None, "orientering")]
        if route == "tovholder"
        else [("inform", "orientering"), ("summon", "indkaldelse")]
    )
    return [
        LetterPlan(
            assessment=assessment,
            kind=letter_kind_for_role(kind, role),
            recipients=recipients_for(age, profile.youth_from_age(route, kind, role)),
        )
        for assessment, kind in wanted
    ]
