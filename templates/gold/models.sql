{# The views the Gold models share, then each model (rva/sql/gold_models.py lists them). #}
{% include 'gold/counted_detections.sql' %}

{% include 'gold/track_neighbours.sql' %}

{% include 'gold/track_steps.sql' %}

{% include 'gold/line_crossings.sql' %}

{% include 'gold/loitering.sql' %}
{% for table in gold_tables %}

{% include 'gold/' ~ table ~ '.sql' %}
{% endfor %}
