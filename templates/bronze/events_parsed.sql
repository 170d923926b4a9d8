-- Every distinct message, checked (events_checked): reject_reason is NULL for a valid
-- event and otherwise names what is wrong; the statement set routes rows on it. A replay
-- adds nothing: the first arrival of each event_id (or, for a reject, of each payload) wins.
CREATE TEMPORARY VIEW events_parsed AS
WITH keyed AS (
    SELECT
        *,
        COALESCE(
            CASE WHEN reject_reason IS NULL THEN event.event_id END,
            SHA256(TO_BASE64(payload))
        ) AS dedup_key
    FROM events_checked
),

ranked AS (
    SELECT
        *,
        ROW_NUMBER() OVER (PARTITION BY dedup_key ORDER BY arrival_ts ASC) AS arrival_rank
    FROM keyed
)

SELECT
    reject_reason,
    camera_key,
    payload,
    CAST(payload AS STRING) AS payload_text,  -- UTF-8, which valid events are
    publish_ts,
    TO_BASE64(message_id) AS message_id,
    event.event_id AS event_id,
    event.`source`.store_id AS store_id,
    event.`source`.camera_id AS camera_id,
    event.`source`.stream_id AS stream_id,
    event.frame_index AS frame_index,
    event_ts AS capture_ts
FROM ranked
WHERE arrival_rank = 1;
