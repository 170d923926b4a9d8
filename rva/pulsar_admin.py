"""The Pulsar admin calls rva makes about a running job's subscription."""

from __future__ import annotations

import httpx

from rva.config import StackConfig
from rva.errors import EngineError

LOCAL = "127.0.0.1"


def _topic_url(cfg: StackConfig, topic: str) -> str:
    return f"http://{LOCAL}:{cfg.ports.pulsar_admin}/admin/v2/" + topic.replace("persistent://", "persistent/")


def reading(cfg: StackConfig, topic: str, subscription: str) -> bool:
    """Whether ``subscription`` has a consumer on every partition of ``topic`` (or on
    the topic, if it is not partitioned)."""
    url = _topic_url(cfg, topic)
    if httpx.get(f"{url}/partitions", timeout=10).json().get("partitions", 0):
        stats = httpx.get(f"{url}/partitioned-stats", params={"perPartition": "true"}, timeout=10).json()
        topics = list(stats.get("partitions", {}).values())
    else:
        response = httpx.get(f"{url}/stats", timeout=10)
        topics = [response.json()] if response.status_code == 200 else []
    return bool(topics) and all(t.get("subscriptions", {}).get(subscription, {}).get("consumers") for t in topics)


def unload(cfg: StackConfig, topic: str) -> None:
    """Close every client connection to ``topic``'s partitions; live clients reconnect."""
    response = httpx.put(f"{_topic_url(cfg, topic)}/unload", timeout=60)
    if response.status_code not in (200, 204):
        raise EngineError(f"unload {topic}: HTTP {response.status_code}: {response.text[:200]}")
