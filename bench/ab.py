"""Interleaved A/B of `bench.pipeline` between two checkouts of the repository.

    uv run --no-sync python -m bench.ab --a . --b /tmp/ssp-b [--rounds 4] \\
        [-- <bench.pipeline options>]

Each round runs the pipeline benchmark once from each checkout: A then B in odd rounds, B then
A in even ones, so that a machine growing busier or quieter during the session weighs on both
alike. Each run uses its checkout's own virtual environment (`<dir>/.venv/bin/python`), so the
services it starts run that checkout's code. The pipeline options default to one process per
service (`--topology processes`). Prints each run's figures, then per figure the median of A,
the median of B, and B against A. On a shared machine a single run moves by several per cent;
compare medians of several rounds, and the CPU milliseconds per incident (less disturbed by
other work than the rates).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

#: Figures compared: the rates (higher is better) and the CPU per incident (lower is better).
RATES = ("burst_tasks_per_s", "burst_read_model_per_s", "tasks_of_raw", "read_model_of_raw")


def _run(checkout: Path, pipeline_args: list[str]) -> dict[str, float]:
    python = checkout / ".venv" / "bin" / "python"
    with tempfile.TemporaryDirectory(prefix="ssp-ab-") as scratch:
        out = Path(scratch) / "figures.json"
        subprocess.run(
            [str(python), "-m", "bench.pipeline", *pipeline_args, "--json", str(out)],
            cwd=checkout,
            check=True,
        )
        results: dict[str, dict[str, float]] = json.loads(out.read_text())
    (figures,) = results.values()
    figures["tasks_of_raw"] = figures["burst_tasks_per_s"] / figures["raw_msg_s"]
    figures["read_model_of_raw"] = figures["burst_read_model_per_s"] / figures["raw_msg_s"]
    figures["cpu_ms:all"] = sum(v for k, v in figures.items() if k.startswith("cpu_ms:"))
    return figures


def _shown(name: str, value: float) -> str:
    return f"{value:.2%}" if name.endswith("_of_raw") else f"{value:,.2f}"


def _compared(runs: dict[str, list[dict[str, float]]]) -> list[str]:
    names = [*RATES, *sorted(k for k in runs["A"][0] if k.startswith("cpu_ms:"))]
    lines = [f"{'figure':<26} {'median A':>12} {'median B':>12} {'B vs A':>8}"]
    for name in names:
        a = statistics.median(r[name] for r in runs["A"])
        b = statistics.median(r[name] for r in runs["B"])
        lines.append(f"{name:<26} {_shown(name, a):>12} {_shown(name, b):>12} {b / a - 1:>+8.1%}")
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--a", type=Path, required=True, help="checkout A (e.g. the branch)")
    parser.add_argument("--b", type=Path, required=True, help="checkout B (e.g. a change)")
    parser.add_argument("--rounds", type=int, default=4, help="runs of each, interleaved")
    parser.add_argument("pipeline_args", nargs="*", help="options for bench.pipeline (after --)")
    args = parser.parse_args(argv)
    pipeline_args = args.pipeline_args or ["--topology", "processes"]
    if not any(a.startswith("--topology") for a in pipeline_args):
        pipeline_args = ["--topology", "processes", *pipeline_args]
    checkouts = {"A": args.a.resolve(), "B": args.b.resolve()}
    runs: dict[str, list[dict[str, float]]] = {"A": [], "B": []}
    for number in range(1, args.rounds + 1):
        order = ("A", "B") if number % 2 else ("B", "A")
        for which in order:
            print(f"=== round {number}: {which} ({checkouts[which]})", flush=True)
            figures = _run(checkouts[which], pipeline_args)
            runs[which].append(figures)
            print(
                f"    {which}: letter tasks {figures['burst_tasks_per_s']:,.0f}/s "
                f"({figures['tasks_of_raw']:.2%} of raw), read model "
                f"{figures['burst_read_model_per_s']:,.0f}/s "
                f"({figures['read_model_of_raw']:.2%}), CPU {figures['cpu_ms:all']:.2f} ms "
                "per incident",
                flush=True,
            )
    print(f"=== {args.rounds} rounds, interleaved (A: {checkouts['A']}, B: {checkouts['B']})")
    for line in _compared(runs):
        print(line)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
