"""Reconciliation: Gold recomputed from Silver where late events touched it.

The streaming Gold job writes a window or visit once its watermark passes it; an event
that arrives behind the watermark (a camera lagging the others of its partition, say)
is dropped by those windows and listed in gold_late_events instead. Silver keeps every
detection. A run here:

1. takes the camera-days (store, camera, UTC date) listed in gold_late_events since the
   last *final* run of each (or the camera-days asked for);
2. finds the safe point S: the smallest watermark up to which both the Silver and the
   Gold job have committed every row (so Silver is complete up to S, and the streaming
   job will write no further row that closes at or before S);
3. runs sql/reconcile.sql: the Gold models of templates/gold/ over a bounded read of
   silver_detection for those camera-days (with a margin on either side), into a
   staging namespace;
4. for each Gold table, replaces the rows each camera-day owns (by the day of their
   start) that had closed by S with the recomputed ones: one pyiceberg transaction
   (delete + append) per table, so readers see the old rows or the new, never neither;
5. records the run in gold_reconcile_log. A camera-day's run is final once S has passed
   the end of the day plus the margin; until then later runs recompute it again, since
   rows the streaming job writes after a late event may be missing it too.

So Gold converges to what the Gold models compute over every Silver detection that is
not beyond the allowed lateness, within one reconcile period after both jobs' watermarks
pass an event. Visits or stays longer than the margin that cross midnight UTC are the
bound of that claim.
"""

from __future__ import annotations

import fcntl
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pyarrow as pa
from pyiceberg.exceptions import CommitFailedException, NoSuchTableError
from pyiceberg.expressions import (
    AlwaysFalse,
    And,
    BooleanExpression,
    EqualTo,
    GreaterThanOrEqual,
    LessThan,
    LessThanOrEqual,
    Or,
)
from pyiceberg.schema import Schema
from pyiceberg.table import Table
from pyiceberg.types import (
    BooleanType,
    DateType,
    IntegerType,
    NestedField,
    StringType,
    TimestampType,
    TimestamptzType,
)

from rva import flink
from rva.deployment import Deployment
from rva.errors import EngineError
from rva.lakehouse import iceberg_catalog
from rva.sql.gold_models import GOLD_TABLES, GoldTable
from rva.sql.render import RECONCILE
from udfs.zones import JOB_PARAMETER

LATE_EVENTS = "gold_late_events"
SILVER_LATE_EVENTS = "silver_late_events"
LOG = "gold_reconcile_log"
LOG_SCHEMA = Schema(
    NestedField(1, "run_id", StringType(), required=True),
    NestedField(2, "store_id", StringType(), required=True),
    NestedField(3, "camera_id", StringType(), required=True),
    NestedField(4, "capture_date", DateType(), required=True),
    NestedField(5, "late_events", IntegerType(), required=True),
    NestedField(6, "late_through", TimestamptzType(), required=False),
    NestedField(7, "safe_point", TimestamptzType(), required=True),
    NestedField(8, "final", BooleanType(), required=True),
    NestedField(9, "finished_at", TimestamptzType(), required=True),
)
COMMIT_ATTEMPTS = 20  # the streaming jobs commit every checkpoint; a swap retries past them


@dataclass(frozen=True)
class CameraDay:
    """One camera's rows of one UTC day: the unit reconciliation recomputes."""

    store_id: str
    camera_id: str
    day: date

    @property
    def start(self) -> datetime:
        return datetime(self.day.year, self.day.month, self.day.day, tzinfo=timezone.utc)

    @property
    def end(self) -> datetime:
        return self.start + timedelta(days=1)

    def scope(self, margin_s: int) -> dict[str, Any]:
        """The Silver rows this camera-day is recomputed from, for templates/reconcile/."""
        first, last = self.start - timedelta(seconds=margin_s), self.end + timedelta(seconds=margin_s)
        return {
            "store_id": _sql_string(self.store_id),
            "camera_id": _sql_string(self.camera_id),
            "first_date": first.date().isoformat(),
            "last_date": (last - timedelta(milliseconds=1)).date().isoformat(),
            "from_ms": int(first.timestamp() * 1000),
            "to_ms": int(last.timestamp() * 1000),
        }


@dataclass(frozen=True)
class Pending:
    """A camera-day with late events that no final run has covered yet."""

    camera_day: CameraDay
    late_events: int
    late_through: datetime | None  # the newest arrival among them


@dataclass(frozen=True)
class TableChange:
    table: str
    rows_before: int
    rows_after: int


@dataclass(frozen=True)
class Report:
    """What one run did."""

    run_id: str
    safe_point: datetime | None
    camera_days: list[Pending]
    final: list[CameraDay]
    changes: list[TableChange]


def staging_namespace(namespace: str) -> str:
    """Where a run of ``namespace``'s reconciliation writes its recomputed rows."""
    return f"{namespace}_reconcile"


def _sql_string(value: str) -> str:
    return value.replace("'", "''")


def _load(deployment: Deployment, table: str) -> Table | None:
    try:
        return iceberg_catalog(deployment.cfg).load_table((deployment.namespace, table))
    except NoSuchTableError:
        return None


def pending(deployment: Deployment) -> list[Pending]:
    """Camera-days in gold_late_events with an event newer than their last final run."""
    late = _load(deployment, LATE_EVENTS)
    if late is None:
        return []
    rows = late.scan(selected_fields=("store_id", "camera_id", "capture_date", "arrival_ts")).to_arrow()
    if rows.num_rows == 0:
        return []
    grouped = rows.group_by(["store_id", "camera_id", "capture_date"]).aggregate(
        [("arrival_ts", "max"), ("arrival_ts", "count")])
    done: dict[tuple, datetime] = {}
    log = _load(deployment, LOG)
    if log is not None:
        finals = log.scan(row_filter=EqualTo("final", True),
                          selected_fields=("store_id", "camera_id", "capture_date", "late_through")).to_arrow()
        for r in finals.to_pylist():
            key = (r["store_id"], r["camera_id"], r["capture_date"])
            if r["late_through"] is not None and (key not in done or r["late_through"] > done[key]):
                done[key] = r["late_through"]
    result = []
    for r in grouped.to_pylist():
        key = (r["store_id"], r["camera_id"], r["capture_date"])
        newest = r["arrival_ts_max"]
        if key not in done or newest > done[key]:
            result.append(Pending(CameraDay(*key), r["arrival_ts_count"], newest))
    return sorted(result, key=lambda p: (p.camera_day.day, p.camera_day.store_id, p.camera_day.camera_id))


@dataclass(frozen=True)
class LateCount:
    """Late events of one camera in one layer.

    Attributes:
        layer: "silver": events that came more than out_of_orderness_s behind newer frames
            of their camera; "gold": events that reached the streaming Gold job behind its
            watermark (reconciliation adds them).
        beyond_allowed: Beyond the allowed lateness: Gold never counts them.
    """

    layer: str
    store_id: str
    camera_id: str
    beyond_allowed: bool
    events: int


def late_counts(deployment: Deployment) -> list[LateCount]:
    """Every late event so far, counted per layer and camera."""
    counts = []
    silver = _load(deployment, SILVER_LATE_EVENTS)
    if silver is not None:
        rows = silver.scan(selected_fields=("store_id", "camera_id", "is_late")).to_arrow()
        for r in rows.group_by(["store_id", "camera_id", "is_late"]).aggregate([("is_late", "count")]).to_pylist():
            counts.append(LateCount("silver", r["store_id"], r["camera_id"], r["is_late"], r["is_late_count"]))
    gold = _load(deployment, LATE_EVENTS)
    if gold is not None:
        rows = gold.scan(selected_fields=("store_id", "camera_id")).to_arrow()
        for r in rows.group_by(["store_id", "camera_id"]).aggregate([("camera_id", "count")]).to_pylist():
            counts.append(LateCount("gold", r["store_id"], r["camera_id"], False, r["camera_id_count"]))
    return sorted(counts, key=lambda c: (c.layer, c.store_id, c.camera_id, c.beyond_allowed))


def safe_point(deployment: Deployment) -> datetime | None:
    """The smallest committed sink watermark of the Silver and Gold jobs, or None when
    either has none yet.

    Raises:
        EngineError: the Silver or Gold job is not running.
    """
    marks = []
    for layer in ("silver", "gold"):
        job = flink.running_job(deployment.cfg, deployment.job_name(layer))
        if job is None or job.state != "RUNNING":
            raise EngineError(f"reconcile needs the {layer} job running ({deployment.job_name(layer)}); "
                              "start it with `rva pipeline up`")
        marks.append(flink.committed_watermark(deployment.cfg, job.job_id))
    if any(m is None for m in marks):
        return None
    return datetime.fromtimestamp(min(marks) / 1000, tz=timezone.utc)  # type: ignore[type-var]


def ownership(table: Table, spec: GoldTable, days: list[CameraDay], safe: datetime,
              tunables: dict[str, Any]) -> BooleanExpression:
    """The rows of ``table`` a run over ``days`` replaces: each day's rows of its camera
    that start on that day and had closed by ``safe``."""
    closed_at = safe - timedelta(seconds=tunables[spec.gap_key] if spec.gap_key else 0)

    def literal(column: str, value: datetime) -> str:
        kind = table.schema().find_field(column).field_type
        if isinstance(kind, TimestampType):  # TIMESTAMP(3) in Flink: UTC wall time
            return value.astimezone(timezone.utc).replace(tzinfo=None).isoformat()
        return value.isoformat()

    expression: BooleanExpression = AlwaysFalse()
    for day in days:
        expression = Or(expression, And(
            EqualTo("store_id", day.store_id),
            EqualTo("camera_id", day.camera_id),
            GreaterThanOrEqual(spec.owned_by, literal(spec.owned_by, day.start)),
            LessThan(spec.owned_by, literal(spec.owned_by, day.end)),
            LessThanOrEqual(spec.closed_by, literal(spec.closed_by, closed_at)),
        ))
    return expression


def replace_rows(load: Any, predicate: BooleanExpression, rows: pa.Table) -> int:
    """Delete the rows matching ``predicate`` and append ``rows``, in one commit; retried
    when a streaming job committed in between. ``load`` returns the table afresh.
    Returns how many rows matched before."""
    for attempt in range(COMMIT_ATTEMPTS):
        table = load()
        before = table.scan(row_filter=predicate).to_arrow().num_rows
        try:
            with table.transaction() as tx:
                if before:
                    tx.delete(delete_filter=predicate)
                if rows.num_rows:
                    tx.append(rows)
            return before
        except CommitFailedException:
            time.sleep(min(2.0, 0.2 * (attempt + 1)))
    raise EngineError(f"{load().name()}: gave up replacing rows after {COMMIT_ATTEMPTS} conflicting commits")


@contextmanager
def _one_at_a_time(deployment: Deployment) -> Iterator[None]:
    """Serialize runs of one deployment (the watcher and an operator may both start one)."""
    deployment.state_dir.mkdir(parents=True, exist_ok=True)
    with (deployment.state_dir / "reconcile.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _drop_staging(deployment: Deployment) -> None:
    catalog = iceberg_catalog(deployment.cfg)
    staging = staging_namespace(deployment.namespace)
    for spec in GOLD_TABLES:
        try:
            catalog.purge_table((staging, spec.name))
        except NoSuchTableError:
            pass


def _recompute(deployment: Deployment, days: list[CameraDay]) -> None:
    """Run the Gold models over Silver for ``days`` into the staging namespace."""
    cfg = deployment.cfg
    gold = flink.running_job(cfg, deployment.job_name("gold"))
    zones = flink.job_parameters(cfg, gold.job_id).get(JOB_PARAMETER) if gold else None
    margin = deployment.tunables()["reconcile_margin_s"]
    script = deployment.script(
        RECONCILE, names={"iceberg_namespace": staging_namespace(deployment.namespace)},
        silver_namespace=deployment.namespace, reconcile_days=[d.scope(margin) for d in days])
    if zones:
        text = f"SET 'pipeline.global-job-parameters' = '{JOB_PARAMETER}:{zones}';\n" + script.read_text()
        script.write_text(text)
    job_id = flink.submitted_job_id(flink.run_sql_file(cfg, script))
    flink.await_finished(cfg, job_id)


def _log(deployment: Deployment, run_id: str, work: list[Pending], final: set[CameraDay],
         safe: datetime) -> None:
    catalog = iceberg_catalog(deployment.cfg)
    log = catalog.create_table_if_not_exists((deployment.namespace, LOG), LOG_SCHEMA)
    now = datetime.now(timezone.utc)
    rows = [{"run_id": run_id, "store_id": p.camera_day.store_id, "camera_id": p.camera_day.camera_id,
             "capture_date": p.camera_day.day, "late_events": p.late_events, "late_through": p.late_through,
             "safe_point": safe, "final": p.camera_day in final, "finished_at": now} for p in work]
    log.append(pa.Table.from_pylist(rows, schema=log.schema().as_arrow()))


def reconcile(deployment: Deployment, days: list[CameraDay] | None = None) -> Report:
    """One run over the pending camera-days, or over ``days`` when given.

    Raises:
        EngineError: the Silver or Gold job is not running, or the recompute failed.
    """
    run_id = uuid.uuid4().hex[:12]
    with _one_at_a_time(deployment):
        work = pending(deployment) if days is None else [Pending(d, 0, None) for d in days]
        if not work:
            return Report(run_id, None, [], [], [])
        safe = safe_point(deployment)
        if safe is None:
            return Report(run_id, None, work, [], [])
        tunables = deployment.tunables()
        margin = timedelta(seconds=tunables["reconcile_margin_s"])
        camera_days = [p.camera_day for p in work]
        _drop_staging(deployment)
        try:
            _recompute(deployment, camera_days)
            catalog = iceberg_catalog(deployment.cfg)
            staging = staging_namespace(deployment.namespace)
            changes = []
            for spec in GOLD_TABLES:
                target = (deployment.namespace, spec.name)
                table = catalog.load_table(target)
                predicate = ownership(table, spec, camera_days, safe, tunables)
                try:
                    recomputed = catalog.load_table((staging, spec.name)).scan(row_filter=predicate).to_arrow()
                except NoSuchTableError:  # the recompute wrote no row for it
                    recomputed = table.schema().as_arrow().empty_table()
                before = replace_rows(lambda t=target: catalog.load_table(t), predicate, recomputed)
                changes.append(TableChange(spec.name, before, recomputed.num_rows))
        finally:
            _drop_staging(deployment)
        final = {d for d in camera_days if safe >= d.end + margin}
        _log(deployment, run_id, work, final, safe)
        return Report(run_id, safe, work, sorted(final, key=lambda d: (d.day, d.camera_id)), changes)


def camera_days_on(deployment: Deployment, day: date, camera_id: str | None = None,
                   store_id: str | None = None) -> list[CameraDay]:
    """The camera-days Silver has rows for on ``day`` (optionally one camera or store)."""
    silver = _load(deployment, "silver_detection")
    if silver is None:
        return []
    condition: BooleanExpression = EqualTo("capture_date", day.isoformat())
    if camera_id:
        condition = And(condition, EqualTo("camera_id", camera_id))
    if store_id:
        condition = And(condition, EqualTo("store_id", store_id))
    rows = silver.scan(row_filter=condition, selected_fields=("store_id", "camera_id")).to_arrow()
    pairs = rows.group_by(["store_id", "camera_id"]).aggregate([])
    return [CameraDay(r["store_id"], r["camera_id"], day) for r in pairs.to_pylist()]

