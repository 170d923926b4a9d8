-- Source: the Pulsar topic the producers write, one JSON event per frame, read by every
-- layer. The value is raw bytes so that no message can fail a job: whether it is a
-- valid event is decided once, in events_checked.
-- event_ts is the capture time where it may move event time: between
-- max_event_age_days before and max_clock_ahead_s after the message was published
-- (configs/pipeline.yaml; Pulsar's publish time, which the producer's client stamps);
-- a camera clock a year ahead would otherwise push every watermark a year on. Any
-- other message gets the epoch, which never moves a watermark, and events_checked
-- refuses it.
CREATE TEMPORARY TABLE events_topic (
    camera_key STRING,
    payload BYTES,
    publish_ts TIMESTAMP_LTZ(3) METADATA FROM 'publish_time' VIRTUAL,
    message_id BYTES METADATA FROM 'message_id' VIRTUAL,
    -- The capture time twice, as a computed column cannot name another. The intervals
    -- have a precision: the default DAY (2) and SECOND (2) stop at 99, (3) at 999.
    event_ts AS COALESCE(
        CASE
            WHEN
                CAST(
                    TO_TIMESTAMP(
                        JSON_VALUE(CAST(payload AS STRING), '$.capture_ts'), 'yyyy-MM-dd''T''HH:mm:ss.SSS''Z'''
                    ) AS TIMESTAMP_LTZ(3)
                )
                BETWEEN publish_ts - INTERVAL '{{ max_event_age_days }}' DAY (3)
                AND publish_ts + INTERVAL '{{ max_clock_ahead_s }}' SECOND (3)
                THEN CAST(
                    TO_TIMESTAMP(
                        JSON_VALUE(CAST(payload AS STRING), '$.capture_ts'), 'yyyy-MM-dd''T''HH:mm:ss.SSS''Z'''
                    ) AS TIMESTAMP_LTZ(3)
                )
        END,
        TO_TIMESTAMP_LTZ(0, 3)
    ),
    arrival_ts AS PROCTIME(),
    -- The source generates the watermark per topic partition (the rva-pulsar connector);
    -- a camera's frames may come this far out of order. configs/pipeline.yaml: out_of_orderness_s
    WATERMARK FOR event_ts AS event_ts - INTERVAL '{{ out_of_orderness_s }}' SECOND
) WITH (
{% include 'pulsar_source.sql' %}
    'key.format' = 'raw',
    'key.fields' = 'camera_key',
    'value.format' = 'raw'
);
