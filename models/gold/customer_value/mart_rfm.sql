{#
    One row per purchasing customer (at least one completed order by as_of_date) with RFM.

    recency_days = as_of_date - date of the last completed order; frequency = completed
    orders; monetary = lifetime net spend (dim_customers). Each score is the quintile the
    customer's value starts in among all purchasers:

        score = 1 + floor(5 * (rank - 1) / n)

    rank = rank() (ties share the lowest rank) ordered so that better is later: recency
    descending (most recent scores 5), frequency and monetary ascending. Equal values always
    get equal scores; a large tie (most customers have one order) keeps everyone in it on the
    tie's lowest score, so some scores may not occur at all.
    Segment and engagement level: the first rule of seed rfm_segment_rules that matches.
#}
with

customers as (

    select * from {{ ref('dim_customers') }}
    where is_purchaser

),

segment_rules as (

    select * from {{ ref('rfm_segment_rules') }}

),

rfm_values as (

    select
        customer_id,
        {{ dbt.datediff('cast(last_order_at as date)', 'as_of_date', 'day') }} as recency_days,  -- noqa: LT05
        lifetime_orders as frequency,
        lifetime_net_spend as monetary,
        last_order_at,
        as_of_date
    from customers

),

scored as (

    select
        *,
        cast(1 + floor(
            5 * (rank() over (order by recency_days desc) - 1)
            / count(*) over ()
        ) as integer) as r_score,
        cast(1 + floor(
            5 * (rank() over (order by frequency) - 1)
            / count(*) over ()
        ) as integer) as f_score,
        cast(1 + floor(
            5 * (rank() over (order by monetary) - 1)
            / count(*) over ()
        ) as integer) as m_score
    from rfm_values

),

matched as (

    select
        scored.*,
        segment_rules.segment_name,
        segment_rules.engagement_level,
        segment_rules.rule_priority,
        -- no rule matching: one row with a null priority
        row_number() over (
            partition by scored.customer_id
            order by segment_rules.rule_priority nulls last
        ) as rule_match_number
    from scored
    left join segment_rules
        on
            scored.r_score between segment_rules.r_score_min and segment_rules.r_score_max
            and scored.f_score between segment_rules.f_score_min and segment_rules.f_score_max
            and scored.m_score between segment_rules.m_score_min and segment_rules.m_score_max

),

segmented as (

    select {{ star_except(['rule_match_number']) }}
    from matched
    where rule_match_number = 1

),

final as (

    select
        -- ids
        customer_id,
        -- strings
        cast(r_score as string) || cast(f_score as string) || cast(m_score as string)
            as rfm_code,
        segment_name,
        engagement_level,
        -- numerics
        cast(recency_days as integer) as recency_days,
        cast(frequency as integer) as frequency,
        cast(monetary as decimal(18, 2)) as monetary,
        r_score,
        f_score,
        m_score,
        r_score + f_score + m_score as rfm_total_score,
        rule_priority as segment_rule_priority,
        -- dates
        as_of_date,
        -- timestamps
        last_order_at
    from segmented

)

select * from final
