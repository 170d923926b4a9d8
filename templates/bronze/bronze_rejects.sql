-- bronze_rejects: every message that is not a valid event, with the reason and the
-- raw bytes, so nothing accepted by the broker is lost. Grain: Pulsar message.
CREATE TABLE IF NOT EXISTS {{ names.catalog }}.{{ names.iceberg_namespace }}.bronze_rejects (
    reason STRING NOT NULL,
    camera_key STRING,
    ingest_ts TIMESTAMP_LTZ(3) NOT NULL,
    ingest_date DATE NOT NULL,
    message_id STRING NOT NULL,
    payload BYTES
) PARTITIONED BY (ingest_date) WITH (
    'format-version' = '2'
);
