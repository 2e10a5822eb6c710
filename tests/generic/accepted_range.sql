{#
    Fails for every non-null value outside [min_value, max_value] (either bound optional;
    `inclusive: false` makes both bounds strict).
#}
{% test accepted_range(model, column_name, min_value=None, max_value=None, inclusive=true) %}

select {{ column_name }}
from {{ model }}
where {{ column_name }} is not null
  and (
    false
    {% if min_value is not none %}
    or {{ column_name }} {{ '<' if inclusive else '<=' }} {{ min_value }}
    {% endif %}
    {% if max_value is not none %}
    or {{ column_name }} {{ '>' if inclusive else '>=' }} {{ max_value }}
    {% endif %}
  )

{% endtest %}
