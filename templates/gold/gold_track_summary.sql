{% from 'macros.sql' import session_gap %}
-- gold_track_summary: one row per track visit, written once the track has been unseen
-- for track_gap_s (configs/pipeline.yaml). Grain: camera, track, visit.
-- Movement is the box centre's change from the first to the last detection of the
-- visit in event time, in normalized image units. Upstream: track_steps.
CREATE TABLE IF NOT EXISTS {{ names.catalog }}.{{ names.iceberg_namespace }}.gold_track_summary (
    store_id STRING NOT NULL,
    camera_id STRING NOT NULL,
    track_id BIGINT NOT NULL,
    first_seen TIMESTAMP_LTZ(3) NOT NULL,
    last_seen TIMESTAMP_LTZ(3) NOT NULL,
    duration_s DOUBLE NOT NULL,
    frames BIGINT NOT NULL,
    delta_x DOUBLE,
    delta_y DOUBLE,
    avg_conf DOUBLE
) WITH ('format-version' = '2');

CREATE TEMPORARY VIEW gold_track_summary AS
WITH visits AS (
    SELECT
        store_id,
        camera_id,
        track_id,
        MIN(event_ts) AS first_seen,
        MAX(event_ts) AS last_seen,
        MAX(capture_ms) - MIN(capture_ms) AS duration_ms,
        COUNT(*) AS frames,
        SUM(step_x) AS delta_x,
        SUM(step_y) AS delta_y,
        AVG(conf) AS avg_conf
    FROM track_steps
    -- configs/pipeline.yaml: track_gap_s
    GROUP BY store_id, camera_id, track_id, SESSION(event_ts, {{ session_gap(track_gap_s) }})
)

SELECT
    store_id,
    camera_id,
    track_id,
    first_seen,
    last_seen,
    CAST(duration_ms AS DOUBLE) / 1000 AS duration_s,
    frames,
    delta_x,
    delta_y,
    avg_conf
FROM visits;
