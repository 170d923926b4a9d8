"""`rva stack up | down | status`: start, stop and inspect the engines."""

from __future__ import annotations

import time
from typing import Any

from rich.console import Console

from rva.config import StackConfig
from rva.errors import EngineError
from rva.stack import provision
from rva.stack.credentials import Credentials, load_or_create
from rva.stack.engines import Engine, engines, flink_env
from rva.stack.layout import Layout
from rva.stack.process import Process

console = Console(stderr=True)


def _process(layout: Layout, engine: Engine) -> Process:
    return Process(engine.name, layout.pid_file(engine.name), layout.logs(engine.name))


def _crash_report(layout: Layout, engine: Engine) -> str:
    tail = _process(layout, engine).log_tail(15)
    return f"{engine.name} exited; last lines of {layout.logs(engine.name)}:\n{tail}"


def _start(layout: Layout, engine: Engine) -> None:
    """Start ``engine`` unless our process for it already runs."""
    proc = _process(layout, engine)
    if proc.running():
        return
    if proc.pid_file.exists():
        console.log(f"[yellow]{engine.name} had exited; restarting.[/] {_crash_report(layout, engine)}")
    if engine.healthy():
        raise EngineError(
            f"{engine.name}: something else already serves its port; stop it or change "
            "the port in infra/stack.yaml (RVA_PORTS__...)")
    proc.start(engine.command, engine.env, engine.cwd)
    console.log(f"started {engine.name} (log: {proc.log_file})")


# Pulsar 4.0 standalone, started after a stop that killed it (SIGKILL, a crash, a reboot),
# can find its bookie's old registration in the RocksDB metadata store and then fight it:
# the lock on /ledgers/available/<bookie> is invalidated, deleted and re-acquired in a loop
# for as long as it runs (seen here: 1.4 cores and 850 KB/s of log, for hours, every
# engine slowed with it). A clean stop releases the registration, so one clean restart
# ends it.
REGISTRATION_FIGHT = b"Lock on resource /ledgers/available/"
FIGHT_LINES = 100  # in the last 256 KB of its log; a healthy broker has none


def _registration_fight(proc: Process) -> bool:
    """Whether the broker's log, since its process last started, ends in the loop."""
    try:
        with proc.log_file.open("rb") as handle:
            handle.seek(0, 2)
            handle.seek(max(0, handle.tell() - 256 * 1024))
            tail = handle.read()
    except OSError:
        return False
    start = tail.rfind(f"==== rva starts {proc.name}:".encode())  # Process.start's marker
    return tail[max(0, start):].count(REGISTRATION_FIGHT) >= FIGHT_LINES


def _start_and_wait(layout: Layout, engines_: list[Engine], timeout_s: float) -> None:
    """Start each of ``engines_`` (those not running) once none of the engines it comes
    after is still starting, and return when all are healthy.

    Raises:
        EngineError: one exited, or not all were healthy within ``timeout_s``.
    """
    started = time.monotonic()
    deadline = started + timeout_s
    pending = list(engines_)  # not yet started by this call
    waiting = list(engines_)  # not yet healthy
    while waiting:
        starting = {e.name for e in waiting}
        for engine in [e for e in pending if not set(e.after) & starting]:
            _start(layout, engine)
            pending.remove(engine)
        for engine in [e for e in waiting if e not in pending]:
            if not _process(layout, engine).running():
                raise EngineError(_crash_report(layout, engine))
            if engine.healthy():
                console.log(f"{engine.name} healthy after {time.monotonic() - started:.1f}s")
                waiting.remove(engine)
        if waiting and time.monotonic() > deadline:
            names = ", ".join(e.name for e in waiting)
            raise EngineError(f"not healthy after {timeout_s:.0f}s: {names}; see {layout.state / 'logs'}")
        if waiting:
            time.sleep(0.5)


def _end_registration_fight(layout: Layout, engine: Engine, timeout_s: float) -> None:
    """Restart Pulsar cleanly once if its bookie fights its own old registration."""
    proc = _process(layout, engine)
    time.sleep(2)  # the fight starts with the bookie, before the broker is healthy
    if not _registration_fight(proc):
        return
    console.log("[yellow]pulsar: its bookie keeps re-registering (a stale registration after an unclean "
                "stop); restarting it cleanly once[/]")
    proc.stop(engine.stop_grace_s)
    _start_and_wait(layout, [engine], timeout_s)
    time.sleep(2)
    if _registration_fight(proc):
        raise EngineError(f"pulsar: its bookie still re-registers in a loop after a clean restart; see "
                          f"{proc.log_file}")
    console.log("pulsar: restarted cleanly; the bookie registered once")


def up(cfg: StackConfig, fetch: bool = True, timeout_s: float = 600) -> dict[str, Any]:
    """Start what is not running, wait until all are healthy, then provision names.

    Raises:
        EngineError: an engine crashed or was not healthy within ``timeout_s``.
    """
    layout = Layout.of(cfg)
    if fetch:
        from rva.stack.fetch import fetch_all

        fetch_all(cfg, layout)
    creds = load_or_create(layout.credentials)
    stack = engines(cfg, layout, creds)
    started = time.monotonic()
    _start_and_wait(layout, stack, timeout_s)
    pulsar = next(e for e in stack if e.name == "pulsar")
    _end_registration_fight(layout, pulsar, timeout_s)
    provision.ensure_names(cfg, creds)
    console.log(f"stack up in {time.monotonic() - started:.1f}s; state in {layout.state}")
    return status(cfg)


def down(cfg: StackConfig) -> None:
    """Stop the processes that `up` started, in reverse order; data stays."""
    layout = Layout.of(cfg)
    stack = engines(cfg, layout, load_or_create(layout.credentials))
    for engine in reversed(stack):
        if _process(layout, engine).stop(engine.stop_grace_s):
            console.log(f"stopped {engine.name}")


def status(cfg: StackConfig) -> dict[str, Any]:
    """Each engine's endpoints, whether its process runs and whether it answers."""
    layout = Layout.of(cfg)
    report: dict[str, Any] = {"state_dir": str(layout.state), "engines": {}}
    for engine in engines(cfg, layout, load_or_create(layout.credentials)):
        running = _process(layout, engine).running()
        report["engines"][engine.name] = {
            "running": running,
            "healthy": running and engine.healthy(),
            "endpoints": engine.endpoints,
            "log": str(layout.logs(engine.name)),
        }
    report["healthy"] = all(e["healthy"] for e in report["engines"].values())
    return report


def credentials(cfg: StackConfig) -> Credentials:
    return load_or_create(Layout.of(cfg).credentials)


def compose_credentials() -> Credentials:
    """The key pair docker-compose.yml reads from .env (see `rva stack compose`)."""
    from rva.stack.compose import DOT_ENV

    return load_or_create(DOT_ENV)


def shell_env(cfg: StackConfig) -> dict[str, str]:
    """Variables that let `sql-client.sh -f sql/bronze.sql` run by hand against the stack."""
    layout = Layout.of(cfg)
    env = flink_env(cfg, layout, credentials(cfg))
    keys = ["FLINK_HOME", "FLINK_CONF_DIR", "JAVA_HOME", "PATH",
            "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION"]
    return {k: env[k] for k in keys}
