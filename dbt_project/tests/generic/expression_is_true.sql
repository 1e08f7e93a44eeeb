{# Every row satisfies `expression` (a boolean SQL expression over the model's columns); a row where
   it is NULL is not a failure (a missing figure is not a contradiction). #}
{% test expression_is_true(model, expression) %}
select * from {{ model }}
where not ({{ expression }})
{% endtest %}
