-- silver_late_events: events that came more than out_of_orderness_s behind newer frames
-- of their own camera: a producer's spool resending after an outage, a camera replaying
-- its buffer. is_late: more than allowed_lateness_s behind, so Gold never counts the
-- event's detections (configs/pipeline.yaml); Gold counts the others, through
-- reconciliation where its windows had closed. Nothing here is lost: silver_detection
-- keeps every detection. Grain: event. Upstream: events_in_camera_order.
CREATE TABLE IF NOT EXISTS {{ names.catalog }}.{{ names.iceberg_namespace }}.silver_late_events (
    store_id STRING NOT NULL,
    camera_id STRING NOT NULL,
    event_id STRING NOT NULL,
    frame_index BIGINT NOT NULL,
    capture_ts TIMESTAMP_LTZ(3) NOT NULL,
    capture_date DATE NOT NULL,
    camera_newest_ts TIMESTAMP_LTZ(3) NOT NULL,
    lateness_s DOUBLE NOT NULL,
    detections INT NOT NULL,
    is_late BOOLEAN NOT NULL
) PARTITIONED BY (capture_date) WITH (
    'format-version' = '2'
);

CREATE TEMPORARY VIEW silver_late_events AS
SELECT
    `source`.store_id AS store_id,
    `source`.camera_id AS camera_id,
    event_id,
    frame_index,
    event_ts AS capture_ts,
    CAST(event_ts AS DATE) AS capture_date,
    camera_newest_ts,
    CAST(lateness_ms AS DOUBLE) / 1000 AS lateness_s,
    COALESCE(CARDINALITY(detections), 0) AS detections,
    is_late
FROM events_in_camera_order
-- configs/pipeline.yaml: out_of_orderness_s (what every layer absorbs without notice)
WHERE lateness_ms > {{ out_of_orderness_s * 1000 }};
