{#
    One row per grain (product, category) x item x funnel step: the closed, ordered funnel of
    var funnel_steps per product and per category, with cart abandonment.

    The unit is a session x item; how far each unit got (funnel_depth) is
    fct_session_item_funnels', the one home of the item funnel's rule (which event of a step
    concerns which item); this mart counts the units per step: a unit reached step k when its
    depth is at least k. Items are the products / categories met in at least one session (an
    event of an item or order step), reached step 1 or not.
    Cart abandonment (on the add_to_cart step's row, none without one) = its entrants that did
    not reach the last step.
#}
{%- set cart_step = [] -%}
{%- for step in var('funnel_steps') -%}
    {%- if step.event_type == 'add_to_cart' and not cart_step -%}{%- do cart_step.append(loop.index) -%}{%- endif -%}
{%- endfor -%}

with

item_funnels as (

    select * from {{ ref('fct_session_item_funnels') }}

),

products as (

    select * from {{ ref('int_products_deduplicated') }}

),

funnel_steps as (

    {{ funnel_step_rows() }}

),

depths_counted as (

    select
        grain,
        item_id,
        funnel_depth,
        count(*) as units
    from item_funnels
    group by all

),

items as (

    select distinct
        grain,
        item_id
    from depths_counted

),

entrants as (

    -- closed funnel: a unit reached every step up to its depth
    select
        depths_counted.grain,
        depths_counted.item_id,
        funnel_steps.step_number,
        sum(depths_counted.units) as entrants
    from depths_counted
    inner join funnel_steps on depths_counted.funnel_depth >= funnel_steps.step_number
    group by all

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
