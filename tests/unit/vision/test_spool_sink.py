"""The spool and the Pulsar sink's bookkeeping, against a fake broker (no services).

The real broker, stopped and restarted mid-run, is in tests/integration/test_vision_spool.py.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pulsar
import pytest

from vision.errors import SinkError
from vision.metrics import Metrics
from vision.publish.pulsar_sink import PulsarSettings, PulsarSink
from vision.publish.spool import Spool, spool_path
from vision.retry import Backoff


class TestSpool:
    def test_survives_reopen_until_deleted(self, tmp_path: Path) -> None:
        path = spool_path(tmp_path, "persistent://retail/metadata/events")
        spool = Spool(path)
        seqs = [spool.append("cam", f"e{i}".encode()) for i in range(5)]
        spool.delete(seqs[:2])
        spool.close()

        again = Spool(path)
        assert path.name == "persistent_retail_metadata_events.sqlite3"
        assert [e.payload for e in again.after(0, 10)] == [b"e2", b"e3", b"e4"]
        assert [e.seq for e in again.get([seqs[3], seqs[0]])] == [seqs[3]]
        assert again.depth() == 3

    def test_not_a_spool(self, tmp_path: Path) -> None:
        bad = tmp_path / "spool.sqlite3"
        bad.write_bytes(b"not sqlite at all" * 100)
        with pytest.raises(SinkError, match="cannot open spool"):
            Spool(bad)


class FakeBroker:
    """Accepts producers only while ``up``; fails the sends listed in ``fail_once``."""

    def __init__(self) -> None:
        self.up = False
        self.stored: list[bytes] = []
        self.keys: list[str | None] = []
        self.fail_once: set[bytes] = set()
        self.lock = threading.Lock()

    def client(self, _url: str) -> Any:
        broker = self

        class Producer:
            def send_async(self, payload: bytes, callback: Any, partition_key: str | None = None) -> None:
                def reply() -> None:
                    with broker.lock:
                        if payload in broker.fail_once or not broker.up:
                            broker.fail_once.discard(payload)
                            result = pulsar.Result.Timeout
                        else:
                            broker.stored.append(payload)
                            broker.keys.append(partition_key)
                            result = pulsar.Result.Ok
                    callback(result, None)

                threading.Timer(0.001, reply).start()

            def close(self) -> None:
                pass

        class Client:
            def create_producer(self, _topic: str, **_kw: Any) -> Producer:
                if not broker.up:
                    raise pulsar.ConnectError("connection refused")
                return Producer()

            def close(self) -> None:
                pass

        return Client()


def wait_for(check: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not check():
        time.sleep(0.02)
    assert check()


class TestPulsarSink:
    def make(self, tmp_path: Path, broker: FakeBroker) -> PulsarSink:
        settings = PulsarSettings("pulsar://fake:1", "persistent://t/n/events",
                                  connect_backoff=Backoff(initial_s=0.02, max_s=0.05, budget=0))
        return PulsarSink(settings, Spool(tmp_path / "spool.sqlite3"), Metrics(), client_factory=broker.client)

    def test_broker_down_then_up_loses_nothing_and_sends_once(self, tmp_path: Path) -> None:
        # Arrange: the broker is down while the first half is written.
        broker = FakeBroker()
        sink = self.make(tmp_path, broker)
        payloads = [f'{{"n":{i}}}'.encode() for i in range(200)]

        # Act
        for p in payloads[:100]:
            sink.write(p, "cam_01")
        time.sleep(0.2)
        assert broker.stored == [] and sink.spool.depth() == 100
        broker.up = True
        broker.fail_once = set(payloads[120:125])  # a few sends time out once
        for p in payloads[100:]:
            sink.write(p, "cam_01")
        sink.close(drain_timeout_s=10)

        # Assert
        assert sorted(broker.stored) == sorted(payloads)
        assert set(broker.keys) == {"cam_01"}
        assert sink.spool.depth() == 0
        assert sink.failed == 5

    def test_close_keeps_unsent_events_for_next_run(self, tmp_path: Path) -> None:
        broker = FakeBroker()
        sink = self.make(tmp_path, broker)
        for i in range(10):
            sink.write(str(i).encode(), "cam")
        sink.close(drain_timeout_s=0.3)
        assert Spool(tmp_path / "spool.sqlite3").depth() == 10

        broker.up = True
        second = self.make(tmp_path, broker)  # the next run sends the leftovers first
        second.close(drain_timeout_s=10)
        assert sorted(broker.stored) == sorted(str(i).encode() for i in range(10))
