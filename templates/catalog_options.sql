    'catalog-type' = 'rest',
    'uri' = '{{ catalog_uri }}',
    'warehouse' = '{{ warehouse }}',
    'io-impl' = 'org.apache.iceberg.aws.s3.S3FileIO',
    's3.endpoint' = '{{ s3_endpoint }}',
    's3.path-style-access' = 'true',
    'client.region' = 'us-east-1'
