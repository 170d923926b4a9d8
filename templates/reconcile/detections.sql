{% from 'macros.sql' import epoch_ms %}
-- Source: silver_detection, read once (a bounded read) for the camera-days this run
-- reconciles. The watermark stays at the epoch until the read ends, so no row is late
-- however the files are ordered; then Flink emits the final watermark and every window,
-- visit and pattern closes. (Iceberg hands timestamps over with microseconds, and a
-- rowtime has at most milliseconds.)
CREATE TEMPORARY TABLE silver_rows (
    event_ts AS CAST(capture_ts AS TIMESTAMP_LTZ(3)),
    WATERMARK FOR event_ts AS TO_TIMESTAMP_LTZ(0, 3)
) WITH (
    'connector' = 'iceberg',
    'catalog-name' = 'silver',
    'catalog-database' = '{{ silver_namespace }}',
    'catalog-table' = 'silver_detection',
{% include 'catalog_options.sql' %}
)
LIKE {{ names.catalog }}.{{ silver_namespace }}.silver_detection (EXCLUDING ALL);

-- The Silver model's detections view, as Silver wrote it, for each camera-day of this
-- run with a margin of reconcile_margin_s on either side (visits that cross midnight).
CREATE TEMPORARY VIEW detections AS
SELECT
    event_id,
    store_id,
    camera_id,
    stream_id,
    frame_index,
    event_ts,
    det_id,
    object_class,
    conf,
    track_id,
    {{ epoch_ms('event_ts', 4) }} AS capture_ms,
    cx,
    cy,
    w,
    h,
    is_late,
    zone_id
FROM silver_rows
WHERE
{% for day in reconcile_days %}
    {{ 'OR ' if not loop.first }}(
        store_id = '{{ day.store_id }}'
        AND camera_id = '{{ day.camera_id }}'
        AND capture_date BETWEEN DATE '{{ day.first_date }}' AND DATE '{{ day.last_date }}'
        AND capture_ts >= TO_TIMESTAMP_LTZ({{ day.from_ms }}, 3)
        AND capture_ts < TO_TIMESTAMP_LTZ({{ day.to_ms }}, 3)
    ){{ ';' if loop.last }}
{% endfor %}
