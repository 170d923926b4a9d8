{# Each Gold model's view into its table (rva/sql/gold_models.py lists them). #}
{% for table in gold_tables %}
{% if not loop.first %}

{% endif %}
    INSERT INTO {{ names.catalog }}.{{ names.iceberg_namespace }}.{{ table }}
    SELECT * FROM {{ table }};
{% endfor %}
