SET 'table.local-time-zone' = 'UTC';
SET 'parallelism.default' = '{{ parallelism }}';
SET 'execution.checkpointing.interval' = '{{ checkpoint_interval }}';
SET 'execution.checkpointing.mode' = 'EXACTLY_ONCE';
-- configs/pipeline.yaml: idle_timeout_s, dedup_ttl_h
SET 'table.exec.source.idle-timeout' = '{{ idle_timeout_s }} s';
SET 'table.exec.state.ttl' = '{{ dedup_ttl_h }} h';
-- configs/pipeline.yaml: python_bundle_ms
SET 'python.fn-execution.bundle.time' = '{{ python_bundle_ms }}';
