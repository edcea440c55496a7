"""`ssp import` without a running intake: a file lacking columns is refused before anything is
sent, an intake that does not answer is an error, an identity provider's key needs --token."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from openpyxl import Workbook
from typer.testing import CliRunner

from ssp_platform.cli import app

runner = CliRunner()
SAMPLES = Path(__file__).resolve().parents[3] / "samples" / "police-list"


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    # Port 9 (discard) on loopback: nothing answers there.
    return {"SSP_DATA_DIR": str(tmp_path), "SSP_INTAKE_URL": "http://127.0.0.1:9", **extra}


def test_a_list_without_the_required_columns_is_refused_before_sending(tmp_path: Path) -> None:
    listing = tmp_path / "list.csv"
    listing.write_text("journalnummer,navn\n3700-80200-00001-26,Testperson Alfa\n")
    result = runner.invoke(app, ["import", str(listing)], env=_env(tmp_path))
    assert result.exit_code == 1
    assert "missing_column" in result.output and "occurred_at" in result.output
    assert "Testperson" not in result.output


def test_an_intake_that_does_not_answer_is_an_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["import", str(SAMPLES / "police-list.csv")], env=_env(tmp_path))
    assert result.exit_code == 1
    assert "did not answer" in result.output


def test_a_production_key_source_needs_a_token(tmp_path: Path) -> None:
    env = _env(tmp_path, SSP_AUTH_JWKS_URL="https://idp.example/jwks")
    result = runner.invoke(app, ["import", str(SAMPLES / "police-list.csv")], env=env)
    assert result.exit_code == 2
    assert "--token" in result.output


def test_a_spreadsheet_bomb_is_refused_before_it_is_read(tmp_path: Path) -> None:
    # Row 1 and row 1,000,000 named: the reader would fill the 999,998 rows between.
    book = Workbook()
    book.save(plain := io.BytesIO())
    source = zipfile.ZipFile(io.BytesIO(plain.getvalue()))
    sheet = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'
        b'<row r="1000000"><c r="A1000000" t="inlineStr"><is><t>y</t></is></c></row>'
        b"</sheetData></worksheet>"
    )
    listing = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(listing, "w", zipfile.ZIP_DEFLATED) as archive:
        for part in source.infolist():
            data = sheet if part.filename.endswith("sheet1.xml") else source.read(part)
            archive.writestr(part.filename, data)
    result = runner.invoke(app, ["import", str(listing)], env=_env(tmp_path))
    assert result.exit_code == 1
    assert "too_many_rows" in result.output
