-- The busiest quarter-hour of each store: the quarter-hour whose busiest minute saw the
-- most people across the store's cameras (the earlier one on a tie). Summing distinct
-- tracks over cameras counts a person seen by two cameras twice, as people_per_hour does.
-- Reads gold_people_per_minute.
WITH people_per_store_minute AS (
    SELECT
        store_id,
        window_start,
        SUM(unique_people) AS people
    FROM lakehouse.rva.gold_people_per_minute
    GROUP BY store_id, window_start
),

quarter_hours AS (
    SELECT
        store_id,
        DATE_TRUNC('hour', window_start)
        + INTERVAL '15' MINUTE * (MINUTE(window_start) / 15) AS quarter_start,
        MAX(people) AS busiest_minute_people,
        SUM(people) AS people_minutes
    FROM people_per_store_minute
    GROUP BY
        store_id,
        DATE_TRUNC('hour', window_start)
        + INTERVAL '15' MINUTE * (MINUTE(window_start) / 15)
),

ranked AS (
    SELECT
        *,
        ROW_NUMBER() OVER (
            PARTITION BY store_id ORDER BY busiest_minute_people DESC, quarter_start ASC
        ) AS busiest_rank
    FROM quarter_hours
)

SELECT
    store_id,
    quarter_start,
    busiest_minute_people,
    people_minutes
FROM ranked
WHERE busiest_rank = 1
ORDER BY store_id
