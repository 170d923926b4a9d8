"""Frame sources: files, image folders, and live streams that drop and come back."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.ports import free_port
from vision.errors import SourceError, StreamUnavailableError
from vision.retry import Backoff
from vision.sources.video import ImageFolderSource, LiveStreamSource, VideoFileSource, is_live, open_source
from vision.track.scenes import Scene

START = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)


class TestVideoFile:
    def test_reads_every_frame_with_media_time(self, scene_video: Path, scene: Scene) -> None:
        source = open_source(str(scene_video), start=START)
        frames = list(source.frames())
        assert isinstance(source, VideoFileSource) and not source.live
        assert len(frames) == source.total_frames == len(scene.frames)
        assert [f.index for f in frames] == list(range(len(frames)))
        assert (frames[10].capture_ts - START).total_seconds() == pytest.approx(1.0)  # 10 FPS
        assert (frames[0].width, frames[0].height) == (640, 360)

    def test_missing(self, tmp_path: Path) -> None:
        with pytest.raises(SourceError, match="no such video file"):
            open_source(str(tmp_path / "nope.mp4"))

    def test_not_a_video(self, tmp_path: Path) -> None:
        bad = tmp_path / "notes.mp4"
        bad.write_bytes(b"this is not a video" * 100)
        with pytest.raises(SourceError, match="not a video OpenCV can decode"):
            list(open_source(str(bad)).frames())

    def test_unreadable(self, tmp_path: Path) -> None:
        # File permissions stop no read when tests run as root, so the unreadable file
        # is one whose first byte the kernel refuses to anyone: /proc/self/mem at 0.
        locked = tmp_path / "locked.mp4"
        locked.symlink_to("/proc/self/mem")
        with pytest.raises(SourceError, match="cannot read"):
            open_source(str(locked))


class TestImageFolder:
    def test_natural_order(self, tmp_path: Path, scene: Scene) -> None:
        import cv2

        for i in (10, 2, 1):  # VisDrone-style names, written out of order
            cv2.imwrite(str(tmp_path / f"{i:07d}.jpg" if i != 2 else tmp_path / "2.jpg"), scene.frames[i])
        (tmp_path / "readme.txt").write_text("ignored")
        source = open_source(str(tmp_path), start=START, folder_fps=30)
        assert isinstance(source, ImageFolderSource)
        assert [p.name for p in source.files] == ["0000001.jpg", "2.jpg", "0000010.jpg"]
        frames = list(source.frames())
        assert len(frames) == 3 and frames[2].index == 2

    def test_empty_folder(self, tmp_path: Path) -> None:
        with pytest.raises(SourceError, match="no images"):
            open_source(str(tmp_path))

    def test_corrupt_image(self, tmp_path: Path) -> None:
        (tmp_path / "0001.jpg").write_bytes(b"garbage")
        with pytest.raises(SourceError, match="not an image OpenCV can decode"):
            list(open_source(str(tmp_path)).frames())


class FakeCapture:
    """Yields ``frames`` good reads, then fails (a dropped stream)."""

    def __init__(self, opened: bool, frames: int) -> None:
        self.opened, self.left = opened, frames

    def isOpened(self) -> bool:  # noqa: N802
        return self.opened

    def read(self) -> tuple[bool, Any]:
        if self.left <= 0:
            return False, None
        self.left -= 1
        return True, np.zeros((4, 4, 3), np.uint8)

    def release(self) -> None:
        pass


class TestLiveStream:
    @pytest.mark.parametrize("src, live", [
        pytest.param("rtsp://user:pw@cam/stream", True, id="rtsp"),
        pytest.param("http://cam/mjpeg", True, id="http"),
        pytest.param("0", True, id="webcam"),
        pytest.param("videos/a.mp4", False, id="file"),
    ])
    def test_is_live(self, src: str, live: bool) -> None:
        assert is_live(src) is live

    def test_reconnects_after_drops_and_keeps_counting(self) -> None:
        # Arrange: 3 frames, drop; refused once; 2 frames, drop; 4 frames, then gone for good.
        script = [FakeCapture(True, 3), FakeCapture(False, 0), FakeCapture(True, 2), FakeCapture(True, 4)]
        script += [FakeCapture(False, 0)] * 10
        waits: list[float] = []
        source = LiveStreamSource("rtsp://cam/1", backoff=Backoff(initial_s=1, factor=2, max_s=4, budget=3),
                                  opener=lambda _t: script.pop(0), sleep=waits.append)

        # Act
        got: list[int] = []
        with pytest.raises(StreamUnavailableError, match="rtsp://cam/1: stream unreachable after 3 retries"):
            for frame in source.frames():
                got.append(frame.index)

        # Assert: no frame lost or renumbered across reconnects; backoff grows, then resets.
        assert got == list(range(9))
        assert source.reconnects == 3
        assert waits == [1, 2, 1, 1, 2, 4]  # drop, refused, drop, drop, refused, refused, gone

    def test_password_not_in_errors(self) -> None:
        source = LiveStreamSource("rtsp://admin:secret@cam/1", backoff=Backoff(initial_s=0, budget=0),
                                  opener=lambda _t: FakeCapture(False, 0), sleep=lambda _s: None)
        with pytest.raises(StreamUnavailableError) as err:
            list(source.frames())
        assert "secret" not in str(err.value)

    def test_unreachable_url_with_real_opencv(self) -> None:
        port = free_port()  # nothing listens there
        source = open_source(f"http://127.0.0.1:{port}/stream.mjpg",
                             backoff=Backoff(initial_s=0.01, max_s=0.02, budget=2))
        with pytest.raises(StreamUnavailableError, match="unreachable after 2 retries"):
            next(source.frames())

    def test_mjpeg_stream_drops_and_reconnects(self, scene: Scene) -> None:
        """A real IP-camera-style MJPEG stream over HTTP that cuts off after 6 frames, twice."""
        import cv2

        jpegs = [cv2.imencode(".jpg", f)[1].tobytes() for f in scene.frames[:6]]
        server = _mjpeg_server(jpegs, connections=2)
        try:
            url = f"http://127.0.0.1:{server.server_address[1]}/stream.mjpg"
            source = open_source(url, backoff=Backoff(initial_s=0.05, max_s=0.1, budget=2))
            got = []
            with pytest.raises(StreamUnavailableError):
                for frame in source.frames():
                    got.append(frame.index)
        finally:
            server.shutdown()
        # Both connections' frames arrive, numbered on; OpenCV may lose the last of each.
        assert got == list(range(len(got)))
        assert 10 <= len(got) <= 12
        assert source.reconnects >= 1


def _mjpeg_server(jpegs: list[bytes], connections: int):  # noqa: ANN202
    """Serve ``jpegs`` as multipart/x-mixed-replace, then hang up; refuse after ``connections``."""
    import http.server
    import threading

    served = {"n": 0}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            if served["n"] >= connections:
                self.send_error(503)
                return
            served["n"] += 1
            self.send_response(200)
            self.send_header("Content-Type", "multipart/x-mixed-replace; boundary=frame")
            self.end_headers()
            for jpg in jpegs:
                self.wfile.write(b"--frame\r\nContent-Type: image/jpeg\r\nContent-Length: "
                                 + str(len(jpg)).encode() + b"\r\n\r\n" + jpg + b"\r\n")
            self.wfile.flush()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
