"""Sending events to Pulsar through the durable spool, from a background thread.

``write`` only appends to the :class:`~vision.publish.spool.Spool` and returns, so a down or
slow broker never stalls the cameras. A sender thread connects (with backoff),
registers the event schema, sends spooled events asynchronously (keyed by camera, LZ4,
batched) and deletes each one from the spool when the broker acknowledges it. An
event whose send fails is sent again from the spool. Delivery to the broker is
at-least-once; with deterministic event ids, duplicates are removed downstream. An
event is never sent again once acknowledged, and an outage shorter than the send
timeout causes no duplicates at all (the client resends its own pending messages).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from vision.errors import SchemaRefusedError
from vision.metrics import Metrics
from vision.publish.schema_registry import register_schema
from vision.publish.spool import Spool
from vision.retry import Backoff

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PulsarSettings:
    """Where and how to send.

    Attributes:
        service_url: ``pulsar://host:port``.
        topic: Fully qualified topic.
        admin_url: Admin REST URL for schema registration; None skips it.
        max_in_flight: Sent but unacknowledged events at most.
        send_timeout_ms: After this, an unacknowledged send fails and is retried from
            the spool (long enough to ride out a broker restart without duplicates).
        batch_delay_ms: Pulsar batching delay.
        connect_backoff: Reconnect policy while the broker is unreachable (its
            budget is ignored: the spool keeps everything until the broker is back).
    """

    service_url: str
    topic: str
    admin_url: str | None = None
    max_in_flight: int = 500
    send_timeout_ms: int = 30_000
    batch_delay_ms: int = 10
    connect_backoff: Backoff = Backoff(initial_s=0.5, factor=2.0, max_s=10.0, budget=0)


class PulsarSink:
    """A :class:`~vision.publish.sinks.Sink` that sends through the spool.

    Args:
        settings: Broker, topic and limits.
        spool: The durable queue; events left from an earlier run are sent first.
        metrics: Where to report spool depth, send latency and failures.
        client_factory: Builds a ``pulsar.Client`` (tests may pass a fake).
    """

    def __init__(self, settings: PulsarSettings, spool: Spool, metrics: Metrics | None = None,
                 client_factory: Callable[[str], Any] | None = None) -> None:
        self.settings = settings
        self.spool = spool
        self.metrics = metrics or Metrics()
        self._client_factory = client_factory or _default_client
        self._acks: queue.SimpleQueue[tuple[int, bool, float]] = queue.SimpleQueue()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._in_flight: dict[int, float] = {}
        self._retry: list[int] = []
        self._cursor = 0
        self._client: Any = None
        self._producer: Any = None
        self._connect_failures = 0
        self._next_connect = 0.0
        self.sent = 0
        self.acked = 0
        self.failed = 0
        self.last_error = ""
        self.schema_registered = False
        self.schema_refused = False
        self._drain_deadline = 0.0
        self._thread = threading.Thread(target=self._run, name="rva-pulsar-sender", daemon=True)
        self._thread.start()

    # --- the Sink interface (camera threads) -----------------------------------------
    def write(self, payload: bytes, key: str) -> None:
        self.spool.append(key, payload)
        self._wake.set()

    def close(self, drain_timeout_s: float = 60.0) -> None:
        """Send what is spooled for up to ``drain_timeout_s``; the rest stays for next time."""
        self._drain_deadline = time.monotonic() + drain_timeout_s
        self._stop.set()
        self._wake.set()
        self._thread.join(drain_timeout_s + 15)
        self._disconnect()
        left = self.spool.depth()
        self.metrics.spool_depth.set(left)
        if left:
            log.warning("%d events stay in the spool %s; they are sent on the next run", left, self.spool.path)

    # --- the sender thread ------------------------------------------------------------
    def _run(self) -> None:
        while True:
            self._take_acks()
            if self._stop.is_set():
                idle = not self._in_flight and self.spool.depth() == 0
                if idle or time.monotonic() > self._drain_deadline:
                    break
            if self._producer is None:
                self._try_connect()
            if self._producer is not None:
                self._send_more()
            self.metrics.spool_depth.set(self.spool.depth())
            self._wake.wait(0.05)
            self._wake.clear()

    def _try_connect(self) -> None:
        now = time.monotonic()
        if now < self._next_connect:
            return
        s = self.settings
        try:
            if s.admin_url and not (self.schema_registered or self.schema_refused):
                register_schema(s.admin_url, s.topic)
                self.schema_registered = True
            if self._client is None:
                self._client = self._client_factory(s.service_url)
            import pulsar

            self._producer = self._client.create_producer(
                s.topic, batching_enabled=True, batching_max_publish_delay_ms=s.batch_delay_ms,
                compression_type=pulsar.CompressionType.LZ4, send_timeout_millis=s.send_timeout_ms,
                max_pending_messages=s.max_in_flight, block_if_queue_full=False)
        except SchemaRefusedError as err:  # say so once; events still go out
            log.error("%s", err)
            self.last_error, self.schema_refused = str(err), True
            return
        except Exception as err:  # broker down: pulsar.ConnectError, Timeout, httpx errors, ...
            self._connect_failures += 1
            delay = s.connect_backoff.delay(self._connect_failures)
            self.last_error = f"{type(err).__name__}: {err}"
            self._next_connect = time.monotonic() + delay
            log.warning("pulsar %s unreachable (%s); %d events spooled, retry in %.1f s", s.service_url,
                        self.last_error, self.spool.depth(), delay)
            return
        self._connect_failures = 0
        log.info("pulsar producer on %s ready", s.topic)

    def _callback(self, seq: int, enqueued_at: float) -> Callable[[Any, Any], None]:
        import pulsar

        def done(result: Any, _msg_id: Any) -> None:
            self._acks.put((seq, result == pulsar.Result.Ok, enqueued_at))
            self._wake.set()

        return done

    def _send_more(self) -> None:
        room = self.settings.max_in_flight - len(self._in_flight)
        if room <= 0:
            return
        batch = self.spool.get(self._retry[:room])
        self._retry = self._retry[room:]
        if len(batch) < room:
            fresh = self.spool.after(self._cursor, room - len(batch))
            batch += [e for e in fresh if e.seq not in self._in_flight]
        for event in batch:
            self._cursor = max(self._cursor, event.seq)
            try:
                self._producer.send_async(event.payload, self._callback(event.seq, event.enqueued_at),
                                          partition_key=event.key or None)
            except Exception as err:  # queue full, producer closed: retry from the spool
                self.last_error = f"{type(err).__name__}: {err}"
                self._retry.append(event.seq)
                self.metrics.send_failures.inc()
                continue
            self._in_flight[event.seq] = event.enqueued_at
            self.sent += 1

    def _take_acks(self) -> None:
        done: list[int] = []
        now = time.time()
        while True:
            try:
                seq, ok, enqueued_at = self._acks.get_nowait()
            except queue.Empty:
                break
            if self._in_flight.pop(seq, None) is None:
                continue
            if ok:
                done.append(seq)
                self.metrics.send_latency.observe(max(0.0, now - enqueued_at))
            else:
                self.failed += 1
                self.metrics.send_failures.inc()
                self._retry.append(seq)
        if done:
            self.spool.delete(done)
            self.acked += len(done)
        if self._retry:
            self._retry.sort()

    def _disconnect(self) -> None:
        for closer in (self._producer, self._client):
            if closer is not None:
                try:
                    closer.close()
                except Exception:  # already closed or broker gone: nothing to keep
                    pass
        self._producer = self._client = None


def _default_client(service_url: str) -> Any:
    import pulsar

    return pulsar.Client(service_url, operation_timeout_seconds=5, connection_timeout_ms=3000,
                         logger=pulsar.ConsoleLogger(pulsar.LoggerLevel.Error))
