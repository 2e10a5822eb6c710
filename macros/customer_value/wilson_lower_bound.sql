{#
    Lower bound of the Wilson score interval of a binomial proportion successes / trials:

        (p + z²/2n - z * sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n),   p = successes / n

    null when trials is 0; floored at 0 (at p = 0 rounding can give -0.0). z defaults to
    var wilson_z (1.96: the 95% two-sided interval).
    Example: 5 of 10 at z = 1.96 -> 0.2366 (the interval is 0.2366 .. 0.7634).
#}
{% macro wilson_lower_bound(successes, trials, z=none) -%}
    {%- set z = var('wilson_z') if z is none else z -%}
    {%- set n = 'cast(' ~ trials ~ ' as double)' -%}
    {%- set p = '(cast(' ~ successes ~ ' as double) / nullif(' ~ n ~ ', 0))' -%}
    case when {{ n }} > 0 then greatest(
        0.0,
        ({{ p }} + {{ z }} * {{ z }} / (2 * {{ n }})
            - {{ z }} * sqrt(
                {{ p }} * (1 - {{ p }}) / {{ n }} + {{ z }} * {{ z }} / (4 * {{ n }} * {{ n }})
            ))
        / (1 + {{ z }} * {{ z }} / {{ n }})
    ) end
{%- endmacro %}
