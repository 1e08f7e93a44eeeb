"""dbt's cross-database date macros the models call (`dbt.dateadd`, `dbt.datediff`), rendered as
dbt-duckdb renders them (its duckdb__dateadd and duckdb__datediff macros)."""


def dateadd(datepart, interval, from_date_or_timestamp):
    return f"({from_date_or_timestamp} + cast({interval} as bigint) * interval 1 {datepart})"


def datediff(first_date, second_date, datepart):
    return f"(date_diff('{datepart}', {first_date}::timestamp, {second_date}::timestamp))"
