"""The fault suite at the issue's size (10,000 incidents per test; `./ssp test` runs 2,000):
poison, broker loss, `ssp up` broker restart, PostgreSQL restart, oversized event.

    uv run python -m bench.faults                 # 10,000 incidents per test
    uv run python -m bench.faults --incidents 5000 -k poison

Other arguments go to pytest. Each test prints its counts; the summary repeats them.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=10_000)
    args, pytest_args = parser.parse_known_args()
    env = {**os.environ, "SSP_FAULT_INCIDENTS": str(args.incidents)}
    command = [sys.executable, "-m", "pytest", "tests/faults", "-m", "faults", "-q", "-s"]
    return subprocess.call([*command, *pytest_args], env=env)


if __name__ == "__main__":
    sys.exit(main())
