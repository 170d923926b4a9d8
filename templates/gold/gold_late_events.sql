-- gold_late_events: events that reached the streaming Gold job behind its watermark, so
-- windows and visits they belong to may already have been written without them. It is
-- what reconciliation (`rva pipeline reconcile`) works from: it recomputes each
-- camera-day listed here from Silver. Events beyond the allowed lateness are not listed:
-- Gold never counts them (silver_late_events). Grain: event. Upstream:
-- events_in_camera_order. Streaming only.
CREATE TABLE IF NOT EXISTS {{ names.catalog }}.{{ names.iceberg_namespace }}.gold_late_events (
    store_id STRING NOT NULL,
    camera_id STRING NOT NULL,
    event_id STRING NOT NULL,
    capture_ts TIMESTAMP_LTZ(3) NOT NULL,
    capture_date DATE NOT NULL,
    detections INT NOT NULL,
    watermark_ts TIMESTAMP_LTZ(3) NOT NULL,
    arrival_ts TIMESTAMP_LTZ(3) NOT NULL
) PARTITIONED BY (capture_date) WITH (
    'format-version' = '2'
);

CREATE TEMPORARY VIEW gold_late_events AS
SELECT
    `source`.store_id AS store_id,
    `source`.camera_id AS camera_id,
    event_id,
    event_ts AS capture_ts,
    CAST(event_ts AS DATE) AS capture_date,
    CARDINALITY(detections) AS detections,
    CURRENT_WATERMARK(event_ts) AS watermark_ts,
    CAST(arrival_ts AS TIMESTAMP_LTZ(3)) AS arrival_ts
FROM events_in_camera_order
-- empty frames change no Gold row; events beyond the allowed lateness count nowhere
WHERE
    event_ts <= CURRENT_WATERMARK(event_ts)
    AND CARDINALITY(detections) > 0
    AND NOT is_late;
