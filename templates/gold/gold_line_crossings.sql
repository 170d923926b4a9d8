-- gold_line_crossings: crossings of each counting line (configs/zones.yaml) per minute,
-- 'in' towards the line's 'in' side (its left unless configs/zones.yaml says `in: right`),
-- 'out' the other way. A track counts once per
-- crossing: a box on the line belongs to neither side, so jitter on the line adds nothing.
-- Grain: camera, line, minute. Upstream: line_crossings.
CREATE TABLE IF NOT EXISTS {{ names.catalog }}.{{ names.iceberg_namespace }}.gold_line_crossings (
    store_id STRING NOT NULL,
    camera_id STRING NOT NULL,
    line_id STRING NOT NULL,
    window_start TIMESTAMP(3) NOT NULL,
    window_end TIMESTAMP(3) NOT NULL,
    crossings_in BIGINT NOT NULL,
    crossings_out BIGINT NOT NULL
) WITH ('format-version' = '2');

CREATE TEMPORARY VIEW gold_line_crossings AS
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
