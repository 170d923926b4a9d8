"""Bronze, Silver and Gold on the real stack against a plain-Python reference.

Known events (duplicates, out-of-order pairs, malformed messages, then late events)
go to a topic of this run's own; the three layer scripts are rendered into a namespace
of this run's own and submitted with sql-client. Every Silver and Gold table is then
compared row by row with what `GoldReference` computes from the same events, and a replay
of every message must leave every table unchanged.
"""

from __future__ import annotations

import json
import math
import random
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
import yaml

from rva.config import REPO_ROOT
from rva.publish import publish
from rva.sql.render import PIPELINE
from rva.stack.provision import ensure_topic
from udfs.zones import load_zones

from .conftest import Stack
from .gold_reference import GoldReference, ms, utc_ms

RUN = uuid.uuid4().hex[:8]
NAMESPACE = f"it_medallion_{RUN}"
TOPIC = f"persistent://retail/metadata/it-medallion-{RUN}"
WAIT_S = 420  # generous upper bound: three jobs and their Python workers share 2 cores
# Yesterday 10:00 UTC: capture times must lie within max_event_age_days of the broker's receipt.
T0 = (datetime.now(timezone.utc) - timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)
FPS = 2
DURATION_S = 150
WIDTH, HEIGHT = 1000, 500
TUNABLES = yaml.safe_load(PIPELINE.read_text())
ZONES = load_zones(REPO_ROOT / "configs" / "zones.yaml")  # what the cluster's zone_of reads
LOITERING_S = 15  # rendered into this run's Gold instead of the production 120 s
# The late frames come ~100 s behind their camera's newest: beyond this run's allowed
# lateness, so Silver flags them and Gold counts them nowhere.
OVERRIDES = {"loitering_s": LOITERING_S, "allowed_lateness_s": 60}


# --- the scene: where each track is at time t (normalized centre), or None -------------
def track_1(t: float) -> tuple[float, float] | None:  # walks entrance -> aisle_1 -> checkout
    return (0.05 + 0.9 * t / 60, 0.5) if t < 60 else None


def track_2(t: float) -> tuple[float, float] | None:  # stands in aisle_1
    if not 10 <= t < 40 or 30 <= t < 32:  # a 2 s detection gap, shorter than dwell_gap_s
        return None
    return (0.72, 0.45) if 20 <= t <= 20.5 else (0.5, 0.45)  # 0.5 s flicker into checkout


def track_3(t: float) -> tuple[float, float] | None:  # two visits, 45 s apart
    if 5 <= t < 25:
        return (0.2, 0.6)
    return (0.8, 0.6) if 70 <= t < 90 else None


def track_4(t: float) -> tuple[float, float] | None:  # through the door, jittering on it, and back
    if not 40 <= t < 50:
        return None
    if 42 <= t < 46:  # the box straddles the door line: counts for neither side
        return (0.29 if int(t * FPS) % 2 else 0.31, 0.7)
    return (0.36 if 46 <= t < 48 else 0.25), 0.7


def track_5(t: float) -> tuple[float, float] | None:  # along the back shelves, past the door's top
    # Its box centre is in the no-zone band above y = 0.2 and level with the door's
    # window; its feet (y + 0.12) are on the floor, in the zones, and above the door's
    # end at y = 0.3: zoned by its feet, and walking past the door is no crossing.
    return (0.15 + 0.3 * (t - 60) / 20, 0.13) if 60 <= t < 80 else None


def track_7(t: float) -> tuple[float, float] | None:  # aisle_2, then the display
    return ((0.3 if t < 60 else 0.8), 0.4) if 30 <= t < 100 else None


def untracked(t: float) -> tuple[float, float] | None:  # a detection the tracker gave no id
    return (0.6, 0.3) if t < 10 else None


SCENE: dict[str, list[tuple[int | None, Callable[[float], tuple[float, float] | None], float]]] = {
    "cam_01": [(1, track_1, 0.91), (2, track_2, 0.8), (3, track_3, 0.7), (4, track_4, 0.75), (5, track_5, 0.6)],
    "cam_02": [(7, track_7, 0.85), (None, untracked, 0.5)],
}


def iso(t: float) -> str:
    return (T0 + timedelta(seconds=t)).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def frame(camera: str, index: int, t: float, people: list[tuple[int | None, float, float, float]]) -> dict[str, Any]:
    return {
        "schema_version": 1,
        "event_id": f"{RUN}-{camera}-{index:05d}",
        "source": {"store_id": "store_it", "camera_id": camera, "stream_id": f"{camera}/it"},
        "frame_index": index,
        "capture_ts": iso(t),
        "image_size": {"width": WIDTH, "height": HEIGHT},
        "detections": [
            {"det_id": i, "class": "person", "conf": conf, "track_id": track,
             "bbox": {"x1": x * WIDTH - 20, "y1": y * HEIGHT - 60, "x2": x * WIDTH + 20, "y2": y * HEIGHT + 60}}
            for i, (track, x, y, conf) in enumerate(people)
        ],
    }


def earlier_format(event: dict[str, Any]) -> dict[str, Any]:
    """The frame as the system rva replaces writes it (../shared/REPLACED.md): no
    schema_version, no event_id, string det_ids. rva reads it as schema version 0."""
    earlier = {k: v for k, v in event.items() if k not in ("schema_version", "event_id")}
    earlier["detections"] = [{**d, "det_id": f"d_{event['frame_index']}_{d['det_id']:03d}"} for d in event["detections"]]
    return earlier


def scene_events() -> list[dict[str, Any]]:
    """Every frame; cam_02 is a camera still on the earlier producer."""
    events = []
    for index in range(DURATION_S * FPS):
        t = index / FPS
        for camera, tracks in SCENE.items():
            people = [(track, *pos, conf) for track, where, conf in tracks if (pos := where(t)) is not None]
            event = frame(camera, index, t, people)
            events.append(earlier_format(event) if camera == "cam_02" else event)
    return events


def late_events() -> list[dict[str, Any]]:
    """Frames from a minute that closed long ago, sent after everything else."""
    return [frame("cam_01", 9000 + i, 45 + i / FPS, [(9, 0.5, 0.5, 0.9)]) for i in range(4)]


def publish_order(events: list[dict[str, Any]]) -> list[bytes]:
    """Events as sent: some adjacent pairs swapped, 30 duplicates, 3 malformed messages."""
    rng = random.Random(7)
    lines = [json.dumps(e).encode() for e in events]
    for i in rng.sample(range(0, len(lines) - 1, 2), 40):
        lines[i], lines[i + 1] = lines[i + 1], lines[i]  # 0.5 s apart: inside the bound
    for i in sorted(rng.sample(range(len(lines)), 30), reverse=True):
        lines.insert(i + 1, lines[i])
    for i, bad in zip((100, 300, 500), (b"not json", b'{"event_id": 1', b"[1, 2, 3]")):
        lines.insert(i, bad)
    return lines


# --- the reference: tests/integration/gold_reference.py ---------------------------------
def reference_of(messages: list[bytes]) -> GoldReference:
    """Silver and Gold as the jobs must have them once every message is in: Gold's windows
    closed up to the watermark, which follows every valid frame (empty ones too)."""
    ref = GoldReference(messages, ZONES, {**TUNABLES, **OVERRIDES})
    return GoldReference(messages, ZONES, {**TUNABLES, **OVERRIDES},
                         closed_through_ms=max(ms(e["capture_ts"]) for e in ref.events)
                         - TUNABLES["out_of_orderness_s"] * 1000)


# --- running it -----------------------------------------------------------------------
@dataclass(frozen=True)
class MedallionRun:
    reference: GoldReference
    messages: list[bytes]
    job_ids: list[str]


def query(stack: Stack, sql: str) -> list[tuple]:
    cursor = stack.trino(NAMESPACE)
    cursor.execute(sql)
    return [tuple(r) for r in cursor.fetchall()]


def wait_for_rows(stack: Stack, table: str, expected: int, where: str = "TRUE") -> None:
    deadline = time.monotonic() + WAIT_S
    count = -1
    while time.monotonic() < deadline:
        try:
            count = query(stack, f"SELECT count(*) FROM {table} WHERE {where}")[0][0]
        except Exception as err:  # not created or not committed yet
            if "does not exist" not in str(err):
                raise
        if count >= expected:
            return
        time.sleep(3)
    raise AssertionError(f"{table}: {count} rows where {where}, expected {expected}, after {WAIT_S}s")


def wait_for_backlog_zero(stack: Stack) -> None:
    """Every layer's subscription has consumed (and acknowledged) every message."""
    path = TOPIC.replace("persistent://", "persistent/")
    url = f"http://127.0.0.1:{stack.cfg.ports.pulsar_admin}/admin/v2/{path}/partitioned-stats"
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        subs = httpx.get(url, timeout=10).json().get("subscriptions", {})
        if len(subs) == 3 and all(s["msgBacklog"] == 0 for s in subs.values()):
            return
        time.sleep(3)
    raise AssertionError(f"subscriptions still have a backlog after {WAIT_S}s")


@pytest.fixture(scope="module")
def medallion(stack: Stack) -> Iterator[MedallionRun]:
    ensure_topic(stack.cfg, TOPIC)  # partitioned, like the events topic
    job_ids: list[str] = []
    try:  # cleaned up even when the set-up fails
        for layer in ("bronze", "silver", "gold"):
            job_ids.append(stack.submit_layer(layer, NAMESPACE, TOPIC, RUN, **OVERRIDES))

        events, late = scene_events(), late_events()
        messages = publish_order(events)
        assert publish(stack.pulsar_url, TOPIC, messages) == len(messages)
        reference = reference_of(messages)
        # The last minute window and every visit must be closed before the late events go.
        wait_for_rows(stack, "gold_people_per_minute", len(reference.people_per_minute()))
        wait_for_rows(stack, "gold_zone_dwell", len(reference.zone_dwell()))
        wait_for_rows(stack, "gold_track_summary", len(reference.track_summary()))
        wait_for_rows(stack, "gold_alerts", len(reference.alerts()))
        wait_for_rows(stack, "gold_line_crossings", len(reference.line_crossings()))

        late_lines = [json.dumps(e).encode() for e in late]
        assert publish(stack.pulsar_url, TOPIC, late_lines) == len(late_lines)
        reference = reference_of(messages + late_lines)
        wait_for_rows(stack, "silver_detection", len(reference.silver))
        wait_for_rows(stack, "bronze_raw", len(events) + len(late))  # committed, not just read
        wait_for_rows(stack, "bronze_rejects", 3)
        wait_for_rows(stack, "silver_late_events", len(late))
        wait_for_backlog_zero(stack)
        yield MedallionRun(reference, messages + late_lines, job_ids)
    finally:
        stack.drop_namespace(NAMESPACE, job_ids, (TOPIC,))


def approx_rows(rows: list[tuple]) -> list[tuple]:
    return [tuple(pytest.approx(v, abs=1e-6) if isinstance(v, float) else v for v in r) for r in rows]


def as_utc(value: Any) -> Any:
    return value.astimezone(timezone.utc) if isinstance(value, datetime) and value.tzinfo else value


class TestSilver:
    def test_detections_match_reference(self, stack: Stack, medallion: MedallionRun) -> None:
        rows = query(stack, "SELECT event_id, det_id, camera_id, track_id, capture_ts, cx, cy, conf, "
                            "zone_id, is_late FROM silver_detection ORDER BY event_id, det_id")
        got = [(r[0], r[1], r[2], r[3], as_utc(r[4]), r[5], r[6], r[7], r[8], r[9]) for r in rows]
        expected = sorted((d.event_id, d.det_id, d.camera_id, d.track_id, utc_ms(d.t_ms), d.cx, d.cy,
                           d.conf, d.zone_id, d.is_late) for d in medallion.reference.silver)
        assert got == approx_rows(expected)

    def test_late_events_kept_and_flagged(self, stack: Stack, medallion: MedallionRun) -> None:
        late = query(stack, "SELECT count(*) FROM silver_detection WHERE is_late")[0][0]
        assert late == sum(d.is_late for d in medallion.reference.silver) == 4

    def test_late_events_listed(self, stack: Stack, medallion: MedallionRun) -> None:
        rows = query(stack, "SELECT event_id, camera_id, lateness_s, detections, is_late FROM silver_late_events")
        expected = {(e.event_id, e.camera_id, e.lateness_ms / 1000, e.detections, e.is_late)
                    for e in medallion.reference.late_events}
        assert set(rows) == expected and len(expected) == 4 and all(e[-1] for e in expected)
        # beyond the allowed lateness, so Gold's stream has nothing to reconcile either
        assert query(stack, "SELECT count(*) FROM gold_late_events")[0][0] == 0


class TestGold:
    def test_people_per_minute(self, stack: Stack, medallion: MedallionRun) -> None:
        rows = query(stack, "SELECT store_id, camera_id, window_start, window_end, detections, unique_people "
                            "FROM gold_people_per_minute")
        assert set(rows) == medallion.reference.people_per_minute()

    def test_zone_heatmap(self, stack: Stack, medallion: MedallionRun) -> None:
        rows = query(stack, "SELECT store_id, camera_id, window_start, window_end, cell_x, cell_y, hits "
                            "FROM gold_zone_heatmap")
        assert set(rows) == medallion.reference.heatmap()

    def test_track_summary(self, stack: Stack, medallion: MedallionRun) -> None:
        rows = query(stack, "SELECT store_id, camera_id, track_id, first_seen, last_seen, duration_s, frames, "
                            "delta_x, delta_y, avg_conf FROM gold_track_summary ORDER BY 2, 3, 4")
        got = [tuple(as_utc(v) for v in r) for r in rows]
        assert got == approx_rows(medallion.reference.track_summary())

    def test_zone_dwell(self, stack: Stack, medallion: MedallionRun) -> None:
        rows = query(stack, "SELECT store_id, camera_id, track_id, zone_id, enter_ts, exit_ts, dwell_s "
                            "FROM gold_zone_dwell ORDER BY 2, 3, 4, 5")
        got = [tuple(as_utc(v) for v in r) for r in rows]
        expected = medallion.reference.zone_dwell()
        assert got == approx_rows(expected)
        # the scene's own checks: the flicker is no visit, the short gap does not split one
        assert not [r for r in expected if r[2] == 2 and r[3] == "checkout"]
        assert len([r for r in expected if r[2] == 2 and r[3] == "aisle_1"]) == 1
        # track 5's box centre is in no zone; its feet are in the entrance, then aisle_1
        assert [r[3] for r in expected if r[2] == 5] == ["aisle_1", "entrance"]

    def test_line_crossings(self, stack: Stack, medallion: MedallionRun) -> None:
        rows = query(stack, "SELECT store_id, camera_id, line_id, window_start, window_end, crossings_in, "
                            "crossings_out FROM gold_line_crossings")
        expected = medallion.reference.line_crossings()
        assert set(rows) == expected
        # the scene's own check: tracks 1 and 4 go out, track 4 comes back in; its 4 s of
        # jitter on the line add nothing
        minute = [(T0 + timedelta(minutes=m)).replace(tzinfo=None) for m in range(3)]
        assert ("store_it", "cam_01", "door", minute[0], minute[1], 1, 2) in expected
        # minute 2: track 3 reappears beyond the door (out); track 5 walks past the door's
        # top end, which is no crossing
        assert ("store_it", "cam_01", "door", minute[1], minute[2], 0, 1) in expected
        # cam_02's line says `in: right`: track 7 walking right, into the display, is in
        assert ("store_it", "cam_02", "display_edge", minute[1], minute[2], 1, 0) in expected

    def test_loitering_alerts(self, stack: Stack, medallion: MedallionRun) -> None:
        rows = query(stack, "SELECT store_id, camera_id, track_id, zone_id, alert_type, entered_ts, alert_ts "
                            "FROM gold_alerts ORDER BY 2, 3, 6")
        got = [tuple(as_utc(v) for v in r) for r in rows]
        expected = medallion.reference.alerts()
        assert sorted(got) == expected
        assert expected, "the scene has stays longer than the loitering threshold"


TABLES = ["bronze_raw", "bronze_rejects", "silver_detection", "silver_late_events", "gold_people_per_minute",
          "gold_zone_heatmap", "gold_track_summary", "gold_zone_dwell", "gold_alerts", "gold_line_crossings"]
# written only when an event came behind Gold's watermark (none does in this scene)
MAYBE_TABLES = ["gold_late_events"]


class TestReplay:
    def test_replay_changes_no_table(self, stack: Stack, medallion: MedallionRun) -> None:
        def snapshot() -> dict[str, list[tuple]]:
            return {t: sorted(map(repr, query(stack, f"SELECT * FROM {t}"))) for t in TABLES}

        before = snapshot()
        assert all(before[t] for t in TABLES), "every table has rows before the replay"
        assert publish(stack.pulsar_url, TOPIC, medallion.messages) == len(medallion.messages)
        wait_for_backlog_zero(stack)
        time.sleep(25)  # two checkpoints: anything the replay wrote would now be committed
        assert snapshot() == before


class TestMaintain:
    def test_compaction_keeps_every_row(self, stack: Stack, medallion: MedallionRun) -> None:
        from rva.maintain import maintain

        # How many files the streaming commits left depends on timing, so a table of
        # three known small files shows that compaction merges them.
        cursor = stack.trino(NAMESPACE)
        for sql in ["CREATE TABLE compaction_probe AS SELECT * FROM silver_detection",
                    "INSERT INTO compaction_probe SELECT * FROM silver_detection",
                    "INSERT INTO compaction_probe SELECT * FROM silver_detection"]:
            cursor.execute(sql)
            cursor.fetchall()
        before = {t: sorted(map(repr, query(stack, f"SELECT * FROM {t}"))) for t in [*TABLES, "compaction_probe"]}
        # Retention 0s is safe here only because no data is in flight any more.
        reports = {r.table: r for r in maintain(stack.cfg, NAMESPACE, retention="0s")}
        assert set(reports) - set(MAYBE_TABLES) == {*TABLES, "compaction_probe"}
        probe = reports["compaction_probe"]
        assert (probe.files_before, probe.files_after) == (3, 1)
        assert all(r.files_after <= r.files_before for r in reports.values())
        assert all(r.snapshots_after == 1 for t, r in reports.items() if t not in MAYBE_TABLES)
        assert {t: sorted(map(repr, query(stack, f"SELECT * FROM {t}"))) for t in before} == before
        cursor.execute("DROP TABLE compaction_probe")
        cursor.fetchall()


def analyst_query(stack: Stack, name: str) -> list[tuple]:
    """sql/trino/<name> on this test's namespace."""
    sql = (REPO_ROOT / "sql" / "trino" / name).read_text()
    return query(stack, sql.replace("lakehouse.rva.", f"lakehouse.{NAMESPACE}."))


def rva_query(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "rva.cli", "query", *args], capture_output=True, text=True,
                          timeout=120)


class TestAnalystQueries:
    def test_rva_query_prints_the_rows_as_json(self, stack: Stack, medallion: MedallionRun) -> None:
        result = rva_query("--schema", NAMESPACE, "--format", "json",
                           "SELECT camera_id, SUM(detections) AS detections FROM gold_people_per_minute "
                           "GROUP BY camera_id ORDER BY camera_id;")
        assert result.returncode == 0, result.stderr
        expected: dict[str, int] = defaultdict(int)
        for _, cam, _, _, detections, _ in medallion.reference.people_per_minute():
            expected[cam] += detections
        assert json.loads(result.stdout) == [{"camera_id": c, "detections": n} for c, n in sorted(expected.items())]

    @pytest.mark.parametrize(("sql", "error"), [
        ("SELECT * FROM gold_nothing", "TABLE_NOT_FOUND"),
        ("SELECT camera FROM gold_people_per_minute", "COLUMN_NOT_FOUND"),
        ("SELEC 1", "SYNTAX_ERROR"),
    ])
    def test_a_bad_query_is_trinos_message_in_one_line(self, stack: Stack, medallion: MedallionRun,
                                                        sql: str, error: str) -> None:
        result = rva_query("--schema", NAMESPACE, sql)
        assert result.returncode == 2
        [line] = result.stderr.strip().splitlines()
        assert line.startswith(f"error: query failed: {error}: line 1:")

    def test_busiest_15_minutes(self, stack: Stack, medallion: MedallionRun) -> None:
        per_minute: dict[datetime, int] = defaultdict(int)
        for _, _, start, _, _, people in medallion.reference.people_per_minute():
            per_minute[start] += people
        quarters: dict[datetime, list[int]] = defaultdict(list)
        for start, people in per_minute.items():
            quarters[start.replace(minute=start.minute // 15 * 15)].append(people)
        busiest = min(quarters, key=lambda q: (-max(quarters[q]), q))
        assert analyst_query(stack, "busiest_15_minutes.sql") == [
            ("store_it", busiest, max(quarters[busiest]), sum(quarters[busiest]))]

    def test_dwell_by_zone(self, stack: Stack, medallion: MedallionRun) -> None:
        dwells: dict[tuple, list[float]] = defaultdict(list)
        for store, cam, _, zone, _, _, dwell in medallion.reference.zone_dwell():
            dwells[(store, cam, zone)].append(dwell)
        expected = [(*k, len(v), round(sum(v) / len(v), 1), sorted(v)[math.ceil(0.9 * len(v)) - 1])
                    for k, v in sorted(dwells.items())]
        assert any(len(v) > 1 for v in dwells.values()), "a zone with several visits"
        assert analyst_query(stack, "dwell_by_zone.sql") == approx_rows(expected)

    def test_entrance_conversion(self, stack: Stack, medallion: MedallionRun) -> None:
        visits = medallion.reference.zone_dwell()
        entered = {(s, c, t): min(e for s2, c2, t2, z, e, _, _ in visits if (s2, c2, t2, z) == (s, c, t, "entrance"))
                   for s, c, t, z, _, _, _ in visits if z == "entrance"}
        entrants: dict[tuple, int] = defaultdict(int)
        for s, c, _ in entered:
            entrants[(s, c)] += 1
        went_on: dict[tuple, set[int]] = defaultdict(set)
        for s, c, t, z, e, _, _ in visits:
            if z != "entrance" and (s, c, t) in entered and e >= entered[(s, c, t)]:
                went_on[(s, c, z)].add(t)
        expected = [(s, c, z, entrants[(s, c)], len(ts), round(len(ts) / entrants[(s, c)], 3))
                    for (s, c, z), ts in sorted(went_on.items())]
        assert expected, "someone went on from the entrance"
        assert analyst_query(stack, "entrance_conversion.sql") == approx_rows(expected)

    def test_footfall_by_hour(self, stack: Stack, medallion: MedallionRun) -> None:
        hourly: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
        for store, cam, line, start, _, c_in, c_out in medallion.reference.line_crossings():
            counts = hourly[(store, cam, line, start.replace(minute=0))]
            counts[0] += c_in
            counts[1] += c_out
        assert analyst_query(stack, "footfall_by_hour.sql") == [(*k, *v) for k, v in sorted(hourly.items())]

    def test_zone_dwell_by_hour(self, stack: Stack, medallion: MedallionRun) -> None:
        sql = (REPO_ROOT / "sql" / "trino" / "zone_dwell_by_hour.sql").read_text()
        rows = query(stack, sql.replace("lakehouse.rva.", f"lakehouse.{NAMESPACE}."))
        expected: dict[tuple, list[float]] = defaultdict(list)
        for _, cam, _, zone, enter, _, dwell in medallion.reference.zone_dwell():
            expected[(cam, zone)].append(dwell)
        got = {(r[1], r[2]): (r[4], r[6]) for r in rows}  # one hour in the scene
        assert got == {k: (len(v), pytest.approx(max(v))) for k, v in expected.items()}

    def test_people_per_hour(self, stack: Stack, medallion: MedallionRun) -> None:
        sql = (REPO_ROOT / "sql" / "trino" / "people_per_hour.sql").read_text()
        rows = query(stack, sql.replace("lakehouse.rva.", f"lakehouse.{NAMESPACE}."))
        per_minute: dict[datetime, int] = defaultdict(int)
        for _, _, start, _, _, people in medallion.reference.people_per_minute():
            per_minute[start] += people
        assert [(r[0], r[2]) for r in rows] == [("store_it", max(per_minute.values()))]

    def test_time_travel_lists_what_changed_since_a_snapshot(self, stack: Stack, medallion: MedallionRun) -> None:
        """A minute added by hand, then removed: as of a snapshot before it, the query
        lists it with no figures before; after the removal, nothing differs from then.
        Last in the module: it changes gold_people_per_minute for a while."""
        sql = (REPO_ROOT / "sql" / "trino" / "people_per_minute_changes.sql").read_text()
        sql = sql.replace("lakehouse.rva.", f"lakehouse.{NAMESPACE}.")
        as_of = "CURRENT_TIMESTAMP - INTERVAL '1' HOUR"
        assert as_of in sql

        def changes_since(snapshot_committed: datetime) -> list[tuple]:
            at = snapshot_committed.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3] + " UTC"
            return query(stack, sql.replace(as_of, f"TIMESTAMP '{at}'"))

        newest = 'SELECT max(committed_at) FROM "gold_people_per_minute$snapshots"'
        [(before,)] = query(stack, newest)
        minute = datetime(2001, 1, 1, 12, 0)  # no scene's minute
        query(stack, "INSERT INTO gold_people_per_minute VALUES ('store_it', 'cam_by_hand', "
                     "TIMESTAMP '2001-01-01 12:00:00', TIMESTAMP '2001-01-01 12:01:00', 7, 3)")
        [(added,)] = query(stack, newest)
        try:
            assert changes_since(before) == [("store_it", "cam_by_hand", minute, None, 7, None, 3)]
            assert changes_since(added) == []
        finally:
            query(stack, "DELETE FROM gold_people_per_minute WHERE camera_id = 'cam_by_hand'")
        assert changes_since(before) == []
        assert changes_since(added) == [("store_it", "cam_by_hand", minute, 7, None, 3, None)]
