{#
    One row per grain (product, category) x item x session in which the item was met (an event
    of an item or order step concerning it; bot visitors left out, up to as_of_date): how far
    the item got in the closed, ordered funnel of var funnel_steps within the session
    (funnel_depth). The per-event work of mart_product_funnel, which counts these units per
    step (a closed funnel: the unit reached step k when its depth is at least k).

    The unit is a session x item (product or category); the rule is the session funnel's (macro
    closed_funnel_reached), on the events that concern the item. What a step's event means for
    an item follows from its event type:
      item step      an event type of var product_event_types (product_view, add_to_cart, ...):
                     an event of the product (of any product of the category);
      order step     purchase: a purchase whose order (order lines) holds the product (a
                     product of the category);
      session step   any other (begin_checkout): the session's event, shared by every item of
                     the session that reached the previous step before it.
    With the standard steps: the item is viewed, added to cart at or after its view, the session
    begins checkout at or after that add to cart, and buys an order holding the item at or after
    that checkout. So a product added, removed and not bought is abandoned even if the session
    bought others. Step 1 must be an item or order step (it is where the session meets the
    item); the model does not compile otherwise. A unit met only at a later step (an add to
    cart without a view) has depth 0.

    Not derivable from fct_session_funnel_steps: an item added to the cart after the session
    began checkout reaches checkout at a later begin_checkout than the session's.
#}
{#-
    Landing folder, incremental by the run scope (macros/utils/run_scope.sql), as fct_sessions:
    the visitors in scope are rebuilt from all of their step events (a purchase's order lines
    are part of the visitor's fingerprint). A product's category is read as it is when the
    visitor is rebuilt.
-#}
{{ config(**run_scope_config('visitor', 'visitor_id')) }}
{%- set steps = var('funnel_steps') -%}
{%- set step_kinds = [] -%}
{%- for step in steps -%}
    {%- do step_kinds.append(
        'item' if step.event_type in var('product_event_types')
        else 'order' if step.event_type == 'purchase'
        else 'session'
    ) -%}
{%- endfor -%}
{%- if execute and step_kinds[0] == 'session' -%}
    {{ exceptions.raise_compiler_error(
        'fct_session_item_funnels: the first step of var funnel_steps ("' ~ steps[0].event_type
        ~ '") must be an event of a product (var product_event_types) or purchase: the item '
        ~ 'funnel starts where the session meets the item.') }}
{%- endif -%}
{%- set session_steps = [] -%}
{%- for step in steps -%}
    {%- if step_kinds[loop.index0] == 'session' -%}{%- do session_steps.append(loop.index) -%}{%- endif -%}
{%- endfor -%}

with

events as (

    {{ behaviour_events_in_run_scope() }}
        and {{ is_funnel_step('event_type') }}

),

products as (

    select * from {{ ref('int_products_deduplicated') }}

),

order_lines as (

    select * from {{ ref('int_order_lines_deduplicated') }}

),

step_events as (

    select
        *,
        {{ funnel_step_number('event_type') }} as step_number
    from events

),

sessions as (

    select
        session_id,
        any_value(visitor_id) as visitor_id
    from events
    group by all

),

-- the products each step event concerns: its own (item step) or its order's (order step)
step_event_products as (

    select
        session_id,
        product_id,
        step_number,
        event_at
    from step_events
    where event_type in {{ sql_list(var('product_event_types')) }}
    union all
    select distinct
        step_events.session_id,
        order_lines.product_id,
        step_events.step_number,
        step_events.event_at
    from step_events
    inner join order_lines on step_events.order_id = order_lines.order_id
    where step_events.event_type = 'purchase'

),

product_step_events as (

    select
        step_event_products.*,
        products.category
    from step_event_products
    inner join products on step_event_products.product_id = products.product_id

),

item_events as (

    select
        'product' as grain,
        product_id as item_id,
        session_id,
        step_number,
        event_at
    from product_step_events
    union all
    select
        'category' as grain,
        category as item_id,
        session_id,
        step_number,
        event_at
    from product_step_events

),

-- item events, and session events that every item of the session shares
unit_step_events as (

    select * from item_events
    {%- if session_steps %}
        union all
        select
            null as grain,
            null as item_id,
            session_id,
            step_number,
            event_at
        from step_events
        where step_number in ({{ session_steps | join(', ') }})
    {%- endif %}

),

steps_reached as (

    {{ closed_funnel_reached(
        'unit_step_events',
        ['grain', 'item_id', 'session_id'],
        steps | length,
        shared_steps=session_steps,
        shared_columns=['session_id'],
    ) }}

),

units as (

    select distinct
        grain,
        item_id,
        session_id
    from item_events

),

depths as (

    -- closed funnel: the steps reached are 1 .. the last one
    select
        grain,
        item_id,
        session_id,
        max(step_number) as funnel_depth
    from steps_reached
    group by all

),

final as (

    select
        -- keys
        units.grain,
        units.item_id,
        units.session_id,
        -- ids
        sessions.visitor_id,
        -- numerics
        cast(coalesce(depths.funnel_depth, 0) as integer) as funnel_depth
    from units
    inner join sessions on units.session_id = sessions.session_id
    left join depths
        on
            units.grain = depths.grain
            and units.item_id = depths.item_id
            and units.session_id = depths.session_id

)

select * from final
