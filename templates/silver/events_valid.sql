-- Events with everything Silver, Gold and the live path need; the rest are skipped
-- here, and Bronze keeps them with a reason in bronze_rejects.
CREATE TEMPORARY VIEW events_valid AS
SELECT *
FROM events_typed
WHERE
    event_id IS NOT NULL
    AND `source`.store_id IS NOT NULL
    AND `source`.camera_id IS NOT NULL
    AND frame_index IS NOT NULL
    AND REGEXP(capture_ts, '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$')
    AND image_size.width > 0
    AND image_size.height > 0;
