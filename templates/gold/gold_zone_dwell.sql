-- gold_zone_dwell: one row per visit of a track to a zone. A visit survives detection
-- gaps shorter than dwell_gap_s; visits shorter than min_visit_s are flicker across a
-- zone edge and are dropped (configs/pipeline.yaml). Grain: camera, track, zone, visit.
CREATE TABLE IF NOT EXISTS {{ names.catalog }}.{{ names.iceberg_namespace }}.gold_zone_dwell (
    store_id STRING NOT NULL,
    camera_id STRING NOT NULL,
    track_id BIGINT NOT NULL,
    zone_id STRING NOT NULL,
    enter_ts TIMESTAMP_LTZ(3) NOT NULL,
    exit_ts TIMESTAMP_LTZ(3) NOT NULL,
    dwell_s DOUBLE NOT NULL
) WITH ('format-version' = '2');
