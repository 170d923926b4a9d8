"""Replay pacing, the metrics endpoint, and annotation drawing."""

from __future__ import annotations

from pathlib import Path

import httpx
import numpy as np
import pytest

from tests.ports import free_port
from vision.events import BBox, TrackedDetection
from vision.metrics import Metrics
from vision.publish.annotate import draw
from vision.publish.replay import Rate, replay


class ListSink:
    def __init__(self) -> None:
        self.items: list[tuple[bytes, str]] = []

    def write(self, payload: bytes, key: str) -> None:
        self.items.append((payload, key))

    def close(self) -> None:
        pass


def events_file(tmp_path: Path) -> Path:
    path = tmp_path / "events.ndjson"
    path.write_text("\n".join([
        '{"source":{"camera_id":"a"},"capture_ts":"2026-11-02T09:00:00.000Z"}',
        '{"source":{"camera_id":"b"},"capture_ts":"2026-11-02T09:00:02.000Z"}',
        "",
        "garbage line",
        '{"source":{"camera_id":"a"},"capture_ts":"2026-11-02T09:00:04.000Z"}',
    ]) + "\n")
    return path


class TestReplay:
    @pytest.mark.parametrize("text, factor", [
        pytest.param("original", 1.0, id="original"), pytest.param("max", None, id="max"),
        pytest.param("10", 10.0, id="n"), pytest.param("2.5x", 2.5, id="nx"),
    ])
    def test_rate_parse(self, text: str, factor: float | None) -> None:
        assert Rate.parse(text).factor == factor

    @pytest.mark.parametrize("rate, waits", [
        pytest.param("original", [2.0, 2.0], id="real-time"),
        pytest.param("4", [0.5, 0.5], id="4x"),
        pytest.param("max", [], id="max"),
    ])
    def test_paced_by_capture_time(self, tmp_path: Path, rate: str, waits: list[float]) -> None:
        now = [0.0]
        slept: list[float] = []

        def sleep(s: float) -> None:
            slept.append(round(s, 6))
            now[0] += s

        sink = ListSink()
        count = replay(events_file(tmp_path), sink, Rate.parse(rate), sleep=sleep, clock=lambda: now[0])
        assert count == 4
        assert [k for _, k in sink.items] == ["a", "b", "", "a"]
        assert sink.items[2][0] == b"garbage line"  # sent as is: Bronze rejects it
        assert slept == waits


class TestMetrics:
    def test_endpoint_serves_producer_metrics(self) -> None:
        port = free_port()
        metrics = Metrics()
        metrics.frames_read.labels("cam").inc(3)
        metrics.stage_ms.labels("cam", "detect").observe(90)
        metrics.spool_depth.set(7)
        metrics.serve(port)
        text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
        assert 'rva_vision_frames_read_total{camera_id="cam"} 3.0' in text
        assert 'rva_vision_stage_ms_count{camera_id="cam",stage="detect"} 1.0' in text
        assert "rva_vision_spool_depth 7.0" in text
        for name in ("frames_dropped", "tracks", "send_latency_seconds"):
            assert f"rva_vision_{name}" in text


class TestAnnotate:
    def test_boxes_drawn_and_people_blurred(self) -> None:
        rng = np.random.default_rng(0)
        image = rng.integers(0, 255, (120, 160, 3), dtype=np.uint8)
        det = TrackedDetection(0, "person", BBox(40, 30, 100, 110), 0.9, 7)
        plain, blurred = draw(image, [det]), draw(image, [det], blur=True)
        assert not np.array_equal(plain, image)  # something drawn
        inside = (slice(50, 100), slice(50, 90))
        assert blurred[inside].std() < image[inside].std() / 2  # the person is blurred
        assert np.array_equal(plain[:, :30], image[:, :30])  # outside the box untouched
