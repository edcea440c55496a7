"""Hostile input at every door (issue 12): oversized bodies and fields, malformed JSON,
spreadsheet bombs and oversized Kafka messages.

Each case is sent to intake as the runtime wires it (the HTTP app with shared.http's platform
routes and body limit; the Kafka inbox on TestKafkaBroker with the real handler) and must get
a clear error (a status and a problem code, never the input echoed), lose nothing (rejected
input is kept and can be fetched back byte for byte; refused input leaves no trace in the
store), and leave the flow going (a valid incident sent right after is accepted).
"""

from __future__ import annotations

import base64
import io
import json
import random
import zipfile
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from openpyxl import Workbook

from services.intake.adapters.publications import intake_publications
from services.intake.bootstrap import definition
from services.intake.settings import IntakeSettings
from services.notifications.bootstrap import definition as notifications_definition
from services.notifications.settings import NotificationsSettings
from shared.contracts import (
    CASEWORKER_ASSESSMENTS,
    INTAKE_INCIDENTS,
    INTAKE_REJECTED,
    POLICE_INCIDENTS,
    SOCIAL_CASES,
)
from shared.http import add_platform_routes
from shared.messaging.dead_letters import DeadLetter
from shared.runtime import ServiceContext
from tests.support import inbox_harness, outbox
from tests.unit.auth.support import auth_env, headers

KIB = 1024
MIB = 1024 * KIB
HTTP_LIMIT = MIB  # the default SSP_HTTP_MAX_BODY_BYTES
IMPORT_LIMIT = 256 * KIB
UNPACKED_LIMIT = 4 * MIB
ROW_LIMIT = 1_000
KAFKA_LIMIT = 64 * KIB
CPR = "120310-4123"

POLICE = headers("police_integration", purpose=False)
COORDINATOR = headers("police_coordinator", municipalities=["607"])
TOVHOLDER = headers("tovholder", municipalities=["607"], purpose=False)


def incident(journal: str = "3700-80123-00456-26", **changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "journal_number": journal,
        "revision": 1,
        "source": "doegnrapport",
        "police_district": "Sydøstjyllands Politi",
        "reported_at": "2026-11-16T08:12:00+01:00",
        "occurred_at": "2026-11-15T22:40:00+01:00",
        "offence": {"code": "butikstyveri", "text": "Tyveri fra butik"},
        "location": {"municipality_code": "607", "text": "Fredericia bymidte"},
        "persons": [
            {
                "cpr": CPR,
                "name": "Mads Jensen",
                "role": "sigtet",
                "municipality_code": "607",
                "school": "Kirstinebjergskolen",
            }
        ],
        "flags": [],
        "narrative": "En ung antruffet efter tyveri.",
    }
    doc.update(changes)
    return doc


def with_person(**changes: Any) -> dict[str, Any]:
    doc = incident()
    doc["persons"][0].update(changes)
    return doc


def body(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc, ensure_ascii=False).encode()


# --- spreadsheets --------------------------------------------------------------------------
HEADER = ["journal_number", "reported_at", "occurred_at", "offence_code"]
HEADER += ["location_municipality_code", "cpr", "role", "municipality_code", "school"]
SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)
SHEET_TAIL = b"</worksheet>"


def xlsx(replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None) -> bytes:
    """A real workbook (openpyxl) with the header row, some parts replaced or added."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    plain = io.BytesIO()
    book.save(plain)
    source = zipfile.ZipFile(io.BytesIO(plain.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for part in source.infolist():
            archive.writestr(part.filename, (replace or {}).get(part.filename, source.read(part)))
        for name, data in (add or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


def sheet(rows: bytes, dimension: bytes = b"") -> dict[str, bytes]:
    return {
        "xl/worksheets/sheet1.xml": SHEET_HEAD + dimension + b"<sheetData>" + rows
        + b"</sheetData>" + SHEET_TAIL
    }  # fmt: skip


def cell_row(number: int, column: str = "A") -> bytes:
    return b'<row r="%d"><c r="%s%d" t="inlineStr"><is><t>x</t></is></c></row>' % (
        number,
        column.encode(),
        number,
    )


def csv_list(rows: list[list[str]]) -> bytes:
    return "\n".join(",".join(row) for row in [HEADER, *rows]).encode()


def csv_row(**changes: str) -> list[str]:
    row = dict(
        zip(
            HEADER,
            [
                "3700-80123-00999-26",
                "2026-11-16 08:12",
                "2026-11-15 22:40",
                "tyveri",
                "607",
                "0205094871",
                "sigtet",
                "607",
                "Kirstinebjergskolen",
            ],
            strict=True,
        )
    )
    row.update(changes)
    return [row[column] for column in HEADER]


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
    b'uniqueCount="1"><si><t>&lol3;</t></si></sst>'
)


# An entity declaration after 200 KB of comment that does not compress.
LATE_DOCTYPE = BILLION_LAUGHS.replace(
    b"<!DOCTYPE",
    b"<!--" + base64.b64encode(random.Random(12).randbytes(150 * KIB)) + b"-->\n<!DOCTYPE",
)


# --- the table -----------------------------------------------------------------------------
@dataclass(frozen=True)
class HttpCase:
    name: str
    path: str
    content: Callable[[], bytes]
    status: int
    code: str
    kept: bool = False
    """Rejected input is kept for correction: fetched back, byte for byte."""
    headers: dict[str, str] | None = None


def _chunks(total: int, size: int = 64 * KIB) -> Callable[[], Any]:
    async def stream() -> AsyncIterator[bytes]:
        sent = 0
        while sent < total:
            yield b" " * size
            sent += size

    return stream


HTTP_CASES = [
    HttpCase("30 MB body", "/v1/incidents", lambda: b" " * (30 * MIB), 413, "too_large"),
    HttpCase(
        "3 MB school", "/v1/incidents", lambda: body(with_person(school="x" * 3 * MIB)), 413,
        "too_large",
    ),
    HttpCase(
        "body just over the limit", "/v1/incidents", lambda: b"{" + b" " * HTTP_LIMIT, 413,
        "too_large",
    ),
    HttpCase(
        "school of 121 characters", "/v1/incidents", lambda: body(with_person(school="S" * 121)),
        422, "string_too_long", kept=True,
    ),
    HttpCase(
        "CPR number as school", "/v1/incidents", lambda: body(with_person(school=CPR)), 422,
        "cpr_in_name", kept=True,
    ),
    HttpCase(
        "CPR number in a school name", "/v1/incidents",
        lambda: body(with_person(school="Skolen 1203104123")), 422, "cpr_in_name", kept=True,
    ),
    HttpCase(
        "CPR number as police district", "/v1/incidents",
        lambda: body(incident(police_district="120310 4123")), 422, "cpr_in_name", kept=True,
    ),
    HttpCase(
        "school without letters", "/v1/incidents", lambda: body(with_person(school="4000")),
        422, "not_a_name", kept=True,
    ),
    HttpCase(
        "narrative of 10,001 characters", "/v1/incidents",
        lambda: body(incident(narrative="n" * 10_001)), 422, "string_too_long", kept=True,
    ),
    HttpCase(
        "name of 201 characters", "/v1/incidents", lambda: body(with_person(name="N" * 201)),
        422, "string_too_long", kept=True,
    ),
    HttpCase(
        "address of 301 characters", "/v1/incidents",
        lambda: body(with_person(address="A" * 301)), 422, "string_too_long", kept=True,
    ),
    HttpCase(
        "offence text of 1,001 characters", "/v1/incidents",
        lambda: body(incident(offence={"code": "tyveri", "text": "t" * 1001})), 422,
        "string_too_long", kept=True,
    ),
    HttpCase(
        "51 persons", "/v1/incidents",
        lambda: body(incident(persons=incident()["persons"] * 51)), 422, "too_long", kept=True,
    ),
    HttpCase(
        "not JSON", "/v1/incidents", lambda: b"{journal_number: 1", 422, "invalid_json",
        kept=True,
    ),
    HttpCase(
        "not UTF-8", "/v1/incidents", lambda: b"\xff\xfe{}", 422, "invalid_json", kept=True
    ),
    HttpCase(
        "JSON array", "/v1/incidents", lambda: b"[1, 2, 3]", 422, "invalid_json", kept=True
    ),
    HttpCase(
        "nested 100,000 deep", "/v1/incidents", lambda: b"[" * 100_000 + b"]" * 100_000, 422,
        "invalid_json", kept=True,
    ),
    HttpCase(
        "NaN revision", "/v1/incidents", lambda: body(incident()).replace(b'"revision": 1',
        b'"revision": NaN'), 422, "invalid_json", kept=True,
    ),
    HttpCase(
        "revision of 5,000 digits", "/v1/incidents",
        lambda: body(incident()).replace(b'"revision": 1', b'"revision": ' + b"9" * 5000), 422,
        "invalid_json", kept=True,
    ),
    HttpCase("empty body", "/v1/incidents", lambda: b"", 422, "invalid_json", kept=True),
    HttpCase(
        "police list over INTAKE_IMPORT_MAX_BYTES", "/v1/incidents/import",
        lambda: csv_list([csv_row()]) + b"\n" * IMPORT_LIMIT, 413, "too_large",
    ),
    HttpCase(
        "CSV of 2,000 rows", "/v1/incidents/import", lambda: csv_list([csv_row()] * 2_000),
        422, "too_many_rows",
    ),
    HttpCase(
        "CSV with a 100 KB school", "/v1/incidents/import",
        lambda: csv_list([csv_row(school="s" * 100 * KIB)]), 200, "string_too_long",
    ),
    HttpCase(
        "CSV with a 200 KB cell", "/v1/incidents/import",
        lambda: csv_list([csv_row(school="s" * 200 * KIB)]), 422, "cell_too_large",
    ),
    HttpCase(
        "CSV row of 100,000 columns", "/v1/incidents/import",
        lambda: csv_list([csv_row() + [""] * 100_000]), 422, "too_many_columns",
    ),
    HttpCase(
        "50 KB XLSX of 300,000 rows", "/v1/incidents/import",
        lambda: xlsx(sheet(b"".join(b"<row/>" for _ in range(300_000)))), 422,
        "compression_ratio",
    ),
    HttpCase(
        "XLSX of 2,000 rows", "/v1/incidents/import",
        lambda: xlsx(sheet(b"".join(cell_row(i) for i in range(1, 2_001)))), 422,
        "too_many_rows",
    ),
    HttpCase(
        "XLSX rows 1 and 1,000,000", "/v1/incidents/import",
        lambda: xlsx(sheet(cell_row(1) + cell_row(1_000_000))), 422, "too_many_rows",
    ),
    HttpCase(
        "XLSX dimension A1:XFD2", "/v1/incidents/import",
        lambda: xlsx(sheet(cell_row(1), b'<dimension ref="A1:XFD2"/>')), 422,
        "too_many_columns",
    ),
    HttpCase(
        "XLSX cell in column XFD", "/v1/incidents/import",
        lambda: xlsx(sheet(cell_row(1, "XFD"))), 422, "too_many_columns",
    ),
    HttpCase(
        "XLSX unpacking to 8 MiB", "/v1/incidents/import",
        lambda: xlsx(add={"xl/media/zeros.bin": bytes(8 * MIB)}), 422, "unpacked_too_large",
    ),
    HttpCase(
        "XLSX part of ratio 1000:1", "/v1/incidents/import",
        lambda: xlsx(add={"xl/media/zeros.bin": bytes(2 * MIB)}), 422, "compression_ratio",
    ),
    HttpCase(
        "XLSX with entity expansion", "/v1/incidents/import",
        lambda: xlsx(add={"xl/sharedStrings.xml": BILLION_LAUGHS}), 422, "xml_doctype",
    ),
    HttpCase(
        "XLSX entity declaration after 200 KB of comment", "/v1/incidents/import",
        lambda: xlsx(add={"xl/sharedStrings.xml": LATE_DOCTYPE}), 422, "xml_doctype",
    ),
    HttpCase(
        "XLSX of 2,000 parts", "/v1/incidents/import",
        lambda: xlsx(add={f"xl/media/{i}.bin": b"" for i in range(2_000)}), 422,
        "too_many_parts",
    ),
    HttpCase(
        "zip header, no archive", "/v1/incidents/import", lambda: b"PK\x03\x04" + b"\0" * 100,
        422, "unreadable_file",
    ),
]  # fmt: skip


@pytest.fixture
async def intake(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = IntakeSettings(
        **auth_env(
            tmp_path,
            INTAKE_IMPORT_MAX_BYTES=str(IMPORT_LIMIT),
            INTAKE_IMPORT_MAX_UNPACKED_BYTES=str(UNPACKED_LIMIT),
            INTAKE_IMPORT_MAX_ROWS=str(ROW_LIMIT),
        )
    )
    d = definition(settings)
    executor = ThreadPoolExecutor(max_workers=1)
    app = executor.submit(d.app_factory).result()
    api = d.http_factory(ServiceContext("intake", settings, app, executor))

    async def ready() -> dict[str, bool]:
        return {"broker": True, "store": True}

    # As shared.runtime wires every service.
    add_platform_routes(api, ready, "intake", max_body_bytes=settings.http_max_body_bytes)
    transport = httpx.ASGITransport(app=api)
    async with httpx.AsyncClient(transport=transport, base_url="http://intake") as client:
        yield client
    for release in d.on_stop:
        release()
    executor.shutdown()


def _codes(answer: httpx.Response) -> set[str]:
    data = answer.json()
    found = {data.get("error")}
    found |= {p["code"] for p in data.get("problems", [])}
    found |= {p["code"] for p in data.get("errors", [])}
    return {c for c in found if c}


async def _flow_goes_on(client: httpx.AsyncClient, journal: str) -> None:
    after = await client.post("/v1/incidents", content=body(incident(journal)), headers=POLICE)
    assert after.status_code == 202, after.text


@pytest.mark.parametrize("case", HTTP_CASES, ids=lambda c: c.name)
async def test_hostile_http_input(intake: httpx.AsyncClient, case: HttpCase) -> None:
    content = case.content()
    who = TOVHOLDER if case.path.endswith("import") else POLICE
    answer = await intake.post(case.path, content=content, headers={**who, **(case.headers or {})})
    assert answer.status_code == case.status, answer.text[:500]
    assert case.code in _codes(answer), answer.text[:500]
    assert len(answer.content) < 4 * KIB  # a clear error, never the input echoed
    assert CPR not in answer.text and "1203104123" not in answer.text
    if case.kept:
        reference = answer.json()["reference"]
        kept = await intake.get(f"/v1/rejected/{reference}", headers=COORDINATOR)
        assert kept.status_code == 200
        assert kept.json()["original_base64"] == base64.b64encode(content).decode()
    await _flow_goes_on(intake, "3700-80123-00777-26")


@pytest.mark.parametrize(
    ("name", "declared", "status"),
    [("declared length above the limit", str(2 * HTTP_LIMIT), 413), ("unreadable", "1e9", 400)],
)
async def test_a_declared_length_is_judged_before_the_body_is_read(
    intake: httpx.AsyncClient, name: str, declared: str, status: int
) -> None:
    api = intake._transport.app  # type: ignore[attr-defined]
    read: list[int] = []

    async def receive() -> dict[str, Any]:
        read.append(1)
        return {"type": "http.request", "body": b"{}", "more_body": False}

    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/v1/incidents",
        "raw_path": b"/v1/incidents",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"content-length", declared.encode()), (b"host", b"intake")],
        "client": ("127.0.0.1", 1),
        "server": ("intake", 80),
    }
    await api(scope, receive, send)
    assert sent[0]["status"] == status
    assert read == []  # not a byte of the body was read


async def test_a_chunked_body_is_cut_off_at_the_limit(intake: httpx.AsyncClient) -> None:
    answer = await intake.post("/v1/incidents", content=_chunks(3 * HTTP_LIMIT)(), headers=POLICE)
    assert answer.status_code == 413 and answer.json()["error"] == "too_large"
    await _flow_goes_on(intake, "3700-80123-00778-26")


async def test_a_body_longer_than_declared_is_cut_off(intake: httpx.AsyncClient) -> None:
    api = intake._transport.app  # type: ignore[attr-defined]
    chunks = [b" " * (256 * KIB)] * 8
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        chunk = chunks.pop() if chunks else b""
        return {"type": "http.request", "body": chunk, "more_body": bool(chunks)}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    token = POLICE["Authorization"].encode()
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/v1/incidents",
        "raw_path": b"/v1/incidents",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"content-length", b"10"),
            (b"host", b"intake"),
            (b"authorization", token),
        ],
        "client": ("127.0.0.1", 1),
        "server": ("intake", 80),
    }
    await api(scope, receive, send)
    assert sent[0]["status"] == 413
    assert len(chunks) > 0  # it stopped reading before the end


async def test_a_csv_row_with_a_cpr_number_as_school_is_rejected_by_row_and_kept(
    intake: httpx.AsyncClient,
) -> None:
    answer = await intake.post(
        "/v1/incidents/import", content=csv_list([csv_row(school=CPR)]), headers=TOVHOLDER
    )
    assert answer.status_code == 200
    summary = answer.json()
    assert summary["rejected"] == 1
    assert [(e["row"], e["column"], e["code"]) for e in summary["errors"]] == [
        (2, "school", "cpr_in_name")
    ]
    assert CPR not in answer.text
    reference = summary["errors"][0]["reference"]
    kept = await intake.get(f"/v1/rejected/{reference}", headers=COORDINATOR)
    assert kept.status_code == 200
    await _flow_goes_on(intake, "3700-80123-00779-26")


# --- Kafka ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class KafkaCase:
    name: str
    topic: str
    value: Callable[[], bytes]
    code: str


CASE_EVENT = {
    "event": "case_opened",
    "case_id": "DUBU-2026-001234",
    "cpr": CPR,
    "municipality_code": "607",
    "at": "2026-10-02T09:00:00+02:00",
}

KAFKA_CASES = [
    KafkaCase(
        "incident over the message limit", POLICE_INCIDENTS,
        lambda: body(incident(narrative="n" * (2 * KAFKA_LIMIT))), "message_too_large",
    ),
    KafkaCase(
        "3 MB school", POLICE_INCIDENTS, lambda: body(with_person(school="s" * 3 * MIB)),
        "message_too_large",
    ),
    KafkaCase(
        "case event over the message limit", SOCIAL_CASES,
        lambda: body({**CASE_EVENT, "team": "t" * (2 * KAFKA_LIMIT)}), "message_too_large",
    ),
    KafkaCase(
        "school of 500 characters", POLICE_INCIDENTS, lambda: body(with_person(school="s" * 500)),
        "string_too_long",
    ),
    KafkaCase(
        "CPR number as school", POLICE_INCIDENTS, lambda: body(with_person(school=CPR)),
        "cpr_in_name",
    ),
    KafkaCase(
        "case id of 101 characters", SOCIAL_CASES,
        lambda: body({**CASE_EVENT, "case_id": "c" * 101}),
        "string_too_long",
    ),
    KafkaCase("not JSON", POLICE_INCIDENTS, lambda: b"\xff not json", "invalid_json"),
    KafkaCase("empty value", POLICE_INCIDENTS, lambda: b"", "invalid_json"),
    KafkaCase(
        "nested 20,000 deep", SOCIAL_CASES, lambda: b"[" * 20_000 + b"]" * 20_000,
        "invalid_json",
    ),
]  # fmt: skip


@pytest.mark.parametrize("case", KAFKA_CASES, ids=lambda c: c.name)
async def test_hostile_kafka_input(tmp_path: Path, case: KafkaCase) -> None:
    settings = IntakeSettings(
        SSP_DATABASE_URL="memory",
        SSP_DATA_DIR=str(tmp_path),
        SSP_KAFKA_MAX_MESSAGE_BYTES=str(KAFKA_LIMIT),
    )
    value = case.value()
    async with inbox_harness(definition(settings)) as h:
        await h.publish(value, case.topic, key="hostile")
        await h.publish(body(incident("3700-80123-00780-26")), POLICE_INCIDENTS, key="next")
        published = outbox(h.app, intake_publications)
        rejections = [json.loads(m.body()) for m in published if m.topic == INTAKE_REJECTED]
        accepted = [json.loads(m.body()) for m in published if m.topic == INTAKE_INCIDENTS]
        assert len(rejections) == 1
        assert case.code in {r["code"] for r in rejections[0]["reasons"]}
        assert CPR not in json.dumps(rejections)
        # Nothing lost: the original is kept, byte for byte, under the reference.
        service = h.runtime.handler.service  # type: ignore[attr-defined]
        kept = service.rejected_input(rejections[0]["reference"])
        assert service.original_of(kept) == value
        # The flow goes on.
        assert [a["journal_number"] for a in accepted] == ["3700-80123-00780-26"]
        assert h.runtime.dead_letters == 0


async def test_an_oversized_assessment_is_dead_lettered_unread_and_not_republished(
    tmp_path: Path,
) -> None:
    settings = NotificationsSettings(
        SSP_DATABASE_URL="memory",
        SSP_DATA_DIR=str(tmp_path),
        SSP_KAFKA_MAX_MESSAGE_BYTES=str(KAFKA_LIMIT),
    )
    d = notifications_definition(settings)
    oversized = body(
        {
            "journal_number": "3700-80123-00456-26",
            "person_key": "pk_" + "0" * 32,
            "outcome": "inform",
            "caseworker": "ABJ",
            "at": "2026-11-17T10:00:00+01:00",
            "note": "n" * (2 * KAFKA_LIMIT),
        }
    )
    async with inbox_harness(d) as h:
        await h.publish(oversized, CASEWORKER_ASSESSMENTS, key="big")
        published = outbox(h.app, d.publications)
        letters = [
            e
            for n in h.app.recorder.select_notifications(start=None, limit=100)
            if isinstance(e := h.app.mapper.to_domain_event(n), DeadLetter.Recorded)
        ]
    assert h.runtime.dead_letters == 1
    assert [e.error for e in letters] == ["message_too_large"]
    assert base64.b64decode(letters[0].value_b64) == oversized  # kept
    dead = [m for m in published if m.topic.endswith("dead-letter.v1")]
    assert len(dead) == 1 and dead[0].body() == b""  # the original is not republished
