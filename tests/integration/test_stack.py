"""`rva stack` on the running stack: status, idempotent up, provisioned names."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import yaml

from rva.config import load_stack_config
from rva.stack import control
from rva.stack.engines import ALERT_THRESHOLDS, local_context, render
from rva.stack.layout import Layout

from .conftest import Stack

ENGINES = {"minio", "catalog", "pulsar", "flink-jobmanager", "flink-taskmanager", "trino", "prometheus",
           "alertmanager"}
THRESHOLDS = yaml.safe_load(ALERT_THRESHOLDS.read_text())
ALERTS = {"CameraSilent", "ZoneOverCapacity", "Loitering", "PipelineJobDown", "PipelineJobRestarting",
          "CheckpointsFailing", "PulsarBacklogGrowing", "IcebergTableStale"}


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


class TestAlerting:
    """The rendered alert rules and Alertmanager config, checked by the engines' own tools."""

    def test_prometheus_loaded_the_rules_and_alertmanager(self, local_only: Stack) -> None:
        url = f"http://127.0.0.1:{local_only.cfg.ports.prometheus}/api/v1"
        groups = httpx.get(f"{url}/rules").json()["data"]["groups"]
        assert {r["name"] for g in groups for r in g["rules"]} == set(ALERTS)
        assert all(r["health"] == "ok" for g in groups for r in g["rules"])
        active = httpx.get(f"{url}/alertmanagers").json()["data"]["activeAlertmanagers"]
        assert [a["url"] for a in active] == [f"http://127.0.0.1:{local_only.cfg.ports.alertmanager}/api/v2/alerts"]

    def test_rules_fire_when_and_only_when_they_should(self, local_only: Stack, tmp_path: Path) -> None:
        """promtool's rule tests: time() starts at 0, one sample per 15 s."""
        layout = Layout.of(local_only.cfg)
        silent_s, over_s = THRESHOLDS["camera_silent_s"], THRESHOLDS["over_capacity_s"]
        cam = {"store_id": "s1", "camera_id": "cam_01"}
        dark = {"store_id": "s1", "camera_id": "cam_02"}
        zone = {**cam, "zone_id": "checkout"}
        steps = 40
        tests = {
            "rule_files": [str(layout.conf("prometheus") / "alerts.yml")],
            "evaluation_interval": "15s",
            "tests": [{
                "interval": "15s",
                "input_series": [
                    # cam_01 sends a frame every 15 s; cam_02 sent one at 0 and none after
                    {"series": series("rva_camera_last_frame_timestamp_seconds", cam), "values": f"0+15x{steps}"},
                    {"series": series("rva_camera_last_frame_timestamp_seconds", dark), "values": f"0x{steps}"},
                    {"series": series("rva_zone_occupancy", zone), "values": f"8x{steps}"},
                    {"series": series("rva_zone_occupancy", {**dark, "zone_id": "display"}), "values": f"9x{steps}"},
                    {"series": series("rva_zone_capacity", {"camera_id": "cam_01", "zone_id": "checkout"}),
                     "values": f"6x{steps}"},
                    {"series": series("rva_zone_capacity", {"camera_id": "cam_02", "zone_id": "display"}),
                     "values": f"4x{steps}"},
                ],
                "alert_rule_test": [
                    {"eval_time": f"{silent_s}s", "alertname": "CameraSilent", "exp_alerts": []},
                    {"eval_time": f"{silent_s + 15}s", "alertname": "CameraSilent", "exp_alerts": [{
                        "exp_labels": {**dark, "severity": "warning"},
                        "exp_annotations": {"summary": f"camera cam_02 of s1 sent no frame for {silent_s} s"}}]},
                    {"eval_time": f"{over_s - 15}s", "alertname": "ZoneOverCapacity", "exp_alerts": []},
                    # cam_02's display is over capacity too, but cam_02 is dark by then
                    {"eval_time": f"{silent_s + over_s + 15}s", "alertname": "ZoneOverCapacity", "exp_alerts": [{
                        "exp_labels": {**zone, "severity": "warning"},
                        "exp_annotations": {"summary": f"zone checkout of camera cam_01 holds 8 people, over its "
                                                       f"capacity, for {over_s} s"}}]},
                ],
            }],
        }
        test_file = tmp_path / "rules_test.yml"
        test_file.write_text(yaml.safe_dump(tests))
        promtool = layout.prometheus_home / "usr" / "bin" / "promtool"
        result = subprocess.run([str(promtool), "test", "rules", str(test_file)], capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr

    def test_alertmanager_config_is_valid_with_and_without_telegram(self, local_only: Stack,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
        layout = Layout.of(local_only.cfg)
        amtool = str(layout.amtool_bin)
        rendered = layout.conf("alertmanager") / "alertmanager.yml"
        result = subprocess.run([amtool, "check-config", str(rendered)], capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr
        monkeypatch.setenv("RVA_TELEGRAM_BOT_TOKEN", "123456:not-a-real-token")
        monkeypatch.setenv("RVA_TELEGRAM_CHAT_ID", "-100200300")
        monkeypatch.setenv("RVA_STATE_DIR", str(layout.state / "telegram-check"))  # not the running stack's
        cfg = load_stack_config()
        other = Layout.of(cfg)
        context = local_context(cfg, other)
        with_telegram = render("alertmanager/alertmanager.yml.j2", context,
                               other.conf("alertmanager") / "alertmanager.yml")
        text = with_telegram.read_text()
        assert "not-a-real-token" not in text  # the token is only in its own private file
        token_file = other.conf("alertmanager") / "telegram_bot_token"
        assert token_file.read_text() == "123456:not-a-real-token"
        assert token_file.stat().st_mode & 0o077 == 0
        result = subprocess.run([amtool, "check-config", str(with_telegram)], capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "telegram" in result.stdout


def series(name: str, labels: dict[str, str]) -> str:
    return name + "{" + ",".join(f'{k}="{v}"' for k, v in labels.items()) + "}"
