"""Where frames come from: a video file, a folder of images, or a live stream/webcam.

Every source yields :class:`Frame` objects with a per-stream index and a capture time.
Live streams (RTSP/HTTP URLs, webcam numbers) reconnect with exponential backoff and
give up only after their retry budget; a dropped stream does not end the run.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from vision.errors import SourceError, StreamUnavailableError
from vision.retry import Backoff

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp"})
STREAM_SCHEMES = ("rtsp://", "rtsps://", "rtmp://", "http://", "https://", "udp://", "tcp://", "srt://")
DEFAULT_FOLDER_FPS = 25.0  # VisDrone and MOT sequences are 25-30 FPS


@dataclass(frozen=True)
class Frame:
    """One decoded frame.

    Attributes:
        index: Position in its stream, counting every decoded frame (sampled or not).
        capture_ts: When it was captured (media time for files, wall clock for live).
        image: BGR pixels, shape (height, width, 3), uint8.
    """

    index: int
    capture_ts: datetime
    image: np.ndarray

    @property
    def width(self) -> int:
        return int(self.image.shape[1])

    @property
    def height(self) -> int:
        return int(self.image.shape[0])


class Capture(Protocol):
    """The part of ``cv2.VideoCapture`` a live source uses (a fake in tests)."""

    def isOpened(self) -> bool: ...  # noqa: N802 (OpenCV's name)
    def read(self) -> tuple[bool, Any]: ...
    def release(self) -> None: ...


class FrameSource(Protocol):
    """Anything that yields frames."""

    name: str
    live: bool

    @property
    def total_frames(self) -> int | None: ...
    @property
    def fps(self) -> float | None: ...
    def frames(self) -> Iterator[Frame]: ...
    def close(self) -> None: ...


def _natural_key(path: Path) -> list[object]:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", path.name)]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class VideoFileSource:
    """A video file, decoded with OpenCV; capture time = start + position in the file."""

    live = False

    def __init__(self, path: Path, start: datetime | None = None) -> None:
        import cv2

        if not path.exists():
            raise SourceError(f"{path}: no such video file")
        if not path.is_file():
            raise SourceError(f"{path}: not a file")
        try:
            with path.open("rb") as handle:
                handle.read(1)
        except OSError as err:
            raise SourceError(f"{path}: cannot read ({err.strerror})") from err
        self.path = path
        self.name = path.stem
        self._start = start or utc_now()
        self._cap = cv2.VideoCapture(str(path))
        if not self._cap.isOpened():
            raise SourceError(f"{path}: not a video OpenCV can decode")
        fps = float(self._cap.get(cv2.CAP_PROP_FPS) or 0.0)
        self._fps = fps if 0 < fps < 1000 else 25.0
        count = int(self._cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        self._total = count if count > 0 else None

    @property
    def total_frames(self) -> int | None:
        return self._total

    @property
    def fps(self) -> float | None:
        return self._fps

    def frames(self) -> Iterator[Frame]:
        index = 0
        while True:
            ok, image = self._cap.read()
            if not ok or image is None:
                break
            yield Frame(index, self._start + timedelta(seconds=index / self._fps), image)
            index += 1
        if index == 0:
            raise SourceError(f"{self.path}: not a video OpenCV can decode (no frame read)")

    def close(self) -> None:
        self._cap.release()


def read_image(path: Path) -> np.ndarray:
    """One frame image as BGR pixels.

    Raises:
        SourceError: OpenCV cannot decode the file.
    """
    import cv2

    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise SourceError(f"{path}: not an image OpenCV can decode")
    return image


class ImageFolderSource:
    """A folder of frame images (VisDrone/MOT style), in natural sort order."""

    live = False

    def __init__(self, folder: Path, fps: float = DEFAULT_FOLDER_FPS, start: datetime | None = None,
                 name: str | None = None) -> None:
        if not folder.is_dir():
            raise SourceError(f"{folder}: no such folder")
        self.files = sorted((p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES), key=_natural_key)
        if not self.files:
            raise SourceError(f"{folder}: no images ({', '.join(sorted(IMAGE_SUFFIXES))}) in folder")
        self.name = name or folder.name
        self._fps = fps
        self._start = start or utc_now()

    @property
    def total_frames(self) -> int | None:
        return len(self.files)

    @property
    def fps(self) -> float | None:
        return self._fps

    def frames(self) -> Iterator[Frame]:
        for index, path in enumerate(self.files):
            yield Frame(index, self._start + timedelta(seconds=index / self._fps), read_image(path))

    def close(self) -> None:
        pass


def open_capture(target: str | int, timeout_ms: int = 5000) -> Capture:
    """A ``cv2.VideoCapture`` for a URL (FFmpeg, with open/read timeouts) or a webcam."""
    import cv2

    if isinstance(target, int):
        return cv2.VideoCapture(target)
    params = [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, timeout_ms, cv2.CAP_PROP_READ_TIMEOUT_MSEC, timeout_ms]
    return cv2.VideoCapture(target, cv2.CAP_FFMPEG, params)


class LiveStreamSource:
    """An RTSP/HTTP stream or webcam that reconnects when it drops.

    A failed open or read starts a reconnect loop: wait per ``backoff``, reopen, and
    give up with :class:`StreamUnavailableError` after ``backoff.budget`` failures in a
    row. Frame indexes keep counting across reconnects, so (stream_id, frame_index)
    stays unique and track ids stay stable for the camera.
    """

    live = True

    def __init__(self, target: str | int, backoff: Backoff = Backoff(),
                 opener: Callable[[str | int], Capture] = open_capture,
                 sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], datetime] = utc_now,
                 on_reconnect: Callable[[], None] | None = None) -> None:
        self.target = target
        self.name = f"webcam{target}" if isinstance(target, int) else _redact(target)
        self.backoff = backoff
        self._opener = opener
        self._sleep = sleep
        self._clock = clock
        self.on_reconnect = on_reconnect
        self._cap: Capture | None = None
        self.reconnects = 0

    @property
    def total_frames(self) -> int | None:
        return None

    @property
    def fps(self) -> float | None:
        return None

    def _wait_or_give_up(self, failures: int, what: str) -> None:
        """Back off before retry ``failures``, or raise once the budget is spent."""
        if failures > self.backoff.budget:
            raise StreamUnavailableError(
                f"{self.name}: stream unreachable after {self.backoff.budget} retries "
                f"({self.backoff.total_s():.1f} s of backoff)")
        delay = self.backoff.delay(failures)
        log.warning("%s: %s, retry %d/%d in %.1f s", self.name, what, failures, self.backoff.budget, delay)
        self._sleep(delay)

    def frames(self) -> Iterator[Frame]:
        index = 0
        failures = 0  # failed opens and reads in a row; a good frame resets it
        while True:
            if self._cap is None:
                cap = self._opener(self.target)
                if not cap.isOpened():
                    cap.release()
                    failures += 1
                    self._wait_or_give_up(failures, "cannot open stream")
                    continue
                self._cap = cap
            ok, image = self._cap.read()
            if ok and image is not None:
                failures = 0
                yield Frame(index, self._clock(), image)
                index += 1
                continue
            # The stream dropped (or stalled past the read timeout): reconnect.
            self._cap.release()
            self._cap = None
            failures += 1
            self.reconnects += 1
            if self.on_reconnect is not None:
                self.on_reconnect()
            self._wait_or_give_up(failures, "stream dropped")

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None


def _redact(url: str) -> str:
    """The URL without user:password, for logs and error messages."""
    return re.sub(r"//[^/@]*@", "//", url)


def is_live(src: str) -> bool:
    """Whether ``src`` names a live stream (URL) or a webcam (a number)."""
    return src.isdigit() or src.lower().startswith(STREAM_SCHEMES)


def open_source(src: str, *, start: datetime | None = None, folder_fps: float = DEFAULT_FOLDER_FPS,
                backoff: Backoff = Backoff()) -> FrameSource:
    """The source for ``src``: a webcam number, a stream URL, an image folder or a video file.

    Args:
        src: ``0`` (webcam), ``rtsp://...``/``http://...``, a folder or a video file.
        start: Capture time of frame 0 for files and folders (default: now).
        folder_fps: Frame rate assumed for an image folder.
        backoff: Reconnect policy for live streams.

    Raises:
        SourceError: The file or folder is missing, unreadable or holds no frames.
    """
    if src.isdigit():
        return LiveStreamSource(int(src), backoff=backoff)
    if src.lower().startswith(STREAM_SCHEMES):
        return LiveStreamSource(src, backoff=backoff)
    path = Path(src).expanduser()
    if path.is_dir():
        from vision.sources.mot import frames_folder, is_mot_sequence

        if is_mot_sequence(path):  # MOTChallenge layout: img1/ at seqinfo.ini's frame rate
            images, fps = frames_folder(path)
            return ImageFolderSource(images, fps=fps, start=start, name=path.name)
        return ImageFolderSource(path, fps=folder_fps, start=start)
    return VideoFileSource(path, start=start)
