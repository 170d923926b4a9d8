-- gold_track_summary: one row per track visit, written once the track has been unseen
-- for track_gap_s (configs/pipeline.yaml). Grain: camera, track, visit.
-- Movement is the box centre's change from the first to the last detection of the
-- visit in event time, in normalized image units.
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
