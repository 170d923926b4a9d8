{#- Expressions every layer reuses. Import with {% from 'macros.sql' import epoch_ms %}. -#}
{#- Epoch milliseconds of a TIMESTAMP_LTZ(3): Flink 1.20 cannot CAST TIMESTAMP_LTZ to
    BIGINT, and durations and lateness are compared in milliseconds. Two lines, the
    second indented by `indent` spaces. -#}
{% macro epoch_ms(ts, indent=8) -%}
UNIX_TIMESTAMP(DATE_FORMAT({{ ts }}, 'yyyy-MM-dd HH:mm:ss')) * 1000
{{ ' ' * indent }}+ EXTRACT(MILLISECOND FROM {{ ts }})
{%- endmacro %}

{#- A session gap that ends a session at a pause of `seconds` or more. Flink merges
    session windows that touch ([t, t + gap) and one starting at t + gap), so a pause of
    exactly the gap would not split; one millisecond less makes it split, as the model
    says (docs: "survives gaps under N s"). -#}
{% macro session_gap(seconds) -%}
INTERVAL '{{ "%.3f" | format(seconds - 0.001) }}' SECOND
{%- endmacro %}
