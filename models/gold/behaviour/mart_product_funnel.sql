{#
    One row per grain (product, category) x item x funnel step: the closed, ordered funnel of
    mart_funnel_steps, per product and per category, with cart abandonment.

    The unit is a session x item (product or category). Within the session the item
      1 view      has a product_view of the product (of any product of the category);
      2 cart      has an add_to_cart of it at or after its view;
      3 checkout  the session begins checkout at or after that add to cart;
      4 purchase  the session purchases at or after that checkout, and the order (order lines)
                  holds the product (a product of the category).
    So a product added, removed and not bought is abandoned even if the session bought others.
    Cart abandonment (on the cart row) = cart entrants that did not reach purchase.
    This model needs the four standard steps of var funnel_steps (their event types are read
    from the var).
#}
{%- set steps = var('funnel_steps') -%}

with

events as (

    select * from {{ ref('int_events_sessionized') }}
    where
        not is_bot
        and event_date <= {{ as_of_date() }}
        and event_type in {{ sql_list(steps | map(attribute='event_type') | list) }}

),

products as (

    select * from {{ ref('int_products_deduplicated') }}

),

order_lines as (

    select * from {{ ref('int_order_lines_deduplicated') }}

),

funnel_steps as (

    {%- for step in steps %}
        select
            {{ loop.index }} as step_number,
            '{{ step.step_name }}' as step_name
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

),

product_events as (

    select
        events.session_id,
        events.product_id,
        products.category,
        case events.event_type
            when '{{ steps[0].event_type }}' then 1
            when '{{ steps[1].event_type }}' then 2
        end as step_number,
        events.event_at
    from events
    inner join products on events.product_id = products.product_id
    where events.event_type in ('{{ steps[0].event_type }}', '{{ steps[1].event_type }}')

),

item_events as (

    select
        'product' as grain,
        product_id as item_id,
        session_id,
        step_number,
        event_at
    from product_events
    union all
    select
        'category' as grain,
        category as item_id,
        session_id,
        step_number,
        event_at
    from product_events

),

checkout_events as (

    select
        session_id,
        event_at
    from events
    where event_type = '{{ steps[2].event_type }}'

),

purchased_products as (

    select distinct
        events.session_id,
        events.event_at,
        products.product_id,
        products.category
    from events
    inner join order_lines on events.order_id = order_lines.order_id
    inner join products on order_lines.product_id = products.product_id
    where events.event_type = '{{ steps[3].event_type }}'

),

purchased_items as (

    select distinct
        'product' as grain,
        product_id as item_id,
        session_id,
        event_at
    from purchased_products
    union all
    select distinct
        'category' as grain,
        category as item_id,
        session_id,
        event_at
    from purchased_products

),

step_1_reached as (

    select
        grain,
        item_id,
        session_id,
        min(event_at) as reached_at
    from item_events
    where step_number = 1
    group by all

),

step_2_reached as (

    select
        item_events.grain,
        item_events.item_id,
        item_events.session_id,
        min(item_events.event_at) as reached_at
    from item_events
    inner join step_1_reached as previous_step
        on
            item_events.grain = previous_step.grain
            and item_events.item_id = previous_step.item_id
            and item_events.session_id = previous_step.session_id
            and item_events.event_at >= previous_step.reached_at
    where item_events.step_number = 2
    group by all

),

step_3_reached as (

    select
        previous_step.grain,
        previous_step.item_id,
        previous_step.session_id,
        min(checkout_events.event_at) as reached_at
    from checkout_events
    inner join step_2_reached as previous_step
        on
            checkout_events.session_id = previous_step.session_id
            and checkout_events.event_at >= previous_step.reached_at
    group by all

),

step_4_reached as (

    select
        purchased_items.grain,
        purchased_items.item_id,
        purchased_items.session_id,
        min(purchased_items.event_at) as reached_at
    from purchased_items
    inner join step_3_reached as previous_step
        on
            purchased_items.grain = previous_step.grain
            and purchased_items.item_id = previous_step.item_id
            and purchased_items.session_id = previous_step.session_id
            and purchased_items.event_at >= previous_step.reached_at
    group by all

),

entrants as (

    {%- for n in range(1, 5) %}
        select
            grain,
            item_id,
            {{ n }} as step_number,
            count(*) as entrants
        from step_{{ n }}_reached
        group by all
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

),

items as (

    select distinct
        grain,
        item_id
    from item_events
    union
    select distinct
        grain,
        item_id
    from purchased_items

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
            when step_number = 2 then entrants - last_step_entrants
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
