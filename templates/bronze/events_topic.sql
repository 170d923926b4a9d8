-- Source: the Pulsar topic the vision producer writes, one JSON event per frame.
-- The value is read as raw bytes so that no message can fail the job: parsing and
-- validation happen in SQL, and what does not parse goes to bronze_rejects.
CREATE TEMPORARY TABLE events_topic (
    camera_key STRING,
    payload BYTES,
    publish_ts TIMESTAMP_LTZ(3) METADATA FROM 'publish_time' VIRTUAL,
    message_id BYTES METADATA FROM 'message_id' VIRTUAL,
    arrival_ts AS PROCTIME()
) WITH (
    'connector' = 'pulsar',
    'topics' = '{{ names.topic }}',
    'service-url' = '{{ pulsar_service_url }}',
    'source.subscription-name' = '{{ subscription }}',
    'source.start.message-id' = 'earliest',
    -- Acknowledge on read, not on checkpoint: positions come back from checkpoints
    -- (reset through the admin API, within the topic's retention), and the connector's
    -- checkpoint-time acknowledgement can open a second consumer on a partition whose
    -- reader is still starting, which Exclusive subscriptions refuse (ConsumerBusy,
    -- restarting the job forever).
    'pulsar.source.enableAutoAcknowledgeMessage' = 'true',
    -- Hand what has arrived to the job at least this often (the connector waits up to
    -- 10 s for 100 messages by default); configs/pipeline.yaml: source_fetch_ms
    'pulsar.source.maxFetchTime' = '{{ source_fetch_ms }}',
    'key.format' = 'raw',
    'key.fields' = 'camera_key',
    'value.format' = 'raw'
);
