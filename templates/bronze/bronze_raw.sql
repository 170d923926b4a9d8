-- bronze_raw: one row per valid event message, payload kept verbatim.
-- Grain: Pulsar message. Partitioned by capture date and camera, the two filters
-- every downstream query uses. Upstream: events_topic.
CREATE TABLE IF NOT EXISTS {{ names.catalog }}.{{ names.iceberg_namespace }}.bronze_raw (
    event_id STRING NOT NULL,
    store_id STRING NOT NULL,
    camera_id STRING NOT NULL,
    stream_id STRING,
    frame_index BIGINT NOT NULL,
    capture_ts TIMESTAMP_LTZ(3) NOT NULL,
    capture_date DATE NOT NULL,
    ingest_ts TIMESTAMP_LTZ(3) NOT NULL,
    message_id STRING NOT NULL,
    payload STRING NOT NULL
) PARTITIONED BY (capture_date, camera_id) WITH (
    'format-version' = '2',
    'write.format.default' = 'parquet',
    'write.parquet.compression-codec' = 'zstd'
);
