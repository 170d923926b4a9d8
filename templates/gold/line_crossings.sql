-- Each tracked detection against each counting line of its camera: +1 when the whole
-- box is on the line's 'in' side, -1 on its 'out' side, 0 on it, 2 when the box's
-- anchor is beyond the segment's end points (the LINE_SIDES Python UDF).
-- Upstream: counted_detections. Used by gold_line_crossings.
CREATE TEMPORARY VIEW line_sides AS
WITH sided AS (
    SELECT
        store_id,
        camera_id,
        track_id,
        event_ts,
        LINE_SIDES(camera_id, cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2) AS sides
    FROM counted_detections
    WHERE track_id IS NOT NULL
)

SELECT
    sided.store_id,
    sided.camera_id,
    sided.track_id,
    sided.event_ts,
    s.line_id,
    s.side
FROM sided
CROSS JOIN UNNEST(sided.sides) AS s (line_id, side);

-- A crossing: the side a track was last wholly on (boxes on the line keep it) turns to
-- the other side. Beyond the ends (2) is no side, so a walk around the line's end is
-- no crossing. Written with OVER windows, in event time: MATCH_RECOGNIZE over the
-- unnested UDF output fails Flink 1.20's code generation.
CREATE TEMPORARY VIEW line_crossings AS
WITH settled AS (
    SELECT
        *,
        -- LAST_VALUE skips NULLs, so a box on the line keeps the last settled side
        LAST_VALUE(NULLIF(side, 0)) OVER (
            PARTITION BY store_id, camera_id, line_id, track_id
            ORDER BY event_ts
            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
        ) AS settled_side
    FROM line_sides
),

neighbours AS (
    SELECT
        *,
        COUNT(*) OVER w AS rows_in_window,
        SUM(COALESCE(settled_side, 0)) OVER w - COALESCE(settled_side, 0) AS previous_side
    FROM settled
    WINDOW w AS (
        PARTITION BY store_id, camera_id, line_id, track_id
        ORDER BY event_ts
        ROWS BETWEEN 1 PRECEDING AND CURRENT ROW
    )
)

SELECT *
FROM neighbours
WHERE rows_in_window = 2 AND previous_side <> 0 AND settled_side = -previous_side;
