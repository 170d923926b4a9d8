-- Time travel: the minutes whose counts differ between gold_people_per_minute now and
-- as it was at an earlier time (here an hour ago; put a time of your own, or use
-- FOR VERSION AS OF with a snapshot id from "gold_people_per_minute$snapshots"). Late
-- data that reconciliation added shows up here. Reads gold_people_per_minute.
WITH earlier AS (
    SELECT
        store_id,
        camera_id,
        window_start,
        detections,
        unique_people
    FROM lakehouse.rva.gold_people_per_minute
    FOR TIMESTAMP AS OF CURRENT_TIMESTAMP - INTERVAL '1' HOUR  -- noqa: PRS
),

now AS (
    SELECT
        store_id,
        camera_id,
        window_start,
        detections,
        unique_people
    FROM lakehouse.rva.gold_people_per_minute
)

SELECT
    COALESCE(now.store_id, earlier.store_id) AS store_id,
    COALESCE(now.camera_id, earlier.camera_id) AS camera_id,
    COALESCE(now.window_start, earlier.window_start) AS window_start,
    earlier.detections AS detections_before,
    now.detections AS detections_now,
    earlier.unique_people AS people_before,
    now.unique_people AS people_now
FROM now
FULL OUTER JOIN earlier
    ON
        now.store_id = earlier.store_id
        AND now.camera_id = earlier.camera_id
        AND now.window_start = earlier.window_start
WHERE
    earlier.detections IS DISTINCT FROM now.detections
    OR earlier.unique_people IS DISTINCT FROM now.unique_people
ORDER BY store_id, camera_id, window_start
