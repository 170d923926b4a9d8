"""Submit SQL scripts to the stack's Flink cluster and read job state over REST."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import httpx

from rva.config import StackConfig
from rva.errors import EngineError
from rva.stack.credentials import load_or_create
from rva.stack.engines import LOCAL_HOST, flink_env
from rva.stack.layout import Layout


@dataclass(frozen=True)
class Job:
    """A job as the JobManager reports it."""

    job_id: str
    name: str
    state: str


def rest_url(cfg: StackConfig) -> str:
    return f"http://{LOCAL_HOST}:{cfg.ports.flink_rest}"


def run_sql_file(cfg: StackConfig, script: Path, timeout_s: float = 600) -> str:
    """Run ``sql-client.sh -f script`` against the cluster; returns the client output.

    INSERT statements are submitted asynchronously, so this returns once the job is
    accepted, not when it ends.

    Raises:
        EngineError: the client exited non-zero or printed a SQL error.
    """
    layout = Layout.of(cfg)
    env = flink_env(cfg, layout, load_or_create(layout.credentials))
    result = subprocess.run(
        [str(layout.flink_home / "bin" / "sql-client.sh"), "-f", str(script)],
        env=env, capture_output=True, text=True, timeout=timeout_s,
    )
    output = result.stdout + result.stderr
    if result.returncode != 0 or "[ERROR]" in output:
        raise EngineError(f"sql-client -f {script} failed: {sql_error(output)}")
    return output


def sql_error(client_output: str) -> str:
    """The reason sql-client gives for a failed statement, on one line.

    The client prints `[ERROR] Could not execute SQL statement. Reason:` and the
    exception on the next line; without that, the last non-empty line.
    """
    lines = [re.sub(r"\x1b\[[0-9;]*m", "", ln).strip() for ln in client_output.splitlines()]
    lines = [ln for ln in lines if ln]
    for i, line in enumerate(lines):
        if line.endswith("Reason:") and i + 1 < len(lines):
            return lines[i + 1]
    return lines[-1] if lines else "no output"


def jobs(cfg: StackConfig) -> list[Job]:
    response = httpx.get(f"{rest_url(cfg)}/jobs/overview", timeout=10)
    response.raise_for_status()
    return [Job(j["jid"], j["name"], j["state"]) for j in response.json()["jobs"]]


def running_job(cfg: StackConfig, name: str) -> Job | None:
    return next((j for j in jobs(cfg) if j.name == name and j.state in ("RUNNING", "CREATED", "RESTARTING")), None)


def cancel(cfg: StackConfig, job_id: str) -> None:
    httpx.patch(f"{rest_url(cfg)}/jobs/{job_id}", params={"mode": "cancel"}, timeout=10).raise_for_status()


def submitted_job_id(client_output: str) -> str:
    """The job id sql-client prints after submitting an INSERT or a statement set."""
    match = re.search(r"Job ID: ([0-9a-f]{32})", client_output)
    if match is None:
        raise EngineError("sql-client printed no Job ID: nothing was submitted")
    return match.group(1)
