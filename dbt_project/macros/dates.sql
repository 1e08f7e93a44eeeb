{# The reporting date: var('as_of'), or today in reporting_tz when the run started.
   Nothing else may read the clock, so every figure is reproducible for an as_of. #}
{% macro as_of() -%}
    {%- set value = var('as_of') -%}
    {%- if not value -%}
        {%- set value = run_started_at.astimezone(modules.pytz.timezone(var('reporting_tz'))).strftime('%Y-%m-%d') -%}
    {%- endif -%}
    cast('{{ value }}' as date)
{%- endmacro %}

{# local_date(x): the date of a naive-UTC Odoo timestamp in reporting_tz. #}
{% macro local_date(column) -%}
    {{ return(adapter.dispatch('local_date')(column)) }}
{%- endmacro %}

{% macro default__local_date(column) -%}
    {%- if var('reporting_tz') == 'UTC' -%}
        cast({{ column }} as date)
    {%- else -%}
        cast(({{ column }} at time zone 'UTC') at time zone '{{ var("reporting_tz") }}' as date)
    {%- endif -%}
{%- endmacro %}

{% macro duckdb__local_date(column) -%}
    {%- if var('reporting_tz') == 'UTC' -%}
        cast({{ column }} as date)
    {%- else -%}
        cast(timezone('{{ var("reporting_tz") }}', timezone('UTC', {{ column }})) as date)
    {%- endif -%}
{%- endmacro %}

{# Whole days from one date to another (end - start), on both warehouses. #}
{% macro days_between(start, end) -%}
    {{ dbt.datediff(start, end, 'day') }}
{%- endmacro %}

{# A safe ratio: null when the denominator is zero. #}
{% macro ratio(numerator, denominator) -%}
    case when {{ denominator }} = 0 then null else cast({{ numerator }} as double precision) / {{ denominator }} end
{%- endmacro %}
