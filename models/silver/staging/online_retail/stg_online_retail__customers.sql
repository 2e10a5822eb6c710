{#
    One row per CustomerID in the Online Retail files: the source has no customer table, so the
    customer is built from the invoice lines that carry the id (any line: product, fee or
    cancellation; lines DuckDB could not read carry none).

      customer_id     CustomerID without the float's ".0" (17850.0 -> 17850)
      signed_up_at    first InvoiceDate seen (UTC): the data has no signup date
      updated_at      last InvoiceDate seen
                      (both over lines not dated after their delivery: is_after_delivery)
      country_code    ISO 3166-1 alpha-2 of the Country of the customer's latest line
                      (EIRE -> IE, RSA -> ZA, ...); ZZ for names that are not one country
                      (Unspecified, European Community, Channel Islands) or not in the table
      gender U, acquisition_channel / subscription_status `unknown`, birth_year null: not in the
      data.

    Row-level quarantine reasons: timestamp_after_delivery (every dated line of the customer is
    after its delivery), invalid_timestamp (no readable InvoiceDate on any line).
#}
with

lines as (

    select
        *,
        -- A line dated after its delivery says nothing about when the customer was active.
        case when is_after_delivery is not true then invoiced_at end as plausible_invoiced_at,
        -- The country of the customer's latest plausible invoice (a window, not an ordered
        -- aggregate: Spark has none).
        first_value(country_name) over (
            partition by customer_id
            order by
                case when is_after_delivery is not true then invoiced_at end desc nulls last,
                order_id desc nulls last,
                country_name asc nulls last
        ) as latest_country_name
    from {{ ref('base_online_retail__invoice_lines_typed') }}
    where customer_id is not null

),

country_codes as (

    select
        iso.country_name,
        iso.country_code
    from (
        values
        ('Australia', 'AU'), ('Austria', 'AT'), ('Bahrain', 'BH'), ('Belgium', 'BE'),
        ('Brazil', 'BR'), ('Canada', 'CA'), ('Cyprus', 'CY'), ('Czech Republic', 'CZ'),
        ('Denmark', 'DK'), ('EIRE', 'IE'), ('Finland', 'FI'), ('France', 'FR'),
        ('Germany', 'DE'), ('Greece', 'GR'), ('Hong Kong', 'HK'), ('Iceland', 'IS'),
        ('Israel', 'IL'), ('Italy', 'IT'), ('Japan', 'JP'), ('Lebanon', 'LB'),
        ('Lithuania', 'LT'), ('Malta', 'MT'), ('Netherlands', 'NL'), ('Norway', 'NO'),
        ('Poland', 'PL'), ('Portugal', 'PT'), ('RSA', 'ZA'), ('Saudi Arabia', 'SA'),
        ('Singapore', 'SG'), ('Spain', 'ES'), ('Sweden', 'SE'), ('Switzerland', 'CH'),
        ('United Arab Emirates', 'AE'), ('United Kingdom', 'GB'), ('USA', 'US')
    ) as iso (country_name, country_code)

),

customers as (

    select
        customer_id,
        min(source_file) as source_file,
        min(plausible_invoiced_at) as first_invoiced_at,
        max(plausible_invoiced_at) as last_invoiced_at,
        bool_or(is_after_delivery) as has_line_after_delivery,
        -- the same on every line of the customer (max: one value, or null)
        max(latest_country_name) as country_name,
        count(distinct order_id) as invoices
    from lines
    group by all

),

recorded as (

    select
        customers.*,
        country_codes.country_code,
        {{ json_object([
            ('customer_id', 'customers.customer_id'),
            ('country', 'customers.country_name'),
            ('invoices', 'customers.invoices'),
        ]) }} as raw_record
    from customers
    left join country_codes on customers.country_name = country_codes.country_name

),

final as (

    select
        {{ landed_row_id(['source_file', 'raw_record']) }} as source_row_id,
        raw_record,
        source_file,
        customer_id,
        'U' as gender,
        coalesce(country_code, 'ZZ') as country_code,
        'unknown' as acquisition_channel,
        'unknown' as subscription_status,
        cast(null as integer) as birth_year,
        first_invoiced_at as signed_up_at,
        last_invoiced_at as updated_at,
        case
            when first_invoiced_at is null and has_line_after_delivery
                then 'timestamp_after_delivery'
            when first_invoiced_at is null then 'invalid_timestamp'
        end as quarantine_reason
    from recorded

)

select * from final
