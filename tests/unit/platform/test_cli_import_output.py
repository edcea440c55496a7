"""`ssp import` against intake's real HTTP app (in-memory store, loopback port): `--json`
prints one machine-readable document of what was accepted and rejected with the problems by
row and column; the human output prints every reference whole, even 80 columns wide."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ssp_platform.cli import app
from tests.support import serving
from tests.unit.auth.support import SIGNING_KEY, intake_under_test, mint

runner = CliRunner()
ERRORS = Path(__file__).resolve().parents[3] / "samples" / "police-list" / "police-list-errors.csv"
UUID_CHARS = 36


@pytest.fixture(scope="module")
def intake_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with intake_under_test(tmp_path_factory.mktemp("intake")) as served, serving(served.api) as url:
        yield url


def _ssp_import(url: str, tmp_path: Path, *options: str) -> Any:
    env = {
        "SSP_DATA_DIR": str(tmp_path),
        "SSP_INTAKE_URL": url,
        "SSP_AUTH_SIGNING_KEY": SIGNING_KEY,
        "SSP_TOKEN": mint("police_integration"),
        "COLUMNS": "80",
    }
    return runner.invoke(app, ["import", str(ERRORS), *options], env=env)


def test_json_names_what_was_accepted_and_rejected_with_the_problems(
    intake_url: str, tmp_path: Path
) -> None:
    result = _ssp_import(intake_url, tmp_path, "--json")
    assert result.exit_code == 1, result.output
    document = json.loads(result.stdout)  # nothing else on stdout: no progress bar, no table
    assert (document["accepted"], document["rejected"], document["incidents"]) == (1, 4, 5)
    assert document["exit_code"] == 1 and document["rows"] == 6  # the header is row 1
    by_journal = {r["journal_number"]: r for r in document["results"]}
    assert by_journal["3700-80300-00001-26"]["status"] == "accepted"
    assert by_journal["3700-80300-00005-26"]["rows"] == [6, 7]  # rows of the file
    rejected = {r["reference"] for r in document["results"] if r["status"] == "rejected"}
    assert len(rejected) == 4 and all(len(ref) == UUID_CHARS for ref in rejected)
    problems = {(e["row"], e["column"], e["code"]) for e in document["errors"]}
    assert (4, "location_municipality_code", "unknown_municipality") in problems
    assert (7, "occurred_at", "conflicting_rows") in problems
    assert {e["reference"] for e in document["errors"]} == rejected
    assert "Testperson" not in result.stdout and "320299" not in result.stdout


def test_the_problem_table_prints_each_reference_whole_at_80_columns(
    intake_url: str, tmp_path: Path
) -> None:
    listed = json.loads(_ssp_import(intake_url, tmp_path, "--json").stdout)
    result = _ssp_import(intake_url, tmp_path)
    assert result.exit_code == 1
    assert max(len(line) for line in result.output.splitlines()) <= 80
    for problem in listed["errors"]:
        assert f": reference {problem['reference']}" in result.output
        assert problem["code"] in result.output
