-- Source: the events topic parsed as typed JSON, for Silver and Gold. Messages that do
-- not parse are skipped here; Bronze keeps them with a reason in bronze_rejects.
-- capture_ts falls back to the broker's publish time only so that the rowtime is
-- never NULL; such events fail validation in events_valid and go no further.
CREATE TEMPORARY TABLE events_typed (
    event_id STRING,
    `source` ROW <store_id STRING, camera_id STRING, stream_id STRING>,
    frame_index BIGINT,
    capture_ts STRING,
    image_size ROW <width INT, height INT>,
    detections ARRAY <
        ROW <
            det_id INT,
            `class` STRING,
            bbox ROW <x1 DOUBLE, y1 DOUBLE, x2 DOUBLE, y2 DOUBLE>,
            conf DOUBLE,
            track_id BIGINT
        >
    >,
    publish_ts TIMESTAMP_LTZ(3) METADATA FROM 'publish_time' VIRTUAL,
    event_ts AS COALESCE(
        CAST(TO_TIMESTAMP(REPLACE(REPLACE(capture_ts, 'T', ' '), 'Z', '')) AS TIMESTAMP_LTZ(3)),
        publish_ts
    ),
    arrival_ts AS PROCTIME(),
    -- The source generates this per topic partition (the rva-pulsar connector); each
    -- camera's frames may come this far out of order. configs/pipeline.yaml: out_of_orderness_s
    WATERMARK FOR event_ts AS event_ts - INTERVAL '{{ out_of_orderness_s }}' SECOND
) WITH (
{% include 'pulsar_source.sql' %}
    'value.format' = 'json',
    'value.json.ignore-parse-errors' = 'true'
);
