-- Gold layer: the questions analysts ask, as streaming aggregates of the Silver model.
-- One job and one read of the topic for all Gold tables (statement set); the Silver
-- views are the same templates silver.sql uses, so Gold never reads Bronze logic, and
-- the Gold models (gold/) are the ones reconciliation runs over Silver (reconcile.sql).
-- Windows close on event time, tracked per topic partition: cameras keep sending frames
-- (empty ones too), so the watermark moves on. Events that came behind it are listed in
-- gold_late_events for reconciliation. Flink 1.20.
{% set subscription = 'rva-gold' %}
SET 'pipeline.name' = 'rva-gold';
{% include 'session.sql' %}

{% include 'catalog.sql' %}

{% include 'udf_functions.sql' %}

{% include 'events_topic.sql' %}

{% include 'events_checked.sql' %}

{% include 'silver/events_valid.sql' %}

{% include 'silver/detections.sql' %}

{% include 'gold/models.sql' %}

{% include 'gold/gold_late_events.sql' %}

EXECUTE STATEMENT SET
BEGIN

{% include 'gold/inserts.sql' %}

    INSERT INTO {{ names.catalog }}.{{ names.iceberg_namespace }}.gold_late_events
    SELECT * FROM gold_late_events;

END;
