    -- Flink's Pulsar connector whose source takes the table's WATERMARK itself, so event
    -- time is tracked per topic partition, and positions its subscription through the
    -- admin API, never with a consumer that seeks (infra/flink/pulsar-source).
    'connector' = 'rva-pulsar',
    'topics' = '{{ names.topic }}',
    'service-url' = '{{ pulsar_service_url }}',
    'admin-url' = '{{ pulsar_admin_url }}',
    'source.subscription-name' = '{{ subscription }}',
    -- A job without saved state starts at the oldest message (the lakehouse layers) or,
    -- for the live path, at the newest, skipping anything older on every start.
{% if start_from_latest | default(false) %}
    'source.start.message-id' = 'latest',
{% else %}
    'source.start.message-id' = 'earliest',
{% endif %}
{% if skip_to | default('') %}
    -- `rva pipeline skip`: resume no earlier than this (epoch ms, @partition: only there).
    'skip-to' = '{{ skip_to }}',
{% endif %}
    -- When the last busy partition falls quiet, it hands the highest watermark on and
    -- stays active this long before it is idle. configs/pipeline.yaml: idle_timeout_s
    'source.idle-hold' = '{{ idle_timeout_s }} s',
    -- Acknowledge on read. Positions come from checkpoints: on restore the subscription
    -- is moved back to the checkpointed message, within the topic's retention.
    'pulsar.source.enableAutoAcknowledgeMessage' = 'true',
    -- Hand what has arrived to the job at least this often (the connector waits up to
    -- 10 s for 100 messages by default); configs/pipeline.yaml: source_fetch_ms
    'pulsar.source.maxFetchTime' = '{{ source_fetch_ms }}',
