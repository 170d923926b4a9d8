-- The Iceberg catalog, shared by every layer. S3 credentials are not written here:
-- Iceberg's S3FileIO reads AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY from the
-- environment of the Flink processes (`rva stack up` sets them).
CREATE CATALOG {{ names.catalog }} WITH (
    'type' = 'iceberg',
{% include 'catalog_options.sql' %}
);

CREATE DATABASE IF NOT EXISTS {{ names.catalog }}.{{ names.iceberg_namespace }};
