{# Schemas are named exactly staging, intermediate, marts on every warehouse (no target prefix). #}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ custom_schema_name if custom_schema_name else target.schema }}
{%- endmacro %}
