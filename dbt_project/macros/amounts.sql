{# An amount rounded to its currency's precision (res.currency.decimal_places), the same way on
   DuckDB and PostgreSQL. DuckDB's round() takes a constant precision only, hence one branch per
   usual precision (2 otherwise), each cast to double on its own (a CASE over decimals of different
   scales would be cast to one scale). The cast through decimal(38, 6) first drops a double's
   binary noise (2.675 is stored as 2.67499999...), so that a half rounds away from zero on both
   warehouses, as Odoo displays it. #}
{% macro round_amount(amount, decimal_places='2') -%}
    case {{ decimal_places }}
        {%- for places in [0, 1, 3, 4] %}
        when {{ places }} then cast(round(cast({{ amount }} as decimal(38, 6)), {{ places }}) as double precision)
        {%- endfor %}
        else cast(round(cast({{ amount }} as decimal(38, 6)), 2) as double precision)
    end
{%- endmacro %}
