-- Every distinct message, decoded and checked. reject_reason is NULL for a valid event
-- and otherwise says what is wrong; the statement set routes rows on it. A replay adds
-- nothing: the first arrival of each event_id (or, for a reject, of each payload) wins.
CREATE TEMPORARY VIEW events_parsed AS
WITH decoded AS (
    SELECT
        camera_key,
        payload,
        publish_ts,
        arrival_ts,
        CAST(payload AS STRING) AS payload_text,  -- UTF-8
        TO_BASE64(message_id) AS message_id
    FROM events_topic
),

fields AS (
    SELECT
        camera_key,
        payload,
        payload_text,
        publish_ts,
        arrival_ts,
        message_id,
        JSON_QUERY(payload_text, '$') IS NOT NULL AS is_object,  -- object or array
        JSON_VALUE(payload_text, '$.event_id') AS event_id,
        JSON_VALUE(payload_text, '$.source.store_id') AS store_id,
        JSON_VALUE(payload_text, '$.source.camera_id') AS camera_id,
        JSON_VALUE(payload_text, '$.source.stream_id') AS stream_id,
        TRY_CAST(JSON_VALUE(payload_text, '$.frame_index') AS BIGINT) AS frame_index,
        TRY_CAST(JSON_VALUE(payload_text, '$.image_size.width') AS INT) AS image_width,
        TRY_CAST(JSON_VALUE(payload_text, '$.image_size.height') AS INT) AS image_height,
        JSON_VALUE(payload_text, '$.capture_ts') AS capture_ts_text
    FROM decoded
),

checked AS (
    SELECT
        *,
        -- The producer writes UTC with a Z suffix; anything else is rejected rather
        -- than guessed at. The session time zone is UTC, so the cast keeps the instant.
        CAST(
            TO_TIMESTAMP(REPLACE(REPLACE(capture_ts_text, 'T', ' '), 'Z', ''))
            AS TIMESTAMP_LTZ(3)
        ) AS capture_ts
    FROM fields
),

classified AS (
    SELECT
        *,
        CASE
            WHEN NOT is_object THEN 'not a JSON object'
            WHEN event_id IS NULL THEN 'missing event_id'
            WHEN store_id IS NULL THEN 'missing source.store_id'
            WHEN camera_id IS NULL THEN 'missing source.camera_id'
            WHEN frame_index IS NULL THEN 'missing or non-integer frame_index'
            WHEN image_width IS NULL OR image_width <= 0 OR image_height IS NULL OR image_height <= 0
                THEN 'missing or invalid image_size'
            WHEN
                NOT REGEXP(capture_ts_text, '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$')
                OR capture_ts IS NULL
                THEN 'missing or invalid capture_ts (need ISO-8601 UTC)'
        END AS reject_reason
    FROM checked
),

keyed AS (
    SELECT
        *,
        COALESCE(
            CASE WHEN reject_reason IS NULL THEN event_id END,
            SHA256(TO_BASE64(payload))
        ) AS dedup_key
    FROM classified
),

ranked AS (
    SELECT
        *,
        ROW_NUMBER() OVER (PARTITION BY dedup_key ORDER BY arrival_ts ASC) AS arrival_rank
    FROM keyed
)

SELECT *
FROM ranked
WHERE arrival_rank = 1;
