"""The main job on the bundled sample: stack up, Bronze running, sample in, rows out."""

from __future__ import annotations

import time
from pathlib import Path

import trino
from rich.console import Console
from rich.table import Table

from rva import flink
from rva.config import REPO_ROOT, StackConfig
from rva.errors import EngineError
from rva.publish import publish
from rva.stack import control

console = Console()
SAMPLE = REPO_ROOT / "samples" / "events.ndjson"
BRONZE_JOB = "rva-bronze"


def trino_connection(cfg: StackConfig) -> trino.dbapi.Connection:
    return trino.dbapi.connect(host="127.0.0.1", port=cfg.ports.trino, user="rva",
                               catalog=cfg.names.catalog, schema=cfg.names.iceberg_namespace)


def ensure_bronze(cfg: StackConfig) -> None:
    """Submit sql/bronze.sql unless the Bronze job already runs."""
    if flink.running_job(cfg, BRONZE_JOB):
        console.print(f"{BRONZE_JOB} already running")
        return
    script = REPO_ROOT / "sql" / "bronze.sql"
    console.print(f"submitting {script.relative_to(REPO_ROOT)} with sql-client.sh -f")
    flink.run_sql_file(cfg, script)


def wait_for_sample(cfg: StackConfig, since: float, expected: int, timeout_s: float) -> list[tuple]:
    """Poll Trino until every sample event published since ``since`` is in bronze_raw."""
    query = f"""
        SELECT camera_id, count(*) AS frames, min(capture_ts) AS first_frame,
               max(capture_ts) AS last_frame
        FROM bronze_raw
        WHERE stream_id LIKE '%/sample' AND ingest_ts >= from_unixtime({since - 5})
        GROUP BY camera_id ORDER BY camera_id"""
    deadline = time.monotonic() + timeout_s
    cursor = trino_connection(cfg).cursor()
    while True:
        try:
            cursor.execute(query)
            rows = cursor.fetchall()
        except trino.exceptions.TrinoUserError as err:
            if "does not exist" not in str(err):
                raise
            rows = []  # the table appears with the first commit
        if sum(r[1] for r in rows) >= expected:
            return rows
        if time.monotonic() > deadline:
            raise EngineError(f"only {sum(r[1] for r in rows)} of {expected} sample events in "
                              f"bronze_raw after {timeout_s:.0f}s; see `rva stack status`")
        time.sleep(2)


def run(cfg: StackConfig, timeout_s: float = 300) -> None:
    report = control.up(cfg)
    ensure_bronze(cfg)
    lines = [ln for ln in Path(SAMPLE).read_bytes().splitlines() if ln.strip()]
    since = time.time()
    sent = publish(report["engines"]["pulsar"]["endpoints"]["service_url"], cfg.names.topic, lines)
    console.print(f"published {sent} sample events to {cfg.names.topic}")
    rows = wait_for_sample(cfg, since, sent, timeout_s)
    table = Table("camera", "frames", "first frame", "last frame",
                  title=f"{cfg.names.catalog}.{cfg.names.iceberg_namespace}.bronze_raw (via Trino)")
    for camera, frames, first, last in rows:
        table.add_row(camera, str(frames), str(first), str(last))
    console.print(table)
    engines = report["engines"]
    console.print("Where to look:")
    console.print(f"  Flink UI        {engines['flink-jobmanager']['endpoints']['rest']}")
    console.print(f"  Trino           {engines['trino']['endpoints']['uri']}  (catalog {cfg.names.catalog})")
    console.print(f"  MinIO console   {engines['minio']['endpoints']['console']}  (keys in {report['state_dir']}/credentials.env)")
    console.print(f"  Prometheus      {engines['prometheus']['endpoints']['url']}")
    console.print("  Stop with       rva stack down")
