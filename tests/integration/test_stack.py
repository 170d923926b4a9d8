"""`rva stack` on the running stack: status, idempotent up, provisioned names."""

from __future__ import annotations

import json
import subprocess
import sys

import httpx
import pytest

from rva.stack import control
from rva.stack.layout import Layout

from .conftest import Stack

ENGINES = {"minio", "catalog", "pulsar", "flink-jobmanager", "flink-taskmanager", "trino", "prometheus"}


@pytest.fixture()
def local_only(stack: Stack) -> Stack:
    if stack.mode != "local":
        pytest.skip("process-stack behaviour; compose manages its own containers")
    return stack


class TestStatus:
    def test_json_lists_every_endpoint_healthy(self, local_only: Stack) -> None:
        result = subprocess.run([sys.executable, "-m", "rva.cli", "stack", "status", "--json"],
                                capture_output=True, text=True, check=True)
        report = json.loads(result.stdout)
        assert set(report["engines"]) == ENGINES
        assert report["healthy"] is True
        endpoints = {k: v for e in report["engines"].values() for k, v in e["endpoints"].items()}
        ports = local_only.cfg.ports
        assert endpoints["service_url"] == f"pulsar://127.0.0.1:{ports.pulsar}"
        assert endpoints["admin_url"] == f"http://127.0.0.1:{ports.pulsar_admin}"
        assert endpoints["rest"] == f"http://127.0.0.1:{ports.flink_rest}"
        assert endpoints["s3_endpoint"] == f"http://127.0.0.1:{ports.s3}"
        assert endpoints["url"] == f"http://127.0.0.1:{ports.prometheus}"
        assert f":{ports.catalog}" in report["engines"]["catalog"]["endpoints"]["uri"]
        assert f":{ports.trino}" in report["engines"]["trino"]["endpoints"]["uri"]

    def test_second_up_starts_nothing(self, local_only: Stack) -> None:
        layout = Layout.of(local_only.cfg)
        before = {name: layout.pid_file(name).read_text() for name in ENGINES}
        control.up(local_only.cfg, fetch=False)
        after = {name: layout.pid_file(name).read_text() for name in ENGINES}
        assert after == before


class TestProvisioned:
    def test_pulsar_topic_exists(self, stack: Stack) -> None:
        names, port = stack.cfg.names, stack.cfg.ports.pulsar_admin
        response = httpx.get(f"http://127.0.0.1:{port}/admin/v2/persistent/{names.pulsar_namespace}/partitioned")
        assert names.topic in response.json()

    def test_iceberg_namespace_exists(self, stack: Stack) -> None:
        response = httpx.get(f"http://127.0.0.1:{stack.cfg.ports.catalog}/v1/namespaces")
        assert [stack.cfg.names.iceberg_namespace] in response.json()["namespaces"]

    def test_trino_sees_the_same_catalog(self, stack: Stack) -> None:
        cursor = stack.trino("information_schema")
        cursor.execute(f"SHOW SCHEMAS FROM {stack.cfg.names.catalog}")
        assert (stack.cfg.names.iceberg_namespace,) in [tuple(r) for r in cursor.fetchall()]
