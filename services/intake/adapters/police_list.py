"""The police's weekly SSP list as a spreadsheet (CSV or XLSX) → police incidents (contracts §1):
intake's adapter for `POST /v1/incidents/import`. `ssp import` splits a file with it for its
progress bar and sends each incident to that endpoint, so intake alone judges the list.

One row per person; the rows with the same journal number and revision form one incident
(docs/police-list-import.md has the column layout). This module only reshapes: it builds
each incident's JSON document from its rows and leaves every judgement of the values to the
contract model, so an imported incident is validated exactly like one from Kafka. What only a
list can get wrong (a missing column, rows of one incident that disagree) is reported here.

Nothing here echoes a cell: problems name a row, a column and a code.

Over 400 lines because it is one reading, end to end: decoding CSV (any of the police's
encodings) and XLSX, the column aliases, the per-row problems and the grouping into
incidents share their types and row numbers; split, each part would import all the others.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from services.intake.adapters.spreadsheet_guard import csv_text
from shared.contracts.common import JOURNAL_NUMBER_PATTERN
from shared.contracts.rejections import FieldProblem

__all__ = [
    "ALIASES",
    "COLUMNS",
    "DANISH_TIME",
    "INCIDENT_COLUMNS",
    "PERSON_COLUMNS",
    "REQUIRED_COLUMNS",
    "ListIncident",
    "ListProblem",
    "PoliceList",
    "read_police_list",
    "to_csv",
]

#: Timestamps without an offset (spreadsheet cells have none) are Danish local time.
DANISH_TIME = ZoneInfo("Europe/Copenhagen")

INCIDENT_COLUMNS = (
    "journal_number",
    "revision",
    "source",
    "police_district",
    "reported_at",
    "occurred_at",
    "offence_code",
    "offence_text",
    "location_municipality_code",
    "location_text",
    "flags",
    "narrative",
)
PERSON_COLUMNS = ("cpr", "name", "role", "municipality_code", "school", "address")
COLUMNS = INCIDENT_COLUMNS + PERSON_COLUMNS
REQUIRED_COLUMNS = (
    "journal_number",
    "reported_at",
    "occurred_at",
    "offence_code",
    "location_municipality_code",
    "cpr",
    "role",
    "municipality_code",
)
DEFAULTS = {"revision": "1", "source": "ssp_liste"}

#: Danish headers (normalised: lower case, æ→ae, ø→oe, å→aa, non-letters → _).
ALIASES: dict[str, str] = {
    "journalnummer": "journal_number",
    "journalnr": "journal_number",
    "journal_nr": "journal_number",
    "kilde": "source",
    "politikreds": "police_district",
    "anmeldt": "reported_at",
    "anmeldt_tidspunkt": "reported_at",
    "registreret": "reported_at",
    "gerningstidspunkt": "occurred_at",
    "tidspunkt": "occurred_at",
    "forhold": "offence_code",
    "forholdskode": "offence_code",
    "overtraedelse": "offence_code",
    "forhold_tekst": "offence_text",
    "forholdstekst": "offence_text",
    "gerningskommune": "location_municipality_code",
    "gerningssted_kommune": "location_municipality_code",
    "gerningssted": "location_text",
    "markeringer": "flags",
    "flag": "flags",
    "referat": "narrative",
    "cpr_nr": "cpr",
    "cprnr": "cpr",
    "personnummer": "cpr",
    "navn": "name",
    "rolle": "role",
    "bopaelskommune": "municipality_code",
    "kommune": "municipality_code",
    "kommunekode": "municipality_code",
    "skole": "school",
    "adresse": "address",
}

# Field path of the incident document → the column it came from.
_INCIDENT_PATHS = {
    "journal_number": "journal_number",
    "revision": "revision",
    "source": "source",
    "police_district": "police_district",
    "reported_at": "reported_at",
    "occurred_at": "occurred_at",
    "offence.code": "offence_code",
    "offence.text": "offence_text",
    "location.municipality_code": "location_municipality_code",
    "location.text": "location_text",
    "flags": "flags",
    "narrative": "narrative",
}
_TIMESTAMP_COLUMNS = frozenset({"reported_at", "occurred_at"})
_LOWER_COLUMNS = frozenset({"source", "offence_code", "role"})
_NAIVE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y %H.%M",
    "%d/%m/%Y %H:%M",
)
_FLAG_SPLIT = re.compile(r"[,;|\s]+")
_INDEX = re.compile(r"\[\d+\]$")
_JOURNAL = re.compile(JOURNAL_NUMBER_PATTERN)


@dataclass(frozen=True)
class ListProblem:
    """One problem of the list: spreadsheet row (the header is row 1), column, code."""

    row: int
    column: str | None
    code: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "code": self.code, "message": self.message}


@dataclass(frozen=True)
class ListIncident:
    """One incident of the list: its rows, the document built from them, and what the list
    itself got wrong (as field problems, so the rejection record names them too)."""

    rows: tuple[int, ...]
    cells: tuple[dict[str, str], ...] = field(repr=False)
    """The rows' cells as text, by canonical column (to send the incident on its own)."""
    document: dict[str, Any] = field(repr=False)
    problems: tuple[tuple[FieldProblem, int], ...] = ()
    """Problems of the list, each with the row it was found in."""

    @property
    def journal_number(self) -> str | None:
        """The journal number, only when well-formed (a cell in the wrong column could hold
        anything, a CPR number too)."""
        value = self.document.get("journal_number")
        return value if isinstance(value, str) and _JOURNAL.fullmatch(value) else None

    def raw(self) -> bytes:
        return json.dumps(self.document, ensure_ascii=False, sort_keys=True).encode()

    def field_problems(self) -> list[FieldProblem]:
        return [problem for problem, _ in self.problems]

    def locate(self, problems: Iterable[FieldProblem]) -> list[ListProblem]:
        """The row and column each problem of this incident's document came from."""
        own = list(self.problems)
        located = []
        for problem in problems:
            row = self.rows[0]
            match = next((i for i, (known, _) in enumerate(own) if known == problem), None)
            if match is not None:
                row = own.pop(match)[1]
            else:
                person = re.match(r"persons\[(\d+)\]", problem.field)
                if person and int(person.group(1)) < len(self.rows):
                    row = self.rows[int(person.group(1))]
            located.append(
                ListProblem(row, _column_of(problem.field), problem.code, problem.message)
            )
        return located


@dataclass
class PoliceList:
    rows: int = 0
    incidents: list[ListIncident] = field(default_factory=list)
    problems: list[ListProblem] = field(default_factory=list)
    """Problems of the whole file (unreadable, missing columns): nothing was imported."""
    ignored_columns: list[str] = field(default_factory=list)


def _column_of(path: str) -> str | None:
    person = re.fullmatch(r"persons\[\d+\]\.(\w+)", path)
    if person:
        return person.group(1) if person.group(1) in PERSON_COLUMNS else None
    while _INDEX.search(path):
        path = _INDEX.sub("", path)
    return _INCIDENT_PATHS.get(path)


def normalise_header(header: str) -> str:
    text = header.strip().lower()
    text = text.replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-z0-9]+", "_", text).strip("_")
    return ALIASES.get(text, text)


# --- reading ---------------------------------------------------------------------------------
def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat()
    return str(value).strip()


def _read_xlsx(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook  # only when a workbook is imported

    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        return [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def _read_csv(data: bytes) -> list[list[str]]:
    text, delimiter = csv_text(data)
    return [
        [cell.strip() for cell in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)
    ]


def _is_xlsx(data: bytes) -> bool:
    return data.startswith(b"PK\x03\x04")


def to_csv(cells: Iterable[dict[str, str]]) -> bytes:
    """Rows by canonical column → a CSV in the documented layout (header row first)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS), extrasaction="ignore")
    writer.writeheader()
    for row in cells:
        writer.writerow(row)
    return out.getvalue().encode()


# --- shaping -------------------------------------------------------------------------------
def _timestamp(text: str) -> str:
    """Naive spreadsheet times become Danish local time with its offset; anything else is left
    for the contract to judge (an offset given is kept, a non-date is rejected there)."""
    for fmt in _NAIVE_FORMATS:
        try:
            parsed = datetime.strptime(text, fmt)
        except ValueError:
            continue
        return parsed.replace(tzinfo=DANISH_TIME).isoformat()
    return text


def _value(column: str, text: str) -> Any:
    if column in _TIMESTAMP_COLUMNS:
        return _timestamp(text)
    if column == "revision":
        return int(text) if text.isascii() and text.isdigit() else text
    if column == "cpr" and text.isascii() and text.isdigit() and len(text) < 10:
        return text.zfill(10)  # a CPR number stored as a number lost its leading zero
    if column == "flags":
        return [flag.lower() for flag in _FLAG_SPLIT.split(text) if flag]
    if column in _LOWER_COLUMNS:
        return text.lower()
    return text


def _document(first: dict[str, str], persons: list[dict[str, str]]) -> dict[str, Any]:
    def put(target: dict[str, Any], key: str, column: str, row: dict[str, str]) -> None:
        text = row.get(column, "") or DEFAULTS.get(column, "")
        if text:
            target[key] = _value(column, text)

    doc: dict[str, Any] = {}
    for key in ("journal_number", "revision", "source", "police_district"):
        put(doc, key, key, first)
    put(doc, "reported_at", "reported_at", first)
    put(doc, "occurred_at", "occurred_at", first)
    offence: dict[str, Any] = {}
    put(offence, "code", "offence_code", first)
    put(offence, "text", "offence_text", first)
    location: dict[str, Any] = {}
    put(location, "municipality_code", "location_municipality_code", first)
    put(location, "text", "location_text", first)
    doc["offence"] = offence
    doc["location"] = location
    doc["flags"] = _value("flags", first.get("flags", ""))
    put(doc, "narrative", "narrative", first)
    doc["persons"] = []
    for row in persons:
        person: dict[str, Any] = {}
        for column in PERSON_COLUMNS:
            put(person, column, column, row)
        doc["persons"].append(person)
    return doc


def _conflicts(
    rows: Sequence[int], cells: Sequence[dict[str, str]]
) -> tuple[tuple[FieldProblem, int], ...]:
    """Incident columns repeated on later rows must agree with the first (or be empty)."""
    found = []
    path_of = {column: path for path, column in _INCIDENT_PATHS.items()}
    for row, later in zip(rows[1:], cells[1:], strict=True):
        for column in INCIDENT_COLUMNS:
            if column in ("journal_number", "revision"):
                continue
            text = later.get(column, "")
            if text and text != cells[0].get(column, ""):
                problem = FieldProblem(
                    field=path_of[column],
                    code="conflicting_rows",
                    message="differs from the first row of this incident",
                )
                found.append((problem, row))
    return tuple(found)


def read_police_list(data: bytes) -> PoliceList:
    """Read a police list (XLSX recognised by content, else CSV) into incidents."""
    result = PoliceList()
    try:
        table = _read_xlsx(data) if _is_xlsx(data) else _read_csv(data)
    except Exception:  # any unreadable workbook: the reason may quote its content
        result.problems.append(
            ListProblem(1, None, "unreadable_file", "not a readable CSV or XLSX file")
        )
        return result
    while table and not any(table[0]):
        table.pop(0)
    if not table:
        result.problems.append(ListProblem(1, None, "empty_file", "the file has no header row"))
        return result
    headers = [normalise_header(h) for h in table[0]]
    for i, column in enumerate(headers):
        if column and column not in COLUMNS:
            result.ignored_columns.append(table[0][i].strip())
    for column in REQUIRED_COLUMNS:
        if column not in headers:
            result.problems.append(
                ListProblem(1, column, "missing_column", "the column is required")
            )
    for column in {c for c in headers if c in COLUMNS and headers.count(c) > 1}:
        result.problems.append(
            ListProblem(1, column, "duplicate_column", "the column appears more than once")
        )
    if result.problems:
        return result

    groups: dict[tuple[str, ...], list[tuple[int, dict[str, str]]]] = {}
    for number, values in enumerate(table[1:], start=2):
        if not any(values):
            continue
        result.rows += 1
        cells = {
            column: values[i] if i < len(values) else ""
            for i, column in enumerate(headers)
            if column in COLUMNS
        }
        journal = cells.get("journal_number", "")
        revision = cells.get("revision", "") or DEFAULTS["revision"]
        # A row without a journal number cannot be grouped: it is an incident of its own
        # (and rejected for the missing journal number, like any incident without one).
        key = (journal, revision) if journal else ("", str(number))
        groups.setdefault(key, []).append((number, cells))
    for members in groups.values():
        rows = tuple(number for number, _ in members)
        cells_of = tuple(cells for _, cells in members)
        result.incidents.append(
            ListIncident(
                rows=rows,
                cells=cells_of,
                document=_document(cells_of[0], list(cells_of)),
                problems=_conflicts(rows, cells_of),
            )
        )
    return result
