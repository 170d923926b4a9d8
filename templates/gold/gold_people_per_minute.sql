-- gold_people_per_minute: detections and distinct people (track ids) per camera and
-- minute of capture time. Grain: store, camera, minute. Upstream: detections (Silver).
-- Window bounds are UTC. Late detections (behind the watermark) are not counted here;
-- silver_detection keeps them with is_late = TRUE.
CREATE TABLE IF NOT EXISTS {{ names.catalog }}.{{ names.iceberg_namespace }}.gold_people_per_minute (
    store_id STRING NOT NULL,
    camera_id STRING NOT NULL,
    window_start TIMESTAMP(3) NOT NULL,
    window_end TIMESTAMP(3) NOT NULL,
    detections BIGINT NOT NULL,
    unique_people BIGINT NOT NULL
) WITH ('format-version' = '2');
