"""Pid-file process tracking with real child processes."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from rva.stack.process import Process


def make(tmp_path: Path) -> Process:
    return Process("sleeper", tmp_path / "run" / "sleeper.pid", tmp_path / "logs" / "sleeper.log")


class TestProcess:
    def test_start_stop(self, tmp_path: Path) -> None:
        proc = make(tmp_path)
        pid = proc.start([sys.executable, "-c", "import time; print('hi', flush=True); time.sleep(60)"],
                         dict(os.environ), tmp_path)
        assert proc.pid() == pid
        assert proc.stop(grace_s=5) is True
        assert proc.pid() is None
        assert not proc.pid_file.exists()
        assert "hi" in proc.log_tail()

    def test_exited_process_is_not_running(self, tmp_path: Path) -> None:
        proc = make(tmp_path)
        pid = proc.start([sys.executable, "-c", "pass"], dict(os.environ), tmp_path)
        os.waitpid(pid, 0)
        assert proc.running() is False

    def test_recycled_pid_is_not_ours(self, tmp_path: Path) -> None:
        proc = make(tmp_path)
        proc.pid_file.parent.mkdir(parents=True)
        proc.pid_file.write_text(f"{os.getpid()} 1")  # our pid, wrong start time
        assert proc.pid() is None
        assert proc.stop() is False  # must not signal this test process

    def test_stop_escalates_to_kill(self, tmp_path: Path) -> None:
        proc = make(tmp_path)
        code = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(60)"
        proc.start([sys.executable, "-c", code], dict(os.environ), tmp_path)
        assert proc.stop(grace_s=1) is True
        assert proc.pid() is None
