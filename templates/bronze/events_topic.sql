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
{% include 'pulsar_source.sql' %}
    'key.format' = 'raw',
    'key.fields' = 'camera_key',
    'value.format' = 'raw'
);
