"""`rva stack compose`: docker-compose.yml and its config files from the same sources.

docker-compose.yml (committed) is rendered from infra/compose/docker-compose.yml.j2
with infra/stack.yaml; the engines' config files are rendered from the same infra/
templates as the local stack, with service names for hosts, into build/compose/.
Credentials go to .env (git-ignored), shared with the local stack's generated keys.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rva.config import REPO_ROOT, StackConfig
from rva.stack.credentials import Credentials
from rva.stack.engines import pulsar_overrides, render, render_text, template_context

COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
GENERATED = REPO_ROOT / "build" / "compose"
DOT_ENV = REPO_ROOT / ".env"
# Compose service names; the s3 and catalog names match configs/environments/compose.yaml.
SERVICE_HOSTS = {
    "pulsar": "pulsar",
    "flink_jobmanager": "flink-jobmanager",
    "flink_taskmanager": "flink-taskmanager",
    "catalog": "iceberg-rest",
    "s3": "minio",
    "trino": "trino",
    "prometheus": "prometheus",
    "alertmanager": "alertmanager",
}
CONTAINER_DIRS = {
    "flink_data": "/opt/flink/data",
    "pulsar_data": "/pulsar/data",
    "trino_data": "/data/trino",
    "prometheus_data": "/prometheus",
    "catalog_data": "/var/lib/iceberg-rest",
}
CONFIG_FILES = {
    "catalog/catalog.env.j2": "catalog/catalog.env",
    "flink/config.yaml.j2": "flink/config.yaml",
    "trino/config.properties.j2": "trino/config.properties",
    "trino/jvm.config.j2": "trino/jvm.config",
    "trino/node.properties.j2": "trino/node.properties",
    "trino/log.properties.j2": "trino/log.properties",
    "trino/catalog/lakehouse.properties.j2": "trino/catalog/lakehouse.properties",
    "prometheus/prometheus.yml.j2": "prometheus/prometheus.yml",
    "prometheus/alerts.yml.j2": "prometheus/alerts.yml",
    "alertmanager/alertmanager.yml.j2": "alertmanager/alertmanager.yml",
    "compose/grafana/datasources/prometheus.yaml.j2": "grafana/datasources/prometheus.yaml",
}


def compose_context(cfg: StackConfig) -> dict[str, Any]:
    context = template_context(cfg, hosts=SERVICE_HOSTS, dirs=CONTAINER_DIRS, bind_host="0.0.0.0",
                               host_machine="host.docker.internal")
    context["images"] = cfg.compose_images.model_dump()
    context["minio"] = cfg.minio.model_dump()
    context["flink_jars"] = [a for a in cfg.artifacts.values() if a.into == "flink-lib"]
    context["pulsar_overrides"] = pulsar_overrides(context)
    context["flink_python"] = "python3"
    context["zones_file"] = "/opt/rva/configs/zones.yaml"
    return context


def compose_file_text(cfg: StackConfig) -> str:
    return render_text("compose/docker-compose.yml.j2", compose_context(cfg))


def write_configs(cfg: StackConfig) -> list[Path]:
    """Render the engines' config files that docker-compose.yml mounts into build/compose/."""
    context = compose_context(cfg)
    return [render(template, context, GENERATED / target) for template, target in CONFIG_FILES.items()]


def write_compose(cfg: StackConfig, creds: Credentials) -> list[Path]:
    """Write docker-compose.yml, build/compose/* and .env; returns what was written."""
    COMPOSE_FILE.write_text(compose_file_text(cfg))
    written = [COMPOSE_FILE, *write_configs(cfg)]
    DOT_ENV.touch(mode=0o600)
    DOT_ENV.write_text(f"RVA_S3_ACCESS_KEY={creds.access_key}\nRVA_S3_SECRET_KEY={creds.secret_key}\n")
    written.append(DOT_ENV)
    return written
