"""The sample caseworker app (samples/caseworker-app, docs/subscribing.md) against the running
platform on the real broker: its worklist holds exactly the current decision and letter task
per person, once, through a re-delivery of everything and a higher revision that revises one
person and removes the other."""

from __future__ import annotations

import importlib.util
import json
import sys
import uuid
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from faststream.kafka import KafkaBroker

from shared.auth import AuthSettings, mint_development_token
from shared.settings import PlatformSettings
from ssp_platform.broker import EmbeddedBroker
from ssp_platform.platform import start_platform, stop_platform
from tests.integration.platform_env import eventually, use_platform_env
from tests.support import example

pytestmark = [pytest.mark.kafka]

SAMPLE = Path(__file__).parents[2] / "samples" / "caseworker-app" / "caseworker_app.py"


def load_sample() -> ModuleType:
    """The sample as its own module: it is a third party's code, not a package of ours."""
    spec = importlib.util.spec_from_file_location("caseworker_app", SAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["caseworker_app"] = module
    spec.loader.exec_module(module)
    return module


class Subscriber:
    """One run of the sample's subscribers, under its own consumer group, into `worklist`."""

    def __init__(self, app: ModuleType, bootstrap: str, prefix: str, worklist: Any) -> None:
        self.broker = KafkaBroker(bootstrap, client_id="caseworker-app-test")
        app.subscribe(
            self.broker, worklist, prefix=prefix, group_id=f"caseworker-app.607.{uuid.uuid4()}"
        )

    async def __aenter__(self) -> Subscriber:
        await self.broker.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.broker.stop()


async def test_the_worklist_holds_the_current_decision_and_task_once(
    embedded_broker: EmbeddedBroker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = load_sample()
    prefix = use_platform_env(monkeypatch, embedded_broker, tmp_path, None)
    platform = await start_platform(["intake", "triage", "notifications"], PlatformSettings())
    intake = next(s.http_url for s in platform.services if s.name == "intake")
    token = mint_development_token(
        AuthSettings(), role="police_integration", scopes=["incidents:write"]
    )
    police = {"Authorization": f"Bearer {token}", "X-Purpose": "caseworker app test"}
    bootstrap = embedded_broker.bootstrap_servers
    worklist = app.Worklist(municipality="607")

    first = example("incident-valid.json")
    stays = first["persons"][0]
    second = {  # the second person leaves; the first is now the victim of violence
        **first,
        "revision": 2,
        "offence": {"code": "vold", "text": "Vold i bymidten"},
        "persons": [{**stays, "role": "forurettet"}],
    }

    def rows_where(check: Any) -> Any:
        async def rows() -> Any:
            current = worklist.rows()
            return current if check(current) else None

        return rows

    try:
        async with httpx.AsyncClient() as client, Subscriber(app, bootstrap, prefix, worklist):

            async def post(incident: dict[str, Any]) -> None:
                response = await client.post(
                    f"{intake}/v1/incidents", content=json.dumps(incident).encode(), headers=police
                )
                assert response.status_code == 202

            await post(first)
            rows = await eventually(
                rows_where(
                    lambda r: (
                        len(r) == 2 and all(row[2] != "-" and row[8] == "created" for row in r)
                    )
                )
            )
            assert rows, worklist.rows()
            assert [(row[2], row[3], row[4]) for row in rows] == [("1", "initial", "tovholder")] * 2
            first_rows = rows

            # re-delivery: everything again, from the beginning, under a new group
            received, applied = worklist.received, worklist.applied
            async with Subscriber(app, bootstrap, prefix, worklist):
                assert await eventually(lambda: _at_least(worklist, 2 * received))
            assert worklist.received == 2 * received
            assert worklist.applied == applied, "a re-delivered message changed the worklist"
            assert worklist.rows() == first_rows

            # revision 2: one person revised (same task, updated), the other withdrawn
            await post(second)
            rows = await eventually(
                rows_where(
                    lambda r: len(r) == 1 and r[0][2:4] == ("2", "revised") and r[0][8] == "updated"
                )
            )
            assert rows, worklist.rows()
            removed = {row[0] for row in first_rows} - {row[0] for row in rows}
            assert len(removed) == 1 and removed != {rows[0][0]}

        # a new instance rebuilt from the beginning (three topics, any interleaving) agrees
        rebuilt = app.Worklist(municipality="607")
        async with Subscriber(app, bootstrap, prefix, rebuilt):
            assert await eventually(lambda: _at_least(rebuilt, worklist.received - received))
        assert rebuilt.rows() == rows
        assert app.format_table(rows).splitlines()[0].split()[:2] == ["person", "journal"]
    finally:
        await stop_platform(platform)


async def _at_least(worklist: Any, received: int) -> bool:
    return bool(worklist.received >= received)
