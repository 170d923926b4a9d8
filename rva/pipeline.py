"""`rva pipeline up | status | down`: the Bronze, Silver, Gold and live jobs on the cluster.

`up` submits each layer's sql/<layer>.sql with sql-client unless its job runs, resuming
from the savepoint `down` took or, after a crash or `rva stack down`, from the last
checkpoint the previous job left (checkpoints are retained on cancellation): whichever
is newer. Starting without that state would re-read the topic and append its results a
second time.
The live layer is the exception: it publishes current state, not history, so it
starts at the newest message every time and `down` just cancels it. Every function
takes a Deployment: the main pipeline, or a private copy for tests and benchmarks.
"""

from __future__ import annotations

import base64
import os
import re
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx

from rva import applied_zones, flink
from rva.config import REPO_ROOT
from rva.deployment import Deployment
from rva.errors import ConfigError, EngineError
from rva.lakehouse import trino_cursor
from rva.sql.render import LAYERS
from rva.stack.layout import Layout
from rva.stack.process import Process
from udfs.zones import JOB_PARAMETER, ZoneConfigError, load_zones


@dataclass(frozen=True)
class LayerState:
    """One layer's job as `rva pipeline status` reports it.

    Attributes:
        watermark: The event time up to which the job has handed every row to its sinks
            (None for Bronze, which works without event time, or before the first event).
        failure: The root cause of the job's last failure, shown unless it is RUNNING.
    """

    layer: str
    job_name: str
    job_id: str | None
    state: str
    last_checkpoint: str | None
    restarts: int = 0
    watermark: datetime | None = None
    failure: str | None = None


# Layers that never resume from saved state (see the module docstring).
LIVE_LAYERS = ("live",)


def _savepoint_file(deployment: Deployment, layer: str) -> Path:
    return deployment.state_dir / f"{layer}.savepoint"


def _job_file(deployment: Deployment, layer: str) -> Path:
    return deployment.state_dir / f"{layer}.job"


def _skip_file(deployment: Deployment, layer: str) -> Path:
    """The layer's last `rva pipeline skip` point (the connector's skip-to option)."""
    return deployment.state_dir / f"{layer}.skip"


# How many of a layer's jobs `up` remembers: enough that a job which failed before its
# first checkpoint still leaves the one before it to resume from.
JOBS_REMEMBERED = 5


def _jobs(deployment: Deployment, layer: str) -> list[str]:
    """The ids of the layer's last jobs, oldest first."""
    job = _job_file(deployment, layer)
    return job.read_text().split() if job.exists() else []


def _remember_job(deployment: Deployment, layer: str, job_id: str) -> None:
    """Add ``job_id`` to the layer's last jobs; of those that fall out, the newest one
    with a complete checkpoint is kept (jobs that never checkpointed must not push out
    the state to resume from)."""
    jobs = [*_jobs(deployment, layer), job_id]
    kept = jobs[-JOBS_REMEMBERED:]
    with_state = [j for j in jobs[:-JOBS_REMEMBERED] if _checkpoints(deployment, j)]
    if with_state and not any(_checkpoints(deployment, j) for j in kept):
        kept = [with_state[-1], *kept[1:]]
    job = _job_file(deployment, layer)
    job.parent.mkdir(parents=True, exist_ok=True)
    job.write_text("\n".join(kept) + "\n")


def _checkpoints(deployment: Deployment, job_id: str) -> list[str]:
    """The complete checkpoints Flink retained of a job."""
    root = Layout.of(deployment.cfg).data("flink") / "checkpoints" / job_id
    return [str(d) for d in root.glob("chk-*") if (d / "_metadata").exists()]


def _written_at(location: str) -> float:
    """When a savepoint or checkpoint was completed (its _metadata file), for choosing
    the newer; infinity when it cannot be read here (a remote path: trust it)."""
    try:
        return (Path(location.removeprefix("file:")) / "_metadata").stat().st_mtime
    except OSError:
        return float("inf")


def resume_path(deployment: Deployment, layer: str) -> str | None:
    """The state the layer's next job starts from: the newest of the savepoint `down`
    took and the complete checkpoints of the layer's last jobs; None on a first start
    and for a live layer.

    Newest, not savepoint first: a job started from a savepoint that then failed to
    report reading (or crashed) has written checkpoints past it, and resuming from the
    savepoint would read those messages into the lakehouse a second time."""
    if layer in LIVE_LAYERS:
        return None
    candidates = []
    savepoint = _savepoint_file(deployment, layer)
    if savepoint.exists():
        candidates.append(savepoint.read_text().strip())
    candidates += [c for job in _jobs(deployment, layer) for c in _checkpoints(deployment, job)]
    return max(candidates, key=lambda c: (_written_at(c), c), default=None)


def script_for(deployment: Deployment, layer: str, zones: Path | None, resume: str | None,
               **context: Any) -> Path:
    """The deployment's script of ``layer`` (rendered anew with this submission's
    ``context`` values when there are any), prefixed with this submission's settings:
    the zones file and the state to ``resume`` from (resume_path, chosen once by the caller
    so that what is submitted and what an error names are the same).

    A layer that was skipped keeps its skip point on every later start: a partition it
    has not read from since the skip still has its old position in the layer's state,
    and must not be moved back before the skip by the next restore. The point moves
    nothing that is already past it, so keeping it is harmless once the layer read on.
    """
    skip = _skip_file(deployment, layer)
    if skip.exists() and "skip_to" not in context:
        context = {**context, "skip_to": skip.read_text().strip()}
    prefix = []
    if zones is not None:
        prefix.append(f"SET 'pipeline.global-job-parameters' = '{JOB_PARAMETER}:{zones.resolve()}';")
    if resume is not None:
        # Unclaimed state is refused (Flink's default): state the new plan cannot claim
        # would be dropped silently, the source's positions with it, and the layer
        # would read the topic again from its start.
        prefix.append(f"SET 'execution.savepoint.path' = '{resume}';")
    source = deployment.script(layer, **context)
    if not prefix:
        return source
    script = deployment.state_dir / f"{layer}.sql"
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text("\n".join(prefix) + "\n" + source.read_text())
    return script


def layer_tables(layer: str) -> list[str]:
    """The tables sql/<layer>.sql writes (its CREATE TABLE statements)."""
    text = (REPO_ROOT / "sql" / f"{layer}.sql").read_text()
    return re.findall(r"CREATE TABLE IF NOT EXISTS [\w]+\.[\w]+\.(\w+)", text)


def rebuild(deployment: Deployment, layer: str) -> None:
    """Forget a layer's state: cancel its job, drop its tables, drop its resume point.

    The next `up` then re-reads the topic from the start (within its retention) and
    builds the tables anew; for when a SQL change cannot be mapped onto saved state.
    """
    cfg = deployment.cfg
    running = flink.running_job(cfg, deployment.job_name(layer))
    if running is not None:
        flink.cancel(cfg, running.job_id)
    cursor = trino_cursor(cfg, "rva-pipeline", deployment.namespace)
    for table in layer_tables(layer):
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.fetchall()
    for record in (_savepoint_file, _job_file, _skip_file):
        record(deployment, layer).unlink(missing_ok=True)


def up(deployment: Deployment, zones: Path | None = None, layers: tuple[str, ...] = LAYERS,
       rebuild_layers: tuple[str, ...] = ()) -> dict[str, str]:
    """Submit every layer whose job is not running and wait until each reads the
    topic; returns layer -> job id.

    Raises:
        ConfigError: the zones file is invalid (checked before anything is submitted),
            or a layer to rebuild is unknown.
        EngineError: a layer cannot resume from its saved state.
    """
    unknown = set(rebuild_layers) - set(LAYERS)
    if unknown:
        raise ConfigError(f"--rebuild: unknown layer {sorted(unknown)[0]!r}; layers are {', '.join(LAYERS)}")
    _check_zones(zones)
    cfg = deployment.cfg
    for layer in rebuild_layers:
        rebuild(deployment, layer)
    submitted = {}
    to_submit = []
    for layer in layers:
        running = flink.running_job(cfg, deployment.job_name(layer))
        if running is not None and running.state == "CANCELLING":
            flink.cancel(cfg, running.job_id)  # it is ending: wait for that, then start anew
            running = None
        if running is not None:
            submitted[layer] = running.job_id
        else:
            to_submit.append(layer)
    chosen = applied_zones.choose(deployment, zones, set(submitted))
    applied = applied_zones.record(deployment, chosen) if to_submit else None
    # The layers are independent (each reads the topic and writes only its own tables),
    # so their submissions overlap: a sql-client JVM and a job's start dominate `up`.
    with ThreadPoolExecutor(max_workers=max(1, len(to_submit))) as pool:
        started = {layer: pool.submit(_submit, deployment, layer, applied) for layer in to_submit}
    failures = []
    for layer, future in started.items():
        try:
            submitted[layer] = future.result()
        except EngineError as err:
            failures.append(err)
    if failures:
        raise failures[0]
    submitted = {layer: submitted[layer] for layer in layers}
    return submitted


# How Flink says that saved state does not fit the job's plan: at submission, or when
# the job restores (it then fails).
STATE_MISMATCH = ("rollback to checkpoint/savepoint", "Cannot map checkpoint/savepoint state")


def _check_zones(zones: Path | None) -> None:
    """A bad zones file is a one-line error before anything is stopped or submitted."""
    if zones is not None:
        try:
            load_zones(zones)
        except ZoneConfigError as err:
            raise ConfigError(str(err)) from err


def _submit(deployment: Deployment, layer: str, zones: Path | None, **context: Any) -> str:
    """Submit ``layer`` (resuming from its saved state) and wait until it reads the topic;
    returns the job id.

    Raises:
        EngineError: the job did not start reading; when its saved state does not fit
            the SQL, saying how to go on.
    """
    cfg = deployment.cfg
    resume = resume_path(deployment, layer)
    try:
        job_id = flink.submitted_job_id(flink.run_sql_file(cfg, script_for(deployment, layer, zones, resume, **context)))
        _remember_job(deployment, layer, job_id)  # before waiting: its checkpoints count even if the wait fails
        # The savepoint record stays: a job stopped with a savepoint has FINISHED, and Flink
        # deletes a finished job's checkpoints, so until this job completes its first
        # checkpoint the savepoint is the layer's only position (resume_path takes the newest).
        flink.await_reading(cfg, job_id, deployment.topic, deployment.job_name(layer))
    except EngineError as err:
        if resume is None or not any(m in str(err) for m in STATE_MISMATCH):
            raise
        raise EngineError(
            f"{layer}: cannot resume from {resume}: the SQL changed in a way Flink cannot map onto "
            f"the saved state. Revert the change, or run `rva pipeline up --rebuild {layer}` to drop "
            "its tables and rebuild them from the topic.") from err
    return job_id


@dataclass(frozen=True)
class SkipPoint:
    """Where `rva pipeline skip` resumes a layer: the first message published at or after
    ``time_ms``, on topic partition ``partition`` only, or on every partition (None)."""

    time_ms: int
    partition: int | None = None

    def option(self) -> str:
        """The rva-pulsar connector's 'skip-to' value."""
        return str(self.time_ms) if self.partition is None else f"{self.time_ms}@{self.partition}"


def skip_point(deployment: Deployment, to: str) -> SkipPoint:
    """``to`` as a SkipPoint: an ISO-8601 time (every partition moves to it), or a message
    id as Bronze records it (base64, as in bronze_raw.message_id and bronze_rejects) or
    as `ledger:entry:partition`, meaning just past that message's entry on its partition.

    Raises:
        ConfigError: ``to`` is neither, or the message is not in the topic.
    """
    import pulsar  # the client library; imported here, as only this needs it

    try:
        when = datetime.fromisoformat(to.replace("Z", "+00:00"))
    except ValueError:
        pass
    else:
        when = when if when.tzinfo else when.replace(tzinfo=timezone.utc)
        return SkipPoint(int(when.timestamp() * 1000))
    try:
        if re.fullmatch(r"\d+:\d+:-?\d+", to):
            ledger, entry, partition = (int(p) for p in to.split(":"))
            message_id = pulsar.MessageId(partition, ledger, entry, -1)
        else:
            message_id = pulsar.MessageId.deserialize(base64.b64decode(to, validate=True))
    except Exception as err:  # the client raises plain exceptions for a bad id
        raise ConfigError(f"--to {to!r}: neither an ISO-8601 time nor a message id ({err})") from err
    topic = deployment.topic
    if message_id.partition() >= 0:
        topic = f"{topic}-partition-{message_id.partition()}"
    client = pulsar.Client(deployment.cfg.pulsar_service_url, logger=pulsar.ConsoleLogger(pulsar.LoggerLevel.Error))
    try:
        reader = client.create_reader(topic, message_id, start_message_id_inclusive=True)
        try:
            message = reader.read_next(timeout_millis=10_000)
        except pulsar.Timeout as err:
            raise ConfigError(f"--to {to!r}: no such message in {topic}") from err
        got = message.message_id()
        if (got.ledger_id(), got.entry_id()) != (message_id.ledger_id(), message_id.entry_id()):
            # The reader starts at the next message that still exists: skipping to its
            # time would skip more than asked.
            raise ConfigError(f"--to {to!r}: no such message in {topic} (deleted by retention?); "
                              f"the next one is {got.ledger_id()}:{got.entry_id()}:{got.partition()}")
        published = message.publish_timestamp()
    finally:
        client.close()
    partition = message_id.partition() if message_id.partition() >= 0 else None
    return SkipPoint(published + 1, partition)


def skip(deployment: Deployment, layer: str, to: SkipPoint, zones: Path | None = None) -> tuple[Stopped, str]:
    """Move ``layer`` past every message published before ``to`` (on its partition, or
    on all): stop its job (a savepoint if it runs, else cancel it), then resume it from
    that state with the connector's skip-to option, so every position already past
    ``to`` stays where it was. Returns how it was stopped and the new job id.

    What is skipped is lost to that layer only: Bronze keeps every message it read.
    """
    if layer not in LAYERS:
        raise ConfigError(f"unknown layer {layer!r}; layers are {', '.join(LAYERS)}")
    _check_zones(zones)
    running = {name for name in LAYERS if flink.running_job(deployment.cfg, deployment.job_name(name)) is not None}
    applied = applied_zones.record(deployment, applied_zones.choose(deployment, zones, running))
    stopped = down(deployment, layers=(layer,))
    skip = _skip_file(deployment, layer)
    skip.parent.mkdir(parents=True, exist_ok=True)
    skip.write_text(to.option())  # script_for applies it on this and every later start
    return (stopped[0] if stopped else Stopped(layer, None, "was not running"),
            _submit(deployment, layer, applied))


def watcher(deployment: Deployment) -> Process:
    """The background `rva pipeline watch` of the main pipeline (metrics, reconciliation)."""
    layout = Layout.of(deployment.cfg)
    return Process("pipeline-watch", layout.pid_file("pipeline-watch"), layout.logs("pipeline-watch"))


def start_watcher(deployment: Deployment) -> bool:
    """Start `rva pipeline watch` unless it runs; True if this call started it."""
    process = watcher(deployment)
    if deployment.run is not None or process.running():
        return False
    process.start([sys.executable, "-m", "rva.cli", "pipeline", "watch"], dict(os.environ), REPO_ROOT)
    return True


def status(deployment: Deployment) -> list[LayerState]:
    cfg = deployment.cfg
    every = flink.jobs(cfg)
    jobs = {j.name: j for j in every if j.state in flink.NOT_ENDED}
    states = []
    for layer in LAYERS:
        job = jobs.get(deployment.job_name(layer))
        if job is None:
            # Say why when the layer's newest job failed for good (a restore refused, say).
            ended = max((j for j in every if j.name == deployment.job_name(layer)), key=lambda j: j.start_ms,
                        default=None)
            failed = ended is not None and ended.state == "FAILED"
            states.append(LayerState(layer, deployment.job_name(layer), ended.job_id if failed else None,
                                     "FAILED" if failed else "NOT RUNNING", None,
                                     failure=flink.root_cause(cfg, ended.job_id) if failed else None))
            continue
        counts = httpx.get(f"{flink.rest_url(cfg)}/jobs/{job.job_id}/checkpoints", timeout=10).json()
        latest = (counts.get("latest") or {}).get("completed") or {}
        mark = flink.sink_watermark(cfg, job.job_id) if job.state == "RUNNING" else None
        states.append(LayerState(
            layer, job.name, job.job_id, job.state, latest.get("external_path"),
            restarts=flink.restarts(cfg, job.job_id),
            watermark=datetime.fromtimestamp(mark / 1000, tz=timezone.utc) if mark is not None else None,
            failure=flink.root_cause(cfg, job.job_id) if job.state != "RUNNING" else None))
    return states


@dataclass(frozen=True)
class Stopped:
    """What `down` did with one layer's job.

    Attributes:
        savepoint: Where `up` resumes the layer from; None when the job was cancelled
            (the live layer always is; a lakehouse layer that was not RUNNING, or whose
            savepoint failed, resumes from its last completed checkpoint).
        note: One line for the operator.
    """

    layer: str
    savepoint: str | None
    note: str


def _stop_with_savepoint(deployment: Deployment, layer: str, job_id: str, timeout_s: float) -> str:
    """The savepoint's location once the job has stopped on it.

    Raises:
        EngineError: the savepoint failed or took longer than ``timeout_s``.
    """
    cfg = deployment.cfg
    trigger = httpx.post(f"{flink.rest_url(cfg)}/jobs/{job_id}/stop", json={"drain": False},
                         timeout=30).json()["request-id"]
    deadline = time.monotonic() + timeout_s
    while True:
        result = httpx.get(f"{flink.rest_url(cfg)}/jobs/{job_id}/savepoints/{trigger}", timeout=30).json()
        if result["status"]["id"] == "COMPLETED":
            operation = result["operation"]
            if "location" not in operation:
                cause = operation.get("failure-cause", {})
                raise EngineError(f"stop-with-savepoint failed: {cause.get('class', operation)}")
            return operation["location"]
        if time.monotonic() > deadline:
            raise EngineError(f"no savepoint after {timeout_s:.0f}s")
        time.sleep(1)


def _finished_on_savepoint(deployment: Deployment, job_id: str) -> str | None:
    """The savepoint a job stopped on after `down` gave up waiting for it, if it did:
    such a job has FINISHED, its checkpoints are deleted, and the savepoint is all that
    is left of its position."""
    cfg = deployment.cfg
    if httpx.get(f"{flink.rest_url(cfg)}/jobs/{job_id}", timeout=10).json().get("state") != "FINISHED":
        return None
    latest = httpx.get(f"{flink.rest_url(cfg)}/jobs/{job_id}/checkpoints", timeout=10).json().get("latest") or {}
    return (latest.get("savepoint") or {}).get("external_path")


def down(deployment: Deployment, timeout_s: float = 120, layers: tuple[str, ...] = LAYERS) -> list[Stopped]:
    """Stop each layer's job: a running lakehouse layer with a savepoint, anything else by
    cancelling it, saying so. Nothing is lost either way: a cancelled layer resumes from
    its last completed checkpoint (retained on cancellation)."""
    cfg = deployment.cfg
    stopped = []
    for layer in reversed([layer for layer in LAYERS if layer in layers]):
        job = flink.running_job(cfg, deployment.job_name(layer))
        if job is None:
            continue
        if layer in LIVE_LAYERS:
            flink.cancel(cfg, job.job_id)
            stopped.append(Stopped(layer, None, "cancelled (it starts at the newest message every time)"))
            continue
        if job.state != "RUNNING":
            cause = flink.root_cause(cfg, job.job_id) or "no reason given"
            flink.cancel(cfg, job.job_id)
            stopped.append(Stopped(layer, None, f"was {job.state} ({cause}); cancelled, `up` resumes it "
                                                "from its last completed checkpoint"))
            continue
        try:
            location = _stop_with_savepoint(deployment, layer, job.job_id, timeout_s)
        except EngineError as err:
            if flink.running_job(cfg, deployment.job_name(layer)) is not None:
                flink.cancel(cfg, job.job_id)
            location = _finished_on_savepoint(deployment, job.job_id)
            if location is None:
                stopped.append(Stopped(layer, None, f"{err}; cancelled, `up` resumes it from its last completed "
                                                    "checkpoint"))
                continue
        path = _savepoint_file(deployment, layer)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(location)
        stopped.append(Stopped(layer, location, f"savepoint {location}"))
    return stopped
