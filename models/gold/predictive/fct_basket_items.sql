{#
    One row per completed order (a basket) and product bought in it, on or before as_of_date:
    the baskets both product_frequent_itemsets (Python; product_association_rules derives its
    rules from it) and product_pairs (SQL) mine, so the two agree by construction. Two lines of one product in one order are one basket item.
#}
with

order_lines as (

    select * from {{ ref('fct_order_lines') }}
    where is_counted
        and order_date <= {{ as_of_date() }}

),

final as (

    select
        -- ids
        order_id,
        product_id,
        customer_id,
        -- strings
        category,
        -- numerics
        cast(sum(quantity) as integer) as quantity,
        cast(sum(net_line_amount) as decimal(18, 4)) as net_amount,
        cast(count(*) as integer) as line_count,
        -- dates
        order_date
    from order_lines
    group by all

)

select * from final
