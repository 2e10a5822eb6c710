{#
    One row per health check of the build: is the data usable, or did the build come out
    green but hollow? Checks, each with a status (ok, warn, fail) and a message that names the
    table, the share and what to look at:

      quarantined_share  per silver entity: the share of landed rows that were quarantined.
                         warn above var health_max_quarantined_share; fail when rows landed
                         and every one of them was quarantined (nothing usable is left).
                         The message lists the top reasons with their counts.
      unknown_segment    per segment column of var health_segment_columns whose capability
                         the source system provides (var source_capabilities): warn when the
                         relation has rows and every value is the column's unknown value (the
                         files carry no device, country, ...: every segment by it collapses
                         to `unknown`).

    The build fails on a `fail` row and warns on a `warn` row (tests below), and the on-run-end
    hook report_data_health prints every message in the dbt output, together with its check
    that no gold mart came out empty while its inputs are not. `cbw validate` lists them too.
#}
{%- set max_share = var('health_max_quarantined_share') -%}
{%- set segment_columns = [] -%}
{%- for check in var('health_segment_columns') if source_provides(check.capability) -%}
    {%- do segment_columns.append(check) -%}
{%- endfor -%}

with

reconciliation as (

    select * from {{ ref('audit_reconciliation') }}

),

reasons as (

    select
        entity,
        reason_code,
        count(*) as rows_quarantined
    from {{ ref('audit_quarantined_rows') }}
    group by all

),

top_reasons as (

    select
        entity,
        {{ string_agg_ordered(
            "coalesce(reason_code, 'no reason') || ' ' || cast(rows_quarantined as string)",
            "', '",
            'rows_quarantined desc, reason_code asc nulls last',
        ) }} as reasons
    from (
        select
            *,
            row_number() over (
                partition by entity order by rows_quarantined desc, reason_code asc nulls last
            ) as reason_rank
        from reasons
    ) as ranked
    where reason_rank <= 3
    group by all

),

quarantine_checks as (

    select
        'quarantined_share' as check_name,
        reconciliation.entity as relation_name,
        cast(reconciliation.rows_quarantined as double)
        / nullif(reconciliation.rows_landed, 0) as observed_share,
        case
            when reconciliation.rows_landed > 0 and reconciliation.rows_kept = 0
                then 'fail'
            when cast(reconciliation.rows_quarantined as double)
                / nullif(reconciliation.rows_landed, 0) > {{ max_share }}
                then 'warn'
            else 'ok'
        end as status,
        reconciliation.entity || ': '
        || cast(reconciliation.rows_quarantined as string) || ' of '
        || cast(reconciliation.rows_landed as string) || ' landed rows quarantined ('
        || coalesce(
            cast(round(
                100.0 * reconciliation.rows_quarantined
                / nullif(reconciliation.rows_landed, 0), 1
            ) as string),
            '0'
        )
        || '%), ' || cast(reconciliation.rows_kept as string) || ' kept'
        || coalesce('; top reasons: ' || top_reasons.reasons, '')
        || ' (see silver.audit_quarantined_rows)' as message
    from reconciliation
    left join top_reasons on reconciliation.entity = top_reasons.entity

),

segment_counts as (

    select
        cast(null as string) as relation_name,
        cast(null as string) as unknown_value,
        cast(null as bigint) as rows_checked,
        cast(null as bigint) as rows_unknown
    where false
    {%- for check in segment_columns %}
        union all
        select
            {{ sql_string(check.relation ~ '.' ~ check.column, 'var health_segment_columns') }}
                as relation_name,
            {{ sql_string(check.unknown_value, 'var health_segment_columns') }} as unknown_value,
            count(*) as rows_checked,
            count(*) filter (
                where {{ adapter.quote(check.column) }}
                = {{ sql_string(check.unknown_value, 'var health_segment_columns') }}
            ) as rows_unknown
        from {{ ref(check.relation) }}
    {%- endfor %}

),

segment_checks as (

    select
        'unknown_segment' as check_name,
        relation_name,
        cast(rows_unknown as double) / nullif(rows_checked, 0) as observed_share,
        case
            when rows_checked > 0 and rows_unknown = rows_checked then 'warn'
            else 'ok'
        end as status,
        relation_name || ': ' || case
            when rows_checked = 0 then 'no rows'
            when rows_unknown = rows_checked
                then 'all ' || cast(rows_checked as string) || ' rows are ' || unknown_value
                    || ': the source carries no ' || split_part(relation_name, '.', 2)
                    || ', every segment by it is one unknown segment'
            else cast(rows_unknown as string) || ' of ' || cast(rows_checked as string)
                || ' rows are ' || unknown_value
        end as message
    from segment_counts

),

final as (

    select * from quarantine_checks
    union all
    select * from segment_checks

)

select * from final
