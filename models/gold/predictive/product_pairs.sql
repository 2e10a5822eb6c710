{#
    One row per ordered pair of products (antecedent, consequent) bought together in at least
    var product_pairs_min_basket_count baskets: both directions of every pair, with the metrics
    of the 1 => 1 rule, for BI drill-down ("what sells with this product").

    support = pair baskets / all baskets; confidence = pair baskets / antecedent baskets;
    lift = confidence / consequent support. Baskets are fct_basket_items, the same completed
    orders product_frequent_itemsets mines, so a product-level 1 => 1 rule of
    product_association_rules has these metrics exactly (pytest checks it).
#}
with

basket_items as (

    select * from {{ ref('fct_basket_items') }}

),

products as (

    select * from {{ ref('dim_products') }}

),

basket_total as (

    select count(distinct order_id) as total_baskets
    from basket_items

),

product_baskets as (

    select
        product_id,
        count(*) as basket_count
    from basket_items
    group by all

),

pair_baskets as (

    select
        antecedent.product_id as antecedent_product_id,
        consequent.product_id as consequent_product_id,
        count(*) as basket_count
    from basket_items as antecedent
    inner join basket_items as consequent
        on antecedent.order_id = consequent.order_id
            and antecedent.product_id != consequent.product_id
    group by all
    having count(*) >= {{ var('product_pairs_min_basket_count') }}

),

final as (

    select
        -- ids
        pair_baskets.antecedent_product_id,
        pair_baskets.consequent_product_id,
        -- strings
        antecedent_products.product_name as antecedent_product_name,
        consequent_products.product_name as consequent_product_name,
        antecedent_products.category as antecedent_category,
        consequent_products.category as consequent_category,
        -- numerics
        cast(pair_baskets.basket_count as integer) as basket_count,
        cast(antecedent_baskets.basket_count as integer) as antecedent_basket_count,
        cast(consequent_baskets.basket_count as integer) as consequent_basket_count,
        cast(basket_total.total_baskets as integer) as total_baskets,
        cast(pair_baskets.basket_count as double) / basket_total.total_baskets as support,
        cast(antecedent_baskets.basket_count as double) / basket_total.total_baskets
            as antecedent_support,
        cast(consequent_baskets.basket_count as double) / basket_total.total_baskets
            as consequent_support,
        cast(pair_baskets.basket_count as double) / antecedent_baskets.basket_count
            as confidence,
        (cast(pair_baskets.basket_count as double) / antecedent_baskets.basket_count)
        / (cast(consequent_baskets.basket_count as double) / basket_total.total_baskets)
            as lift,
        -- booleans
        antecedent_products.category = consequent_products.category as is_same_category
    from pair_baskets
    cross join basket_total
    inner join product_baskets as antecedent_baskets
        on pair_baskets.antecedent_product_id = antecedent_baskets.product_id
    inner join product_baskets as consequent_baskets
        on pair_baskets.consequent_product_id = consequent_baskets.product_id
    inner join products as antecedent_products
        on pair_baskets.antecedent_product_id = antecedent_products.product_id
    inner join products as consequent_products
        on pair_baskets.consequent_product_id = consequent_products.product_id

)

select * from final
