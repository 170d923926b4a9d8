-- Of the people who entered through a camera's zone named `entrance` (configs/zones.yaml),
-- the share that went on to each other zone of that camera: tracks with a visit to the
-- zone starting at or after their first entrance visit began. Per camera, as a track id
-- is one camera's. Reads gold_zone_dwell.
WITH entered AS (
    SELECT
        store_id,
        camera_id,
        track_id,
        MIN(enter_ts) AS entered_ts
    FROM lakehouse.rva.gold_zone_dwell
    WHERE zone_id = 'entrance'
    GROUP BY store_id, camera_id, track_id
),

entrants AS (
    SELECT
        store_id,
        camera_id,
        COUNT(*) AS entrants
    FROM entered
    GROUP BY store_id, camera_id
),

went_on AS (
    SELECT
        entered.store_id,
        entered.camera_id,
        visit.zone_id,
        COUNT(DISTINCT entered.track_id) AS converted
    FROM entered
    INNER JOIN lakehouse.rva.gold_zone_dwell AS visit
        ON
            entered.store_id = visit.store_id
            AND entered.camera_id = visit.camera_id
            AND entered.track_id = visit.track_id
            AND entered.entered_ts <= visit.enter_ts
    WHERE visit.zone_id <> 'entrance'
    GROUP BY entered.store_id, entered.camera_id, visit.zone_id
)

SELECT
    went_on.store_id,
    went_on.camera_id,
    went_on.zone_id,
    entrants.entrants,
    went_on.converted,
    ROUND(CAST(went_on.converted AS DOUBLE) / entrants.entrants, 3) AS conversion
FROM went_on
INNER JOIN entrants
    ON went_on.store_id = entrants.store_id AND went_on.camera_id = entrants.camera_id
ORDER BY went_on.store_id, went_on.camera_id, went_on.zone_id
