{#
    The churn / big-spender classifiers' input: the features of macro
    customer_classifier_features at three cutoffs, N = var classifier_horizon_days:
    train at as_of_date - 2N (labels from (as_of_date - 2N, as_of_date - N]), test at
    as_of_date - N (labels from (as_of_date - N, as_of_date]) and score at as_of_date (no
    labels yet: null). The training labels end where the test features start, so the test
    window is never seen by training.
#}
{%- set horizon = var('classifier_horizon_days') | int -%}
with

train as (

    {{ customer_classifier_features(
        'train', dbt.dateadd('day', -2 * horizon, as_of_date()), horizon) | indent(4) }}

),

test as (

    {{ customer_classifier_features(
        'test', dbt.dateadd('day', -horizon, as_of_date()), horizon) | indent(4) }}

),

score as (

    {{ customer_classifier_features('score', as_of_date(), horizon) | indent(4) }}

),

cutoffs as (

    select * from train
    union all
    select * from test
    union all
    -- the labels nulled, in their place (union all matches columns by position)
    select
        {{ star_except(
            ['future_completed_orders', 'future_net_spend', 'cutoff_date', 'label_end_date']
        ) }},
        cast(null as integer) as future_completed_orders,
        cast(null as double) as future_net_spend,
        cutoff_date,
        label_end_date
    from score

),

final as (

    select * from cutoffs

)

select * from final
