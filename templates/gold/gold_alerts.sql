-- gold_alerts: loitering, a track that stayed loitering_s (configs/pipeline.yaml) in
-- one zone without being seen elsewhere, raised as the threshold passes; entered_ts is
-- when the stay began. Grain: alert; one per loitering_s of a continuing stay.
-- Upstream: loitering.
CREATE TABLE IF NOT EXISTS {{ names.catalog }}.{{ names.iceberg_namespace }}.gold_alerts (
    store_id STRING NOT NULL,
    camera_id STRING NOT NULL,
    track_id BIGINT NOT NULL,
    zone_id STRING NOT NULL,
    alert_type STRING NOT NULL,
    entered_ts TIMESTAMP_LTZ(3) NOT NULL,
    alert_ts TIMESTAMP_LTZ(3) NOT NULL
) WITH ('format-version' = '2');

CREATE TEMPORARY VIEW gold_alerts AS
SELECT
    store_id,
    camera_id,
    track_id,
    zone_id,
    'loitering' AS alert_type,
    entered_ts,
    alert_ts
FROM loitering;
