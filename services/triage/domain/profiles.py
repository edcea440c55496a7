"""Municipality profiles: each municipality's own way of working, as data (issue 4, part 1).

A profile says how serious each offence and flag is, who owns each route (role, and the team
where the municipality has one, e.g. Herning's district SSP workers), from which age the young
person gets the letter too, the service deadline from police registration to parents informed,
what counts as a repeat, and who takes exit-programme referrals. The models are strict
(`extra="forbid"`), so a misspelt key is an error at start rather than a rule silently not
applied. Files are read by `adapters/profile_files.py`; the rules that use a profile live in
`routing.py`.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.contracts import Flag, OffenceCode, Route, Severity, Workflow
from shared.contracts.common import MAX_PLACE_NAME_CHARS, MAX_TEAM_CHARS
from shared.contracts.decisions import ROUTES, SEVERITIES, WORKFLOWS
from shared.contracts.incidents import OFFENCE_CODES, Role

DEFAULT_PROFILE_CODE = "default"

#: The platform's roles (domain.md, "Actors"). A profile names who owns a route with these
#: codes; the local title (SSP-tovholder, SSP-konsulent, SSP-medarbejder, ...) is the team's.
OwnerRole = Literal[
    "tovholder", "caseworker", "team_leader", "police_ssp_coordinator", "exit_coordinator"
]
TeamSource = Literal["district", "case"]

ProfileCode = Annotated[str, Field(pattern=r"^([0-9]{3}|default)$")]
DistrictKey = Annotated[str, Field(pattern=r"^[a-z0-9_]+$")]

_RANK: Mapping[Severity, int] = {s: i for i, s in enumerate(SEVERITIES)}


def raised(severity: Severity, steps: int = 1) -> Severity:
    """`steps` levels higher, capped at high."""
    return SEVERITIES[min(_RANK[severity] + steps, len(SEVERITIES) - 1)]


def at_least(severity: Severity, floor: Severity) -> Severity:
    return severity if _RANK[severity] >= _RANK[floor] else floor


def school_key(school: str) -> str:
    """Schools are matched without regard to case or spacing ("Gullestrup  skole")."""
    return " ".join(school.split()).casefold()


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class District(_Strict):
    name: str = Field(min_length=1, max_length=MAX_PLACE_NAME_CHARS)
    team: str | None = Field(default=None, min_length=1, max_length=MAX_TEAM_CHARS)


class SeverityRules(_Strict):
    offences: dict[OffenceCode, Severity]
    flags: dict[Flag, Severity] = Field(default_factory=dict)
    """A flag raises the severity to at least its level."""

    @model_validator(mode="after")
    def _every_offence_code(self) -> Self:
        missing = [code for code in OFFENCE_CODES if code not in self.offences]
        if missing:
            raise ValueError(f"offences: no severity for {', '.join(missing)}")
        return self


class SeverityHours(_Strict):
    low: int = Field(ge=1)
    medium: int = Field(ge=1)
    high: int = Field(ge=1)

    def for_severity(self, severity: Severity) -> int:
        hours: int = getattr(self, severity)
        return hours


class Deadlines(_Strict):
    """Hours from the police registration (`reported_at`) until the parents are informed."""

    tovholder: SeverityHours
    caseworker: SeverityHours

    def due_after(self, route: Route, severity: Severity) -> timedelta:
        rule = self.tovholder if route == "tovholder" else self.caseworker
        return timedelta(hours=rule.for_severity(severity))


#: Whose reports count towards a repeat unless the profile says (issue 14, part 2).
REPEAT_ROLES: tuple[Role, ...] = ("sigtet", "antruffet")


class RepeatRule(_Strict):
    """`threshold` reports (this one included) within `window_days` make a repeat, which
    raises the severity by `raise_steps`."""

    window_days: int = Field(ge=1)
    threshold: int = Field(ge=2)
    raise_steps: int = Field(default=1, ge=0, le=2)
    roles: list[Role] = Field(default_factory=lambda: list(REPEAT_ROLES), min_length=1)
    """The roles whose reports count towards a repeat (issue 14, part 2; 004 weighs abuse
    cases, 000's flow is about involved youth): a victim's (forurettet) earlier reports are
    shown in the history but do not raise the severity, and a victim's own report makes no
    repeat."""

    @property
    def window(self) -> timedelta:
        return timedelta(days=self.window_days)


class OwnerRule(_Strict):
    """Who owns a decision. Conditions left out match anything; the first matching rule wins."""

    route: Route
    severity: list[Severity] | None = None
    workflow: Workflow | None = None
    repeat: bool | None = None
    role: OwnerRole
    team: str | None = Field(default=None, min_length=1, max_length=MAX_TEAM_CHARS)
    """The team, or the fallback when `team_from` finds none."""
    team_from: TeamSource | None = None
    """`district`: the team of the district of the person's school; `case`: the team of the
    active social-services case."""

    def matches(self, route: Route, severity: Severity, workflow: Workflow, repeat: bool) -> bool:
        return (
            self.route == route
            and (self.severity is None or severity in self.severity)
            and (self.workflow is None or self.workflow == workflow)
            and (self.repeat is None or self.repeat == repeat)
        )


@dataclass(frozen=True)
class Owner:
    role: OwnerRole
    team: str | None


class ExitOwner(_Strict):
    """Who takes the exit-programme referrals of the municipality (issue 4, part 6)."""

    role: OwnerRole = "exit_coordinator"
    team: str | None = Field(default=None, min_length=1, max_length=MAX_TEAM_CHARS)


BaseLetterKind = Literal["orientering", "indkaldelse"]
"""The letters a routing decision calls for: the orientering (tovholder at once, or the
caseworker's `inform`) and the indkaldelse (the caseworker's `summon`)."""


class RecipientRule(_Strict):
    """Who receives a letter (issue 14, part 3): conditions left out match anything; the first
    matching rule of the profile's `recipients` wins; no rule: `youth_letter_age`.

    Age bands: under `youth_from_age` the parents; from it until 18 the parents and the young
    person; from 18 the young person only."""

    route: Route | None = None
    kind: BaseLetterKind | None = None
    roles: list[Role] | None = None
    youth_from_age: int = Field(ge=0, le=18)

    def matches(self, route: Route, kind: BaseLetterKind, role: Role) -> bool:
        return (
            (self.route is None or self.route == route)
            and (self.kind is None or self.kind == kind)
            and (self.roles is None or role in self.roles)
        )


class PspKspContact(_Strict):
    """Who takes the handover of a young person who turned 18 with an open item, and how many
    days they have (issue 14, part 4; 004 "PSP- og KSP-samarbejde")."""

    role: OwnerRole = "team_leader"
    team: str | None = Field(default=None, min_length=1)
    due_days: int = Field(default=14, ge=1, le=90)


DEFAULT_RETENTION_YEARS = 5
"""KLE's standard disposal, "kassation 5 år efter sagens afslutning" (docs/record-of-processing.md):
our reading for the weekly meeting's minutes and the concerns on its agenda, the meeting's
close taken as the case's."""


def years_after(moment: datetime, years: int) -> datetime:
    """The same calendar moment `years` later (29 February: 28 February in a common year)."""
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:
        return moment.replace(year=moment.year + years, day=28)


class Retention(_Strict):
    """How long triage keeps what it holds beyond a person's own deadline (intake's), counted
    from the meeting's close: the end of its ISO week, or the last thing recorded at it when
    later (issue 18, part 2)."""

    meeting_minutes_years: int = Field(default=DEFAULT_RETENTION_YEARS, ge=1, le=50)
    """The minutes: decisions about route and owner, agreed actions, notes, participants."""
    concern_years: int = Field(default=DEFAULT_RETENTION_YEARS, ge=1, le=50)
    """The concerns the meeting had on its agenda (triage's part: codes, the pseudonym)."""


class MunicipalityProfile(_Strict):
    code: ProfileCode
    name: str = Field(min_length=1)
    source: str = Field(min_length=1)
    """Where the rules come from (the seed document), so a reader can check them."""
    districts: dict[DistrictKey, District] = Field(default_factory=dict)
    schools: dict[str, DistrictKey] = Field(default_factory=dict)
    """School name → district key."""
    severity: SeverityRules
    owners: list[OwnerRule] = Field(min_length=1)
    youth_letter_age: int = Field(default=15, ge=0, le=18)
    recipients: list[RecipientRule] = Field(default_factory=list)
    """Who receives each letter, per route x letter kind x role (issue 14, part 3); a letter
    no rule matches goes by `youth_letter_age`."""
    deadlines_hours: Deadlines
    repeat: RepeatRule
    exit_owner: ExitOwner = Field(default_factory=ExitOwner)
    psp_ksp: PspKspContact = Field(default_factory=PspKspContact)
    """The PSP/KSP contact who owns the handover task on an 18th birthday with an open item."""
    """Who takes exit-programme referrals; the exit coordinator unless the profile says."""
    handover_window_days: int = Field(default=30, ge=0, le=366)
    """A case opened at most this many days after a person was routed to the tovholder hands
    the incident over to the caseworker (issue 4, part 5)."""
    retention: Retention = Field(default_factory=Retention)
    """Deletion deadlines of the meeting's minutes and concerns (issue 18)."""

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        problems = [
            f"schools.{school}: unknown district '{district}' (known: "
            f"{', '.join(self.districts) or 'none'})"
            for school, district in self.schools.items()
            if district not in self.districts
        ]
        for i, rule in enumerate(self.owners):
            if rule.team_from == "district" and not self.districts:
                problems.append(f"owners.{i}.team_from: 'district' but the profile has none")
            if rule.team_from == "case" and rule.route != "caseworker":
                problems.append(f"owners.{i}.team_from: 'case' only on the caseworker route")
        problems += self._uncovered_owner_cases()
        if len(self._district_by_school_key) != len(self.schools):
            problems.append("schools: the same school twice (names differing only in case)")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def _uncovered_owner_cases(self) -> list[str]:
        """Every decision must have an owner: each (route, severity, workflow, repeat) needs a
        rule."""
        return [
            f"owners: no rule for route={route} severity={severity} workflow={workflow} "
            f"repeat={str(repeat).lower()}"
            for route, severity, workflow, repeat in itertools.product(
                ROUTES, SEVERITIES, WORKFLOWS, (False, True)
            )
            if not any(r.matches(route, severity, workflow, repeat) for r in self.owners)
        ]

    def youth_from_age(self, route: Route, kind: BaseLetterKind, role: Role) -> int:
        """From which age a minor receives this letter with their parents."""
        for rule in self.recipients:
            if rule.matches(route, kind, role):
                return rule.youth_from_age
        return self.youth_letter_age

    @property
    def handover_window(self) -> timedelta:
        return timedelta(days=self.handover_window_days)

    @property
    def is_default(self) -> bool:
        return self.code == DEFAULT_PROFILE_CODE

    # --- the rules --------------------------------------------------------------------------
    @cached_property
    def _district_by_school_key(self) -> dict[str, str]:
        """`schools` by `school_key`, made once per profile when it is validated: `district_of`
        is asked per person. (A cached property, not a pydantic private attribute: reading one
        of those costs more than the lookup.)"""
        return {school_key(name): district for name, district in self.schools.items()}

    def district_of(self, school: str | None) -> str | None:
        if not school:
            return None
        return self._district_by_school_key.get(school_key(school))

    def exit_referral_owner(self) -> Owner:
        return Owner(self.exit_owner.role, self.exit_owner.team)

    def owner(
        self,
        *,
        route: Route,
        severity: Severity,
        workflow: Workflow,
        repeat: bool,
        district: str | None,
        case_team: str | None,
    ) -> Owner:
        rule = next(r for r in self.owners if r.matches(route, severity, workflow, repeat))
        team = rule.team
        if rule.team_from == "district" and district is not None:
            team = self.districts[district].team or team
        elif rule.team_from == "case" and case_team:
            team = case_team
        return Owner(rule.role, team)


@dataclass(frozen=True)
class ProfileBook:
    """The profiles by municipality code, and the default for municipalities without one."""

    profiles: Mapping[str, MunicipalityProfile]
    default: MunicipalityProfile

    def for_municipality(self, municipality_code: str) -> MunicipalityProfile:
        # Part 7 of issue 4 will reject unconfigured municipalities; until then they get the
        # documented default profile, and their decisions say so (reason `default_profile`).
        return self.profiles.get(municipality_code, self.default)

    def all(self) -> list[MunicipalityProfile]:
        return [*sorted(self.profiles.values(), key=lambda p: p.code), self.default]
