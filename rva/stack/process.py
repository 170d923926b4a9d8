"""Background processes that rva started, tracked by pid files it wrote.

A pid file holds the pid and the process start time from /proc, so a recycled pid is
never mistaken for our engine and `down` never signals a process it did not start.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path


def _start_time(pid: int) -> str | None:
    """The kernel's start time of ``pid`` (clock ticks since boot), or None if gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # Field 22; the command name (field 2) may hold spaces, so split after its ')'.
    fields = stat.rsplit(")", 1)[1].split()
    if fields[0] == "Z":  # a zombie has exited
        return None
    return fields[19]


@dataclass(frozen=True)
class Process:
    """One engine process: where its pid file and log live."""

    name: str
    pid_file: Path
    log_file: Path

    def pid(self) -> int | None:
        """The pid if the process we started is still alive, else None."""
        try:
            pid_text, started = self.pid_file.read_text().split()
        except (OSError, ValueError):
            return None
        pid = int(pid_text)
        return pid if _start_time(pid) == started else None

    def running(self) -> bool:
        return self.pid() is not None

    def start(self, cmd: list[str], env: dict[str, str], cwd: Path) -> int:
        """Start ``cmd`` in its own session with output appended to the log file."""
        self.pid_file.parent.mkdir(parents=True, exist_ok=True)
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        with self.log_file.open("ab") as log:
            log.write(f"\n==== rva starts {self.name}: {' '.join(cmd)}\n".encode())
            log.flush()
            child = subprocess.Popen(
                cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True,
            )
        started = None
        for _ in range(50):  # /proc entry appears at once; loop covers slow systems
            started = _start_time(child.pid)
            if started:
                break
            time.sleep(0.01)
        self.pid_file.write_text(f"{child.pid} {started}")
        return child.pid

    def stop(self, grace_s: float = 30.0) -> bool:
        """SIGTERM the process group, SIGKILL after ``grace_s``; True if it was running."""
        pid = self.pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return False
        _signal_group(pid, signal.SIGTERM)
        deadline = time.monotonic() + grace_s
        while time.monotonic() < deadline and self.pid() is not None:
            time.sleep(0.2)
        if self.pid() is not None:
            _signal_group(pid, signal.SIGKILL)
            time.sleep(0.5)
        self.pid_file.unlink(missing_ok=True)
        return True

    def log_tail(self, lines: int = 20) -> str:
        try:
            with self.log_file.open("rb") as handle:
                handle.seek(0, os.SEEK_END)
                handle.seek(max(0, handle.tell() - 64 * 1024))
                text = handle.read().decode(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])


def _signal_group(pid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pid, sig)  # the engine started its own session: pgid == pid
    except ProcessLookupError:
        pass
