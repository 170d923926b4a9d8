"""docker-compose.yml: rendered from infra/, current, and valid for `docker compose`."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import yaml

from rva.config import REPO_ROOT, load_stack_config
from rva.stack.compose import COMPOSE_FILE, compose_file_text, write_configs
from rva.stack.layout import Layout


class TestComposeFile:
    def test_committed_file_is_current(self) -> None:
        assert COMPOSE_FILE.read_text() == compose_file_text(load_stack_config(env={})), (
            "docker-compose.yml is stale: run `rva stack compose`")

    def test_same_versions_as_the_local_stack(self) -> None:
        cfg = load_stack_config(env={})
        services = yaml.safe_load(COMPOSE_FILE.read_text())["services"]
        assert services["pulsar"]["image"].endswith(":" + cfg.artifact("pulsar_server").version)
        assert services["trino"]["image"].endswith(":" + cfg.artifact("trino_server").version)
        assert services["flink-jobmanager"]["build"]["args"]["FLINK_IMAGE"].startswith(
            f"flink:{cfg.flink.version}-")
        assert cfg.minio.version in services["minio"]["build"]["args"]["MINIO_MODULE"]
        jars = services["flink-jobmanager"]["build"]["args"]["JARS"].split()
        assert len(jars) == sum(a.into == "flink-lib" for a in cfg.artifacts.values())

    def test_docker_compose_config_parses_it(self, tmp_path: Path) -> None:
        docker = shutil.which("docker")
        assert docker, "the docker CLI is needed to check docker-compose.yml"
        layout = Layout.of(load_stack_config())
        plugin = layout.docker_config / "cli-plugins" / "docker-compose"
        assert plugin.exists(), "run `rva stack fetch compose-cli` first"
        write_configs(load_stack_config())  # the files it mounts and reads
        env_file = tmp_path / "test.env"  # placeholder keys: only the syntax is checked
        env_file.write_text("RVA_S3_ACCESS_KEY=test\nRVA_S3_SECRET_KEY=test-secret\n")
        result = subprocess.run(
            [docker, "compose", "--env-file", str(env_file), "-f", str(COMPOSE_FILE), "config", "-q"],
            cwd=REPO_ROOT, capture_output=True, text=True,
            env={**os.environ, "DOCKER_CONFIG": str(layout.docker_config)},
        )
        assert result.returncode == 0, result.stderr
