-- Loitering: a track's stay in one zone is its run of consecutive detections there (in
-- event time; a detection elsewhere or in no zone, or a gap of track_gap_s, ends it).
-- An alert is raised at the stay's first detection loitering_s after it began, and at
-- each further loitering_s of the same stay. Written with OVER windows: MATCH_RECOGNIZE
-- kept a partial match for every detection of a long stay and was the slowest operator
-- of the job by far. Upstream: track_neighbours. Used by gold_alerts.
CREATE TEMPORARY VIEW loitering AS
WITH entries AS (
    SELECT
        *,
        rows_in_window = 1
        OR previous_zone <> COALESCE(zone_id, '')
        OR capture_ms - previous_ms >= {{ track_gap_s * 1000 }} AS enters_zone
    FROM track_neighbours
),

stays AS (
    SELECT
        *,
        -- LAST_VALUE skips NULLs: the entry of the stay this detection belongs to
        LAST_VALUE(CASE WHEN enters_zone THEN capture_ms END) OVER (
            PARTITION BY store_id, camera_id, track_id
            ORDER BY event_ts
            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
        ) AS entered_ms
    FROM entries
),

periods AS (
    SELECT
        *,
        -- configs/pipeline.yaml: loitering_s; how many whole periods the stay has lasted
        -- at this detection and at the one before it (none before the entry)
        FLOOR(CAST(capture_ms - entered_ms AS DOUBLE) / {{ loitering_s * 1000 }}) AS periods_now,
        CASE
            WHEN enters_zone THEN -1
            ELSE FLOOR(CAST(previous_ms - entered_ms AS DOUBLE) / {{ loitering_s * 1000 }})
        END AS periods_before
    FROM stays
)

SELECT
    store_id,
    camera_id,
    track_id,
    zone_id,
    TO_TIMESTAMP_LTZ(entered_ms, 3) AS entered_ts,
    event_ts AS alert_ts
FROM periods
WHERE zone_id IS NOT NULL AND periods_now >= 1 AND periods_now > periods_before;
