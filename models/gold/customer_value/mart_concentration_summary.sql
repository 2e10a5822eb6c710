{#
    One row per dimension (customer, product, category) of mart_revenue_concentration.

    top_<p>_pct_revenue_share: revenue share of the ceil(p% x n) highest-revenue entities.
    gini_coefficient, over the n entities with revenue x (sorted ascending, i = 1..n):

        G = sum_i sum_j |x_i - x_j| / (2 n^2 mean(x)) = 2 sum_i i x_(i) / (n sum x) - (n + 1) / n

    0 when every entity has the same revenue; (n - 1) / n when one entity has it all.
    hhi: Herfindahl-Hirschman index, the sum of squared revenue shares (0-1 scale; x 10,000
    for the antitrust points scale). Both null when total revenue is 0. Entities with negative
    net revenue (credits for sales from before the data) are kept, as in the Lorenz curve, and
    counted in negative_net_entity_count: with them the Gini can exceed (n - 1) / n.
    Customer row only: revenue share of each spend_tier_4 of dim_customers ('No Spend' holds 0).
#}
with

concentration as (

    select
        *,
        -- integer cents in a 128-bit (38-digit) integer, for the exact sums below
        cast(net_revenue * 100 as {{ type_wide_integer() }}) as net_revenue_cents
    from {{ ref('mart_revenue_concentration') }}

),

customers as (

    select * from {{ ref('dim_customers') }}

),

per_dimension as (

    select
        dimension,
        max(entity_count) as entity_count,
        -- Sums run over decimals (exact, so the same whatever order threads add them in: a
        -- double sum can differ in its last bits between two builds); division in double last.
        sum(gross_revenue) as total_gross_revenue,
        sum(cancelled_returned_revenue) as total_cancelled_returned_revenue,
        sum(net_revenue) as total_net_revenue,
        count(*) filter (where net_revenue < 0) as negative_net_entity_count,
        max(top_revenue_share) filter (
            where revenue_rank <= ceil(entity_count * 1 / 100.0)
        ) as top_1_pct_revenue_share,
        max(top_revenue_share) filter (
            where revenue_rank <= ceil(entity_count * 10 / 100.0)
        ) as top_10_pct_revenue_share,
        max(top_revenue_share) filter (
            where revenue_rank <= ceil(entity_count * 20 / 100.0)
        ) as top_20_pct_revenue_share,
        -- Weighted and squared sums in integer cents as a 128-bit (38-digit) integer: exact and
        -- order-independent, and no decimal(18, 2) overflow at scale.
        2 * cast(sum((entity_count - revenue_rank + 1) * net_revenue_cents) as double) / 100
        / nullif(max(entity_count) * cast(sum(net_revenue) as double), 0)
        - (max(entity_count) + 1) / cast(max(entity_count) as double) as gini_raw,
        -- HHI = sum of squared shares = sum(revenue^2) / total^2, with exact sums.
        cast(sum(net_revenue_cents * net_revenue_cents) as double) / 10000
        / nullif(power(cast(sum(net_revenue) as double), 2), 0) as hhi
    from concentration
    group by all

),

spend_tier_shares as (

    select
        'customer' as dimension,
        -- decimal sums (exact, order-independent), divided in double
        cast(coalesce(sum(lifetime_net_spend) filter (where spend_tier_4 = 'Low'), 0) as double)
        / nullif(cast(sum(lifetime_net_spend) as double), 0) as spend_tier_low_revenue_share,
        cast(coalesce(sum(lifetime_net_spend) filter (where spend_tier_4 = 'Medium'), 0) as double)
        / nullif(cast(sum(lifetime_net_spend) as double), 0) as spend_tier_medium_revenue_share,
        cast(coalesce(sum(lifetime_net_spend) filter (where spend_tier_4 = 'High'), 0) as double)
        / nullif(cast(sum(lifetime_net_spend) as double), 0) as spend_tier_high_revenue_share,
        cast(coalesce(sum(lifetime_net_spend) filter (where spend_tier_4 = 'VIP'), 0) as double)
        / nullif(cast(sum(lifetime_net_spend) as double), 0) as spend_tier_vip_revenue_share
    from customers

),

final as (

    select
        -- strings
        per_dimension.dimension,
        -- numerics
        cast(per_dimension.entity_count as integer) as entity_count,
        cast(per_dimension.total_gross_revenue as decimal(18, 2)) as total_gross_revenue,
        cast(per_dimension.total_cancelled_returned_revenue as decimal(18, 2))
            as total_cancelled_returned_revenue,
        cast(per_dimension.total_net_revenue as decimal(18, 2)) as total_net_revenue,
        cast(per_dimension.negative_net_entity_count as integer) as negative_net_entity_count,
        per_dimension.top_1_pct_revenue_share,
        per_dimension.top_10_pct_revenue_share,
        per_dimension.top_20_pct_revenue_share,
        case when per_dimension.total_net_revenue > 0 then per_dimension.gini_raw end
            as gini_coefficient,
        per_dimension.hhi,
        spend_tier_shares.spend_tier_low_revenue_share,
        spend_tier_shares.spend_tier_medium_revenue_share,
        spend_tier_shares.spend_tier_high_revenue_share,
        spend_tier_shares.spend_tier_vip_revenue_share
    from per_dimension
    left join spend_tier_shares on per_dimension.dimension = spend_tier_shares.dimension

)

select * from final
