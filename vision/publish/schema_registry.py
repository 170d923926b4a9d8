"""Registering the event schema on a Pulsar topic through the admin REST API.

Pulsar stores a JSON topic's schema in Avro syntax (``vision/schemas/event.avsc``). The
producer still sends plain bytes: the broker does not enforce schemas on producers
without one (``schemaValidationEnforced=false``, the default), and Bronze reads the
topic with ``value.format = 'raw'``, so a registered schema documents the topic for
schema-aware consumers without making any message unreadable.
"""

from __future__ import annotations

import json

import httpx

from vision.errors import SchemaRefusedError, SinkError
from vision.schemas import AVRO_SCHEMA, JSON_SCHEMA


def topic_path(topic: str) -> str:
    """``persistent://tenant/ns/name`` -> ``tenant/ns/name``.

    Raises:
        SinkError: ``topic`` is not a fully qualified topic name.
    """
    parts = topic.split("://", 1)[-1].split("/")
    if len(parts) != 3 or not all(parts):
        raise SinkError(f"topic {topic!r}: need persistent://tenant/namespace/name")
    return "/".join(parts)


def schema_payload() -> dict[str, object]:
    """The body of Pulsar's ``POST .../schema`` for the event schema."""
    return {"type": "JSON", "schema": AVRO_SCHEMA.read_text(), "properties": {
        "contract": "event.schema.json", "schema_version": str(json.loads(JSON_SCHEMA.read_text())
                                                                       ["properties"]["schema_version"]["const"])}}


def register_schema(admin_url: str, topic: str, timeout_s: float = 5.0) -> int:
    """Register (or confirm) the event schema on ``topic``; returns Pulsar's schema version.

    Raises:
        httpx.HTTPError: The admin API is unreachable or not ready (e.g. the namespace
            does not exist yet): the caller retries.
        SchemaRefusedError: The broker refused the schema (an incompatible one is there).
    """
    url = f"{admin_url.rstrip('/')}/admin/v2/schemas/{topic_path(topic)}/schema"
    response = httpx.post(url, json=schema_payload(), timeout=timeout_s)
    if response.status_code in (400, 409, 422):
        raise SchemaRefusedError(f"{topic}: broker refused the event schema (HTTP {response.status_code}: "
                                 f"{response.text.strip()[:200]})")
    response.raise_for_status()
    return int(response.json().get("version", {}).get("version", 0))
