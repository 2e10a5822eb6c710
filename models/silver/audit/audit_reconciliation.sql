{#
    One row per bronze table: proves nothing was lost between bronze and silver.

        rows_landed = rows_kept + rows_deduplicated + rows_quarantined + rows_unaccounted

    Each term is counted independently: landed from staging (one row per bronze row, tested
    against bronze), kept from the final silver model, deduplicated as valid rows beyond the
    first per key, quarantined from audit_quarantined_rows. A non-zero rows_unaccounted means a
    join or filter lost (or duplicated) rows; the test on this model fails the build.
    rows_bot_flagged counts kept rows from visitors flagged as bots (kept in silver, left out of
    behaviour marts).
#}
{%- set tables = [
    {'table': 'raw_customers', 'landed': 'stg_demo__customers', 'valid': 'stg_demo__customers',
     'kept': 'int_customers_deduplicated', 'key': 'customer_id'},
    {'table': 'raw_products', 'landed': 'stg_demo__products', 'valid': 'stg_demo__products',
     'kept': 'int_products_deduplicated', 'key': 'product_id'},
    {'table': 'raw_offers', 'landed': 'stg_demo__offers', 'valid': 'stg_demo__offers',
     'kept': 'int_offers_deduplicated', 'key': 'offer_id'},
    {'table': 'raw_orders', 'landed': 'stg_demo__orders', 'valid': 'int_orders_validated',
     'kept': 'int_orders_deduplicated', 'key': 'order_id'},
    {'table': 'raw_order_lines', 'landed': 'stg_demo__order_lines',
     'valid': 'int_order_lines_validated', 'kept': 'int_order_lines_deduplicated',
     'key': 'order_id, line_number'},
    {'table': 'raw_events', 'landed': 'stg_demo__events', 'valid': 'int_events_validated',
     'kept': 'int_events_sessionized', 'key': 'event_id'},
] -%}

with

quarantined as (

    select
        source_table,
        count(*) as rows_quarantined
    from {{ ref('audit_quarantined_rows') }}
    group by all

),

counts as (

    {% for t in tables %}
    select
        '{{ t.table }}' as source_table,
        (select count(*) from {{ ref(t.landed) }}) as rows_landed,
        (select count(*) from {{ ref(t.kept) }}) as rows_kept,
        (
            select count(*) - count(distinct ({{ t.key }}))
            from {{ ref(t.valid) }}
            where quarantine_reason is null
        ) as rows_deduplicated,
        {% if t.table == 'raw_events' -%}
        (select count(*) from {{ ref(t.kept) }} where is_bot) as rows_bot_flagged
        {%- else -%}
        cast(0 as bigint) as rows_bot_flagged
        {%- endif %}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

final as (

    select
        counts.source_table,
        counts.rows_landed,
        counts.rows_kept,
        counts.rows_deduplicated,
        coalesce(quarantined.rows_quarantined, 0) as rows_quarantined,
        counts.rows_landed
            - counts.rows_kept
            - counts.rows_deduplicated
            - coalesce(quarantined.rows_quarantined, 0) as rows_unaccounted,
        counts.rows_bot_flagged
    from counts
    left join quarantined on counts.source_table = quarantined.source_table

)

select * from final
order by source_table
