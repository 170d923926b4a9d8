-- The valid events (events_checked), normalized, for Silver, Gold and the live path:
-- every field a model reads is there and of its type.
CREATE TEMPORARY VIEW events_valid AS
SELECT
    event.event_id AS event_id,
    event.`source` AS `source`,
    event.frame_index AS frame_index,
    event.image_size AS image_size,
    event.detections AS detections,
    publish_ts,
    event_ts,
    arrival_ts
FROM events_checked
WHERE reject_reason IS NULL;
