"""A real RTSP camera for tests: an RTSP server and a publisher streaming a video to it.

The server is the npm package ``rtsp-streaming-server`` (infra/rtsp/server.js; `rva
stack fetch` installs it); the publisher sends the video in a loop through FFmpeg's
RTSP muxer (PyAV), as a camera or an encoder box would; readers play the stream from
the server with FFmpeg (OpenCV), as the producer does. Either can be killed and
started again, to cut the stream the way a camera reboot or a network drop does.

``python -m tests.integration.rtsp_camera URL VIDEO FPS`` is the publisher.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from rva.config import REPO_ROOT, load_stack_config
from rva.stack.layout import Layout
from tests.ports import free_port


@dataclass
class RtspServer:
    """One server on free ports; ``url(mount)`` is where readers play ``mount`` from."""

    rtp_port_start: int
    log: Path
    publish_port: int = field(default_factory=free_port)
    play_port: int = field(default_factory=free_port)
    _process: subprocess.Popen[bytes] | None = None

    def start(self, timeout_s: float = 30.0) -> None:
        home = Layout.of(load_stack_config()).rtsp_server_home
        env = {**os.environ, "NODE_PATH": str(home / "node_modules")}
        cmd = ["node", str(REPO_ROOT / "infra" / "rtsp" / "server.js"),
               str(self.publish_port), str(self.play_port), str(self.rtp_port_start)]
        offset = self.log.stat().st_size if self.log.exists() else 0  # the log outlives restarts
        with self.log.open("ab") as log:
            self._process = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + timeout_s
        while b"ready" not in self.log.read_bytes()[offset:]:
            if self._process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"rtsp server did not start: {self.log.read_text()[-500:]}")
            time.sleep(0.1)

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait(timeout=10)
        self._process = None

    def publish_url(self, mount: str) -> str:
        return f"rtsp://127.0.0.1:{self.publish_port}/{mount}"

    def url(self, mount: str) -> str:
        return f"rtsp://127.0.0.1:{self.play_port}/{mount}"


@dataclass
class Publisher:
    """The camera side: streams ``video`` to ``url`` in a loop at ``fps``."""

    url: str
    video: Path
    fps: float
    log: Path
    _process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "tests.integration.rtsp_camera", self.url, str(self.video), str(self.fps)],
                cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT)

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait(timeout=10)
        self._process = None


def publish(url: str, video: Path, fps: float) -> None:
    """Send ``video``'s frames to ``url`` (RTSP ANNOUNCE/RECORD, MPEG-4 over UDP) until killed."""
    import av
    import cv2

    capture = cv2.VideoCapture(str(video))
    frames = []
    while True:
        ok, image = capture.read()
        if not ok:
            break
        frames.append(image)
    height, width = frames[0].shape[:2]
    output = av.open(url, mode="w", format="rtsp", options={"rtsp_transport": "udp"})
    stream = output.add_stream("mpeg4", rate=round(fps))
    stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
    stream.options = {"g": str(max(1, round(fps)))}  # a key frame every second: readers join fast
    started, sent = time.monotonic(), 0
    while True:
        frame = av.VideoFrame.from_ndarray(frames[sent % len(frames)], format="bgr24")
        for packet in stream.encode(frame):
            output.mux(packet)
        sent += 1
        time.sleep(max(0.0, started + sent / fps - time.monotonic()))


if __name__ == "__main__":
    publish(sys.argv[1], Path(sys.argv[2]), float(sys.argv[3]))
