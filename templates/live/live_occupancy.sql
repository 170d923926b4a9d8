-- Sink: the live occupancy topic, one message per camera frame, keyed by camera so
-- that each camera's messages stay in order. At least once: a message sent twice
-- carries the same figures, and Pulsar transactions (exactly once) would hold every
-- message back until the next checkpoint.
CREATE TEMPORARY TABLE live_occupancy (
    -- the message key; the connector leaves key columns out of the value
    camera_key STRING,
    store_id STRING,
    camera_id STRING,
    frame_index BIGINT,
    capture_ts TIMESTAMP_LTZ(3),
    people INT,
    zones ARRAY <ROW <zone_id STRING, people INT>>,
    published_ts TIMESTAMP_LTZ(3)
) WITH (
    'connector' = 'pulsar',
    'topics' = '{{ names.live_topic }}',
    'service-url' = '{{ pulsar_service_url }}',
    'sink.topic-routing-mode' = 'message-key-hash',
    'key.format' = 'raw',
    'key.fields' = 'camera_key',
    'value.format' = 'json',
    'value.json.timestamp-format.standard' = 'ISO-8601',
    'pulsar.sink.deliveryGuarantee' = 'at-least-once'
);
