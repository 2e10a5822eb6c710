{#
    The run scope: one row per visitor, customer and day the silver facts hold now or held at
    the end of the last complete run, with its fingerprint and whether this run changed it.
    Every incremental gold model rebuilds exactly the keys in scope (macro in_run_scope), so
    there is one rule for "what this run touches", in the spirit of snowplow's
    sessions-this-run manifest.

    Fingerprint of a key: the row count and bit_xor of the row hashes of everything a gold
    model reads for it:
      visitor   its events in the behaviour scope (not a bot's, up to as_of_date): every column
                of int_events_sessionized (stitched customer, session, arrival, lineage), the
                product row of an event's product (category), and for a purchase event the
                order it created (the order row and its lines);
      customer  its stitched events (as above), its orders up to as_of_date with their lines,
                its customer row;
      day       the events and orders of that UTC day (up to as_of_date).
    Orders are cut at as_of_date as the events are, so an as_of_date that moves past orders
    already landed puts their customers and days in scope. The vars the facts apply
    (run_scope_settings: the funnel steps, path length, engagement and activity windows) are
    hashed into every fingerprint: changing one puts every key in scope.
    So a new, late, re-delivered or re-attributed event, a login stitching earlier events, a
    visitor turned bot, an order or a cancellation, a return, a customer row that lands after
    its events (the events, quarantined as unknown_customer until then, are kept in this run),
    all change the fingerprints of exactly the keys they touch, whatever the order the files
    arrived in: nothing depends on file dates.

    The previous fingerprints are the manifest (<schema>.run_scope_manifest), written by the
    on-run-end hook record_run_scope only when this model and every model reading it succeeded
    in the run; a run that fails or selects only part of them leaves it as it was, so the next
    run's scope still holds every change since (rebuilding a key twice is harmless). With no
    manifest (first build) every key is new.
      change  new | changed | removed (held before, nothing now: a visitor turned bot, events
              re-stitched away) | unchanged
#}
{{ config(materialized='table') }}

{%- set manifest = run_scope_manifest() %}

with

order_lines as (

    select
        order_id,
        -- row_hash of an alias: the hash of the whole row, every column
        bit_xor({{ row_hash(['lines']) }}) as lines_hash
    from {{ ref('int_order_lines_deduplicated') }} as lines   -- noqa: AL05
    group by order_id

),

orders as (

    select
        orders.order_id,
        orders.customer_id,
        cast(orders.ordered_at as date) as order_date,
        {{ row_hash([row_hash(['orders']), 'coalesce(order_lines.lines_hash, 0)']) }} as row_hash
    from {{ ref('int_orders_deduplicated') }} as orders
    left join order_lines on orders.order_id = order_lines.order_id

),

products as (

    select
        product_id,
        {{ row_hash(['products']) }} as row_hash
    from {{ ref('int_products_deduplicated') }} as products  -- noqa: AL05

),

customers as (

    select
        customer_id,
        {{ row_hash(['customers']) }} as row_hash
    from {{ ref('int_customers_deduplicated') }} as customers   -- noqa: AL05

),

-- Each event (with its product's row), and for a purchase the order it created as a row of its
-- own. The events are read twice, not shared through one CTE: a CTE read twice is materialized,
-- and a join of all events, every column, against the orders made DuckDB build its hash table
-- on the events side (out of memory at 10M events with the profile's 4GB).
event_rows as (

    select
        events.visitor_id,
        events.customer_id,
        events.event_date,
        {{ row_hash([row_hash(['events']), 'coalesce(products.row_hash, 0)']) }} as row_hash
    from {{ ref('int_events_sessionized') }} as events
    left join products on events.product_id = products.product_id
    where {{ in_behaviour_scope() }}
    union all
    select
        purchases.visitor_id,
        purchases.customer_id,
        purchases.event_date,
        orders.row_hash
    from {{ ref('int_events_sessionized') }} as purchases
    inner join orders on purchases.order_id = orders.order_id
    where {{ in_behaviour_scope() }} and purchases.event_type = 'purchase'

),

-- One pass over the events for the three scopes (grouping sets), then the orders and customer
-- rows; count and bit_xor combine across the parts as over one set of rows.
event_parts as (

    select
        case
            when grouping(visitor_id) = 0 then 'visitor'
            when grouping(customer_id) = 0 then 'customer'
            else 'day'
        end as scope,
        coalesce(visitor_id, customer_id, cast(event_date as string)) as scope_key,
        count(*) as row_count,
        bit_xor(row_hash) as rows_hash
    from event_rows
    group by grouping sets ((visitor_id), (customer_id), (event_date))  -- noqa: PRS

),

keyed_parts as (

    select * from event_parts
    where scope_key is not null  -- the anonymous events' customer group
    union all
    select
        'customer' as scope,
        customer_id as scope_key,
        count(*) as row_count,
        bit_xor(row_hash) as rows_hash
    from orders
    where customer_id is not null and order_date <= {{ as_of_date() }}
    group by customer_id
    union all
    select
        'customer' as scope,
        customer_id as scope_key,
        1 as row_count,
        row_hash as rows_hash
    from customers
    union all
    select
        'day' as scope,
        cast(order_date as string) as scope_key,
        count(*) as row_count,
        bit_xor(row_hash) as rows_hash
    from orders
    where order_date <= {{ as_of_date() }}
    group by order_date

),

current_fingerprints as (

    select
        scope,
        scope_key,
        {{ row_hash([
            'cast(sum(row_count) as bigint)', 'bit_xor(rows_hash)', run_scope_settings_literal(),
        ]) }} as fingerprint
    from keyed_parts
    group by scope, scope_key

),

previous_fingerprints as (

    {% if manifest is not none %}
        select
            scope,
            scope_key,
            fingerprint
        from {{ manifest }}
    {% else %}
        select
            cast(null as string) as scope,
            cast(null as string) as scope_key,
            cast(null as {{ type_row_hash() }}) as fingerprint
        where false
    {% endif %}

),

final as (

    select
        coalesce(current_fingerprints.scope, previous_fingerprints.scope) as scope,
        coalesce(current_fingerprints.scope_key, previous_fingerprints.scope_key) as scope_key,
        current_fingerprints.fingerprint,
        case
            when previous_fingerprints.scope is null then 'new'
            when current_fingerprints.scope is null then 'removed'
            when current_fingerprints.fingerprint != previous_fingerprints.fingerprint
                then 'changed'
            else 'unchanged'
        end as change
    from current_fingerprints
    full outer join previous_fingerprints
        on
            current_fingerprints.scope = previous_fingerprints.scope
            and current_fingerprints.scope_key = previous_fingerprints.scope_key

)

select * from final
