-- Bronze layer: the Pulsar events topic into Iceberg, every message kept.
-- Valid events go to bronze_raw, the rest to bronze_rejects; both sinks share one
-- read of the topic (statement set). Exactly once: the Pulsar position and the
-- Iceberg commit advance together on each checkpoint. Flink 1.20.
{% set subscription = 'rva-bronze' %}
SET 'pipeline.name' = 'rva-bronze';
{% include 'session.sql' %}

{% include 'catalog.sql' %}

{% include 'udf_functions.sql' %}

{% include 'events_topic.sql' %}

{% include 'events_checked.sql' %}

{% include 'bronze/events_parsed.sql' %}

{% include 'bronze/bronze_raw.sql' %}

{% include 'bronze/bronze_rejects.sql' %}

EXECUTE STATEMENT SET
BEGIN

    INSERT INTO {{ names.catalog }}.{{ names.iceberg_namespace }}.bronze_raw
    SELECT
        event_id,
        store_id,
        camera_id,
        stream_id,
        frame_index,
        capture_ts,
        CAST(capture_ts AS DATE) AS capture_date,
        publish_ts AS ingest_ts,
        message_id,
        payload_text AS payload
    FROM events_parsed
    WHERE reject_reason IS NULL;

    INSERT INTO {{ names.catalog }}.{{ names.iceberg_namespace }}.bronze_rejects
    SELECT
        reject_reason AS reason,
        camera_key,
        publish_ts AS ingest_ts,
        CAST(publish_ts AS DATE) AS ingest_date,
        message_id,
        payload
    FROM events_parsed
    WHERE reject_reason IS NOT NULL;

END;
