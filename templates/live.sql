-- Live layer: current occupancy per camera and zone, published to a Pulsar topic as
-- each frame arrives, for dashboards that cannot wait for Iceberg commits. Processing
-- time only: no windows and no watermark wait, so a figure leaves within a fraction of
-- a second of its frame reaching the topic. It is current state, not history: the job
-- starts at the newest message and never resumes from saved state (Gold keeps history).
{% set subscription = 'rva-live' %}
{% set start_from_latest = true %}
SET 'pipeline.name' = 'rva-live';
{% include 'session.sql' %}

{% include 'udf_functions.sql' %}

{% include 'events_topic.sql' %}

{% include 'events_checked.sql' %}

{% include 'silver/events_valid.sql' %}

{% include 'live/live_occupancy.sql' %}

-- Only frames at least as new as every frame of their camera so far: a duplicate, or
-- a frame the producer's spool sends late after an outage, must not overwrite a newer
-- figure. Ties pass, which republishes the same figures.
CREATE TEMPORARY VIEW newest_frames AS
WITH frames AS (
    SELECT
        `source`.store_id AS store_id,
        `source`.camera_id AS camera_id,
        frame_index,
        CAST(event_ts AS TIMESTAMP_LTZ(3)) AS capture_ts,
        image_size.width AS width,
        image_size.height AS height,
        detections,
        arrival_ts
    FROM events_valid
),

ranked AS (
    SELECT
        *,
        MAX(capture_ts) OVER (
            PARTITION BY store_id, camera_id
            ORDER BY arrival_ts
            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
        ) AS newest_ts
    FROM frames
)

SELECT *
FROM ranked
WHERE capture_ts = newest_ts;

-- People in view and per zone (every zone of the camera, empty ones as 0).
INSERT INTO live_occupancy
WITH counted AS (
    SELECT
        store_id,
        camera_id,
        frame_index,
        capture_ts,
        ZONE_OCCUPANCY(camera_id, width, height, detections) AS occupancy
    FROM newest_frames
)

SELECT
    camera_id AS camera_key,
    store_id,
    camera_id,
    frame_index,
    capture_ts,
    occupancy.people AS people,
    occupancy.zones AS zones,
    CURRENT_TIMESTAMP AS published_ts
FROM counted;
