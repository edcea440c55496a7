"""A rejected concern (issue 15, parts 5 and 6) as a Danish form: the fields of a `Concern`
with Danish labels, the category and the reporter's kind as choices in Danish, each problem
said in Danish next to its field, and the form's values made into the JSON concern intake
checks again by the rules of `POST /v1/concerns`.

The form's field names are the problems' field paths (`category`, `reporter.kind`), as in the
incident form (rejected_input.py), whose field, time and path helpers it shares."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from services.console.domain.rejected_input import (
    FormField,
    _at,
    _moment,
    _put,
    _shown_time,
    _text,
    danish_problem,
)
from shared.danish import CONCERN_CATEGORIES, REPORTER_KINDS

CONCERN_FIELDS = (
    ("concern_id", "Bekymringens id"),
    ("cpr", "CPR-nummer"),
    ("name", "Den unges navn"),
    ("municipality_code", "Kommune (kode)"),
    ("school", "Skole"),
    ("category", "Hvad handler bekymringen om?"),
    ("reporter.kind", "Hvem er bekymret?"),
    ("reporter.name", "Indberetterens navn"),
    ("reporter.contact", "Kontakt til indberetteren"),
    ("text", "Beskrivelse"),
    ("registered_at", "Registreret"),
)
LABELS = {**dict(CONCERN_FIELDS), "$": "Hele bekymringen", "reporter": "Indberetteren"}
CHOICES: dict[str, Mapping[str, str]] = {
    "category": CONCERN_CATEGORIES,
    "reporter.kind": REPORTER_KINDS,
}
HINTS = {
    "concern_id": "bogstaver, cifre og . _ : -, højst 100 tegn",
    "cpr": "ti cifre, DDMMÅÅ-LLLL",
    "municipality_code": "tre cifre, fx 607",
    "registered_at": "dato og klokkeslæt i dansk tid, fx 15-11-2026 22:40",
    "reporter.contact": "telefon eller e-mail",
}
GROUPS = (
    ("Den unge", ("concern_id", "cpr", "name", "municipality_code", "school")),
    ("Bekymringen", ("category", "text", "registered_at")),
    ("Indberetteren", ("reporter.kind", "reporter.name", "reporter.contact")),
)
"""The form's fieldsets: their legends and fields."""


def is_concern_document(document: Any) -> bool:
    """Whether a rejected document is a concern to show field by field."""
    return isinstance(document, dict) and "persons" not in document and "concern_id" in document


def concern_problem(path: str, code: str, message: str = "") -> str:
    """What the field takes, in Danish."""
    if code == "literal_error" and path in CHOICES:
        return "Vælg en af: " + ", ".join(CHOICES[path].values()) + "."
    if code == "string_too_short":
        return "Skal udfyldes."
    if code == "string_pattern_mismatch" and path in HINTS:
        return f"Skrives som {HINTS[path]}."
    return danish_problem(path, code, message)


def concern_problems(problems: list[dict[str, str]]) -> list[dict[str, str]]:
    """Each problem with its field's Danish label and a Danish message."""
    return [
        {
            "field": p["field"],
            "label": LABELS.get(p["field"], p["field"]),
            "text": concern_problem(p["field"], p["code"], p.get("message", "")),
        }
        for p in problems
    ]


@dataclass
class ConcernCorrectionForm:
    groups: list[tuple[str, list[FormField]]]
    general: list[str]
    """Problems that concern no single field (the whole document)."""


def concern_form(
    values: Mapping[str, Any], problems: list[dict[str, str]]
) -> ConcernCorrectionForm:
    """The form for a concern document (`values`: the document, or the form sent back)."""
    by_field: dict[str, list[str]] = {}
    general: list[str] = []
    for problem in concern_problems(problems):
        if problem["field"] in LABELS and problem["field"] not in ("$", "reporter"):
            by_field.setdefault(problem["field"], []).append(problem["text"])
        else:
            general.append(f"{problem['label']}: {problem['text']}")
    labels = dict(CONCERN_FIELDS)

    def form_field(name: str) -> FormField:
        value = _at(values, name)
        return FormField(
            name=name,
            label=labels[name],
            value=_shown_time(value) if name == "registered_at" else _text(value),
            choices=CHOICES.get(name),
            hint=HINTS.get(name),
            long=name == "text",
            problems=by_field.get(name, []),
        )

    groups = [(legend, [form_field(name) for name in names]) for legend, names in GROUPS]
    return ConcernCorrectionForm(groups, general)


def concern_from_form(form: Mapping[str, str]) -> dict[str, Any]:
    """The concern the form describes; an empty field is left out (intake says whether it
    was required)."""
    document: dict[str, Any] = {}
    for name, _ in CONCERN_FIELDS:
        value = form.get(name, "").strip()
        if value:
            _put(document, name, _moment(value) if name == "registered_at" else value)
    return document
