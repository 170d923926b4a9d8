-- Visits, average and 90th percentile dwell per store, camera and zone. The percentile
-- is exact (nearest rank over the sorted dwells), not approx_percentile's estimate, so
-- that it matches what a spreadsheet over the same visits gives. Reads gold_zone_dwell.
WITH visits AS (
    SELECT
        store_id,
        camera_id,
        zone_id,
        COUNT(*) AS visits,
        AVG(dwell_s) AS avg_dwell_s,
        ARRAY_SORT(ARRAY_AGG(dwell_s)) AS dwells
    FROM lakehouse.rva.gold_zone_dwell
    GROUP BY store_id, camera_id, zone_id
)

SELECT
    store_id,
    camera_id,
    zone_id,
    visits,
    ROUND(avg_dwell_s, 1) AS avg_dwell_s,
    ELEMENT_AT(dwells, CAST(CEIL(0.9 * visits) AS INTEGER)) AS p90_dwell_s
FROM visits
ORDER BY store_id, camera_id, zone_id
