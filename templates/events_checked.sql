-- Every message against the one rule for a valid event: udfs/events.py with
-- vision/schemas/event.schema.json (the CHECK_EVENT table function, one row per message), and
-- the capture-time bounds of events_topic. reject_reason is NULL for a valid event, which `event` then holds
-- normalized; otherwise it names the field. Bronze files the refused messages, the
-- other layers read only the valid ones, so no message one layer takes can stop another.
CREATE TEMPORARY VIEW events_checked AS
SELECT
    messages.camera_key,
    messages.payload,
    messages.publish_ts,
    messages.message_id,
    messages.event_ts,
    messages.arrival_ts,
    outcome.event,
    CASE
        WHEN outcome.problem IS NOT NULL THEN outcome.problem
        WHEN messages.event_ts = TO_TIMESTAMP_LTZ(0, 3)
            THEN CONCAT(
                -- COALESCE: a NULL here would make the whole reason NULL, the event valid
                'capture_ts: ', COALESCE(JSON_VALUE(CAST(messages.payload AS STRING), '$.capture_ts'), '?'),
                ' is more than {{ max_event_age_days }} days before or {{ max_clock_ahead_s }} s after it was ',
                'published, at ', DATE_FORMAT(messages.publish_ts, 'yyyy-MM-dd HH:mm:ss'), 'Z'
            )
    END AS reject_reason
FROM events_topic AS messages
-- configs/pipeline.yaml: max_event_bytes
LEFT JOIN LATERAL TABLE(CHECK_EVENT(messages.payload, {{ max_event_bytes }})) AS outcome (problem, event) ON TRUE;
