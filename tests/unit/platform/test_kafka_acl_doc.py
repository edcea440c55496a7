"""docs/kafka-security.md's ACL table says exactly what each service reads and writes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ssp_platform.registry import SERVICES, definition_factory

DOC = Path(__file__).resolve().parents[3] / "docs" / "kafka-security.md"


def _acl_rows() -> dict[str, tuple[str, set[str], set[str]]]:
    text = DOC.read_text()
    table = text.split("<!-- acl-table -->")[1].split("<!-- /acl-table -->")[0]
    rows: dict[str, tuple[str, set[str], set[str]]] = {}
    for line in table.strip().splitlines()[2:]:
        principal, group, reads, writes = (cell.strip() for cell in line.strip("|").split("|"))
        service = re.fullmatch(r"`User:ssp-(\w+)`", principal)
        assert service is not None, line
        rows[service.group(1)] = (
            group.strip("`"),
            set(re.findall(r"`([^`]+)`", reads)),
            set(re.findall(r"`([^`]+)`", writes)),
        )
    return rows


def test_every_service_has_a_row() -> None:
    assert set(_acl_rows()) == set(SERVICES)


@pytest.mark.parametrize("service", list(SERVICES))
def test_the_row_matches_the_service(
    service: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSP_DATA_DIR", str(tmp_path))
    definition = definition_factory(service)()
    group, reads, writes = _acl_rows()[service]
    assert group == f"ssp-{service}"
    assert reads == set(definition.consumes)
    assert writes == set(definition.produces)
