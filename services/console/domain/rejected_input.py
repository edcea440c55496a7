"""A rejected police incident as a Danish form: its fields with Danish labels, each problem
said in Danish next to the field it concerns (what the field takes, never a pattern), and the
form's values made into the JSON incident intake validates again (contracts §1).

The form's field names are the problems' field paths (`journal_number`, `persons[0].cpr`), so
a problem lands beside its field without translation."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shared.danish import COPENHAGEN, INCIDENT_ROLES, OFFENCES

MAX_PERSONS = 50
SOURCES = {"doegnrapport": "Døgnrapport", "ssp_liste": "SSP-liste", "nec": "NEC"}
FLAGS = ("bande", "ekstremisme", "vaaben", "rusmidler", "gentagelse")
CHANNELS = {"kafka": "Politiets system (Kafka)", "http": "Indsendt eller importeret"}

INCIDENT_FIELDS = (
    ("journal_number", "Journalnummer"),
    ("revision", "Version"),
    ("source", "Kilde"),
    ("police_district", "Politikreds"),
    ("reported_at", "Anmeldt"),
    ("occurred_at", "Gerningstidspunkt"),
    ("offence.code", "Overtrædelse"),
    ("offence.text", "Overtrædelse, politiets tekst"),
    ("location.municipality_code", "Gerningskommune (kode)"),
    ("location.text", "Gerningssted"),
    ("flags", "Markeringer"),
    ("narrative", "Referat"),
)
PERSON_FIELDS = (
    ("cpr", "CPR-nummer"),
    ("name", "Navn"),
    ("role", "Rolle"),
    ("municipality_code", "Bopælskommune (kode)"),
    ("address", "Adresse"),
    ("school", "Skole"),
)
TIMES = frozenset({"reported_at", "occurred_at"})
CHOICES: dict[str, Mapping[str, str]] = {
    "source": SOURCES,
    "offence.code": OFFENCES,
    "role": INCIDENT_ROLES,
}
HINTS = {
    "journal_number": "fire, fem, fem og to cifre med bindestreg, fx 3700-80123-00456-26",
    "revision": "et helt tal, mindst 1",
    "reported_at": "dato og klokkeslæt i dansk tid, fx 15-11-2026 22:40",
    "occurred_at": "dato og klokkeslæt i dansk tid, fx 15-11-2026 22:40",
    "flags": "adskilt med komma: " + ", ".join(FLAGS),
    "location.municipality_code": "tre cifre, fx 607",
    "cpr": "ti cifre, DDMMÅÅ-LLLL",
    "municipality_code": "tre cifre, fx 607",
}
_PERSON_PATH = re.compile(r"persons\[(\d+)\]\.(\w+)")
_NUMBER = re.compile(r"\d+")


def field_label(path: str) -> str:
    """`persons[0].cpr` → `Person 1: CPR-nummer`; `$` → `Hele indberetningen`."""
    person = _PERSON_PATH.fullmatch(path)
    if person is not None:
        index, name = int(person.group(1)), person.group(2)
        return f"Person {index + 1}: {dict(PERSON_FIELDS).get(name, name)}"
    base = re.sub(r"\[\d+\]$", "", path)
    labels = {
        **dict(INCIDENT_FIELDS),
        "$": "Hele indberetningen",
        "persons": "Personer",
        "offence": "Overtrædelse",
        "location": "Gerningssted",
    }
    return labels.get(base, path)


def _last_name(path: str) -> str:
    return re.sub(r"\[\d+\]$", "", path).rsplit(".", 1)[-1]


def danish_problem(path: str, code: str, message: str = "") -> str:
    """What the field takes, in Danish (the API's codes are stable; its messages English)."""
    name = _last_name(path)
    if code in ("string_pattern_mismatch", "cpr_format") and name in HINTS:
        return f"Skrives som {HINTS[name]}."
    if code == "literal_error":
        if name in ("code", "role", "source"):
            allowed = CHOICES["offence.code" if name == "code" else name]
            return "Vælg en af: " + ", ".join(allowed.values()) + "."
        if path.startswith("flags"):
            return "Markeringer kan kun være " + ", ".join(FLAGS) + "."
    if code.startswith(("datetime", "timezone")):
        return "Skriv dato og klokkeslæt i dansk tid, fx 15-11-2026 22:40."
    if code == "string_too_long":
        found = _NUMBER.search(message)
        return f"Højst {found.group(0)} tegn." if found else "Teksten er for lang."
    if code in ("too_short", "too_long") and name == "persons":
        return f"Der skal være mellem 1 og {MAX_PERSONS} personer."
    fixed = {
        "missing": "Skal udfyldes.",
        "cpr_date": "De første seks cifre i CPR-nummeret skal være en rigtig dato (DDMMÅÅ).",
        "birth_after_incident": "Ifølge CPR-nummeret er personen født efter gerningstidspunktet.",
        "unknown_municipality": "Ikke en dansk kommunekode (tre cifre, fx 607).",
        "municipality_not_served": "Kommunen er ikke med i denne SSP-opsætning.",
        "cpr_in_name": "Skal være et navn; et CPR-nummer må ikke stå her.",
        "not_a_name": "Skal være et navn med bogstaver.",
        "invalid_json": "Indberetningen kunne ikke læses (den er ikke gyldig JSON).",
        "message_too_large": "Indberetningen er for stor til at blive læst.",
        "conflicting_rows": "Rækkerne for samme hændelse er ikke ens her.",
        "greater_than_equal": "Skal være mindst 1.",
        "int_type": "Skal være et helt tal.",
        "int_parsing": "Skal være et helt tal.",
        "string_type": "Skal være tekst.",
    }
    if code in fixed:
        return fixed[code]
    if code.startswith(("string_pattern", "cpr")):
        return "Har ikke den form, feltet kræver."
    return f"Værdien er ikke gyldig ({code})."


def danish_problems(problems: list[dict[str, str]]) -> list[dict[str, str]]:
    """Each problem with its field's Danish label and a Danish message."""
    return [
        {
            "field": p["field"],
            "label": field_label(p["field"]),
            "text": danish_problem(p["field"], p["code"], p.get("message", "")),
        }
        for p in problems
    ]


@dataclass
class FormField:
    name: str
    label: str
    value: str
    choices: Mapping[str, str] | None = None
    hint: str | None = None
    long: bool = False
    problems: list[str] = field(default_factory=list)

    @property
    def html_id(self) -> str:
        return "felt-" + re.sub(r"[^A-Za-z0-9]+", "-", self.name).strip("-")


@dataclass
class IncidentForm:
    incident: list[FormField]
    persons: list[list[FormField]]
    general: list[str]
    """Problems that concern no single field (the whole document, the persons list)."""


def _shown_time(value: Any) -> str:
    """A valid time as Danes write it, in Danish time (`15-11-2026 22:40`, with the seconds
    when it has any); anything else as it was sent, to be corrected."""
    if not isinstance(value, str):
        return _text(value)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    local = moment.astimezone(COPENHAGEN) if moment.tzinfo else moment
    return local.strftime("%d-%m-%Y %H:%M:%S" if local.second else "%d-%m-%Y %H:%M")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ""
    return str(value)


def _at(document: Mapping[str, Any], path: str) -> Any:
    value: Any = document
    for part in path.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def is_incident_form(document: Any) -> bool:
    """Whether the document can be shown field by field (else it is corrected as text)."""
    if not isinstance(document, dict) or not isinstance(document.get("persons", []), list):
        return False
    if not {"journal_number", "persons", "offence"} & document.keys():
        return False  # not a police incident at all: corrected as text
    persons = document.get("persons", [])
    return len(persons) <= MAX_PERSONS and all(isinstance(p, dict) for p in persons)


def incident_form(values: Mapping[str, Any], problems: list[dict[str, str]]) -> IncidentForm:
    """The form for an incident document (`values`: the document, or the form sent back)."""
    by_field: dict[str, list[str]] = {}
    general: list[str] = []
    names = {name for name, _ in INCIDENT_FIELDS}
    persons_raw = values.get("persons", [])
    count = len(persons_raw) if isinstance(persons_raw, list) else 0
    names |= {f"persons[{i}].{name}" for i in range(count) for name, _ in PERSON_FIELDS}
    for problem in danish_problems(problems):
        target = re.sub(r"\[\d+\]$", "", problem["field"])  # flags[2] → flags
        if target in names:
            by_field.setdefault(target, []).append(problem["text"])
        else:
            general.append(f"{problem['label']}: {problem['text']}")

    def form_field(name: str, label: str, value: Any, choice_key: str) -> FormField:
        return FormField(
            name=name,
            label=label,
            value=_shown_time(value) if name in TIMES else _text(value),
            choices=CHOICES.get(choice_key),
            hint=HINTS.get(choice_key),
            long=choice_key == "narrative",
            problems=by_field.get(name, []),
        )

    incident = [form_field(name, label, _at(values, name), name) for name, label in INCIDENT_FIELDS]
    persons = [
        [
            form_field(f"persons[{i}].{name}", label, person.get(name), name)
            for name, label in PERSON_FIELDS
        ]
        for i, person in enumerate(persons_raw if isinstance(persons_raw, list) else [])
    ]
    return IncidentForm(incident, persons, general)


def _moment(value: str) -> str:
    """A time as the contract takes it: with an offset; one without is Danish local time."""
    layouts = ("%d-%m-%Y %H:%M", "%d-%m-%Y %H:%M:%S", "%d.%m.%Y %H.%M", "%d.%m.%Y %H:%M")
    for layout in layouts:
        try:
            return datetime.strptime(value, layout).replace(tzinfo=COPENHAGEN).isoformat()
        except ValueError:
            continue
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value  # intake says what a time must look like
    return (moment if moment.tzinfo else moment.replace(tzinfo=COPENHAGEN)).isoformat()


def _put(document: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for part in parents:
        document = document.setdefault(part, {})
    document[last] = value


def document_from_form(form: Mapping[str, str], persons: int) -> dict[str, Any]:
    """The incident the form describes; an empty field is left out (intake says whether it
    was required)."""
    document: dict[str, Any] = {}
    for name, _ in INCIDENT_FIELDS:
        value = form.get(name, "").strip()
        if not value:
            continue
        if name == "revision":
            _put(document, name, int(value) if value.isdigit() else value)
        elif name == "flags":
            document["flags"] = [f.strip().lower() for f in re.split(r"[,;\s]+", value) if f]
        elif name in TIMES:
            _put(document, name, _moment(value))
        else:
            _put(document, name, value)
    document["persons"] = []
    for i in range(min(persons, MAX_PERSONS)):
        person = {
            name: form.get(f"persons[{i}].{name}", "").strip()
            for name, _ in PERSON_FIELDS
            if form.get(f"persons[{i}].{name}", "").strip()
        }
        document["persons"].append(person)
    return document
