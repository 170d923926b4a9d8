-- Footfall per store, counting line and hour: crossings in and out of each line
-- (configs/zones.yaml says which side is in). Reads gold_line_crossings.
SELECT
    store_id,
    camera_id,
    line_id,
    DATE_TRUNC('hour', window_start) AS hour_start,
    SUM(crossings_in) AS people_in,
    SUM(crossings_out) AS people_out
FROM lakehouse.rva.gold_line_crossings
GROUP BY store_id, camera_id, line_id, DATE_TRUNC('hour', window_start)
ORDER BY store_id, camera_id, line_id, hour_start
