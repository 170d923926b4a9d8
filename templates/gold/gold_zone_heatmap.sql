-- gold_zone_heatmap: detection hits per camera, minute and grid cell of the normalized
-- image (configs/pipeline.yaml: heatmap_grid cells per side). Grain: camera, minute, cell.
CREATE TABLE IF NOT EXISTS {{ names.catalog }}.{{ names.iceberg_namespace }}.gold_zone_heatmap (
    store_id STRING NOT NULL,
    camera_id STRING NOT NULL,
    window_start TIMESTAMP(3) NOT NULL,
    window_end TIMESTAMP(3) NOT NULL,
    cell_x INT NOT NULL,
    cell_y INT NOT NULL,
    hits BIGINT NOT NULL
) WITH ('format-version' = '2');
