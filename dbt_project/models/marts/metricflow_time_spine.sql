-- One row per day: the time spine the semantic layer's metrics aggregate over.
{{ dbt.date_spine('day', "cast('2020-01-01' as date)", "cast('2032-01-01' as date)") }}
