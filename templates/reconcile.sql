-- Reconciliation: Gold recomputed from Silver for the camera-days that events behind
-- the streaming job's watermark touched (gold_late_events), with the same Gold models
-- (gold/) over a bounded read of silver_detection. Its rows go to a staging namespace;
-- `rva pipeline reconcile` then swaps each camera-day's closed rows into Gold, one
-- atomic commit per table. Rendered per run with that run's camera-days; sql/ holds an
-- example. Flink 1.20, streaming mode on a bounded source.
SET 'pipeline.name' = 'rva-reconcile';
{% include 'session.sql' %}
-- One reader, not one per data file: Iceberg infers the source's parallelism from its
-- splits by default, and a Silver with many files asked for more slots than the four
-- running layers leave free (NoResourceAvailableException, restarting for ever).
SET 'table.exec.iceberg.infer-source-parallelism' = 'false';

{% include 'catalog.sql' %}

{% include 'udf_functions.sql' %}

{% include 'reconcile/detections.sql' %}

{% include 'gold/models.sql' %}

EXECUTE STATEMENT SET
BEGIN

{% include 'gold/inserts.sql' %}

END;
