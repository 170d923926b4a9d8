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
    start_ms: int = 0


def rest_url(cfg: StackConfig) -> str:
    return f"http://{LOCAL_HOST}:{cfg.ports.flink_rest}"


def run_sql_file(cfg: StackConfig, script: Path, timeout_s: float = 600) -> str:
    """Run ``sql-client.sh -f script`` against the cluster (through the SQL Gateway of
    ``flink.sql_gateway`` when it is set); returns the client output.

    INSERT statements are submitted asynchronously, so this returns once the job is
    accepted, not when it ends.

    Raises:
        EngineError: the client exited non-zero or printed a SQL error.
    """
    layout = Layout.of(cfg)
    env = flink_env(cfg, layout, load_or_create(layout.credentials))
    result = subprocess.run(
        [str(layout.flink_home / "bin" / "sql-client.sh"),
         *(["gateway", "--endpoint", cfg.flink.sql_gateway] if cfg.flink.sql_gateway else []), "-f", str(script)],
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
    return [Job(j["jid"], j["name"], j["state"], int(j.get("start-time", 0))) for j in response.json()["jobs"]]


# Every state of a job that has not ended: a second job of the same name must not be
# submitted while one is in any of them.
NOT_ENDED = ("INITIALIZING", "CREATED", "RUNNING", "RESTARTING", "FAILING", "CANCELLING", "SUSPENDED",
             "RECONCILING")
ENDED = ("CANCELED", "FAILED", "FINISHED")


def running_job(cfg: StackConfig, name: str) -> Job | None:
    """The job of that name that has not ended, if any."""
    return next((j for j in jobs(cfg) if j.name == name and j.state in NOT_ENDED), None)


def cancel(cfg: StackConfig, job_id: str, wait_s: float = 60) -> None:
    """Cancel the job and wait until it has ended, so that nothing submitted next meets
    its consumers. A job that ended meanwhile is fine.

    Raises:
        EngineError: it has not ended after ``wait_s``.
    """
    response = httpx.patch(f"{rest_url(cfg)}/jobs/{job_id}", params={"mode": "cancel"}, timeout=10)
    if response.status_code not in (404, 409):  # 409: it is already in a terminal state
        response.raise_for_status()
    deadline = time.monotonic() + wait_s
    state = None
    while time.monotonic() < deadline:
        response = httpx.get(f"{rest_url(cfg)}/jobs/{job_id}", timeout=10)
        state = response.json().get("state") if response.status_code != 404 else "gone"
        if state in (*ENDED, "gone"):
            return
        time.sleep(0.5)
    raise EngineError(f"job {job_id} still {state} {wait_s:.0f}s after it was cancelled; "
                      f"see {rest_url(cfg)}/#/job/running/{job_id}")


def submitted_job_id(client_output: str) -> str:
    """The job id sql-client prints after submitting an INSERT or a statement set."""
    match = re.search(r"Job ID: ([0-9a-f]{32})", client_output)
    if match is None:
        raise EngineError("sql-client printed no Job ID: nothing was submitted")
    return match.group(1)


def await_reading(cfg: StackConfig, job_id: str, topic: str, subscription: str,
                  timeout_s: float = 300, settle_s: float = 3) -> None:
    """Return once the job runs and its source has a consumer on every partition of
    ``topic``, and has kept both for ``settle_s``.

    Raises:
        EngineError: the job failed, or is not reading after ``timeout_s``; with the root
            cause of its last failure.
    """
    deadline = time.monotonic() + timeout_s
    steady_since: float | None = None
    while True:
        state = httpx.get(f"{rest_url(cfg)}/jobs/{job_id}", timeout=10).json().get("state")
        if state in ENDED:
            raise EngineError(f"job {job_id} is {state} instead of reading {topic}: "
                              f"{root_cause(cfg, job_id) or 'no reason given'}")
        if state == "RUNNING" and pulsar_admin.reading(cfg, topic, subscription):
            steady_since = steady_since or time.monotonic()
            if time.monotonic() - steady_since >= settle_s:
                return
        else:
            steady_since = None
        if time.monotonic() > deadline:
            cause = root_cause(cfg, job_id)
            raise EngineError(f"job {job_id} is not reading {topic} after {timeout_s:.0f}s"
                              + (f": {cause}" if cause else "")
                              + f"; see {rest_url(cfg)}/#/job/running/{job_id}/exceptions")
        time.sleep(1)


NO_WATERMARK = -(2**63)  # Long.MIN_VALUE: what Flink reports before the first watermark


def _sink_vertices(cfg: StackConfig, job_id: str) -> list[str]:
    """The job's last vertices (no vertex reads from them): its sinks, or their committers."""
    response = httpx.get(f"{rest_url(cfg)}/jobs/{job_id}/plan", timeout=10)
    response.raise_for_status()
    nodes = response.json()["plan"]["nodes"]
    read = {i["id"] for n in nodes for i in n.get("inputs", [])}
    return [n["id"] for n in nodes if n["id"] not in read]


def _input_watermark(cfg: StackConfig, job_id: str, vertex_id: str) -> int:
    """The smallest input watermark of a vertex's subtasks (epoch ms; NO_WATERMARK if none)."""
    marks = httpx.get(f"{rest_url(cfg)}/jobs/{job_id}/vertices/{vertex_id}/watermarks", timeout=10).json()
    values = [int(m["value"]) for m in marks if m["id"].endswith("currentInputWatermark")]
    return min(values) if values else NO_WATERMARK


def sink_watermark(cfg: StackConfig, job_id: str) -> int | None:
    """The event time up to which the job has handed every row to its sinks: the smallest
    watermark that reached one of them (epoch ms), or None for a job without event time
    or before its first watermark. A watermark travels behind the rows before it, so
    every window that closed at or before it has reached its sink."""
    marks = [_input_watermark(cfg, job_id, vertex) for vertex in _sink_vertices(cfg, job_id)]
    if not marks or min(marks) == NO_WATERMARK:
        return None
    return min(marks)


def restarts(cfg: StackConfig, job_id: str) -> int:
    """How often the job has restarted since it was submitted."""
    metrics = httpx.get(f"{rest_url(cfg)}/jobs/{job_id}/metrics", params={"get": "numRestarts"}, timeout=10).json()
    return int(metrics[0]["value"]) if metrics else 0


def committed_watermark(cfg: StackConfig, job_id: str, timeout_s: float = 120) -> int | None:
    """Like sink_watermark, but committed: waits for a checkpoint that began after the
    watermark was read to complete, so every row before it is in its Iceberg tables.

    Raises:
        EngineError: no checkpoint completed within ``timeout_s``.
    """
    read_ms = int(time.time() * 1000)
    mark = sink_watermark(cfg, job_id)
    if mark is None:
        return None
    deadline = time.monotonic() + timeout_s
    while True:
        latest = httpx.get(f"{rest_url(cfg)}/jobs/{job_id}/checkpoints", timeout=10).json().get("latest") or {}
        completed = latest.get("completed") or {}
        if completed.get("trigger_timestamp", 0) > read_ms:
            return mark
        if time.monotonic() > deadline:
            raise EngineError(f"job {job_id}: no checkpoint completed within {timeout_s:.0f}s; "
                              f"see {rest_url(cfg)}/#/job/running/{job_id}/checkpoints")
        time.sleep(1)


def job_parameters(cfg: StackConfig, job_id: str) -> dict[str, str]:
    """The job's global job parameters (``pipeline.global-job-parameters``)."""
    config = httpx.get(f"{rest_url(cfg)}/jobs/{job_id}/config", timeout=10).json()
    return dict(config.get("execution-config", {}).get("user-config", {}))


def root_cause(cfg: StackConfig, job_id: str) -> str | None:
    """The first line of the job's most recent failure, or None if it never failed."""
    history = httpx.get(f"{rest_url(cfg)}/jobs/{job_id}/exceptions", timeout=10).json()
    trace = history.get("root-exception") or ""
    for entry in history.get("exceptionHistory", {}).get("entries", [])[:1]:
        trace = entry.get("stacktrace") or trace
    lines = [ln.strip() for ln in trace.splitlines() if ln.strip()]
    causes = [ln for ln in lines if ln.startswith("Caused by:")]
    line = causes[-1].removeprefix("Caused by:").strip() if causes else (lines[0] if lines else "")
    return line or None


def await_finished(cfg: StackConfig, job_id: str, timeout_s: float = 1800) -> None:
    """Wait until a bounded job has finished.

    Raises:
        EngineError: it failed, was cancelled or restarts (it is then cancelled: a
            bounded job that restarts has met something a retry will not fix), with its
            root cause; or it is still running after ``timeout_s``.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        state = httpx.get(f"{rest_url(cfg)}/jobs/{job_id}", timeout=10).json().get("state")
        if state == "FINISHED":
            return
        if state in ("FAILED", "CANCELED"):
            raise EngineError(f"job {job_id} {state.lower()}: {root_cause(cfg, job_id) or 'no reason given'}")
        if state == "RESTARTING":
            cause = root_cause(cfg, job_id) or "no reason given"
            cancel(cfg, job_id)
            raise EngineError(f"job {job_id} restarts ({cause}); cancelled it")
        if time.monotonic() > deadline:
            raise EngineError(f"job {job_id} still {state} after {timeout_s:.0f}s")
        time.sleep(2)
