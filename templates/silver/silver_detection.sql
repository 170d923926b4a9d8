-- silver_detection: one row per detection, de-duplicated on (event_id, det_id), with
-- the normalized box centre and size and the zone it falls in. is_late: the event came
-- more than allowed_lateness_s behind newer frames of its camera, so Gold leaves it
-- out. Grain: detection. Upstream: events_typed -> events_first_seen ->
-- events_in_camera_order -> detections.
CREATE TABLE IF NOT EXISTS {{ names.catalog }}.{{ names.iceberg_namespace }}.silver_detection (
    event_id STRING NOT NULL,
    det_id INT NOT NULL,
    store_id STRING NOT NULL,
    camera_id STRING NOT NULL,
    stream_id STRING,
    frame_index BIGINT NOT NULL,
    capture_ts TIMESTAMP_LTZ(3) NOT NULL,
    capture_date DATE NOT NULL,
    track_id BIGINT,
    object_class STRING,
    conf DOUBLE,
    cx DOUBLE,
    cy DOUBLE,
    w DOUBLE,
    h DOUBLE,
    zone_id STRING,
    is_late BOOLEAN NOT NULL
) PARTITIONED BY (capture_date, camera_id) WITH (
    'format-version' = '2',
    'write.parquet.compression-codec' = 'zstd'
);

CREATE TEMPORARY VIEW silver_detection AS
SELECT
    event_id,
    det_id,
    store_id,
    camera_id,
    stream_id,
    frame_index,
    event_ts AS capture_ts,
    CAST(event_ts AS DATE) AS capture_date,
    track_id,
    object_class,
    conf,
    cx,
    cy,
    w,
    h,
    zone_id,
    is_late
FROM detections;
