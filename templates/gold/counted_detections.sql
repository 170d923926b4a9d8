-- The detections every Gold model counts: all of Silver's but those of events that came
-- more than allowed_lateness_s behind newer frames of their camera (is_late). The
-- streaming job and reconciliation both read this view, so they count the same rows.
CREATE TEMPORARY VIEW counted_detections AS
SELECT *
FROM detections
WHERE NOT is_late;
