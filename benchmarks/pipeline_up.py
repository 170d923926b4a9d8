"""Where the time of `rva pipeline up` goes: per layer, the sql-client run (JVM start,
planning, submission) and the job's start until it reads the topic.

A private deployment of the four layers (rva/deployment.py: own topics, namespace and
job names; the running pipeline is not touched) is started, then stopped with
savepoints and started again ``--cycles`` times, as an operator's down/up would. With
``--gateway`` it first starts a Flink SQL Gateway from the same Flink home and submits
through it (`flink.sql_gateway`), so the planner stays warm between submissions.

Needs `rva stack up`. Everything it creates is dropped at the end.

    python benchmarks/pipeline_up.py [--cycles 3] [--gateway]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

import httpx

from rva import flink, pipeline, pulsar_admin
from rva.config import load_stack_config
from rva.deployment import Deployment
from rva.lakehouse import drop_namespace
from rva.stack.credentials import load_or_create
from rva.stack.engines import flink_env
from rva.stack.layout import Layout
from rva.stack.provision import ensure_topic

GATEWAY = "127.0.0.1:8083"


@contextmanager
def sql_gateway(layout: Layout, env: dict[str, str]) -> Iterator[None]:
    """A SQL Gateway on GATEWAY for the duration, logging to the state's logs."""
    host, port = GATEWAY.split(":")
    log = (layout.state / "logs" / "sql-gateway.log").open("w")
    proc = subprocess.Popen([str(layout.flink_home / "bin" / "sql-gateway.sh"), "start-foreground",
                             f"-Dsql-gateway.endpoint.rest.address={host}",
                             f"-Dsql-gateway.endpoint.rest.port={port}"],
                            env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                httpx.get(f"http://{GATEWAY}/v1/info", timeout=2).raise_for_status()
                break
            except httpx.HTTPError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"the SQL Gateway did not start; see {log.name}") from None
                time.sleep(1)
        yield
    finally:
        proc.terminate()
        proc.wait(60)
        log.close()


class Timings:
    """Wraps flink.run_sql_file and flink.await_reading to time each layer's two steps."""

    def __init__(self) -> None:
        self.client: dict[str, list[float]] = defaultdict(list)
        self.reading: dict[str, list[float]] = defaultdict(list)
        self._run, self._await = flink.run_sql_file, flink.await_reading
        flink.run_sql_file, flink.await_reading = self.run_sql_file, self.await_reading

    def run_sql_file(self, cfg, script, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN201
        started = time.monotonic()
        output = self._run(cfg, script, *args, **kwargs)
        self.client[script.stem].append(time.monotonic() - started)
        return output

    def await_reading(self, cfg, job_id, topic, job_name, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN201
        started = time.monotonic()
        result = self._await(cfg, job_id, topic, job_name, *args, **kwargs)
        self.reading[job_name.removeprefix("rva-").split("-")[0]].append(time.monotonic() - started)
        return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=3, help="down/up cycles after the first up")
    parser.add_argument("--gateway", action="store_true", help="submit through a SQL Gateway")
    args = parser.parse_args()
    if args.gateway:
        os.environ["RVA_FLINK__SQL_GATEWAY"] = GATEWAY
    cfg = load_stack_config()
    layout = Layout.of(cfg)
    run = uuid.uuid4().hex[:6]
    names = {"topic": f"persistent://retail/metadata/bench-up-{run}",
             "live_topic": f"persistent://retail/metadata/bench-up-occupancy-{run}",
             "iceberg_namespace": f"bench_up_{run}"}
    deployment = Deployment(cfg, run=f"bench-up-{run}", names=names)
    ensure_topic(cfg, names["topic"])
    ensure_topic(cfg, names["live_topic"], retention_minutes=60)
    timings = Timings()
    ups: list[float] = []
    gateway = sql_gateway(layout, flink_env(cfg, layout, load_or_create(layout.credentials))) if args.gateway \
        else nullcontext()
    try:
        with gateway:
            for cycle in range(args.cycles + 1):
                if cycle:
                    pipeline.down(deployment)
                started = time.monotonic()
                pipeline.up(deployment)
                ups.append(time.monotonic() - started)
    finally:
        pipeline.down(deployment)
        drop_namespace(cfg, names["iceberg_namespace"], "rva-bench")
        for topic in (names["topic"], names["live_topic"]):
            pulsar_admin.delete(cfg, topic)
    print(f"# pipeline up, {'through a SQL Gateway' if args.gateway else 'a sql-client JVM per layer'}; "
          f"{platform.node()}, {os.cpu_count()} cores; {args.cycles + 1} ups (the first one cold)")
    print(f"up s: first {ups[0]:.0f}, then median {statistics.median(ups[1:] or ups):.0f} "
          f"(min {min(ups[1:] or ups):.0f}, max {max(ups[1:] or ups):.0f})")
    print("| layer | sql-client s (median) | submit to reading s (median) |")
    print("|---|---|---|")
    for layer in pipeline.LAYERS:
        print(f"| {layer} | {statistics.median(timings.client[layer]):.1f} | "
              f"{statistics.median(timings.reading[layer]):.1f} |")


if __name__ == "__main__":
    main()
