-- Silver layer: silver_detection, one clean row per detection. Flink 1.20.
-- Reads the topic (not bronze_raw) so that event time, watermarks and de-duplication
-- work in one pass with one checkpoint of lag; Bronze keeps the raw copy.
{% set subscription = 'rva-silver' %}
SET 'pipeline.name' = 'rva-silver';
{% include 'session.sql' %}

{% include 'catalog.sql' %}

{% include 'udf_functions.sql' %}

{% include 'silver/events_typed.sql' %}

{% include 'silver/events_valid.sql' %}

{% include 'silver/detections.sql' %}

{% include 'silver/silver_detection.sql' %}

INSERT INTO {{ names.catalog }}.{{ names.iceberg_namespace }}.silver_detection
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
