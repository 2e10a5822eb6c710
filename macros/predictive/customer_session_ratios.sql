{#
    Per customer, from the customer's sessions (fct_sessions; anonymous sessions left out)
    that ended on or before `cutoff` (a SQL date expression) and were known to be the
    customer's by then (customer_identified_at): session counts and the
    engagement ratios. Ratios are null where their denominator is 0. One home for these
    definitions: the classifiers' features (customer_classifier_features) and
    fct_customer_engagement_ratios both read them from here.

    - cart_to_view_ratio        = sessions with an add to cart / sessions with a product view
    - checkout_to_cart_ratio    = sessions with a begun checkout / sessions with an add to cart
    - purchase_to_session_ratio = sessions with a purchase / sessions
    - sessions_per_active_day   = sessions / distinct session days
    (ratios of session counts: a cart without a product view in its session can put the first
    above 1, likewise the second.)
#}
{% macro customer_session_ratios(cutoff) -%}
    select
        sessions.customer_id,
        count(*) as sessions,
        count(distinct sessions.session_date) as active_days,
        count(*) filter (where sessions.has_viewed_product) as view_sessions,
        count(*) filter (where sessions.has_added_to_cart) as cart_sessions,
        count(*) filter (where sessions.has_begun_checkout) as checkout_sessions,
        count(*) filter (where sessions.has_purchased) as purchase_sessions,
        count(distinct sessions.country_code) as countries_seen,
        -- a double count ratio, not avg(1.0 / 0.0): Spark averages decimals to 6 places
        cast(count(*) filter (where sessions.device = 'mobile') as double) / count(*)
            as mobile_session_share,
        avg({{ dbt.datediff('sessions.started_at', 'sessions.cart_step_reached_at', 'second') }})
            as mean_seconds_to_cart,
        cast(count(*) filter (where sessions.has_added_to_cart) as double)
            / nullif(count(*) filter (where sessions.has_viewed_product), 0) as cart_to_view_ratio,
        cast(count(*) filter (where sessions.has_begun_checkout) as double)
            / nullif(count(*) filter (where sessions.has_added_to_cart), 0)
            as checkout_to_cart_ratio,
        cast(count(*) filter (where sessions.has_purchased) as double)
            / count(*) as purchase_to_session_ratio,
        cast(count(*) as double)
            / count(distinct sessions.session_date) as sessions_per_active_day
    from {{ ref('fct_sessions') }} as sessions
    where cast(sessions.ended_at as date) <= cast({{ cutoff }} as date)
        -- known to be the customer's by then (a later login stitches earlier sessions)
        and cast(sessions.customer_identified_at as date) <= cast({{ cutoff }} as date)
        and sessions.customer_id is not null
    group by sessions.customer_id
{%- endmacro %}
