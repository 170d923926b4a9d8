"""Publish JSON events to the Pulsar topic, keyed by camera so each camera stays in order."""

from __future__ import annotations

import json
from collections.abc import Iterable

import pulsar


def camera_key(line: bytes) -> str:
    """The message key for one event line: its camera_id, or '' when it has none."""
    try:
        return str(json.loads(line)["source"]["camera_id"])
    except (ValueError, KeyError, TypeError):
        return ""


def publish(service_url: str, topic: str, lines: Iterable[bytes]) -> int:
    """Send each line as one message and wait until the broker has them all.

    Lines are sent as they are, valid or not: deciding what is an event is Bronze's job.
    Returns the number of messages acknowledged by the broker.
    """
    client = pulsar.Client(service_url, logger=pulsar.ConsoleLogger(pulsar.LoggerLevel.Warn))
    try:
        producer = client.create_producer(
            topic, batching_enabled=True, batching_max_publish_delay_ms=10,
            compression_type=pulsar.CompressionType.LZ4,
            block_if_queue_full=True,  # wait for the broker rather than fail past 1000 in flight
        )
        results: list[pulsar.Result] = []
        for line in lines:
            key = camera_key(line)
            producer.send_async(line, callback=lambda res, _msg: results.append(res),
                                partition_key=key or None)
        producer.flush()
        producer.close()
        failed = [r for r in results if r != pulsar.Result.Ok]
        if failed:
            raise RuntimeError(f"{len(failed)} of {len(results)} messages were not acknowledged: {failed[0]}")
        return len(results)
    finally:
        client.close()
