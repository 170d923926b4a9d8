"""Reading a deployment's Bronze, Silver and Gold tables through Trino and comparing them
with GoldReference: shared by the tests that run a private deployment of all layers."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone

from rva import reconcile
from rva.deployment import Deployment

from .conftest import Stack
from .gold_reference import GoldReference

GOLD_QUERIES = {
    "gold_people_per_minute": "SELECT store_id, camera_id, window_start, window_end, detections, unique_people",
    "gold_zone_heatmap": "SELECT store_id, camera_id, window_start, window_end, cell_x, cell_y, hits",
    "gold_track_summary": "SELECT store_id, camera_id, track_id, first_seen, last_seen, duration_s, frames, "
                          "delta_x, delta_y, avg_conf",
    "gold_zone_dwell": "SELECT store_id, camera_id, track_id, zone_id, enter_ts, exit_ts, dwell_s",
    "gold_line_crossings": "SELECT store_id, camera_id, line_id, window_start, window_end, crossings_in, "
                           "crossings_out",
    "gold_alerts": "SELECT store_id, camera_id, track_id, zone_id, alert_type, entered_ts, alert_ts",
}
CONVERGE_S = 900  # an upper bound on a loaded 2-core machine, not a promise


def normal(row: tuple) -> tuple:
    """Datetimes in UTC, so rows compare as values."""
    return tuple(v.astimezone(timezone.utc) if isinstance(v, datetime) and v.tzinfo else v for v in row)


def key(row: tuple) -> tuple:
    """A row without its floats (sums of floats differ in the last digits between Flink
    and Python), for matching rows before their floats are compared."""
    return tuple(v for v in row if not isinstance(v, float))


def same_rows(got: list[tuple], want: list[tuple]) -> bool:
    if sorted(map(key, got)) != sorted(map(key, want)):
        return False
    floats = {}
    for row in want:
        floats.setdefault(key(row), []).append([v for v in row if isinstance(v, float)])
    return all(any(all(abs(a - b) <= 1e-6 for a, b in zip([v for v in row if isinstance(v, float)], cand))
                   for cand in floats[key(row)]) for row in got)


def expected_gold(reference: GoldReference) -> dict[str, list[tuple]]:
    return {t: sorted(normal(r) for r in v) for t, v in reference.tables().items()}


def differences(got: dict[str, list[tuple]], want: dict[str, list[tuple]]) -> list[str]:
    out = []
    for table in want:
        if not same_rows(got[table], want[table]):
            missing = set(map(key, want[table])) - set(map(key, got[table]))
            extra = set(map(key, got[table])) - set(map(key, want[table]))
            out.append(f"{table}: {len(got[table])} rows, want {len(want[table])}; missing {sorted(missing)[:2]}"
                       f"; extra {sorted(extra)[:2]}")
    return out


@dataclass(frozen=True)
class Tables:
    """The tables of one Iceberg namespace."""

    stack: Stack
    namespace: str

    def rows(self, sql: str) -> list[tuple]:
        cursor = self.stack.trino(self.namespace)
        try:
            cursor.execute(sql)
            return [tuple(r) for r in cursor.fetchall()]
        except Exception as err:  # a table appears with its first commit
            if "does not exist" in str(err):
                return []
            raise

    def gold_of(self, store: str) -> dict[str, list[tuple]]:
        return {t: sorted(normal(r) for r in self.rows(f"{q} FROM {t} WHERE store_id = '{store}'"))
                for t, q in GOLD_QUERIES.items()}

    def converge(self, deployment: Deployment, store: str, reference: GoldReference,
                 reconcile_on_demand: bool = False) -> None:
        """Wait until every Gold table of ``store`` equals the reference (reconciling
        first when asked); fail with what still differs."""
        want = expected_gold(reference)
        deadline = time.monotonic() + CONVERGE_S
        diff: list[str] = ["not compared yet"]
        while time.monotonic() < deadline:
            if reconcile_on_demand and reconcile.pending(deployment):
                reconcile.reconcile(deployment)
            diff = differences(self.gold_of(store), want)
            if not diff:
                return
            time.sleep(5)
        raise AssertionError(f"Gold of {store} after {CONVERGE_S}s: " + " | ".join(diff))

    def assert_silver_and_bronze(self, store: str, reference: GoldReference) -> None:
        """Every valid event once in Bronze; every detection once in Silver, is_late
        exactly where the reference says; silver_late_events as the reference lists them.
        Each layer commits on its own checkpoints, so Bronze and Silver may be a
        checkpoint behind Gold when Gold has just converged: wait for them before comparing."""
        self.assert_rows(f"SELECT event_id FROM bronze_raw WHERE store_id = '{store}'",
                         [(e["event_id"],) for e in reference.events])
        self.assert_rows(f"SELECT event_id, det_id, is_late FROM silver_detection WHERE store_id = '{store}'",
                         [(d.event_id, d.det_id, d.is_late) for d in reference.silver])
        self.assert_rows(f"SELECT event_id, is_late FROM silver_late_events WHERE store_id = '{store}'",
                         [(e.event_id, e.is_late) for e in reference.late_events])

    def assert_rows(self, sql: str, want: list[tuple], wait_s: float = 300) -> None:
        """Until ``sql`` returns as many rows as ``want`` (a checkpoint or two), then the
        same rows; fail with how many are missing and extra, and a few of each."""
        deadline = time.monotonic() + wait_s
        got = self.rows(sql)
        while len(got) < len(want) and time.monotonic() < deadline:
            time.sleep(5)
            got = self.rows(sql)
        missing, extra = Counter(want) - Counter(got), Counter(got) - Counter(want)
        assert not missing and not extra, (f"{sql}: {len(got)} rows, want {len(want)}; "
                                           f"missing {sum(missing.values())} e.g. {sorted(missing)[:3]}; "
                                           f"extra {sum(extra.values())} e.g. {sorted(extra)[:3]}")

    def wait_until_read(self, store: str, events: int) -> None:
        """Until Bronze has committed ``events`` events of ``store`` (everything was read)."""
        deadline = time.monotonic() + CONVERGE_S
        got: list[tuple] = []
        while time.monotonic() < deadline:
            got = self.rows(f"SELECT count(*) FROM bronze_raw WHERE store_id = '{store}'")
            if got and got[0][0] >= events:
                return
            time.sleep(3)
        raise AssertionError(f"bronze_raw has {got} of {events} events of {store} after {CONVERGE_S}s")
