"""A durable local queue of events waiting for the broker: SQLite in WAL mode.

Every event is appended here before it is sent, and deleted only when the broker has
acknowledged it. A broker outage, a slow broker or a producer crash therefore loses
nothing: what is in the spool is sent when the broker is back (or on the next run).
"""

from __future__ import annotations

import re
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from vision.errors import SinkError


@dataclass(frozen=True)
class SpooledEvent:
    """One event waiting in the spool."""

    seq: int
    key: str
    payload: bytes
    enqueued_at: float  # time.time() when spooled


def spool_path(spool_dir: Path, topic: str) -> Path:
    """The spool file for ``topic`` in ``spool_dir`` (one file per topic)."""
    return spool_dir / (re.sub(r"[^A-Za-z0-9_.-]+", "_", topic).strip("_") + ".sqlite3")


class Spool:
    """An append-only, acknowledge-to-delete queue shared by threads of one process.

    Args:
        path: The SQLite file (created with its folder if missing).

    Raises:
        SinkError: The file cannot be created or is not a spool.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")  # durable across process crashes
            self._db.execute("CREATE TABLE IF NOT EXISTS spool (seq INTEGER PRIMARY KEY AUTOINCREMENT, "
                             "key TEXT NOT NULL, payload BLOB NOT NULL, enqueued_at REAL NOT NULL)")
        except (OSError, sqlite3.Error) as err:
            raise SinkError(f"{path}: cannot open spool ({err})") from err

    def append(self, key: str, payload: bytes) -> int:
        """Store one event; returns its sequence number."""
        with self._lock:
            cur = self._db.execute("INSERT INTO spool (key, payload, enqueued_at) VALUES (?, ?, ?)",
                                   (key, payload, time.time()))
            return int(cur.lastrowid or 0)

    def append_many(self, rows: list[tuple[str, bytes]]) -> None:
        """Store several events in one transaction."""
        now = time.time()
        with self._lock:
            self._db.execute("BEGIN")
            self._db.executemany("INSERT INTO spool (key, payload, enqueued_at) VALUES (?, ?, ?)",
                                 [(k, p, now) for k, p in rows])
            self._db.execute("COMMIT")

    def after(self, seq: int, limit: int) -> list[SpooledEvent]:
        """Up to ``limit`` events with a sequence number above ``seq``, oldest first."""
        with self._lock:
            rows = self._db.execute("SELECT seq, key, payload, enqueued_at FROM spool WHERE seq > ? "
                                    "ORDER BY seq LIMIT ?", (seq, limit)).fetchall()
        return [SpooledEvent(int(s), str(k), bytes(p), float(t)) for s, k, p, t in rows]

    def get(self, seqs: list[int]) -> list[SpooledEvent]:
        """The events with these sequence numbers that are still spooled."""
        if not seqs:
            return []
        marks = ",".join("?" * len(seqs))
        with self._lock:
            rows = self._db.execute(f"SELECT seq, key, payload, enqueued_at FROM spool WHERE seq IN ({marks}) "
                                    "ORDER BY seq", seqs).fetchall()
        return [SpooledEvent(int(s), str(k), bytes(p), float(t)) for s, k, p, t in rows]

    def delete(self, seqs: list[int]) -> None:
        """Forget acknowledged events."""
        if not seqs:
            return
        with self._lock:
            self._db.execute("BEGIN")
            self._db.executemany("DELETE FROM spool WHERE seq = ?", [(s,) for s in seqs])
            self._db.execute("COMMIT")

    def depth(self) -> int:
        """How many events wait."""
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM spool").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()
