{#
    One row per bronze table and silver entity: proves nothing was lost between bronze and silver.

        rows_landed = rows_kept + rows_deduplicated + rows_quarantined + rows_unaccounted

    Each term is counted independently: landed from staging (one row per landed line, lines
    DuckDB could not read included; tested against the base model), kept from the entity's
    final silver model, deduplicated as valid rows beyond
    the first per key, quarantined from audit_quarantined_rows. A non-zero rows_unaccounted means
    a join or filter lost (or duplicated) rows; the test on this model fails the build.
    rows_bot_flagged counts kept event rows from visitors flagged as bots (kept in silver, left
    out of behaviour marts). rows_conflicting counts the quarantined rows that are conflicting
    redeliveries (a record landed again under the same key with other content: the earliest
    delivered copy is kept, see kept_copy_order); exact redeliveries are rows_deduplicated.
#}
with

quarantined as (

    select
        entity,
        count(*) as rows_quarantined,
        count(*) filter (where reason_code = 'conflicting_redelivery') as rows_conflicting
    from {{ ref('audit_quarantined_rows') }}
    group by all

),

counts as (

    {% for e in audit_entities() %}
        select
            '{{ source_table_name(e.entity) }}' as source_table,
            '{{ e.entity }}' as entity,
            (select count(*) as n from {{ e.staged }}) as rows_landed,
            (select count(*) as n from {{ e.kept }}) as rows_kept,
            (
                select count(*) - count(distinct {{ e.record_key }}) as n
                from {{ e.validated }}
                where quarantine_reason is null
            ) as rows_deduplicated,
            {% if e.entity == 'events' -%}
                (
                    select count(*) as n from {{ e.kept }}
                    where is_bot
                ) as rows_bot_flagged
            {%- else -%}
                cast(0 as bigint) as rows_bot_flagged
            {%- endif %}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

final as (

    select
        counts.source_table,
        counts.entity,
        counts.rows_landed,
        counts.rows_kept,
        counts.rows_deduplicated,
        coalesce(quarantined.rows_quarantined, 0) as rows_quarantined,
        counts.rows_landed
        - counts.rows_kept
        - counts.rows_deduplicated
        - coalesce(quarantined.rows_quarantined, 0) as rows_unaccounted,
        counts.rows_bot_flagged,
        coalesce(quarantined.rows_conflicting, 0) as rows_conflicting
    from counts
    left join quarantined on counts.entity = quarantined.entity

)

select * from final
order by source_table, entity
