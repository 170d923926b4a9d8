"""The stack, started once per test session.

RVA_TEST_STACK=local (default) runs the engines as local processes (`rva stack up`);
RVA_TEST_STACK=compose runs docker-compose.yml through testcontainers instead, for
machines with a Docker engine. A stack that was already up is left running.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import trino

from rva import flink, pulsar_admin
from rva.config import REPO_ROOT, StackConfig, load_stack_config
from rva.errors import EngineError
from rva.lakehouse import drop_namespace
from rva.sql.render import render_private_copy
from rva.stack import control
from rva.stack.credentials import REGION, Credentials

LOCAL = "127.0.0.1"


@dataclass(frozen=True)
class Stack:
    """Endpoints of a running stack and how to submit SQL to its Flink cluster."""

    cfg: StackConfig
    creds: Credentials
    mode: str

    @property
    def env_name(self) -> str:
        """The configs/environments/ file whose SQL this stack runs."""
        return "compose" if self.mode == "compose" else "local"

    @property
    def pulsar_url(self) -> str:
        return self.cfg.pulsar_service_url

    def run_sql(self, script: Path) -> str:
        """Submit ``script`` with `sql-client.sh -f`; returns the Flink job id."""
        if self.mode == "compose":
            inside = "/opt/rva/" + str(script.relative_to(REPO_ROOT))
            output = subprocess.run(
                ["docker", "compose", "exec", "-T", "flink-jobmanager", "sql-client.sh", "-f", inside],
                cwd=REPO_ROOT, capture_output=True, text=True, check=True,
            ).stdout
        else:
            output = flink.run_sql_file(self.cfg, script)
        return flink.submitted_job_id(output)

    def submit_layer(self, layer: str, namespace: str, topic: str, run: str,
                     live_topic: str | None = None, **overrides: Any) -> str:
        """Render ``layer`` into a namespace and topics of a test run's own, submit it and
        wait until it reads ``topic``.

        The job and subscription are named rva-<layer>-it-<run>, so a running pipeline
        is never touched. ``overrides`` replace render-context values (thresholds).
        Returns the Flink job id.
        """
        names = {"iceberg_namespace": namespace, "topic": topic}
        if live_topic is not None:
            names["live_topic"] = live_topic
        job_id = self.run_sql(render_private_copy(self.cfg, self.env_name, layer, f"it-{run}", names, **overrides))
        try:
            flink.await_reading(self.cfg, job_id, topic, f"rva-{layer}-it-{run}")
        except EngineError:
            flink.cancel(self.cfg, job_id)
            raise
        return job_id

    def drop_namespace(self, namespace: str, job_ids: list[str], topics: tuple[str, ...] = ()) -> None:
        """Cancel a test run's jobs, then drop its tables, its namespace and ``topics``."""
        for job_id in job_ids:
            flink.cancel(self.cfg, job_id)
        self.delete_topics(*topics)
        drop_namespace(self.cfg, namespace, "rva-tests")

    def delete_topics(self, *topics: str) -> None:
        for topic in topics:
            pulsar_admin.delete(self.cfg, topic)

    def trino(self, schema: str) -> trino.dbapi.Cursor:
        conn = trino.dbapi.connect(host=LOCAL, port=self.cfg.ports.trino, user="rva-tests",
                                   catalog=self.cfg.names.catalog, schema=schema)
        return conn.cursor()

    def poll(self, schema: str, sql: str, until: int, wait_s: float = 300) -> list[tuple]:
        """Run ``sql`` until it returns ``until`` rows or ``wait_s`` passes; returns the rows.

        Tables appear with their first commit, so "does not exist" means: not yet.
        """
        cursor = self.trino(schema)
        deadline = time.monotonic() + wait_s
        rows: list[tuple] = []
        while time.monotonic() < deadline:
            try:
                cursor.execute(sql)
                rows = cursor.fetchall()
            except Exception as err:
                if "does not exist" not in str(err):
                    raise
            if len(rows) >= until:
                return rows
            time.sleep(2)
        return rows

    def catalog_properties(self) -> dict[str, str]:
        """pyiceberg properties for the REST catalog and its S3 warehouse."""
        return {
            "type": "rest",
            "uri": f"http://{LOCAL}:{self.cfg.ports.catalog}",
            "s3.endpoint": f"http://{LOCAL}:{self.cfg.ports.s3}",
            "s3.access-key-id": self.creds.access_key,
            "s3.secret-access-key": self.creds.secret_key,
            "s3.region": REGION,
            "s3.path-style-access": "true",
        }


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    cfg = load_stack_config()
    mode = os.environ.get("RVA_TEST_STACK", "local")
    if mode == "compose":
        from testcontainers.compose import DockerCompose

        compose = DockerCompose(REPO_ROOT, compose_file_name="docker-compose.yml", wait=True)
        compose.start()
        try:
            yield Stack(cfg, control.compose_credentials(), mode)
        finally:
            compose.stop()
        return
    if mode != "local":
        raise pytest.UsageError(f"RVA_TEST_STACK must be local or compose, got {mode!r}")
    was_up = control.status(cfg)["healthy"]
    control.up(cfg)
    try:
        yield Stack(cfg, control.credentials(cfg), mode)
    finally:
        if not was_up and not os.environ.get("RVA_KEEP_STACK"):
            control.down(cfg)
