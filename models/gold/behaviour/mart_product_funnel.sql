{#
    One row per grain (product, category) x item x funnel step: the closed, ordered funnel of
    var funnel_steps per product and per category, with cart abandonment.

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
    item); the model does not compile otherwise.
    Cart abandonment (on the add_to_cart step's row, none without one) = its entrants that did
    not reach the last step.

    Not derivable from fct_session_funnel_steps: an item added to the cart after the session
    began checkout reaches checkout at a later begin_checkout than the session's.
#}
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
        'mart_product_funnel: the first step of var funnel_steps ("' ~ steps[0].event_type
        ~ '") must be an event of a product (var product_event_types) or purchase: the item '
        ~ 'funnel starts where the session meets the item.') }}
{%- endif -%}
{%- set session_steps = [] -%}
{%- set cart_step = [] -%}
{%- for step in steps -%}
    {%- if step_kinds[loop.index0] == 'session' -%}{%- do session_steps.append(loop.index) -%}{%- endif -%}
    {%- if step.event_type == 'add_to_cart' and not cart_step -%}{%- do cart_step.append(loop.index) -%}{%- endif -%}
{%- endfor -%}

with

events as (

    select * from {{ ref('int_events_sessionized') }}
    where
        {{ in_behaviour_scope() }}
        and event_type in {{ sql_list(steps | map(attribute='event_type') | list) }}

),

products as (

    select * from {{ ref('int_products_deduplicated') }}

),

order_lines as (

    select * from {{ ref('int_order_lines_deduplicated') }}

),

funnel_steps as (

    {{ funnel_step_rows() }}

),

step_events as (

    select
        *,
        {{ funnel_step_number('event_type') }} as step_number
    from events

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

entrants as (

    select
        grain,
        item_id,
        step_number,
        count(*) as entrants
    from steps_reached
    group by all

),

items as (

    select distinct
        grain,
        item_id
    from item_events

),

steps_counted as (

    select
        items.grain,
        items.item_id,
        funnel_steps.step_number,
        funnel_steps.step_name,
        coalesce(entrants.entrants, 0) as entrants
    from items
    cross join funnel_steps
    left join entrants
        on
            items.grain = entrants.grain
            and items.item_id = entrants.item_id
            and funnel_steps.step_number = entrants.step_number

),

steps_compared as (

    select
        *,
        lag(entrants) over (partition by grain, item_id order by step_number)
            as previous_step_entrants,
        first_value(entrants) over (partition by grain, item_id order by step_number)
            as first_step_entrants,
        last_value(entrants) over (
            partition by grain, item_id
            order by step_number
            rows between unbounded preceding and unbounded following
        ) as last_step_entrants
    from steps_counted

),

abandonment_measured as (

    select
        *,
        case
            when step_number = {{ cart_step[0] if cart_step else 'null' }}
                then entrants - last_step_entrants
        end as carts_abandoned
    from steps_compared

),

final as (

    select
        -- keys
        steps_compared.grain,
        steps_compared.item_id,
        cast(steps_compared.step_number as integer) as step_number,
        -- strings
        case when steps_compared.grain = 'product' then products.product_name end as product_name,
        coalesce(products.category, steps_compared.item_id) as category,
        steps_compared.step_name,
        -- numerics
        cast(steps_compared.entrants as bigint) as entrants,
        cast(steps_compared.previous_step_entrants as bigint) as previous_step_entrants,
        cast(steps_compared.previous_step_entrants - steps_compared.entrants as bigint)
            as drop_off_from_previous,
        steps_compared.entrants
        / nullif(cast(steps_compared.previous_step_entrants as double), 0)
            as conversion_from_previous,
        steps_compared.entrants
        / nullif(cast(steps_compared.first_step_entrants as double), 0) as conversion_from_start,
        cast(steps_compared.carts_abandoned as bigint) as carts_abandoned,
        steps_compared.carts_abandoned
        / nullif(cast(steps_compared.entrants as double), 0) as cart_abandonment_rate
    from abandonment_measured as steps_compared
    left join products
        on
            steps_compared.grain = 'product'
            and steps_compared.item_id = products.product_id

)

select * from final
