"""The producer loses nothing and duplicates nothing while its broker is down, frozen or restarted.

The shared stack's Pulsar is never touched: the test runs a private Pulsar standalone
(the stack's cached 4.0.8 distribution) on other ports, under the test's tmp folder.

1. Broker down from the start: the producer runs a real video (detector + tracker) and
   every event lands in the spool; the broker starts; the spool drains.
2. Mid-run freeze: while the producer runs, the broker is SIGSTOPped for longer than
   a batch but shorter than the send timeout, then SIGCONTed.
3. Restart between runs: the broker is stopped, the producer runs, the broker restarts.

Every event the producer made (also written to NDJSON as the reference) must be on the
topic exactly once.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pulsar
import pytest

from rva.config import load_stack_config
from rva.stack.engines import java17_home
from rva.stack.layout import Layout
from rva.stack.process import Process
from tests.ports import free_port
from vision.detect.detections import DetectorConfig
from vision.detect.load import load_detector
from vision.metrics import Metrics
from vision.pipeline import CameraRunner, CameraSpec
from vision.publish.pulsar_sink import PulsarSettings, PulsarSink
from vision.publish.sinks import FanoutSink, NdjsonSink
from vision.publish.spool import Spool
from vision.retry import Backoff
from vision.track.scenes import render_scene
from vision.track.trackers import make_tracker

from .conftest import Stack

RUN = uuid.uuid4().hex[:8]
TOPIC = f"persistent://public/default/vision-spool-{RUN}"
START_TIMEOUT_S = 240


@dataclass
class PrivatePulsar:
    """A Pulsar standalone of this test's own."""

    home: Path
    work: Path
    broker_port: int
    web_port: int

    @property
    def process(self) -> Process:
        return Process("vision-it-pulsar", self.work / "pulsar.pid", self.work / "pulsar.log")

    @property
    def service_url(self) -> str:
        return f"pulsar://127.0.0.1:{self.broker_port}"

    @property
    def admin_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def config(self) -> Path:
        changes = {"brokerServicePort": str(self.broker_port), "webServicePort": str(self.web_port),
                   "bindAddress": "127.0.0.1", "advertisedAddress": "127.0.0.1",
                   "brokerDeleteInactiveTopicsEnabled": "false"}
        lines = []
        for line in (self.home / "conf" / "standalone.conf").read_text().splitlines():
            key = line.split("=", 1)[0]
            lines.append(f"{key}={changes.pop(key)}" if "=" in line and key in changes else line)
        lines += [f"{k}={v}" for k, v in changes.items()]
        path = self.work / "standalone.conf"
        path.write_text("\n".join(lines) + "\n")
        return path

    def start(self) -> None:
        java = java17_home()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("JAVA_", "PULSAR_"))}
        env.update({"JAVA_HOME": str(java), "PATH": f"{java / 'bin'}:{env.get('PATH', '')}",
                    "PULSAR_MEM": "-Xms128m -Xmx512m -XX:MaxDirectMemorySize=256m", "PULSAR_GC": "-XX:+UseG1GC",
                    "PULSAR_LOG_DIR": str(self.work / "logs"), "PULSAR_GC_LOG": " "})
        self.process.start([str(self.home / "bin" / "pulsar"), "standalone", "--config", str(self.config()),
                            "--bookkeeper-dir", str(self.work / "bookkeeper"),
                            "--metadata-dir", str(self.work / "metadata"), "-nfw", "-nss"], env, self.work)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            assert self.process.running(), self.process.log_tail(30)
            try:  # healthy, and the standalone's public/default namespace made
                namespaces = httpx.get(f"{self.admin_url}/admin/v2/namespaces/public", timeout=3)
                if namespaces.status_code == 200 and "public/default" in namespaces.json():
                    return
            except httpx.HTTPError:
                pass
            time.sleep(1)
        raise AssertionError(f"private pulsar not healthy in {START_TIMEOUT_S} s:\n{self.process.log_tail(30)}")

    def stop(self) -> None:
        self.process.stop(grace_s=30)

    def signal(self, sig: signal.Signals) -> None:
        pid = self.process.pid()
        assert pid is not None
        os.killpg(pid, sig)


@pytest.fixture(scope="module")
def private_pulsar(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivatePulsar]:
    # `stack` makes sure the engines are fetched; its Pulsar is left alone.
    home = Layout.of(load_stack_config()).pulsar_home
    broker = PrivatePulsar(home, tmp_path_factory.mktemp("private-pulsar"), free_port(16650), free_port(18080))
    try:
        yield broker
    finally:
        try:
            broker.signal(signal.SIGCONT)
        except AssertionError:
            pass
        broker.stop()


def read_topic(broker: PrivatePulsar, expect: int, timeout_s: float = 60) -> list[dict]:
    """Every message on the topic (waits until ``expect`` arrived, then 3 s more for extras)."""
    client = pulsar.Client(broker.service_url, logger=pulsar.ConsoleLogger(pulsar.LoggerLevel.Error))
    try:
        reader = client.create_reader(TOPIC, pulsar.MessageId.earliest)
        got: list[dict] = []
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                msg = reader.read_next(timeout_millis=3000 if len(got) >= expect else 1000)
            except pulsar.Timeout:
                if len(got) >= expect:
                    break
                continue
            got.append({"key": msg.partition_key(), **json.loads(msg.data())})
        return got
    finally:
        client.close()


class TestSpoolAgainstRealBroker:
    def test_outage_freeze_and_restart_lose_nothing_and_duplicate_nothing(
            self, private_pulsar: PrivatePulsar, tmp_path: Path) -> None:
        # Arrange: the producer points at a broker that is not running yet.
        scene = render_scene(n_frames=30)
        video = scene.write_video(tmp_path / "aisle.mp4")
        detector = load_detector(DetectorConfig())
        metrics = Metrics()
        settings = PulsarSettings(private_pulsar.service_url, TOPIC, admin_url=private_pulsar.admin_url,
                                  connect_backoff=Backoff(initial_s=0.2, max_s=2.0, budget=0))
        sink = PulsarSink(settings, Spool(tmp_path / "spool" / "events.sqlite3"), metrics)
        reference = NdjsonSink(tmp_path / "reference.ndjson")
        both = FanoutSink([reference, sink])

        def produce(stream: str, frames: int) -> threading.Thread:
            runner = CameraRunner(CameraSpec("store_it", "cam_it", str(video), stream_id=stream, max_frames=frames),
                                  detector, make_tracker("bytetrack"), both, metrics=metrics)
            thread = threading.Thread(target=runner.run)
            thread.start()
            return thread

        # Act 1: broker down for a whole run; everything waits in the spool.
        produce("cam_it/down", 12).join()
        assert sink.spool.depth() == 12 and sink.acked == 0
        private_pulsar.start()
        _wait(lambda: sink.spool.depth() == 0, "spool drained after the broker came up")
        assert sink.schema_registered

        # Act 2: freeze the broker mid-run (shorter than the 30 s send timeout), then thaw it.
        thread = produce("cam_it/freeze", 30)
        _wait(lambda: sink.acked >= 15, "first events of the second run acknowledged")
        private_pulsar.signal(signal.SIGSTOP)
        time.sleep(6)
        depth_while_frozen = sink.spool.depth()
        private_pulsar.signal(signal.SIGCONT)
        thread.join()
        _wait(lambda: sink.spool.depth() == 0, "spool drained after the freeze")

        # Act 3: restart the broker between runs; events made while it is down wait.
        private_pulsar.stop()
        produce("cam_it/restart", 8).join()
        private_pulsar.start()
        _wait(lambda: sink.spool.depth() == 0, "spool drained after the restart")
        both.close()

        # Assert: exactly the reference events, each once, keyed by camera.
        expected = [json.loads(line) for line in (tmp_path / "reference.ndjson").read_text().splitlines()]
        got = read_topic(private_pulsar, expect=len(expected))
        counts = Counter(e["event_id"] for e in got)
        assert len(expected) == 12 + 30 + 8
        assert depth_while_frozen > 0  # the freeze really held events back
        assert sorted(counts) == sorted(e["event_id"] for e in expected)
        assert [eid for eid, n in counts.items() if n > 1] == []
        assert {e["key"] for e in got} == {"cam_it"}
        schema = httpx.get(f"{private_pulsar.admin_url}/admin/v2/schemas/public/default/vision-spool-{RUN}/schema")
        assert schema.status_code == 200 and schema.json()["type"] == "JSON"


def _wait(check, what: str, timeout_s: float = 120) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting: {what}")
