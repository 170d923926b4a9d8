"""Submit SQL scripts to the stack's Flink cluster and read job state over REST."""

from __future__ import annotations

import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from rva import pulsar_admin
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


def _consumer_busy_since(cfg: StackConfig, job_id: str, after_ms: int) -> bool:
    """Whether the job failed with Pulsar's ConsumerBusy after ``after_ms`` (epoch ms)."""
    history = httpx.get(f"{rest_url(cfg)}/jobs/{job_id}/exceptions", timeout=10).json()
    return any(e["timestamp"] > after_ms and "ConsumerBusyException" in e.get("stacktrace", "")
               for e in history.get("exceptionHistory", {}).get("entries", []))


def await_reading(cfg: StackConfig, job_id: str, topic: str, subscription: str,
                  timeout_s: float = 300, settle_s: float = 3) -> None:
    """Return once the job runs and its source has a consumer on every partition of
    ``topic``, and has kept both for ``settle_s``.

    A new job's Pulsar source (connector 4.1.0, client 3.0.5) positions its subscription
    with a consumer it seeks and then closes; on a loaded machine the client can
    re-register that consumer after closing it, and the Exclusive subscription then
    refuses the job's reader (ConsumerBusy) on every restart, for as long as the job
    lives. Unloading the topic closes every connection to it: live clients reconnect,
    the closed consumer does not. So on a ConsumerBusy failure this unloads the topic.

    Raises:
        EngineError: not reading after ``timeout_s``.
    """
    deadline = time.monotonic() + timeout_s
    checked_ms = 0
    steady_since: float | None = None
    while True:
        now_ms = int(time.time() * 1000)
        if _consumer_busy_since(cfg, job_id, checked_ms):
            pulsar_admin.unload(cfg, topic)
            steady_since = None
        else:
            state = httpx.get(f"{rest_url(cfg)}/jobs/{job_id}", timeout=10).json().get("state")
            if state == "RUNNING" and pulsar_admin.reading(cfg, topic, subscription):
                steady_since = steady_since or time.monotonic()
                if time.monotonic() - steady_since >= settle_s:
                    return
            else:
                steady_since = None
        checked_ms = now_ms
        if time.monotonic() > deadline:
            raise EngineError(f"job {job_id} is not reading {topic} after {timeout_s:.0f}s; "
                              f"see {rest_url(cfg)}/#/job/running/{job_id}/exceptions")
        time.sleep(1)
