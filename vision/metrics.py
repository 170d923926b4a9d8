"""Prometheus metrics of a producer run, served on /metrics for live runs."""

from __future__ import annotations

from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

MS_BUCKETS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000)
S_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300)


@dataclass
class Metrics:
    """One registry per run, so runs in one process (tests) do not collide."""

    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        r = self.registry
        self.frames_read = Counter("rva_vision_frames_read", "Frames decoded from the source.",
                                   ["camera_id"], registry=r)
        self.frames_dropped = Counter("rva_vision_frames_dropped",
                                      "Decoded frames not processed (stride/FPS sampling).",
                                      ["camera_id"], registry=r)
        self.frames_processed = Counter("rva_vision_frames_processed", "Frames detected, tracked and sent.",
                                        ["camera_id"], registry=r)
        self.reconnects = Counter("rva_vision_stream_reconnects", "Live stream reconnects.",
                                  ["camera_id"], registry=r)
        self.stage_ms = Histogram("rva_vision_stage_ms", "Per-frame time of each stage (ms).",
                                  ["camera_id", "stage"], buckets=MS_BUCKETS, registry=r)
        self.track_count = Gauge("rva_vision_tracks", "Confirmed tracks in the latest frame.",
                                 ["camera_id"], registry=r)
        self.spool_depth = Gauge("rva_vision_spool_depth", "Events waiting in the spool for the broker.",
                                 registry=r)
        self.send_latency = Histogram("rva_vision_send_latency_seconds",
                                      "From spooling an event to the broker's acknowledgement.",
                                      buckets=S_BUCKETS, registry=r)
        self.send_failures = Counter("rva_vision_send_failures", "Sends the broker did not acknowledge "
                                     "(retried from the spool).", registry=r)

    def serve(self, port: int, addr: str = "127.0.0.1") -> None:
        """Serve /metrics on ``addr:port`` from a daemon thread."""
        from prometheus_client import start_http_server

        start_http_server(port, addr=addr, registry=self.registry)
