"""Pulsar admin calls on one topic: where it lives, who reads it, delete."""

from __future__ import annotations

import httpx

from rva.config import StackConfig
from rva.errors import EngineError
from rva.stack.engines import LOCAL_HOST


def topic_url(cfg: StackConfig, topic: str) -> str:
    """The admin REST URL of ``topic`` (persistent://tenant/namespace/name)."""
    return f"http://{LOCAL_HOST}:{cfg.ports.pulsar_admin}/admin/v2/" + topic.replace("persistent://", "persistent/")


def reading(cfg: StackConfig, topic: str, subscription: str) -> bool:
    """Whether ``subscription`` has a consumer on every partition of ``topic`` (or on
    the topic, if it is not partitioned)."""
    url = topic_url(cfg, topic)
    if httpx.get(f"{url}/partitions", timeout=10).json().get("partitions", 0):
        stats = httpx.get(f"{url}/partitioned-stats", params={"perPartition": "true"}, timeout=10).json()
        topics = list(stats.get("partitions", {}).values())
    else:
        response = httpx.get(f"{url}/stats", timeout=10)
        topics = [response.json()] if response.status_code == 200 else []
    return bool(topics) and all(t.get("subscriptions", {}).get(subscription, {}).get("consumers") for t in topics)


def delete(cfg: StackConfig, topic: str) -> None:
    """Delete ``topic``, partitioned or not (auto-created ones are not), with its subscriptions."""
    url = topic_url(cfg, topic)
    partitions = httpx.get(f"{url}/partitions", timeout=10).json()["partitions"]
    response = httpx.delete(f"{url}/partitions" if partitions else url, params={"force": "true"}, timeout=60)
    if response.status_code not in (200, 204):
        raise EngineError(f"delete {topic}: HTTP {response.status_code}: {response.text[:200]}")
