"""The stack configuration: infra/stack.yaml merged with RVA_* environment overrides."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from rva.errors import ConfigError

REPO_ROOT = Path(__file__).resolve().parents[1]
STACK_FILE = REPO_ROOT / "infra" / "stack.yaml"
PIPELINE = REPO_ROOT / "configs" / "pipeline.yaml"  # the pipeline's tunables
ENV_PREFIX = "RVA_"
MAVEN_CENTRAL = "https://repo1.maven.org/maven2"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Ports(_Frozen):
    """TCP ports on 127.0.0.1, one per endpoint."""

    pulsar: int
    pulsar_admin: int
    flink_rest: int
    flink_metrics: str
    catalog: int
    s3: int
    s3_console: int
    trino: int
    prometheus: int
    alertmanager: int
    alert_webhook: int
    vision_metrics: int
    pipeline_metrics: int


class Names(_Frozen):
    """Names every engine agrees on."""

    pulsar_tenant: str
    pulsar_namespace: str
    topic: str
    topic_partitions: int
    topic_retention_minutes: int
    live_topic: str
    live_topic_retention_minutes: int
    bucket: str
    catalog: str
    iceberg_namespace: str


class Memory(_Frozen):
    """JVM heap or process sizes."""

    pulsar: str
    flink_jobmanager: str
    flink_taskmanager: str
    catalog: str
    trino: str


class FlinkPin(_Frozen):
    python_package: str
    udf_packages: list[str]
    taskmanager_slots: int
    sql_gateway: str | None = None  # host:port of a Flink SQL Gateway to submit through

    @property
    def version(self) -> str:
        return self.python_package.split("==", 1)[1]


class GoModulePin(_Frozen):
    """A Go module built from the module proxy."""

    module: str
    version: str


class AptPin(_Frozen):
    """A Debian package (name=version), unpacked into the cache, never installed."""

    apt_package: str


class NpmPin(_Frozen):
    """A package from the npm registry, installed into the cache."""

    npm_package: str


class JavaPin(_Frozen):
    trino_min_version: int
    fallback_package: str


class ComposeImages(_Frozen):
    """Container images for docker-compose.yml, matching the pins above."""

    pulsar: str
    flink: str
    catalog: str
    trino: str
    prometheus: str
    alertmanager: str
    grafana: str
    golang: str
    maven: str


class Artifact(_Frozen):
    """One file on Maven Central, pinned by coordinate and sha256."""

    maven: str
    sha256: str
    into: Literal["flink-lib", "pulsar", "trino", "trino-plugin", "catalog"]

    @field_validator("maven")
    @classmethod
    def _coordinate(cls, value: str) -> str:
        parts = value.split(":")
        if len(parts) not in (3, 4, 5):
            raise ValueError(f"need group:artifact:version[:classifier][:ext], got {value!r}")
        return value

    @field_validator("sha256")
    @classmethod
    def _digest(cls, value: str) -> str:
        if len(value) != 64 or any(c not in "0123456789abcdef" for c in value):
            raise ValueError(f"need 64 lower-case hex digits, got {value!r}")
        return value

    @property
    def version(self) -> str:
        return self.maven.split(":")[2]

    @property
    def filename(self) -> str:
        group, artifact, version, *rest = self.maven.split(":")
        ext = "jar"
        classifier = ""
        if len(rest) == 1:
            ext = rest[0]
        elif len(rest) == 2:
            classifier, ext = rest
        suffix = f"-{classifier}" if classifier else ""
        return f"{artifact}-{version}{suffix}.{ext}"

    @property
    def url(self) -> str:
        group, artifact, version, *_ = self.maven.split(":")
        return f"{MAVEN_CENTRAL}/{group.replace('.', '/')}/{artifact}/{version}/{self.filename}"


class StackConfig(_Frozen):
    """Everything `rva stack` needs to fetch, start and address the engines."""

    cache_dir: Path
    state_dir: Path
    ports: Ports
    names: Names
    memory: Memory
    flink: FlinkPin
    minio: GoModulePin
    prometheus: AptPin
    alertmanager: GoModulePin
    java: JavaPin
    compose_cli: GoModulePin
    rtsp_server: NpmPin
    compose_images: ComposeImages
    artifacts: dict[str, Artifact]

    @field_validator("cache_dir", "state_dir")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return Path(os.path.expanduser(str(value))).resolve()

    def artifact(self, name: str) -> Artifact:
        return self.artifacts[name]

    @property
    def pulsar_service_url(self) -> str:
        """The stack's Pulsar, as clients on this machine reach it."""
        return f"pulsar://127.0.0.1:{self.ports.pulsar}"


def apply_env_overrides(data: dict[str, Any], env: Mapping[str, str]) -> dict[str, Any]:
    """Return a copy of ``data`` with RVA_A__B=value overrides applied to data[a][b].

    Raises:
        ConfigError: an override names a key that does not exist.
    """
    merged = yaml.safe_load(yaml.safe_dump(data))  # deep copy of plain YAML data
    for name, value in sorted(env.items()):
        if not name.startswith(ENV_PREFIX):
            continue
        path = name[len(ENV_PREFIX):].lower().split("__")
        node = merged
        for key in path[:-1]:
            if not isinstance(node.get(key), dict):
                node = None
                break
            node = node[key]
        if node is None or path[-1] not in node or isinstance(node[path[-1]], dict):
            continue  # RVA_* variables that are not stack settings belong to other tools
        node[path[-1]] = value
    return merged


def load_stack_config(
    path: Path = STACK_FILE, env: Mapping[str, str] | None = None
) -> StackConfig:
    """Read ``path`` and apply environment overrides.

    Raises:
        ConfigError: the file is missing, not YAML, or a value is invalid.
    """
    try:
        raw = yaml.safe_load(path.read_text())
    except OSError as err:
        raise ConfigError(f"{path}: cannot read: {err.strerror}") from err
    except yaml.YAMLError as err:
        raise ConfigError(f"{path}: not valid YAML: {err}") from err
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level")
    merged = apply_env_overrides(raw, os.environ if env is None else env)
    try:
        return StackConfig.model_validate(merged)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"{path}: {where}: {first['msg']}") from err
