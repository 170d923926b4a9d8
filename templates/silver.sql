-- Silver layer: silver_detection, one clean row per detection, and silver_late_events.
-- Reads the topic (not bronze_raw) so that event time, watermarks and de-duplication
-- work in one pass with one checkpoint of lag; Bronze keeps the raw copy. Flink 1.20.
{% set subscription = 'rva-silver' %}
SET 'pipeline.name' = 'rva-silver';
{% include 'session.sql' %}

{% include 'catalog.sql' %}

{% include 'udf_functions.sql' %}

{% include 'events_topic.sql' %}

{% include 'events_checked.sql' %}

{% include 'silver/events_valid.sql' %}

{% include 'silver/detections.sql' %}

{% include 'silver/silver_detection.sql' %}

{% include 'silver/silver_late_events.sql' %}

EXECUTE STATEMENT SET
BEGIN

    INSERT INTO {{ names.catalog }}.{{ names.iceberg_namespace }}.silver_detection
    SELECT * FROM silver_detection;

    INSERT INTO {{ names.catalog }}.{{ names.iceberg_namespace }}.silver_late_events
    SELECT * FROM silver_late_events;

END;
