"""Create the names every job expects, idempotently: bucket, Iceberg namespace, topic."""

from __future__ import annotations

import httpx
from pyarrow import fs

from rva import pulsar_admin
from rva.config import StackConfig
from rva.errors import EngineError
from rva.stack.credentials import REGION, Credentials

LOCAL = "127.0.0.1"
PULSAR_CLUSTER = "standalone"  # clusterName in infra/pulsar/standalone.conf.j2


def _expect(response: httpx.Response, what: str, ok: tuple[int, ...] = (200, 204)) -> None:
    if response.status_code not in ok:
        raise EngineError(f"{what}: HTTP {response.status_code}: {response.text[:200]}")


def ensure_bucket(cfg: StackConfig, creds: Credentials) -> None:
    s3 = fs.S3FileSystem(
        access_key=creds.access_key, secret_key=creds.secret_key, region=REGION,
        endpoint_override=f"{LOCAL}:{cfg.ports.s3}", scheme="http", allow_bucket_creation=True,
    )
    if s3.get_file_info(cfg.names.bucket).type == fs.FileType.NotFound:
        s3.create_dir(cfg.names.bucket)


def ensure_iceberg_namespace(cfg: StackConfig) -> None:
    url = f"http://{LOCAL}:{cfg.ports.catalog}/v1/namespaces"
    body = {"namespace": [cfg.names.iceberg_namespace], "properties": {}}
    _expect(httpx.post(url, json=body, timeout=30), "create Iceberg namespace", ok=(200, 409))


def ensure_topic(cfg: StackConfig, topic: str | None = None, retention_minutes: int | None = None,
                 partitions: int | None = None) -> None:
    """The tenant, the namespace (with retention) and ``topic`` (default: the events
    topic) as a partitioned topic; auto-creation would make it non-partitioned.
    ``retention_minutes`` gives the topic a retention of its own instead of the namespace's;
    ``partitions`` another partition count than names.topic_partitions."""
    admin = f"http://{LOCAL}:{cfg.ports.pulsar_admin}/admin/v2"
    n = cfg.names
    _expect(httpx.put(f"{admin}/tenants/{n.pulsar_tenant}",
                      json={"allowedClusters": [PULSAR_CLUSTER], "adminRoles": []}, timeout=30),
            "create Pulsar tenant", ok=(204, 409))
    _expect(httpx.put(f"{admin}/namespaces/{n.pulsar_namespace}", timeout=30),
            "create Pulsar namespace", ok=(204, 409))
    retention = {"retentionTimeInMinutes": n.topic_retention_minutes, "retentionSizeInMB": -1}
    _expect(httpx.post(f"{admin}/namespaces/{n.pulsar_namespace}/retention", json=retention, timeout=30),
            "set Pulsar retention")
    url = pulsar_admin.topic_url(cfg, topic or n.topic)
    _expect(httpx.put(f"{url}/partitions", json=partitions or n.topic_partitions, timeout=30),
            "create Pulsar topic", ok=(204, 409))
    if retention_minutes is not None:
        own = {"retentionTimeInMinutes": retention_minutes, "retentionSizeInMB": -1}
        _expect(httpx.post(f"{url}/retention", json=own, timeout=30), f"set retention of {topic}")


def ensure_names(cfg: StackConfig, creds: Credentials) -> None:
    """Provision everything; each step succeeds when the thing already exists."""
    ensure_bucket(cfg, creds)
    ensure_iceberg_namespace(cfg)
    ensure_topic(cfg)
    ensure_topic(cfg, cfg.names.live_topic, cfg.names.live_topic_retention_minutes)
