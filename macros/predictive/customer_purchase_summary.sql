{#
    The BG/NBD + Gamma-Gamma input per customer, with the definitions of lifetimes'
    summary_data_from_transaction_data(freq='D', freq_multiplier=days_per_unit):

    - transactions are bucketed into calendar days (cast to date; UTC for our timestamps);
      several purchases on one day count once and their amounts are summed;
    - transactions after observation_end are dropped;
    - frequency      = distinct purchase days - 1 (repeat purchase days);
    - recency        = (last purchase day - first purchase day) in days / days_per_unit;
    - t              = (observation_end - first purchase day) in days / days_per_unit;
    - monetary_value = mean of the per-day totals of the repeat days (first day excluded),
                       0 when frequency = 0 (lifetimes' convention; Gamma-Gamma ignores them).

    time_unit 'week' is day resolution measured in weeks (days / 7), which is how the
    published CDNOW summary is built; it is not calendar weeks.

    Returns a select statement (usable as a CTE body or subquery) with one row per customer
    that has a purchase on or before observation_end. `transactions` is any relation or CTE
    name. With `purchase_column` (a boolean column) only rows where it is true make a day a
    purchase day and count as transactions, while every row's amount counts in its day's total
    when that day is a purchase day: a credit note (negative net) on the day of a purchase
    nets it, and one on another day is in no purchase day (it names no sale to reverse). A day
    whose credit notes exceed its purchases counts 0, not a negative spend (the excess reverses
    earlier sales; Online Retail has such days): monetary_value is never negative, and
    Gamma-Gamma leaves customers with monetary_value 0 out. Without it every row is a purchase.
#}
{% macro customer_purchase_summary(
    transactions,
    observation_end,
    customer_column='customer_id',
    date_column='order_date',
    amount_column='net_amount',
    time_unit=none,
    purchase_column=none
) -%}
    {%- set unit = time_unit if time_unit is not none else var('clv_time_unit') -%}
    {%- set days_per_unit = clv_days_per_unit(unit) -%}
    with

    summary_observation as (

        select cast({{ observation_end }} as date) as observation_end_date

    ),

    summary_purchase_days as (

        select
            transactions.{{ customer_column }} as customer_id,
            cast(transactions.{{ date_column }} as date) as purchase_date,
            {%- if purchase_column is none %}
            count(*) as transaction_count,
            {%- else %}
            count(*) filter (where transactions.{{ purchase_column }}) as transaction_count,
            {%- endif %}
            {%- if purchase_column is none %}
            sum(transactions.{{ amount_column }}) as purchase_amount
            {%- else %}
            greatest(sum(transactions.{{ amount_column }}), 0) as purchase_amount
            {%- endif %}
        from {{ transactions }} as transactions
        cross join summary_observation
        where cast(transactions.{{ date_column }} as date)
            <= summary_observation.observation_end_date
        group by all
        {%- if purchase_column is not none %}
        having count(*) filter (where transactions.{{ purchase_column }}) > 0
        {%- endif %}

    ),

    summary_first_days as (

        select
            *,
            min(purchase_date) over (partition by customer_id) as first_purchase_date
        from summary_purchase_days

    ),

    summary_per_customer as (

        select
            customer_id,
            count(*) as purchase_days,
            sum(transaction_count) as transaction_count,
            min(purchase_date) as first_purchase_date,
            max(purchase_date) as last_purchase_date,
            {{ decimal_avg('purchase_amount', where='purchase_date > first_purchase_date') }}
                as repeat_mean_amount
        from summary_first_days
        group by all

    )

    select
        summary_per_customer.customer_id,
        '{{ unit }}' as time_unit,
        cast(summary_per_customer.purchase_days - 1 as integer) as frequency,
        cast({{ dbt.datediff('summary_per_customer.first_purchase_date',
                             'summary_per_customer.last_purchase_date', 'day') }} as double)
            / {{ days_per_unit }} as recency,
        cast({{ dbt.datediff('summary_per_customer.first_purchase_date',
                             'summary_observation.observation_end_date', 'day') }} as double)
            / {{ days_per_unit }} as t,
        cast(coalesce(summary_per_customer.repeat_mean_amount, 0) as double) as monetary_value,
        cast(summary_per_customer.transaction_count as integer) as transaction_count,
        summary_per_customer.first_purchase_date,
        summary_per_customer.last_purchase_date,
        summary_observation.observation_end_date
    from summary_per_customer
    cross join summary_observation
{%- endmacro %}


{#
    Days in one model time unit: 'day' -> 1, 'week' -> 7 (day resolution measured in weeks).
#}
{% macro clv_days_per_unit(time_unit) -%}
    {%- set units = {'day': 1, 'week': 7} -%}
    {%- if time_unit not in units -%}
        {%- do exceptions.raise_compiler_error(
            "clv_time_unit must be one of " ~ (units.keys() | list | sort) ~ ", got '"
            ~ time_unit ~ "'") -%}
    {%- endif -%}
    {{- units[time_unit] -}}
{%- endmacro %}


{#
    The calibration / holdout split of lifetimes' calibration_and_holdout_data at day
    resolution: customer_purchase_summary measured at calibration_end (transactions after it
    are never read by that summary, so nothing of the holdout leaks into the calibration
    columns), and per calibration customer the holdout actuals:

    - frequency_holdout = distinct purchase days in (calibration_end, observation_end];
    - duration_holdout  = (observation_end - calibration_end) in days / days_per_unit.

    Only customers with a purchase on or before calibration_end appear (a customer first seen
    in the holdout has no calibration history to predict from).
#}
{% macro customer_purchase_holdout(
    transactions,
    calibration_end,
    observation_end,
    customer_column='customer_id',
    date_column='order_date',
    amount_column='net_amount',
    time_unit=none,
    purchase_column=none
) -%}
    {%- set unit = time_unit if time_unit is not none else var('clv_time_unit') -%}
    with

    holdout_calibration as (

        {{ customer_purchase_summary(
            transactions,
            observation_end=calibration_end,
            customer_column=customer_column,
            date_column=date_column,
            amount_column=amount_column,
            time_unit=unit,
            purchase_column=purchase_column,
        ) | indent(8) }}

    ),

    holdout_window as (

        select
            cast({{ calibration_end }} as date) as calibration_end_date,
            cast({{ observation_end }} as date) as observation_end_date

    ),

    holdout_purchase_days as (

        select
            transactions.{{ customer_column }} as customer_id,
            count(distinct cast(transactions.{{ date_column }} as date)) as frequency_holdout
        from {{ transactions }} as transactions
        cross join holdout_window
        where cast(transactions.{{ date_column }} as date) > holdout_window.calibration_end_date
            and cast(transactions.{{ date_column }} as date)
            <= holdout_window.observation_end_date
            {%- if purchase_column is not none %}
            and transactions.{{ purchase_column }}
            {%- endif %}
        group by all

    )

    select
        holdout_calibration.customer_id,
        holdout_calibration.time_unit,
        holdout_calibration.frequency,
        holdout_calibration.recency,
        holdout_calibration.t,
        holdout_calibration.monetary_value,
        holdout_calibration.transaction_count,
        cast(coalesce(holdout_purchase_days.frequency_holdout, 0) as integer) as frequency_holdout,
        cast({{ dbt.datediff('holdout_window.calibration_end_date',
                             'holdout_window.observation_end_date', 'day') }} as double)
            / {{ clv_days_per_unit(unit) }} as duration_holdout,
        holdout_calibration.first_purchase_date,
        holdout_calibration.last_purchase_date,
        holdout_window.calibration_end_date,
        holdout_window.observation_end_date
    from holdout_calibration
    cross join holdout_window
    left join holdout_purchase_days
        on holdout_calibration.customer_id = holdout_purchase_days.customer_id
{%- endmacro %}
