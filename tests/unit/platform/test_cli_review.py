"""`ssp review sample` against reporting's real app in this process (httpx's ASGI transport
stands in for the network): the sample's index, a JSON and a PDF per person, progress, the
seed printed and reproducible (issue 17, part 4)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from ssp_platform import review_cli
from ssp_platform.cli import app
from tests.unit.auth.support import PK_IN, SIGNING_KEY, ServiceUnderTest, reporting_under_test

runner = CliRunner()


@pytest.fixture(scope="module")
def reporting(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceUnderTest]:
    with reporting_under_test(tmp_path_factory.mktemp("reporting")) as served:
        yield served


@pytest.fixture
def network(reporting: ServiceUnderTest, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setattr(review_cli, "transport", httpx.ASGITransport(app=reporting.api))
    return {"SSP_REPORTING_URL": "http://reporting", "SSP_AUTH_SIGNING_KEY": SIGNING_KEY}


def test_the_sample_is_written_per_person_with_an_index(
    network: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "review"
    args = ["review", "sample", "607", "2026", "--size", "300", "--seed", "11", "--out", str(out)]
    result = runner.invoke(app, args, env=network)
    assert result.exit_code == 0, result.output
    index = json.loads((out / "index.json").read_text())
    assert index["seed"] == 11 and index["municipality_code"] == "607"
    assert [p["person_key"] for p in index["persons"]] == [PK_IN]
    export = json.loads((out / f"{PK_IN}.json").read_text())
    assert [c["check"] for c in export["checks"]] == [
        "tidligere_anmeldelser", "forældre_orienteret", "frister", "samtykke",
    ]  # fmt: skip
    assert (out / f"{PK_IN}.pdf").read_bytes().startswith(b"%PDF-")
    assert f"[1/1] {PK_IN}" in result.stderr
    assert "1 personer skrevet" in result.stdout
    again = runner.invoke(app, [*args[:-1], str(tmp_path / "again")], env=network)
    assert again.exit_code == 0, again.output
    assert json.loads((tmp_path / "again" / "index.json").read_text()) == index


def test_without_a_seed_one_is_drawn_and_printed(network: dict[str, str], tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["review", "sample", "607", "2026", "--out", str(tmp_path / "r")], env=network
    )
    assert result.exit_code == 0, result.output
    seed = json.loads((tmp_path / "r" / "index.json").read_text())["seed"]
    assert f"(seed {seed})" in result.stdout


def test_a_role_without_the_export_is_refused_by_name(network: dict[str, str]) -> None:
    from tests.unit.auth.support import mint

    token = mint("caseworker", municipalities=["607"])
    result = runner.invoke(app, ["review", "sample", "607", "2026", "--token", token], env=network)
    assert result.exit_code != 0
    assert "403" in result.output
