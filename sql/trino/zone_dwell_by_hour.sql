-- Average and longest zone visit per store, camera, zone and hour of entry.
-- Reads gold_zone_dwell; run in Trino: catalog lakehouse, schema rva.
WITH visits AS (
    SELECT
        store_id,
        camera_id,
        zone_id,
        dwell_s,
        DATE_TRUNC('hour', enter_ts) AS entered_hour
    FROM lakehouse.rva.gold_zone_dwell
)

SELECT
    store_id,
    camera_id,
    zone_id,
    entered_hour,
    COUNT(*) AS visits,
    ROUND(AVG(dwell_s), 1) AS avg_dwell_s,
    MAX(dwell_s) AS max_dwell_s
FROM visits
GROUP BY store_id, camera_id, zone_id, entered_hour
ORDER BY store_id, camera_id, zone_id, entered_hour
