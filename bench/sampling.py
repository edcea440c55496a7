"""Where each process spends its CPU during a benchmark burst, sampled with py-spy.

`bench.pipeline --profile DIR` starts one `py-spy record` per service process when the burst
begins and stops it when the read model has caught up; this module starts the samplers and
summarises their collapsed stacks (own time and time including callees, per function).
py-spy is not a dependency of the platform: `uv pip install py-spy` (it needs ptrace rights).
"""

from __future__ import annotations

import shutil
import signal
import subprocess
from collections import Counter
from pathlib import Path


class Samplers:
    def __init__(self, directory: Path, pids: dict[str, int], rate: int = 200) -> None:
        executable = shutil.which("py-spy")
        if executable is None:
            raise SystemExit("--profile needs py-spy: `uv pip install py-spy`")
        directory.mkdir(parents=True, exist_ok=True)
        self.outputs = {name: directory / f"{name}.collapsed" for name in pids}
        self._processes = [
            subprocess.Popen(
                [
                    *(executable, "record", "--pid", str(pid), "--rate", str(rate)),
                    *("--format", "raw", "--nonblocking", "--output", str(self.outputs[name])),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for name, pid in pids.items()
        ]

    def stop(self) -> None:
        for process in self._processes:
            process.send_signal(signal.SIGINT)
        for process in self._processes:
            process.wait(timeout=60)


def summarise(collapsed: Path, top: int = 25) -> str:
    """The functions with the most own samples, and the most samples including callees."""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in collapsed.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack:
            continue
        count = int(count_text)
        frames = [_short(frame) for frame in stack.split(";")]
        total += count
        own[frames[-1]] += count
        for frame in set(frames):
            inclusive[frame] += count
    if not total:
        return f"{collapsed.stem}: no samples"
    lines = [f"== {collapsed.stem}: {total} samples", "  own time:"]
    lines += [f"    {n / total:6.1%}  {f}" for f, n in own.most_common(top)]
    lines.append("  including callees:")
    lines += [f"    {n / total:6.1%}  {f}" for f, n in inclusive.most_common(top * 2)]
    return "\n".join(lines)


def _short(frame: str) -> str:
    # "function (path/to/module.py:123)" → "function (module.py)"; lines split one function
    name, _, location = frame.partition(" (")
    module = location.rsplit("/", 1)[-1].partition(":")[0]
    return f"{name} ({module})"
