"""Start the platform's own command as a subprocess, as a user would."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

SSP = str(Path(sys.executable).with_name("ssp"))
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class SspProcess:
    process: subprocess.Popen[bytes]
    log_path: Path

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_for(self, pattern: str, timeout: float = 120) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = re.search(pattern, self.output())
            if match:
                return match
            if self.process.poll() is not None:
                raise AssertionError(
                    f"ssp exited with {self.process.returncode}:\n{self.output()[-4000:]}"
                )
            time.sleep(0.1)
        raise AssertionError(f"no {pattern!r} within {timeout}s:\n{self.output()[-4000:]}")

    def interrupt(self, timeout: float = 60) -> int:
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=timeout)

    def kill_hard(self) -> None:
        """kill -9: no clean-up of any kind."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def start_ssp(args: list[str], env: dict[str, str], log_path: Path) -> SspProcess:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("SSP_", "KAFKA_"))}
    full_env.update(env)
    full_env.setdefault("PYTHONUNBUFFERED", "1")
    log = log_path.open("ab")
    process = subprocess.Popen(
        [SSP, *args], cwd=PROJECT_ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT
    )
    return SspProcess(process, log_path)


def service_ports() -> dict[str, str]:
    return {
        f"{name.upper()}_HTTP_PORT": str(free_port())
        for name in ("intake", "triage", "notifications", "reporting", "courses", "console")
    }
