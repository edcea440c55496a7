"""`ssp trace` reads in an 80-column terminal: every line fits, and each step says in Danish
what happened, with its code, person key and trace id folded under the words (issue 17)."""

from __future__ import annotations

import re

from rich.console import Console

from ssp_platform.trace_view import trace_table

PERSON = "pk_" + "a" * 32
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
ROUTED = (
    "Ændret visitering til sagsbehandler (aktiv sag) i Fredericia (607): ejer sagsbehandler, "
    "alvor lav; begrundelse: aktiv sag i socialforvaltningen, besluttet på ugens møde; "
    "besluttet af ugens møde"
)
BODY = {
    "journal_number": "3700-80123-00456-26",
    "steps": [
        {
            "at": "2026-11-16T08:12:01+01:00",
            "service": "intake",
            "step": "incident_accepted",
            "person_key": None,
            "revision": 1,
            "detail": "butikstyveri, 1 person(s), doegnrapport",
            "trace_id": TRACE_ID,
            "text": "Politianmeldelse modtaget: butikstyveri, 1 person(er)",
        },
        {
            "at": "2026-11-16T07:12:03Z",
            "service": "notifications",
            "step": "routed_caseworker",
            "person_key": PERSON,
            "revision": 1,
            "detail": "caseworker (revised), severity low, minor; reasons: active_case",
            "trace_id": TRACE_ID,
            "text": ROUTED,
        },
    ],
}


def _rendered(width: int) -> str:
    console = Console(width=width, record=True, color_system=None)
    console.print(trace_table(BODY))
    return console.export_text()


def test_every_line_fits_80_columns_and_nothing_is_cut_off() -> None:
    text = _rendered(80)
    assert max(len(line) for line in text.splitlines()) <= 80
    for expected in (ROUTED, "routed_caseworker", "incident_accepted", "16.11.2026 08.12"):
        assert re.sub(r"\s+", "", expected) in re.sub(r"\s+", "", text), expected
    assert PERSON in re.sub(r"\s+", "", text)  # folded, never cut off with an ellipsis
    assert "…" not in text
    assert "intake" in text and "notifications" in text


def test_a_wide_terminal_keeps_each_step_on_few_lines() -> None:
    assert len(_rendered(200).splitlines()) < len(_rendered(80).splitlines())
