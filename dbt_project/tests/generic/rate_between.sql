{# A rate column stays within [min, max] (nulls allowed: a rate without denominator). #}
{% test rate_between(model, column_name, min=0, max=1) %}
select {{ column_name }} from {{ model }}
where {{ column_name }} < {{ min }} or {{ column_name }} > {{ max }}
{% endtest %}
