    -- Flink's Pulsar connector whose source takes the table's WATERMARK itself, so event
    -- time is tracked per topic partition (infra/flink/pulsar-source): reading a backlog
    -- of any size, each camera in capture order, marks nothing late.
    'connector' = 'rva-pulsar',
    'topics' = '{{ names.topic }}',
    'service-url' = '{{ pulsar_service_url }}',
    'source.subscription-name' = '{{ subscription }}',
    -- A new subscription starts at the oldest message (the lakehouse layers) or, for the
    -- live path, at the newest, skipping anything older on every start.
{% if start_from_latest | default(false) %}
    'source.start.message-id' = 'latest',
    'pulsar.source.resetSubscriptionCursor' = 'true',
{% else %}
    'source.start.message-id' = 'earliest',
{% endif %}
    -- Acknowledge on read, not on checkpoint (set against a ConsumerBusy restart loop;
    -- infra/README.md). Positions still come back from checkpoints: the reader resets
    -- the cursor through the admin API on restore, within the topic's retention.
    'pulsar.source.enableAutoAcknowledgeMessage' = 'true',
    -- Hand what has arrived to the job at least this often (the connector waits up to
    -- 10 s for 100 messages by default); configs/pipeline.yaml: source_fetch_ms
    'pulsar.source.maxFetchTime' = '{{ source_fetch_ms }}',
