{% from 'macros.sql' import session_gap %}
-- gold_zone_dwell: one row per visit of a track to a zone. A visit survives detection
-- gaps shorter than dwell_gap_s; visits shorter than min_visit_s are flicker across a
-- zone edge and are dropped (configs/pipeline.yaml). Grain: camera, track, zone, visit.
-- Upstream: counted_detections.
CREATE TABLE IF NOT EXISTS {{ names.catalog }}.{{ names.iceberg_namespace }}.gold_zone_dwell (
    store_id STRING NOT NULL,
    camera_id STRING NOT NULL,
    track_id BIGINT NOT NULL,
    zone_id STRING NOT NULL,
    enter_ts TIMESTAMP_LTZ(3) NOT NULL,
    exit_ts TIMESTAMP_LTZ(3) NOT NULL,
    dwell_s DOUBLE NOT NULL
) WITH ('format-version' = '2');

CREATE TEMPORARY VIEW gold_zone_dwell AS
WITH visits AS (
    SELECT
        store_id,
        camera_id,
        track_id,
        zone_id,
        MIN(event_ts) AS enter_ts,
        MAX(event_ts) AS exit_ts,
        CAST(MAX(capture_ms) - MIN(capture_ms) AS DOUBLE) / 1000 AS dwell_s
    FROM counted_detections
    WHERE track_id IS NOT NULL AND zone_id IS NOT NULL
    -- configs/pipeline.yaml: dwell_gap_s
    GROUP BY store_id, camera_id, track_id, zone_id, SESSION(event_ts, {{ session_gap(dwell_gap_s) }})
)

SELECT *
FROM visits
-- configs/pipeline.yaml: min_visit_s
WHERE dwell_s >= {{ min_visit_s }};
