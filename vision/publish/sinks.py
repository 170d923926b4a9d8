"""Where events go: an NDJSON file, stdout (``--dry-run``), Pulsar, or several at once.

A sink takes an event already serialized to one JSON line and its message key (the
camera id). Sinks are shared by the camera threads of one run, so writes are locked.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Protocol

from vision.errors import SinkError


class Sink(Protocol):
    """Receives serialized events."""

    def write(self, payload: bytes, key: str) -> None: ...
    def close(self) -> None: ...


class NdjsonSink:
    """Appends one event per line to a file (created with its folder).

    Raises:
        SinkError: The file cannot be opened for writing.
    """

    def __init__(self, path: Path, append: bool = False) -> None:
        self.path = path
        self._lock = threading.Lock()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._file: IO[bytes] = path.open("ab" if append else "wb")
        except OSError as err:
            raise SinkError(f"{path}: cannot write events ({err.strerror})") from err

    def write(self, payload: bytes, key: str) -> None:
        with self._lock:
            self._file.write(payload + b"\n")

    def close(self) -> None:
        with self._lock:
            self._file.close()


class PrintSink:
    """Prints each event line to stdout instead of sending it (``--dry-run``)."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        self._stream = stream or sys.stdout
        self._lock = threading.Lock()

    def write(self, payload: bytes, key: str) -> None:
        with self._lock:
            self._stream.write(payload.decode() + "\n")
            self._stream.flush()

    def close(self) -> None:
        pass


class FanoutSink:
    """Writes every event to each of several sinks, in order."""

    def __init__(self, sinks: Sequence[Sink]) -> None:
        self.sinks = list(sinks)

    def write(self, payload: bytes, key: str) -> None:
        for sink in self.sinks:
            sink.write(payload, key)

    def close(self) -> None:
        errors = []
        for sink in self.sinks:
            try:
                sink.close()
            except SinkError as err:
                errors.append(err)
        if errors:
            raise errors[0]
