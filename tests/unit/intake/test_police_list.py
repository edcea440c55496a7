"""The police list parser: CSV and XLSX, Danish headers, one incident per journal number and
revision, problems by row and column that never quote a cell."""

from __future__ import annotations

import io
import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from services.intake.adapters.police_list import read_police_list, to_csv
from shared.contracts import PoliceIncident, parse_bytes

SAMPLES = Path(__file__).resolve().parents[3] / "samples" / "police-list"
HEADER = (
    "journal_number,revision,source,police_district,reported_at,occurred_at,offence_code,"
    "offence_text,location_municipality_code,location_text,cpr,name,role,municipality_code,"
    "school,flags\n"
)


def _row(journal: str = "3700-80200-00009-26", cpr: str = "120311-4101", **cells: str) -> str:
    values = {
        "journal_number": journal,
        "revision": "",
        "source": "",
        "police_district": "Sydøstjyllands Politi",
        "reported_at": "2026-11-17 08:15",
        "occurred_at": "2026-11-16 21:30",
        "offence_code": "butikstyveri",
        "offence_text": "",
        "location_municipality_code": "607",
        "location_text": "Bymidte",
        "cpr": cpr,
        "name": "Testperson Alfa",
        "role": "sigtet",
        "municipality_code": "607",
        "school": "",
        "flags": "",
    }
    values.update(cells)
    return ",".join(values.values()) + "\n"


def test_rows_of_one_journal_number_form_one_incident_that_the_contract_accepts() -> None:
    text = HEADER + _row() + _row(cpr="020710-4102", role="antruffet") + _row("3700-80200-00010-26")
    parsed = read_police_list(text.encode())
    assert parsed.problems == [] and parsed.rows == 3
    assert [i.rows for i in parsed.incidents] == [(2, 3), (4,)]
    first = parsed.incidents[0]
    incident, problems = parse_bytes(first.raw(), PoliceIncident)
    assert problems == [] and incident is not None
    assert incident.revision == 1 and incident.source == "ssp_liste"  # the defaults
    assert incident.occurred_at.isoformat() == "2026-11-16T21:30:00+01:00"  # Danish time
    assert [p.role for p in incident.persons] == ["sigtet", "antruffet"]


def test_every_sample_list_parses_and_the_valid_ones_pass_the_contract() -> None:
    csv_list = read_police_list((SAMPLES / "police-list.csv").read_bytes())
    xlsx_list = read_police_list((SAMPLES / "police-list.xlsx").read_bytes())
    assert csv_list.rows == xlsx_list.rows == 5
    assert len(csv_list.incidents) == 3
    # The workbook (Danish headers, date cells) is the same list as the CSV.
    assert [i.document for i in xlsx_list.incidents] == [i.document for i in csv_list.incidents]
    for incident in csv_list.incidents:
        assert parse_bytes(incident.raw(), PoliceIncident)[1] == []
    errors = read_police_list((SAMPLES / "police-list-errors.csv").read_bytes())
    assert errors.problems == [] and len(errors.incidents) == 5


def test_danish_headers_a_semicolon_csv_and_cp1252_are_read() -> None:
    text = (
        "Journalnummer;Anmeldt;Gerningstidspunkt;Forhold;Gerningskommune;CPR-nr.;Navn;Rolle;"
        "Bopælskommune;Markeringer\n"
        "3700-80200-00011-26;16.11.2026 08:00;15-11-2026 22:40;Vold;607;120311-4101;Åse Ærø;"
        'Sigtet;607;"Bande, Vaaben"\n'
    )
    parsed = read_police_list(text.encode("cp1252"))
    assert parsed.problems == []
    doc = parsed.incidents[0].document
    assert doc["offence"]["code"] == "vold" and doc["persons"][0]["role"] == "sigtet"
    assert doc["persons"][0]["name"] == "Åse Ærø"
    assert doc["flags"] == ["bande", "vaaben"]
    assert parse_bytes(parsed.incidents[0].raw(), PoliceIncident)[1] == []


def test_an_xlsx_with_numbers_and_dates_in_cells() -> None:
    from datetime import datetime

    book = Workbook()
    sheet = book.active
    sheet.append(["journalnummer", "anmeldt", "gerningstidspunkt", "forhold", "gerningskommune",
                  "cpr", "rolle", "kommune"])  # fmt: skip
    # A CPR number typed as a number loses its leading zero; the parser restores it.
    sheet.append(["3700-80200-00012-26", datetime(2026, 11, 16, 8), datetime(2026, 7, 1, 22, 40),
                  "tyveri", 607, 103104123, "sigtet", 607])  # fmt: skip
    data = io.BytesIO()
    book.save(data)
    parsed = read_police_list(data.getvalue())
    doc = parsed.incidents[0].document
    assert doc["persons"][0]["cpr"] == "0103104123"
    assert doc["occurred_at"] == "2026-07-01T22:40:00+02:00"  # summer time
    assert doc["location"]["municipality_code"] == "607"
    assert parse_bytes(parsed.incidents[0].raw(), PoliceIncident)[1] == []


def test_missing_columns_are_named_and_nothing_is_read() -> None:
    parsed = read_police_list(b"journal_number,cpr,navn\n3700-80200-00013-26,120311-4101,X\n")
    assert parsed.incidents == []
    assert {(p.row, p.column, p.code) for p in parsed.problems} == {
        (1, c, "missing_column")
        for c in (
            "reported_at",
            "occurred_at",
            "offence_code",
            "location_municipality_code",
            "role",
            "municipality_code",
        )
    }
    assert read_police_list(b"PK\x03\x04 broken zip").problems[0].code == "unreadable_file"
    assert read_police_list(b"").problems[0].code == "empty_file"


def test_contract_problems_are_located_by_row_and_column_without_values() -> None:
    text = (
        HEADER
        + _row(occurred_at="i aftes")
        + _row(cpr="320299-1234", name="Testperson Golf", role="mistænkt")
        + _row(occurred_at="2026-11-16 22:00")  # disagrees with the first row
    )
    incident = read_police_list(text.encode()).incidents[0]
    _, problems = parse_bytes(incident.raw(), PoliceIncident)
    located = incident.locate([*incident.field_problems(), *problems])
    found = {(p.row, p.column, p.code) for p in located}
    assert (2, "occurred_at", "datetime_from_date_parsing") in found or (
        2,
        "occurred_at",
        "datetime_parsing",
    ) in found
    assert (3, "cpr", "cpr_date") in found
    assert (3, "role", "literal_error") in found
    assert (4, "occurred_at", "conflicting_rows") in found
    shown = json.dumps([p.as_dict() for p in located], ensure_ascii=False)
    for value in ("320299", "Golf", "mistænkt", "i aftes"):
        assert value not in shown


def test_a_row_without_journal_number_is_an_incident_of_its_own() -> None:
    parsed = read_police_list((HEADER + _row("") + _row("")).encode())
    assert [i.rows for i in parsed.incidents] == [(2,), (3,)]
    _, problems = parse_bytes(parsed.incidents[0].raw(), PoliceIncident)
    assert [(p.row, p.column) for p in parsed.incidents[0].locate(problems)] == [
        (2, "journal_number")
    ]


def test_an_incident_sent_on_its_own_is_the_same_document() -> None:
    parsed = read_police_list((SAMPLES / "police-list.xlsx").read_bytes())
    for incident in parsed.incidents:
        alone = read_police_list(to_csv(incident.cells)).incidents
        assert [i.document for i in alone] == [incident.document]


@settings(max_examples=60, deadline=None)
@given(
    cells=st.lists(
        st.fixed_dictionaries(
            {
                column: st.text(alphabet="0123456789-abcæøå :.", min_size=1, max_size=12)
                for column in ("cpr", "name", "role", "municipality_code", "occurred_at")
            }
        ),
        min_size=1,
        max_size=4,
    )
)
def test_no_problem_ever_quotes_a_cell(cells: list[dict[str, str]]) -> None:
    # "¤" is in no message the platform writes: seen in a problem, it came from a cell.
    marked = [{column: f"¤{value}" for column, value in row.items()} for row in cells]
    rows = [
        {
            "journal_number": "3700-80200-00020-26",
            "reported_at": "2026-11-16 08:00",
            "offence_code": "tyveri",
            "location_municipality_code": "607",
            **row,
        }
        for row in marked
    ]
    parsed = read_police_list(to_csv(rows))
    assert parsed.problems == []
    for incident in parsed.incidents:
        _, problems = parse_bytes(incident.raw(), PoliceIncident)
        located = incident.locate([*incident.field_problems(), *problems])
        assert {(p.row, p.column) for p in located} >= {
            (row, column) for row in incident.rows for column in ("cpr", "role")
        }
        assert "¤" not in json.dumps([p.as_dict() for p in located], ensure_ascii=False)
