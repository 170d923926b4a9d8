-- People counted per store and hour: the sum over cameras of distinct tracks per minute
-- is an upper bound (one person seen by two cameras counts twice), so this reports the
-- busiest minute of each hour instead. Reads gold_people_per_minute.
WITH per_minute AS (
    SELECT
        store_id,
        window_start,
        SUM(unique_people) AS people
    FROM lakehouse.rva.gold_people_per_minute
    GROUP BY store_id, window_start
)

SELECT
    store_id,
    DATE_TRUNC('hour', window_start) AS hour_start,
    MAX(people) AS busiest_minute_people,
    ROUND(AVG(people), 1) AS avg_people
FROM per_minute
GROUP BY store_id, DATE_TRUNC('hour', window_start)
ORDER BY store_id, hour_start
