-- gold_people_per_minute: detections and distinct people (track ids) per camera and
-- minute of capture time. Grain: store, camera, minute. Upstream: counted_detections.
-- Window bounds are UTC. A minute is written once the watermark passes its end;
-- detections that came after that are added by reconciliation (`rva pipeline reconcile`).
CREATE TABLE IF NOT EXISTS {{ names.catalog }}.{{ names.iceberg_namespace }}.gold_people_per_minute (
    store_id STRING NOT NULL,
    camera_id STRING NOT NULL,
    window_start TIMESTAMP(3) NOT NULL,
    window_end TIMESTAMP(3) NOT NULL,
    detections BIGINT NOT NULL,
    unique_people BIGINT NOT NULL
) WITH ('format-version' = '2');

CREATE TEMPORARY VIEW gold_people_per_minute AS
SELECT
    store_id,
    camera_id,
    window_start,
    window_end,
    COUNT(*) AS detections,
    COUNT(DISTINCT track_id) AS unique_people
FROM TABLE(TUMBLE(TABLE counted_detections, DESCRIPTOR (event_ts), INTERVAL '1' MINUTE))
GROUP BY store_id, camera_id, window_start, window_end;
