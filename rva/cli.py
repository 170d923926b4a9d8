"""The `rva` command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
import yaml
from rich.console import Console
from rich.table import Table

from rva.config import PIPELINE, load_stack_config
from rva.errors import RvaError
from vision import cli as vision_cli
from vision.errors import VisionError, run_reporting_errors

app = typer.Typer(help="rva: streaming lakehouse for retail video analytics.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
stack_app = typer.Typer(help="The local lakehouse stack: every engine a plain process.", no_args_is_help=True)
sql_app = typer.Typer(help="Flink SQL: render templates/ into sql/.", no_args_is_help=True)
pipeline_app = typer.Typer(help="The Bronze, Silver and Gold jobs on the stack's Flink cluster.",
                           no_args_is_help=True)
app.add_typer(stack_app, name="stack")
app.add_typer(pipeline_app, name="pipeline")
app.add_typer(sql_app, name="sql")
zones_app = typer.Typer(help="The zones and counting lines the pipeline's jobs run with.", no_args_is_help=True)
app.add_typer(zones_app, name="zones")
app.add_typer(vision_cli.vision_app, name="vision")
app.command("replay")(vision_cli.replay)
console = Console(stderr=True, soft_wrap=True)  # errors stay on one line


@app.callback()
def _defaults(ctx: typer.Context) -> None:
    """Fill the vision producer's Pulsar options from infra/stack.yaml (they stay written once)."""
    if ctx.invoked_subcommand in ("vision", "replay"):
        cfg = load_stack_config()
        defaults = vision_cli.stack_defaults(cfg.pulsar_service_url, f"http://127.0.0.1:{cfg.ports.pulsar_admin}",
                                             cfg.names.topic, cfg.state_dir / "vision" / "spool",
                                             cfg.ports.vision_metrics)
        ctx.default_map = {"vision": {**defaults, "close_after": end_of_stream_s()},
                           "replay": {k: v for k, v in defaults.items() if k != "live_metrics_port"}}


def end_of_stream_s(tunables: dict[str, Any] | None = None) -> float:
    """How far past a stream's last frame its end-of-stream frame goes: far enough that
    Gold's watermark (newest event time less out_of_orderness_s) passes the end of the
    last minute window (at most 60 s on) and of every track and zone visit's gap."""
    t = tunables if tunables is not None else yaml.safe_load(PIPELINE.read_text())
    return float(max(60, t["track_gap_s"], t["dwell_gap_s"]) + t["out_of_orderness_s"] + 1)


@stack_app.command("fetch")
def stack_fetch(
    only: Annotated[Optional[list[str]], typer.Argument(help="Steps to run (default: all).")] = None,
) -> None:
    """Download, verify and unpack every pinned engine into the cache."""
    from rva.stack.fetch import fetch_all
    from rva.stack.layout import Layout

    cfg = load_stack_config()
    fetch_all(cfg, Layout.of(cfg), only)


@stack_app.command("up")
def stack_up(
    fetch: Annotated[bool, typer.Option(help="Fetch missing engines first.")] = True,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for health.")] = 600,
) -> None:
    """Start every engine (a no-op for those already running) and provision names."""
    from rva.stack import control

    control.up(load_stack_config(), fetch=fetch, timeout_s=timeout)


@stack_app.command("down")
def stack_down() -> None:
    """Stop the engines this stack started; leave their data for the next `up`."""
    from rva.stack import control

    control.down(load_stack_config())


@stack_app.command("status")
def stack_status(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Show each engine's endpoints and health; exit 1 if any is unhealthy."""
    from rva.stack import control

    report = control.status(load_stack_config())
    if as_json:
        print(json.dumps(report, indent=2))
    else:
        table = Table("engine", "running", "healthy", "endpoints")
        for name, entry in report["engines"].items():
            table.add_row(name, str(entry["running"]), str(entry["healthy"]),
                          "\n".join(f"{k}: {v}" for k, v in entry["endpoints"].items()))
        Console().print(table)
    if not report["healthy"]:
        raise typer.Exit(1)


@stack_app.command("env")
def stack_env() -> None:
    """Print shell exports for using the stack by hand: eval "$(rva stack env)"."""
    from rva.stack import control

    for key, value in control.shell_env(load_stack_config()).items():
        print(f"export {key}={json.dumps(value)}")


@stack_app.command("compose")
def stack_compose() -> None:
    """Render docker-compose.yml, its config files (build/compose/) and .env."""
    from rva.stack import compose, control

    cfg = load_stack_config()
    for path in compose.write_compose(cfg, control.credentials(cfg)):
        console.print(f"wrote {path}")


@sql_app.command("render")
def sql_render(
    env: Annotated[str, typer.Option(help="Environment file in configs/environments/.")] = "local",
    out: Annotated[Optional[Path], typer.Option(help="Output folder (default: sql/ for local).")] = None,
) -> None:
    """Render every layer template for one environment."""
    from rva.sql.render import render_all

    for path in render_all(load_stack_config(), env, out):
        console.print(f"wrote {path}")


@sql_app.command("docs")
def sql_docs(
    check: Annotated[bool, typer.Option("--check", help="Fail if docs/data-dictionary.md is not current.")] = False,
) -> None:
    """Write docs/data-dictionary.md from each table's model YAML and definition."""
    from rva.sql.docs import DICTIONARY, data_dictionary, write_data_dictionary

    cfg = load_stack_config()
    if check:
        if not DICTIONARY.exists() or DICTIONARY.read_text() != data_dictionary(cfg):
            raise RvaError(f"{DICTIONARY.relative_to(DICTIONARY.parents[1])} is stale: run `rva sql docs`")
        console.print(f"{DICTIONARY} is current")
        return
    console.print(f"wrote {write_data_dictionary(cfg)}")


@pipeline_app.command("up")
def pipeline_up(
    zones: Annotated[Optional[Path], typer.Option(
        help="Zones YAML (default: the zones last applied, else configs/zones.yaml).")] = None,
    rebuild: Annotated[Optional[list[str]], typer.Option(
        help="Drop this layer's tables and state and rebuild it from the topic (repeatable).")] = None,
) -> None:
    """Submit every layer that is not running (resuming from its savepoint), and start
    `rva pipeline watch` (metrics, reconciliation) in the background."""
    from rva import pipeline
    from rva.deployment import Deployment

    deployment = Deployment.main(load_stack_config())
    for layer, job_id in pipeline.up(deployment, zones, rebuild_layers=tuple(rebuild or ())).items():
        console.print(f"{layer}: job {job_id}")
    if pipeline.start_watcher(deployment):
        console.print(f"watch: started (log: {pipeline.watcher(deployment).log_file})")


@zones_app.command("show")
def zones_show() -> None:
    """The zones file the pipeline's jobs were last started with (`pipeline up --zones`)."""
    from datetime import datetime, timezone

    from rva import applied_zones
    from rva.deployment import Deployment

    deployment = Deployment.main(load_stack_config())
    copy = applied_zones.applied(deployment)
    if copy is None:
        console.print(f"no zones applied yet: `rva pipeline up` starts with {applied_zones.DEFAULT_ZONES}",
                      highlight=False)
        return
    when = datetime.fromtimestamp((deployment.state_dir / applied_zones.POINTER).stat().st_mtime, tz=timezone.utc)
    console.print(f"{copy.name}, applied {when:%Y-%m-%d %H:%M:%S}Z ({copy})", highlight=False)
    print(copy.read_text(), end="")


@pipeline_app.command("status")
def pipeline_status() -> None:
    """Each layer's job, state, restarts, event time and last checkpoint, and late events
    per camera; exit 1 if a layer is not running."""
    from datetime import datetime, timezone

    from rva import pipeline, reconcile
    from rva.deployment import Deployment

    deployment = Deployment.main(load_stack_config())
    states = pipeline.status(deployment)
    now = datetime.now(timezone.utc)
    table = Table("layer", "job", "state", "restarts", "event time (UTC)", "lag", "last checkpoint")
    for s in states:
        mark = s.watermark.strftime("%Y-%m-%d %H:%M:%S") if s.watermark else "-"
        lag = f"{(now - s.watermark).total_seconds():,.0f}s" if s.watermark else "-"
        table.add_row(s.layer, s.job_id or "-", s.state, str(s.restarts), mark, lag, s.last_checkpoint or "-")
    Console().print(table)
    for s in states:
        if s.failure:
            console.print(f"{s.layer}: {s.state.lower()}: {s.failure}", highlight=False)
    late = reconcile.late_counts(deployment)
    if late:
        pending = {(p.camera_day.store_id, p.camera_day.camera_id) for p in reconcile.pending(deployment)}
        table = Table("layer", "store", "camera", "late events", "beyond allowed lateness", "reconcile pending",
                      title="late events (silver: behind the camera's newer frames; gold: behind the watermark)")
        for c in late:
            table.add_row(c.layer, c.store_id, c.camera_id, str(c.events), "yes" if c.beyond_allowed else "no",
                          "yes" if c.layer == "gold" and (c.store_id, c.camera_id) in pending else "-")
        Console().print(table)
    if any(s.state != "RUNNING" for s in states):
        raise typer.Exit(1)


@pipeline_app.command("down")
def pipeline_down() -> None:
    """Stop every layer with a savepoint; the next `up` resumes from it. The live layer
    is cancelled: it starts at the newest message every time. Stops `rva pipeline watch`."""
    from rva import pipeline
    from rva.deployment import Deployment

    deployment = Deployment.main(load_stack_config())
    if pipeline.watcher(deployment).stop():
        console.print("watch: stopped")
    for stopped in pipeline.down(deployment):
        console.print(f"{stopped.layer}: {stopped.note}", highlight=False)


@pipeline_app.command("skip")
def pipeline_skip(
    layer: Annotated[str, typer.Argument(help="bronze, silver, gold or live.")],
    to: Annotated[str, typer.Option(
        "--to", help="An ISO-8601 time (every partition), or a message id from bronze_raw / bronze_rejects "
                     "(base64) or as LEDGER:ENTRY:PARTITION: the first message published after it, on its "
                     "partition only (docs/events.md).")],
    zones: Annotated[Optional[Path], typer.Option(
        help="Zones YAML (default: the zones last applied, else configs/zones.yaml).")] = None,
) -> None:
    """Move one layer past a message it cannot get through: stop it, then resume it from
    its saved state no earlier than --to. What it skips is lost to that layer only."""
    from rva import pipeline
    from rva.deployment import Deployment

    deployment = Deployment.main(load_stack_config())
    point = pipeline.skip_point(deployment, to)
    stopped, job_id = pipeline.skip(deployment, layer, point, zones)
    where = "every partition" if point.partition is None else f"partition {point.partition}"
    console.print(f"{layer}: {stopped.note}; resumed as job {job_id} at the first message published at or "
                  f"after {point.time_ms} ms on {where}", highlight=False)


@pipeline_app.command("reconcile")
def pipeline_reconcile(
    day: Annotated[Optional[str], typer.Option(
        "--date", help="Recompute this UTC day (YYYY-MM-DD) even where no late event came.")] = None,
    camera: Annotated[Optional[str], typer.Option(help="With --date: only this camera.")] = None,
    store: Annotated[Optional[str], typer.Option(help="With --date: only this store.")] = None,
) -> None:
    """Recompute Gold from Silver where late events touched it (or for --date), replacing
    each camera-day's closed rows in one commit per table."""
    from datetime import date

    from rva import reconcile
    from rva.deployment import Deployment
    from rva.errors import ConfigError

    deployment = Deployment.main(load_stack_config())
    days = None
    if day is not None:
        try:
            days = reconcile.camera_days_on(deployment, date.fromisoformat(day), camera, store)
        except ValueError as err:
            raise ConfigError(f"--date: need YYYY-MM-DD, got {day!r}") from err
        if not days:
            console.print(f"silver_detection has no rows on {day}" + (f" for {camera}" if camera else ""))
            return
    elif camera or store:
        raise ConfigError("--camera and --store narrow --date; without it every pending camera-day is done")
    report = reconcile.reconcile(deployment, days)
    if not report.camera_days:
        console.print("nothing to reconcile: no late event since the last final run")
        return
    if report.safe_point is None:
        console.print("nothing reconciled yet: the Silver or Gold job has no watermark (no event so far)")
        return
    console.print(f"run {report.run_id}: {len(report.camera_days)} camera-day(s), rows closed by "
                  f"{report.safe_point:%Y-%m-%d %H:%M:%S} UTC; final: {len(report.final)}")
    table = Table("table", "rows before", "rows after")
    for change in report.changes:
        table.add_row(change.table, str(change.rows_before), str(change.rows_after))
    Console().print(table)


@pipeline_app.command("watch")
def pipeline_watch(
    port: Annotated[Optional[int], typer.Option(help="Serve /metrics here (default: ports.pipeline_metrics).")] = None,
) -> None:
    """Serve the pipeline's metrics for Prometheus and reconcile every reconcile_every_s,
    until stopped (`rva pipeline up` runs it in the background)."""
    import logging

    from rva import watch
    from rva.deployment import Deployment

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    cfg = load_stack_config()
    watch.run(Deployment.main(cfg), port or cfg.ports.pipeline_metrics)


@app.command("maintain")
def maintain(
    schema: Annotated[Optional[str], typer.Option(help="Iceberg namespace (default: rva).")] = None,
    retention: Annotated[str, typer.Option(help="Keep snapshots and unreferenced files this long.")] = "1d",
) -> None:
    """Compact small files, expire old snapshots and remove orphan files (via Trino)."""
    from rva.maintain import maintain as run_maintenance

    table = Table("table", "files before", "after", "snapshots before", "after")
    for r in run_maintenance(load_stack_config(), schema, retention):
        table.add_row(r.table, str(r.files_before), str(r.files_after), str(r.snapshots_before),
                      str(r.snapshots_after))
    Console().print(table)


@app.command("live")
def live(
    since: Annotated[float, typer.Option(help="Look this many seconds back for each camera's figures.")] = 10,
    follow: Annotated[bool, typer.Option(help="Keep the table updating until Ctrl-C.")] = False,
) -> None:
    """Current occupancy per camera and zone, from the live topic (`rva pipeline up` runs its job)."""
    from rich.live import Live

    from rva import live as live_topic

    cfg = load_stack_config()
    if not follow:
        newest = live_topic.current(cfg.pulsar_service_url, cfg.names.live_topic, since)
        Console().print(live_topic.table(newest))
        if not newest:
            console.print(f"no figures in the last {since:.0f}s: is the live job running (`rva pipeline status`)?")
        return
    newest = {}
    with Live(live_topic.table(newest), console=Console(), auto_refresh=False) as view:
        for occupancy in live_topic.messages(cfg.pulsar_service_url, cfg.names.live_topic, since, follow=True):
            if live_topic.keep_newest(newest, occupancy):
                view.update(live_topic.table(newest), refresh=True)


@app.command("alerts")
def alerts() -> None:
    """The alerts firing now (Alertmanager; rules in infra/prometheus/alerts.yml.j2)."""
    from rva import alerts as alertmanager

    firing = alertmanager.active(load_stack_config())
    Console().print(alertmanager.table(firing))
    console.print(f"{len(firing)} alert(s) firing")


@app.command("query")
def query(
    sql: Annotated[Optional[str], typer.Argument(help="One SQL statement (or use --file).")] = None,
    file: Annotated[Optional[Path], typer.Option("--file", "-f", help="Read the statement from this file.")] = None,
    output: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
    schema: Annotated[Optional[str], typer.Option(help="Schema of catalog lakehouse (default: rva's).")] = None,
) -> None:
    """Run SQL on Trino's lakehouse catalog and print the result (e.g. sql/trino/*.sql)."""
    from rva.query import FORMATS, as_csv, as_json, run_query

    if output not in FORMATS:
        raise RvaError(f"--format {output}: expected one of {', '.join(FORMATS)}")
    if (sql is None) == (file is None):
        raise RvaError("query: give either SQL or --file, not both or neither")
    if file is not None:
        if not file.is_file():
            raise RvaError(f"--file {file}: no such file")
        sql = file.read_text()
    result = run_query(load_stack_config(), sql or "", schema)
    if output == "csv":
        typer.echo(as_csv(result), nl=False)
    elif output == "json":
        typer.echo(as_json(result))
    else:
        table = Table(*result.columns)
        for row in result.rows:
            table.add_row(*("" if v is None else str(v) for v in row))
        Console().print(table)
        console.print(f"{len(result.rows)} rows")


@app.command("demo")
def demo(
    timeout: Annotated[float, typer.Option(help="Seconds to wait for the sample rows.")] = 300,
) -> None:
    """The main job: start the stack, run the pipeline on the bundled sample, show the result."""
    from rva import demo as demo_job

    demo_job.run(load_stack_config(), timeout_s=timeout)


def main() -> None:
    """Entry point: RvaError and VisionError become one line on stderr and exit code 2."""
    run_reporting_errors(app, (RvaError, VisionError))


if __name__ == "__main__":
    main()
