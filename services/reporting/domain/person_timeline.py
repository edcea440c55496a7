"""One timeline per person (issue 17, part 1): which persons a recorded step belongs to, and
what of it their row keeps.

Every step that names a person (`person_key`) is a row of that person's timeline, whatever
service published it: a new source needs no rule here, only its observation
(domain/observations.py), its consumer line (entrypoints/kafka.py) and its words
(domain/wording.py). A police report names its persons in its facts: each gets a row with
their own role, age and municipality. Rows keep codes, dates and owners only, like the steps.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

Facts = Mapping[str, Any]


@dataclass(frozen=True)
class PersonRow:
    person_key: str
    municipality_code: str | None
    """The municipality the row concerns (the person's residence in a police report, the
    municipality of a decision, task, course or meeting); None when the step does not say."""
    school: str | None
    """The person's school in a police report (what a school representative's reach needs)."""
    facts: dict[str, Any]


def _incident_persons(_: str | None, facts: Facts) -> list[PersonRow]:
    return [
        PersonRow(
            person_key=str(person["person_key"]),
            municipality_code=person.get("municipality_code"),
            school=person.get("school"),
            facts={
                "offence_code": facts.get("offence_code"),
                "reported_at": facts.get("reported_at"),
                "role": person.get("role"),
                "age_at_incident": person.get("age_at_incident"),
                "municipality_code": person.get("municipality_code"),
                "in_scope": person.get("in_scope"),
            },
        )
        for person in facts.get("persons") or []
    ]


def _the_named_person(person_key: str | None, facts: Facts) -> list[PersonRow]:
    if person_key is None:
        return []
    code = facts.get("municipality_code")
    return [PersonRow(person_key, code if isinstance(code, str) else None, None, dict(facts))]


_PERSONS_OF: dict[str, Callable[[str | None, Facts], list[PersonRow]]] = {
    "incident_accepted": _incident_persons,
}
"""Steps whose persons are in their facts rather than their `person_key`."""

POLICE_STEPS = frozenset({"incident_accepted", "incident_rejected"})
"""Steps that are the police's own information: seen by every role that may see the person.
Every other step reveals social services' involvement (a decision, a letter, a course, a
meeting) and is withheld from those who may not see it (the police, schools)."""


def person_rows(step: str, person_key: str | None, facts: Facts) -> list[PersonRow]:
    """The rows a step makes on its persons' timelines."""
    return _PERSONS_OF.get(step, _the_named_person)(person_key, facts)
