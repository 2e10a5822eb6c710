{#
    Fails for every row where `expression` is not true (false or null).
    Use on a model (`data_tests:` at model level) for row invariants, e.g.
        - expression_is_true: {arguments: {expression: "rows_unaccounted = 0"}}
    or on a column, where the column name is prepended: {expression: ">= 0"}.
#}
{% test expression_is_true(model, expression, column_name=None) %}

select *
from {{ model }}
where not coalesce(
    {% if column_name %}{{ column_name }} {% endif %}{{ expression }},
    false
)

{% endtest %}
