-- Movement per track: each detection's step from the track's previous detection.
-- Summed over a visit the steps telescope to last minus first position; FIRST_VALUE and
-- LAST_VALUE cannot be used because session windows merge and they cannot.
-- Upstream: track_neighbours. Used by gold_track_summary.
CREATE TEMPORARY VIEW track_steps AS
WITH steps AS (
    SELECT
        *,
        -- a step across a gap of track_gap_s or more belongs to no visit
        rows_in_window = 2 AND capture_ms - previous_ms < {{ track_gap_s * 1000 }} AS continues_visit
    FROM track_neighbours
)

SELECT
    *,
    CASE WHEN continues_visit THEN cx - previous_cx ELSE 0 END AS step_x,
    CASE WHEN continues_visit THEN cy - previous_cy ELSE 0 END AS step_y
FROM steps;
