-- gold_zone_heatmap: detection hits per camera, minute and grid cell of the normalized
-- image (configs/pipeline.yaml: heatmap_grid cells per side). Grain: camera, minute, cell.
-- Upstream: counted_detections.
CREATE TABLE IF NOT EXISTS {{ names.catalog }}.{{ names.iceberg_namespace }}.gold_zone_heatmap (
    store_id STRING NOT NULL,
    camera_id STRING NOT NULL,
    window_start TIMESTAMP(3) NOT NULL,
    window_end TIMESTAMP(3) NOT NULL,
    cell_x INT NOT NULL,
    cell_y INT NOT NULL,
    hits BIGINT NOT NULL
) WITH ('format-version' = '2');

CREATE TEMPORARY VIEW gold_zone_heatmap AS
WITH cells AS (
    SELECT
        store_id,
        camera_id,
        window_start,
        window_end,
        -- a centre on the right or bottom edge (1.0) belongs to the last cell
        LEAST(CAST(FLOOR(cx * {{ heatmap_grid }}) AS INT), {{ heatmap_grid - 1 }}) AS cell_x,
        LEAST(CAST(FLOOR(cy * {{ heatmap_grid }}) AS INT), {{ heatmap_grid - 1 }}) AS cell_y
    FROM TABLE(TUMBLE(TABLE counted_detections, DESCRIPTOR (event_ts), INTERVAL '1' MINUTE))
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
