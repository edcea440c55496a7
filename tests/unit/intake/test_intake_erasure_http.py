"""`POST /v1/persons/{person_key}/erasure` and `GET /v1/erasures/report` (issue 18): only the
coordinator of the person's municipality erases, every attempt is audited, and the report
gives counts only."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx

from services.intake.domain.pseudonym import Pseudonymiser
from tests.support import example
from tests.unit.auth.support import PSEUDONYM_SECRET, headers
from tests.unit.intake.test_intake_http import POLICE, client  # noqa: F401 - the fixture

PERSON = Pseudonymiser(PSEUDONYM_SECRET.encode()).person_key("120310-4123")
ERASE = f"/v1/persons/{PERSON}/erasure"
REQUEST = {"reason": "request"}


async def test_the_coordinator_of_the_municipality_erases_once_and_it_is_audited(
    client: httpx.AsyncClient,  # noqa: F811
) -> None:
    body = json.dumps(example("incident-valid.json"))
    assert (await client.post("/v1/incidents", content=body, headers=POLICE)).status_code == 202
    tovholder = headers("tovholder", municipalities=["607"])

    caseworker = headers("caseworker", municipalities=["607"])
    assert (await client.post(ERASE, json=REQUEST, headers=caseworker)).status_code == 403
    elsewhere = headers("tovholder", municipalities=["376"])
    assert (await client.post(ERASE, json=REQUEST, headers=elsewhere)).status_code == 404
    unknown = f"/v1/persons/pk_{'0' * 32}/erasure"
    assert (await client.post(unknown, json=REQUEST, headers=tovholder)).status_code == 404
    bad = await client.post(ERASE, json={"reason": "because"}, headers=tovholder)
    assert bad.status_code == 422

    erased = await client.post(ERASE, json=REQUEST, headers=tovholder)
    assert erased.status_code == 200
    assert erased.json()["already"] is False and erased.json()["reason"] == "request"
    again = await client.post(ERASE, json=REQUEST, headers=tovholder)
    assert again.json()["already"] is True
    assert again.json()["erasure_id"] == erased.json()["erasure_id"]
    resolve = await client.post(
        f"/v1/identities/{PERSON}/resolve", json={"purpose": "kontakt"}, headers=tovholder
    )
    assert resolve.status_code == 404

    auditor = headers("auditor")
    trail = (await client.get("/v1/audit", params={"person_key": PERSON}, headers=auditor)).json()
    erasures = [e for e in trail["entries"] if e["action"] == "person.erase"]
    assert [(e["result"], e["role"], e["reason"]) for e in erasures] == [
        ("denied", "caseworker", "role_not_permitted"),
        ("denied", "tovholder", "outside_municipality"),
        ("allowed", "tovholder", "error"),  # the reason that is not one
        ("allowed", "tovholder", "permitted"),
        ("allowed", "tovholder", "permitted"),
    ]

    report = await client.get("/v1/erasures/report", headers=auditor)
    month = datetime.now(UTC).strftime("%Y-%m")
    assert report.json() == {
        "rows": [{"kind": "person", "month": month, "reason": "request", "count": 1}]
    }
    assert (await client.get("/v1/erasures/report", headers=tovholder)).status_code == 403
