-- Each tracked detection beside the track's previous detection in event time (an OVER
-- window sorts by the watermark, so arrival order does not matter): one pass that
-- track_steps and loitering share. NULL zones become '' because FIRST_VALUE skips NULLs.
-- Upstream: counted_detections.
CREATE TEMPORARY VIEW track_neighbours AS
SELECT
    *,
    COUNT(*) OVER w AS rows_in_window,
    SUM(capture_ms) OVER w - capture_ms AS previous_ms,
    SUM(cx) OVER w - cx AS previous_cx,
    SUM(cy) OVER w - cy AS previous_cy,
    FIRST_VALUE(COALESCE(zone_id, '')) OVER w AS previous_zone
FROM counted_detections
WHERE track_id IS NOT NULL
WINDOW w AS (
    PARTITION BY store_id, camera_id, track_id
    ORDER BY event_ts
    ROWS BETWEEN 1 PRECEDING AND CURRENT ROW
);
