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

-- Box centre and size normalized by the image size, so zones and heat maps are the
-- same for any resolution. is_late: the event came behind the watermark, so event-time
-- windows will not count it; Silver keeps it and says so.
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
        -- epoch milliseconds, for durations: Flink 1.20 cannot CAST TIMESTAMP_LTZ to BIGINT
        UNIX_TIMESTAMP(DATE_FORMAT(e.event_ts, 'yyyy-MM-dd HH:mm:ss')) * 1000
        + EXTRACT(MILLISECOND FROM e.event_ts) AS capture_ms,
        (d.bbox.x1 + d.bbox.x2) / 2 / e.image_size.width AS cx,
        (d.bbox.y1 + d.bbox.y2) / 2 / e.image_size.height AS cy,
        (d.bbox.x2 - d.bbox.x1) / e.image_size.width AS w,
        (d.bbox.y2 - d.bbox.y1) / e.image_size.height AS h,
        -- before the first watermark CURRENT_WATERMARK is NULL: nothing is late yet
        COALESCE(e.event_ts <= CURRENT_WATERMARK(e.event_ts), FALSE) AS is_late
    FROM events_first_seen AS e
    CROSS JOIN UNNEST(e.detections) AS d (det_id, `class`, bbox, conf, track_id)
)

SELECT
    *,
    ZONE_OF(camera_id, cx, cy) AS zone_id
FROM exploded;
