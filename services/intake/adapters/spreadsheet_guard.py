"""Checks a police list (XLSX or CSV) against its limits before it is parsed.

A spreadsheet is a compressed archive of XML: 50 KB can unpack to gigabytes ("zip bomb"), a
sheet can claim a million rows with two `<row>` elements (openpyxl fills every missing row and
column in between), and XML can expand entities ("billion laughs"). So before openpyxl sees a
workbook, this module looks at it from the outside, in bounded time and memory:

- the archive: at most `max_members` parts, their declared unpacked sizes together at most
  `max_unpacked_bytes` (zipfile never unpacks more than a part declares), and no part larger
  than 1 MiB that unpacks to more than `max_compression_ratio` times its packed size;
- no XML part with a document type declaration (`<!DOCTYPE`, `<!ENTITY`) anywhere in it;
- each worksheet, read as a stream: its declared dimension, the number of `<row>` elements and
  the highest row and column any row or cell names, against `max_rows` and `max_columns`.

openpyxl parses with defusedxml when it is installed (it is a dependency); this module refuses
to work without it. A CSV is bounded by `max_rows` rows and `max_columns` columns per row.

Every refusal is a `SpreadsheetRefused` with a code and a message that names the limit, never
the file's content. (Kept apart from the list's reader on purpose: it knows nothing of
columns or incidents.)
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass

import openpyxl

__all__ = ["SpreadsheetLimits", "SpreadsheetRefused", "check_spreadsheet"]

if not openpyxl.DEFUSEDXML:  # pragma: no cover - defusedxml is a locked dependency
    raise ImportError("openpyxl must parse with defusedxml (pip install defusedxml)")

_MIB = 1024 * 1024
_RATIO_CHECKED_FROM = _MIB
"""Parts smaller than this unpacked are not judged by their compression ratio (small XML
compresses very well, and cannot hurt)."""
_CHUNK = _MIB
_OVERLAP = 16
_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)
_ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row\b([^>]*)>")
_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c\b([^>]*)>")
_ROW_NUMBER = re.compile(rb"""\br\s*=\s*["']([0-9]{1,10})["']""")
_CELL_REF = re.compile(rb"""\br\s*=\s*["']\$?([A-Za-z]{1,10})\$?([0-9]{0,10})["']""")
_DIMENSION = re.compile(rb"""<(?:[A-Za-z_][\w.-]*:)?dimension\b[^>]*\bref\s*=\s*["']([^"']*)["']""")
_REF = re.compile(rb"\$?([A-Za-z]{1,10})?\$?([0-9]{1,10})?")


@dataclass(frozen=True)
class SpreadsheetLimits:
    max_bytes: int = 20 * _MIB
    """The file itself (the HTTP body limit of the import route)."""
    max_rows: int = 10_000
    """Rows of a sheet or CSV, the header row included."""
    max_columns: int = 200
    max_unpacked_bytes: int = 100 * _MIB
    """An XLSX's parts unpacked, together."""
    max_compression_ratio: int = 100
    max_members: int = 1_000


class SpreadsheetRefused(ValueError):
    """The spreadsheet breaks a limit. `code` is machine-readable; the message names the limit
    and never quotes the file."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def check_spreadsheet(data: bytes, limits: SpreadsheetLimits) -> None:
    """Raise `SpreadsheetRefused` when `data` (XLSX recognised by content, else CSV) breaks a
    limit; return when it may be parsed."""
    if len(data) > limits.max_bytes:
        raise SpreadsheetRefused("too_large", f"the list may be at most {limits.max_bytes} bytes")
    if data.startswith(b"PK\x03\x04"):
        _check_xlsx(data, limits)
    else:
        _check_csv(data, limits)


# --- XLSX -----------------------------------------------------------------------------------
def _check_xlsx(data: bytes, limits: SpreadsheetLimits) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise SpreadsheetRefused("unreadable_file", "not a readable CSV or XLSX file") from None
    with archive:
        parts = archive.infolist()
        if len(parts) > limits.max_members:
            raise SpreadsheetRefused(
                "too_many_parts", f"the workbook may have at most {limits.max_members} parts"
            )
        unpacked = sum(part.file_size for part in parts)
        if unpacked > limits.max_unpacked_bytes:
            raise SpreadsheetRefused(
                "unpacked_too_large",
                f"the workbook unpacks to more than {limits.max_unpacked_bytes} bytes",
            )
        for part in parts:
            if (
                part.file_size > _RATIO_CHECKED_FROM
                and part.file_size > limits.max_compression_ratio * max(part.compress_size, 1)
            ):
                raise SpreadsheetRefused(
                    "compression_ratio",
                    "a part of the workbook unpacks to more than "
                    f"{limits.max_compression_ratio} times its packed size",
                )
        try:
            for part in parts:
                name = part.filename.lower()
                if name.endswith((".xml", ".rels", ".vml")):
                    _check_doctype(archive, part)
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    _check_sheet(archive, part, limits)
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError) as exc:
            if isinstance(exc, SpreadsheetRefused):
                raise
            raise SpreadsheetRefused("unreadable_file", "not a readable CSV or XLSX file") from None


def _check_doctype(archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> None:
    # Read as a stream (the part's size is bounded above); a declaration split between two
    # chunks is found in the overlap kept from the first.
    tail = b""
    with archive.open(part) as stream:
        while chunk := stream.read(_CHUNK):
            if _DOCTYPE.search(tail + chunk):
                raise SpreadsheetRefused(
                    "xml_doctype",
                    "the workbook's XML declares a document type (entities); refused",
                )
            tail = chunk[-_OVERLAP:]


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + (letter - ord("A") + 1)
    return number


def _check_sheet(
    archive: zipfile.ZipFile, part: zipfile.ZipInfo, limits: SpreadsheetLimits
) -> None:
    rows = 0
    highest_row = 0
    highest_column = 0
    carry = b""
    dimension_seen = False
    with archive.open(part) as stream:
        while True:
            chunk = stream.read(_CHUNK)
            buffer = carry + chunk
            if chunk:
                # Scan up to the last tag start; the rest waits for the next chunk.
                cut = buffer.rfind(b"<")
                cut = cut if cut > 0 else len(buffer)
                scanned, carry = buffer[:cut], buffer[cut:]
            else:
                scanned, carry = buffer, b""
            if not dimension_seen:
                dimension = _DIMENSION.search(scanned)
                if dimension is not None:
                    dimension_seen = True
                    _check_dimension(dimension.group(1), limits)
            for match in _ROW.finditer(scanned):
                rows += 1
                number = _ROW_NUMBER.search(match.group(1))
                if number is not None:
                    highest_row = max(highest_row, int(number.group(1)))
            for match in _CELL.finditer(scanned):
                ref = _CELL_REF.search(match.group(1))
                if ref is not None:
                    highest_column = max(highest_column, _column_number(ref.group(1)))
                    if ref.group(2):
                        highest_row = max(highest_row, int(ref.group(2)))
            if max(rows, highest_row) > limits.max_rows:
                raise _too_many_rows(limits)
            if highest_column > limits.max_columns:
                raise _too_many_columns(limits)
            if not chunk:
                return


def _check_dimension(ref: bytes, limits: SpreadsheetLimits) -> None:
    for corner in ref.split(b":"):
        match = _REF.fullmatch(corner.strip())
        if match is None:
            continue
        letters, digits = match.groups()
        if letters and _column_number(letters) > limits.max_columns:
            raise _too_many_columns(limits)
        if digits and int(digits) > limits.max_rows:
            raise _too_many_rows(limits)


def _too_many_rows(limits: SpreadsheetLimits) -> SpreadsheetRefused:
    return SpreadsheetRefused(
        "too_many_rows", f"a sheet may have at most {limits.max_rows} rows (header included)"
    )


def _too_many_columns(limits: SpreadsheetLimits) -> SpreadsheetRefused:
    return SpreadsheetRefused(
        "too_many_columns", f"a sheet may have at most {limits.max_columns} columns"
    )


# --- CSV ------------------------------------------------------------------------------------
_QUOTED = re.compile(r'"[^"]*"')


def csv_text(data: bytes) -> tuple[str, str]:
    """A CSV file's text and delimiter, as the guard checks it and the import reads it: UTF-8
    (with or without a BOM), else Windows-1252, which Danish spreadsheet programs still
    export; the delimiter is the one of `;`, `,` and tab the first line has most of."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    first = text.split("\n", 1)[0]
    return text, max((";", ",", "\t"), key=first.count)


def _check_csv(data: bytes, limits: SpreadsheetLimits) -> None:
    text, delimiter = csv_text(data)
    for line in io.StringIO(text):
        # Delimiters outside quotes, counted before the csv module builds a row of them.
        if _QUOTED.sub("", line).count(delimiter) >= limits.max_columns:
            raise _too_many_columns(limits)
    # Rows (a quoted cell may span lines) and cells, as the reader will see them.
    _count_csv_rows(text, delimiter, limits)


def _count_csv_rows(text: str, delimiter: str, limits: SpreadsheetLimits) -> None:
    try:
        for number, _ in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1):
            if number > limits.max_rows:
                raise _too_many_rows(limits)
    except csv.Error:
        cell_limit = csv.field_size_limit()
        if any(len(line) > cell_limit for line in io.StringIO(text)):
            raise SpreadsheetRefused(
                "cell_too_large", f"a cell may be at most {cell_limit} characters"
            ) from None
        raise SpreadsheetRefused("unreadable_file", "not a readable CSV or XLSX file") from None
