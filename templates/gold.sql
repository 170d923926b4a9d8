-- Gold layer: the questions analysts ask, as streaming aggregates of the Silver model.
-- One job and one read of the topic for all Gold tables (statement set); the Silver
-- views are the same templates silver.sql uses, so Gold never reads Bronze logic.
-- Windows close on event time: cameras keep sending frames (empty ones too), so the
-- watermark moves on. Flink 1.20.
{% set subscription = 'rva-gold' %}
SET 'pipeline.name' = 'rva-gold';
{% include 'session.sql' %}

{% include 'catalog.sql' %}

{% include 'udf_functions.sql' %}

{% include 'silver/events_typed.sql' %}

{% include 'silver/events_valid.sql' %}

{% include 'silver/detections.sql' %}

-- Movement per track: each detection's step from the track's previous detection in
-- event time (an OVER window sorts by the watermark, so arrival order does not matter).
-- Summed over a visit the steps telescope to last minus first position; FIRST_VALUE and
-- LAST_VALUE cannot be used because session windows merge and they cannot.
CREATE TEMPORARY VIEW track_steps AS
WITH neighbours AS (
    SELECT
        *,
        COUNT(*) OVER w AS rows_in_window,
        SUM(capture_ms) OVER w - capture_ms AS previous_ms,
        SUM(cx) OVER w - cx AS previous_cx,
        SUM(cy) OVER w - cy AS previous_cy
    FROM detections
    WHERE track_id IS NOT NULL
    WINDOW w AS (
        PARTITION BY camera_id, track_id
        ORDER BY event_ts
        ROWS BETWEEN 1 PRECEDING AND CURRENT ROW
    )
),

steps AS (
    SELECT
        *,
        -- a step across a gap of track_gap_s or more belongs to no visit
        rows_in_window = 2 AND capture_ms - previous_ms < {{ track_gap_s * 1000 }} AS continues_visit
    FROM neighbours
)

SELECT
    *,
    CASE WHEN continues_visit THEN cx - previous_cx ELSE 0 END AS step_x,
    CASE WHEN continues_visit THEN cy - previous_cy ELSE 0 END AS step_y
FROM steps;

-- Each tracked detection against each counting line of its camera: +1 when the whole
-- box is left of the line, -1 right of it, 0 on it (the LINE_SIDES Python UDF).
CREATE TEMPORARY VIEW line_sides AS
WITH sided AS (
    SELECT
        store_id,
        camera_id,
        track_id,
        event_ts,
        LINE_SIDES(camera_id, cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2) AS sides
    FROM detections
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
-- the other side. Written with OVER windows, in event time: MATCH_RECOGNIZE over the
-- unnested UDF output fails Flink 1.20's code generation.
CREATE TEMPORARY VIEW line_crossings AS
WITH settled AS (
    SELECT
        *,
        -- LAST_VALUE skips NULLs, so a box on the line keeps the last settled side
        LAST_VALUE(NULLIF(side, 0)) OVER (
            PARTITION BY camera_id, line_id, track_id
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
        PARTITION BY camera_id, line_id, track_id
        ORDER BY event_ts
        ROWS BETWEEN 1 PRECEDING AND CURRENT ROW
    )
)

SELECT *
FROM neighbours
WHERE rows_in_window = 2 AND previous_side <> 0 AND settled_side = -previous_side;

-- Loitering: a detection of a track in a zone, more in the same zone, and one at least
-- loitering_s after the first. After an alert the search starts again, so a track that
-- stays on raises one alert per loitering_s. (PREV(), to anchor on the zone entry, is
-- refused by Flink 1.20 inside a partition.)
CREATE TEMPORARY VIEW loitering AS
SELECT *
FROM detections
MATCH_RECOGNIZE (
    PARTITION BY store_id, camera_id, track_id
    ORDER BY event_ts
    MEASURES
    entered.zone_id AS zone_id,
    entered.event_ts AS entered_ts,
    overstayed.event_ts AS alert_ts
    ONE ROW PER MATCH
    AFTER MATCH SKIP PAST LAST ROW
    PATTERN (entered stayed* overstayed)
    -- configs/pipeline.yaml: loitering_s
    DEFINE
    entered AS entered.zone_id IS NOT NULL,
    stayed AS stayed.zone_id = entered.zone_id
    AND stayed.capture_ms < entered.capture_ms + {{ loitering_s * 1000 }},
    overstayed AS overstayed.zone_id = entered.zone_id
    AND overstayed.capture_ms >= entered.capture_ms + {{ loitering_s * 1000 }}
);

{% include 'gold/gold_people_per_minute.sql' %}

{% include 'gold/gold_zone_heatmap.sql' %}

{% include 'gold/gold_track_summary.sql' %}

{% include 'gold/gold_zone_dwell.sql' %}


{% include 'gold/gold_line_crossings.sql' %}

{% include 'gold/gold_alerts.sql' %}

EXECUTE STATEMENT SET
BEGIN

    INSERT INTO {{ names.catalog }}.{{ names.iceberg_namespace }}.gold_people_per_minute
    SELECT
        store_id,
        camera_id,
        window_start,
        window_end,
        COUNT(*) AS detections,
        COUNT(DISTINCT track_id) AS unique_people
    FROM TABLE(TUMBLE(TABLE detections, DESCRIPTOR (event_ts), INTERVAL '1' MINUTE))
    GROUP BY store_id, camera_id, window_start, window_end;

    INSERT INTO {{ names.catalog }}.{{ names.iceberg_namespace }}.gold_zone_heatmap
    WITH cells AS (
        SELECT
            store_id,
            camera_id,
            window_start,
            window_end,
            -- a centre on the right or bottom edge (1.0) belongs to the last cell
            LEAST(CAST(FLOOR(cx * {{ heatmap_grid }}) AS INT), {{ heatmap_grid - 1 }}) AS cell_x,
            LEAST(CAST(FLOOR(cy * {{ heatmap_grid }}) AS INT), {{ heatmap_grid - 1 }}) AS cell_y
        FROM TABLE(TUMBLE(TABLE detections, DESCRIPTOR (event_ts), INTERVAL '1' MINUTE))
    )

    SELECT
        store_id,
        camera_id,
        window_start,
        window_end,
        cell_x,
        cell_y,
        COUNT(*) AS hits
    FROM cells
    GROUP BY store_id, camera_id, window_start, window_end, cell_x, cell_y;

    INSERT INTO {{ names.catalog }}.{{ names.iceberg_namespace }}.gold_track_summary
    WITH visits AS (
        SELECT
            store_id,
            camera_id,
            track_id,
            MIN(event_ts) AS first_seen,
            MAX(event_ts) AS last_seen,
            MAX(capture_ms) - MIN(capture_ms) AS duration_ms,
            COUNT(*) AS frames,
            SUM(step_x) AS delta_x,
            SUM(step_y) AS delta_y,
            AVG(conf) AS avg_conf
        FROM track_steps
        -- configs/pipeline.yaml: track_gap_s
        GROUP BY store_id, camera_id, track_id, SESSION(event_ts, INTERVAL '{{ track_gap_s }}' SECOND)
    )

    SELECT
        store_id,
        camera_id,
        track_id,
        first_seen,
        last_seen,
        CAST(duration_ms AS DOUBLE) / 1000 AS duration_s,
        frames,
        delta_x,
        delta_y,
        avg_conf
    FROM visits;

    INSERT INTO {{ names.catalog }}.{{ names.iceberg_namespace }}.gold_zone_dwell
    WITH visits AS (
        SELECT
            store_id,
            camera_id,
            track_id,
            zone_id,
            MIN(event_ts) AS enter_ts,
            MAX(event_ts) AS exit_ts,
            CAST(MAX(capture_ms) - MIN(capture_ms) AS DOUBLE) / 1000 AS dwell_s
        FROM detections
        WHERE track_id IS NOT NULL AND zone_id IS NOT NULL
        -- configs/pipeline.yaml: dwell_gap_s
        GROUP BY store_id, camera_id, track_id, zone_id, SESSION(event_ts, INTERVAL '{{ dwell_gap_s }}' SECOND)
    )

    SELECT *
    FROM visits
    -- configs/pipeline.yaml: min_visit_s
    WHERE dwell_s >= {{ min_visit_s }};

    INSERT INTO {{ names.catalog }}.{{ names.iceberg_namespace }}.gold_line_crossings
    SELECT
        store_id,
        camera_id,
        line_id,
        window_start,
        window_end,
        SUM(CASE WHEN settled_side = 1 THEN 1 ELSE 0 END) AS crossings_in,
        SUM(CASE WHEN settled_side = -1 THEN 1 ELSE 0 END) AS crossings_out
    FROM TABLE(TUMBLE(TABLE line_crossings, DESCRIPTOR (event_ts), INTERVAL '1' MINUTE))
    GROUP BY store_id, camera_id, line_id, window_start, window_end;

    INSERT INTO {{ names.catalog }}.{{ names.iceberg_namespace }}.gold_alerts
    SELECT
        store_id,
        camera_id,
        track_id,
        zone_id,
        'loitering' AS alert_type,
        entered_ts,
        alert_ts
    FROM loitering
    WHERE track_id IS NOT NULL;

END;
