{% from 'macros.sql' import epoch_ms %}
-- The Silver model as views: one row per detection of a first-seen event.
-- events_first_seen drops replays and duplicates (keep the first arrival of each
-- event_id; det_id is unique within an event, so (event_id, det_id) is unique after it).
CREATE TEMPORARY VIEW events_first_seen AS
WITH ranked AS (
    SELECT
        *,
        ROW_NUMBER() OVER (PARTITION BY event_id ORDER BY arrival_ts ASC) AS arrival_rank
    FROM events_valid
)

SELECT *
FROM ranked
WHERE arrival_rank = 1;

-- How far each event came behind the newest earlier frame of its own camera. The topic
-- is keyed by camera, so a camera's frames keep their order: this is the same in every
-- job and every replay, unlike lateness against a watermark, which depends on how a job
-- interleaves the partitions. is_late: more than allowed_lateness_s behind; Silver
-- keeps such events and says so, Gold never counts them.
CREATE TEMPORARY VIEW events_in_camera_order AS
WITH newest AS (
    SELECT
        *,
        MAX(event_ts) OVER (
            PARTITION BY `source`.store_id, `source`.camera_id
            ORDER BY arrival_ts
            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
        ) AS camera_newest_ts
    FROM events_first_seen
),

in_ms AS (
    SELECT
        *,
        {{ epoch_ms('camera_newest_ts') }} AS newest_ms,
        {{ epoch_ms('event_ts') }} AS event_ms
    FROM newest
),

behind AS (
    SELECT
        *,
        newest_ms - event_ms AS lateness_ms
    FROM in_ms
)

SELECT
    *,
    -- configs/pipeline.yaml: allowed_lateness_s
    lateness_ms > {{ allowed_lateness_s * 1000 }} AS is_late
FROM behind;

-- Box centre and size normalized by the image size, so zones and heat maps are the
-- same for any resolution. The zone is that of the box's anchor (its bottom centre,
-- where the person stands, unless the camera's zones config says centre).
CREATE TEMPORARY VIEW detections AS
WITH exploded AS (
    SELECT
        e.event_id,
        e.`source`.store_id AS store_id,
        e.`source`.camera_id AS camera_id,
        e.`source`.stream_id AS stream_id,
        e.frame_index,
        e.event_ts,
        d.det_id,
        d.`class` AS object_class,
        d.conf,
        d.track_id,
        e.is_late,
        {{ epoch_ms('e.event_ts') }} AS capture_ms,
        (d.bbox.x1 + d.bbox.x2) / 2 / e.image_size.width AS cx,
        (d.bbox.y1 + d.bbox.y2) / 2 / e.image_size.height AS cy,
        (d.bbox.x2 - d.bbox.x1) / e.image_size.width AS w,
        (d.bbox.y2 - d.bbox.y1) / e.image_size.height AS h
    FROM events_in_camera_order AS e
    CROSS JOIN UNNEST(e.detections) AS d (det_id, `class`, bbox, conf, track_id)
)

SELECT
    *,
    ZONE_OF(camera_id, cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2) AS zone_id
FROM exploded;
