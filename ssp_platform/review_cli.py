"""`ssp review sample`: draw the review's sample of a municipality's year from reporting's API
and write each person's export (JSON and PDF) plus an index (issue 17, part 4)."""

from __future__ import annotations

import asyncio
import json
import secrets
import sys
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer

from ssp_platform.audit_cli import auditor_headers, service_urls

review_app = typer.Typer(help="The review export: a reproducible sample, checked per person.")

transport: httpx.AsyncBaseTransport | None = None
"""How requests reach reporting (None: the network); tests put the app here."""

FINDINGS = {"opfyldt": "opfyldt", "ikke_opfyldt": "IKKE opfyldt", "kan_ikke_vurderes": "?"}


def _refusal(answer: httpx.Response) -> str:
    try:
        message = answer.json().get("message")
    except ValueError:
        message = None
    return f"reporting answered {answer.status_code}" + (f": {message}" if message else "")


async def _export(
    base: str, headers: dict[str, str], municipality: str, year: int, size: int, seed: int,
    out: Path,
) -> dict[str, Any]:  # fmt: skip
    async with httpx.AsyncClient(transport=transport, base_url=base, timeout=120) as client:
        answer = await client.get(
            f"/v1/reviews/samples/{municipality}/{year}",
            params={"size": str(size), "seed": str(seed)},
            headers=headers,
        )
        if answer.status_code != 200:
            raise typer.BadParameter(_refusal(answer))
        sample: dict[str, Any] = answer.json()
        out.mkdir(parents=True, exist_ok=True)
        persons = sample["persons"]
        print(
            f"stikprøve {municipality}/{year}, seed {seed}: {len(persons)} af "
            f"{sample['population']} personer",
            file=sys.stderr,
        )
        for number, person in enumerate(persons, start=1):
            key = person["person_key"]
            for suffix, name in (("", f"{key}.json"), ("/pdf", f"{key}.pdf")):
                got = await client.get(f"/v1/reviews/persons/{key}{suffix}", headers=headers)
                if got.status_code != 200:
                    raise typer.BadParameter(f"{key}: {_refusal(got)}")
                (out / name).write_bytes(got.content)
            words = ", ".join(f"{c}: {FINDINGS.get(f, f)}" for c, f in person["findings"].items())
            print(f"[{number}/{len(persons)}] {key}  {words}", file=sys.stderr)
    (out / "index.json").write_text(json.dumps(sample, ensure_ascii=False, indent=2) + "\n")
    return sample


@review_app.command("sample")
def sample(
    municipality: Annotated[str, typer.Argument(help="municipality code, e.g. 607")],
    year: Annotated[int, typer.Argument(help="the year of the police reports")],
    size: Annotated[int, typer.Option(help="persons to draw (fewer if fewer exist)")] = 300,
    seed: Annotated[
        int | None, typer.Option(help="the draw's seed (unset: a random one, printed)")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="directory (default review-<code>-<year>-<seed>)")
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(
            "--token", envvar="SSP_TOKEN",
            help="bearer token; unset: a development auditor token",
        ),
    ] = None,
    purpose: Annotated[
        str | None, typer.Option(help="why, in ASCII (an HTTP header; audited with every person)")
    ] = None,
) -> None:  # fmt: skip
    """Draw the sample (the same seed and data give the same persons) and write, per person,
    the timeline with the review's checks as JSON and as a Danish PDF, plus index.json."""
    chosen = seed if seed is not None else secrets.randbelow(2**31)
    target = out or Path(f"review-{municipality}-{year}-{chosen}")
    why = purpose or f"kvalitetsgennemgang: review sample {municipality}/{year}"
    headers = auditor_headers(token, why)
    base = service_urls(["reporting"])["reporting"]
    drawn = asyncio.run(_export(base, headers, municipality, year, size, chosen, target))
    failed = sum(1 for p in drawn["persons"] if "ikke_opfyldt" in p["findings"].values())
    print(
        f"{len(drawn['persons'])} personer skrevet til {target} (seed {chosen}); "
        f"{failed} med mindst ét kontrolspørgsmål ikke opfyldt"
    )
