"""The Gold models: the tables the Gold job and reconciliation write, in the order the
layer script defines them, and how reconciliation tells a closed row of each. Adding a
Gold model is a template templates/gold/<name>.sql, its model YAML, and a line here."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GoldTable:
    """How reconciliation decides which of a Gold table's rows it owns.

    Attributes:
        name: The table.
        owned_by: The column whose UTC date assigns a row to a camera-day.
        closed_by: The column that must be at most the safe point minus ``gap_key``'s
            value for the row to be closed (the streaming job has written it).
        gap_key: configs/pipeline.yaml key of the gap a row needs to close, or None.
    """

    name: str
    owned_by: str
    closed_by: str
    gap_key: str | None = None


GOLD_TABLES = (
    GoldTable("gold_people_per_minute", "window_start", "window_end"),
    GoldTable("gold_zone_heatmap", "window_start", "window_end"),
    GoldTable("gold_track_summary", "first_seen", "last_seen", "track_gap_s"),
    GoldTable("gold_zone_dwell", "enter_ts", "exit_ts", "dwell_gap_s"),
    GoldTable("gold_line_crossings", "window_start", "window_end"),
    GoldTable("gold_alerts", "alert_ts", "alert_ts"),
)
