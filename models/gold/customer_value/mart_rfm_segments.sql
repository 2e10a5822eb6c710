{#
    One row per RFM segment of seed rfm_segment_rules (segments without customers included,
    with zero counts): how many purchasers, what share of revenue, how recent on average.
#}
with

rfm as (

    select * from {{ ref('mart_rfm') }}

),

segments as (

    select distinct
        segment_name,
        engagement_level
    from {{ ref('rfm_segment_rules') }}

),

per_segment as (

    select
        segment_name,
        count(*) as customers,
        sum(monetary) as revenue,
        avg(recency_days) as average_recency_days,
        avg(frequency) as average_frequency,
        {{ decimal_avg('monetary') }} as average_monetary
    from rfm
    group by all

),

final as (

    select
        -- strings
        segments.segment_name,
        segments.engagement_level,
        -- numerics
        cast(coalesce(per_segment.customers, 0) as integer) as customers,
        -- A share of nothing is undefined: null (not 0) when there are no purchasers, or when
        -- their total net revenue is not positive (all orders cancelled, amounts unknown).
        case when sum(per_segment.customers) over () > 0 then
                cast(coalesce(per_segment.customers, 0) as double)
                / sum(per_segment.customers) over ()
        end as customer_share,
        cast(coalesce(per_segment.revenue, 0) as decimal(18, 2)) as revenue,
        case when sum(per_segment.revenue) over () > 0 then
                cast(coalesce(per_segment.revenue, 0) as double)
                / cast(sum(per_segment.revenue) over () as double)
        end as revenue_share,
        cast(per_segment.average_recency_days as double) as average_recency_days,
        cast(per_segment.average_frequency as double) as average_frequency,
        {{ double_to_decimal('per_segment.average_monetary', 18, 2) }} as average_monetary
    from segments
    left join per_segment on segments.segment_name = per_segment.segment_name

)

select * from final
