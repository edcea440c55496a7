"""Writes the sample police lists in samples/police-list/ (fictitious CPR numbers only).

    uv run python -m scripts.police_list_samples

police-list.csv and police-list.xlsx hold the same list (English headers in the CSV, Danish
in the workbook, with real date cells); police-list-errors.csv has one problem of each kind
next to a valid incident. Re-run after changing the layout; the files are committed.
"""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook

from ssp_platform.samples import fictitious_cpr

OUT = Path(__file__).resolve().parents[1] / "samples" / "police-list"
HEADER = [
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
    "cpr",
    "name",
    "role",
    "municipality_code",
    "school",
    "flags",
]
DANISH = [
    "Journalnummer",
    "Revision",
    "Kilde",
    "Politikreds",
    "Anmeldt",
    "Gerningstidspunkt",
    "Forhold",
    "Forholdstekst",
    "Gerningskommune",
    "Gerningssted",
    "CPR-nr.",
    "Navn",
    "Rolle",
    "Bopælskommune",
    "Skole",
    "Markeringer",
]
DISTRICT = "Sydøstjyllands Politi"


def _row(
    journal: str,
    occurred: datetime,
    offence: str,
    place: tuple[str, str],
    person: tuple[str, str, str, str, str],
    flags: str = "",
) -> list[object]:
    cpr, name, role, municipality, school = person
    reported = occurred.replace(hour=8, minute=15, day=occurred.day + 1)
    return [
        journal, 1, "ssp_liste", DISTRICT, reported, occurred, offence, "fiktiv hændelse",
        place[0], place[1], cpr, name, role, municipality, school, flags,
    ]  # fmt: skip


def valid_rows() -> list[list[object]]:
    a = fictitious_cpr(date(2011, 3, 12), 101)
    b = fictitious_cpr(date(2010, 7, 2), 102)
    c = fictitious_cpr(date(2012, 1, 30), 103)
    d = fictitious_cpr(date(2009, 9, 9), 104)
    e = fictitious_cpr(date(2013, 5, 17), 105)
    return [
        _row("3700-80200-00001-26", datetime(2026, 11, 16, 21, 30), "butikstyveri",
             ("607", "Fredericia bymidte"),
             (a, "Testperson Alfa", "sigtet", "607", "Kirstinebjergskolen"), "rusmidler"),
        _row("3700-80200-00001-26", datetime(2026, 11, 16, 21, 30), "butikstyveri",
             ("607", "Fredericia bymidte"),
             (b, "Testperson Bravo", "antruffet", "607", "Kirstinebjergskolen"), "rusmidler"),
        _row("3700-80200-00002-26", datetime(2026, 11, 17, 16, 5), "haervaerk",
             ("376", "Nykøbing F"), (c, "Testperson Charlie", "sigtet", "376", "")),
        _row("3700-80200-00003-26", datetime(2026, 11, 18, 19, 45), "vold",
             ("657", "Herning centrum"),
             (d, "Testperson Delta", "sigtet", "657", ""), "bande; vaaben"),
        _row("3700-80200-00003-26", datetime(2026, 11, 18, 19, 45), "vold",
             ("657", "Herning centrum"),
             (e, "Testperson Echo", "forurettet", "575", ""), "bande; vaaben"),
    ]  # fmt: skip


def error_rows() -> list[list[object]]:
    ok = fictitious_cpr(date(2011, 4, 1), 201)
    rows = [
        # valid
        _row("3700-80300-00001-26", datetime(2026, 11, 19, 20, 0), "tyveri",
             ("161", "Glostrup station"), (ok, "Testperson Foxtrot", "sigtet", "161", "")),
        # CPR that is not a date, and a role the contract does not know
        _row("3700-80300-00002-26", datetime(2026, 11, 19, 20, 0), "tyveri",
             ("161", "Glostrup"), ("320299-1234", "Testperson Golf", "mistænkt", "161", "")),
        # not a Danish municipality (the resident of Aarhus, not served, would alone be accepted)
        _row("3700-80300-00003-26", datetime(2026, 11, 19, 20, 0), "tyveri",
             ("999", "Ukendt"), (fictitious_cpr(date(2011, 6, 6), 203),
                                 "Testperson Hotel", "sigtet", "751", "")),
        # an unknown offence and flag, and a time that is no time (set below)
        _row("3700-80300-00004-26", datetime(2026, 11, 19, 20, 0), "knallerttyveri",
             ("607", "Fredericia"), (fictitious_cpr(date(2012, 8, 8), 204),
                                     "Testperson India", "sigtet", "607", ""), "graffiti"),
        # two rows of one incident that disagree on when it happened
        _row("3700-80300-00005-26", datetime(2026, 11, 19, 20, 0), "tyveri",
             ("607", "Fredericia"), (fictitious_cpr(date(2012, 2, 2), 205),
                                     "Testperson Juliet", "sigtet", "607", "")),
        _row("3700-80300-00005-26", datetime(2026, 11, 19, 21, 0), "tyveri",
             ("607", "Fredericia"), (fictitious_cpr(date(2012, 3, 3), 206),
                                     "Testperson Kilo", "antruffet", "607", "")),
    ]  # fmt: skip
    rows[-3][5] = "i aftes"
    return rows


def _text(value: object) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value)


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows([[_text(v) for v in row] for row in rows])


def write_xlsx(path: Path, header: list[str], rows: list[list[object]]) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "SSP-liste"
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    for cells in sheet.iter_rows(min_row=2, min_col=5, max_col=6):
        for cell in cells:
            cell.number_format = "dd-mm-yyyy hh:mm"
    book.save(path)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    write_csv(OUT / "police-list.csv", HEADER, valid_rows())
    write_xlsx(OUT / "police-list.xlsx", DANISH, valid_rows())
    write_csv(OUT / "police-list-errors.csv", HEADER, error_rows())


if __name__ == "__main__":
    main()
