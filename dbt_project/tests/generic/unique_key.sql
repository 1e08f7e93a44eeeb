{# No two rows share the values of `columns`: the mart's grain (a composite key). A NULL counts as
   a value, as GROUP BY groups NULLs: two rows of the same day with no warehouse are a duplicate.
   Plain SQL, the same on DuckDB and PostgreSQL (dbt_utils is not a dependency). #}
{% test unique_key(model, columns) %}
select {{ columns | join(', ') }}, count(*) as rows_with_this_key
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
