    INSERT INTO {{ names.catalog }}.{{ names.iceberg_namespace }}.gold_people_per_minute
    SELECT * FROM gold_people_per_minute;

    INSERT INTO {{ names.catalog }}.{{ names.iceberg_namespace }}.gold_zone_heatmap
    SELECT * FROM gold_zone_heatmap;

    INSERT INTO {{ names.catalog }}.{{ names.iceberg_namespace }}.gold_track_summary
    SELECT * FROM gold_track_summary;

    INSERT INTO {{ names.catalog }}.{{ names.iceberg_namespace }}.gold_zone_dwell
    SELECT * FROM gold_zone_dwell;

    INSERT INTO {{ names.catalog }}.{{ names.iceberg_namespace }}.gold_line_crossings
    SELECT * FROM gold_line_crossings;

    INSERT INTO {{ names.catalog }}.{{ names.iceberg_namespace }}.gold_alerts
    SELECT * FROM gold_alerts;
