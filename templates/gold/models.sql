{% include 'gold/counted_detections.sql' %}

{% include 'gold/track_neighbours.sql' %}

{% include 'gold/track_steps.sql' %}

{% include 'gold/line_crossings.sql' %}

{% include 'gold/loitering.sql' %}

{% include 'gold/gold_people_per_minute.sql' %}

{% include 'gold/gold_zone_heatmap.sql' %}

{% include 'gold/gold_track_summary.sql' %}

{% include 'gold/gold_zone_dwell.sql' %}

{% include 'gold/gold_line_crossings.sql' %}

{% include 'gold/gold_alerts.sql' %}
