"""Re-send a recorded NDJSON file of events, at the original pace, N times faster, or flat out.

Lines are sent as they are (event ids included), so a replay is de-duplicated by
Silver like any redelivery; only the pacing reads ``capture_ts``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from vision.errors import CameraConfigError, SourceError
from vision.events import parse_capture_ts
from vision.publish.sinks import Sink


@dataclass(frozen=True)
class Rate:
    """Replay speed: a multiple of real time, or None for as fast as possible."""

    factor: float | None

    @classmethod
    def parse(cls, text: str) -> Rate:
        """``original`` (1x), ``max`` (no waiting) or a number > 0 (that many times real time).

        Raises:
            CameraConfigError: Anything else.
        """
        value = text.strip().lower()
        if value == "original":
            return cls(1.0)
        if value == "max":
            return cls(None)
        try:
            factor = float(value.rstrip("x"))
        except ValueError:
            factor = -1.0
        if not factor > 0:
            raise CameraConfigError(f"--rate: need original, max or a number > 0, got {text!r}")
        return cls(factor)


@dataclass(frozen=True)
class ReplayLine:
    """One line of the file, with what pacing and keying need."""

    payload: bytes
    key: str
    capture_s: float | None  # POSIX seconds, None when the line has no usable capture_ts


def read_lines(path: Path) -> Iterator[ReplayLine]:
    """The non-empty lines of an NDJSON file.

    Raises:
        SourceError: The file is missing or unreadable.
    """
    try:
        handle = path.open("rb")
    except FileNotFoundError as err:
        raise SourceError(f"{path}: no such events file") from err
    except OSError as err:
        raise SourceError(f"{path}: cannot read ({err.strerror})") from err
    with handle:
        for raw in handle:
            line = raw.rstrip(b"\r\n")
            if not line.strip():
                continue
            key, capture_s = "", None
            try:
                event = json.loads(line)
                key = str(event["source"]["camera_id"])
                capture_s = parse_capture_ts(event["capture_ts"]).timestamp()
            except (ValueError, KeyError, TypeError, AttributeError):
                pass  # sent unchanged: deciding what is an event is Bronze's job
            yield ReplayLine(line, key, capture_s)


def replay(path: Path, sink: Sink, rate: Rate, sleep: Callable[[float], None] = time.sleep,
           clock: Callable[[], float] = time.monotonic) -> int:
    """Send every line of ``path`` to ``sink``, paced by capture time; returns the count."""
    sent = 0
    t0_capture: float | None = None
    t0_wall = clock()
    for line in read_lines(path):
        if rate.factor is not None and line.capture_s is not None:
            if t0_capture is None:
                t0_capture = line.capture_s
            due = t0_wall + (line.capture_s - t0_capture) / rate.factor
            wait = due - clock()
            if wait > 0:
                sleep(wait)
        sink.write(line.payload, line.key)
        sent += 1
    return sent
