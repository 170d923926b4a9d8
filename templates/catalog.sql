-- The Iceberg catalog, shared by every layer. S3 credentials are not written here:
-- Iceberg's S3FileIO reads AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY from the
-- environment of the Flink processes (`rva stack up` sets them).
CREATE CATALOG {{ names.catalog }} WITH (
    'type' = 'iceberg',
    'catalog-type' = 'rest',
    'uri' = '{{ catalog_uri }}',
    'warehouse' = '{{ warehouse }}',
    'io-impl' = 'org.apache.iceberg.aws.s3.S3FileIO',
    's3.endpoint' = '{{ s3_endpoint }}',
    's3.path-style-access' = 'true',
    'client.region' = 'us-east-1'
);

CREATE DATABASE IF NOT EXISTS {{ names.catalog }}.{{ names.iceberg_namespace }};
