{#
    REES46 has no offers: an empty relation with the canonical offer columns (as
    stg_demo__offers), so the shared silver and every mart build; offer marts are empty.
#}
select
    cast(null as string) as source_row_id,
    cast(null as {{ type_json() }}) as raw_record,
    cast(null as string) as source_file,
    cast(null as string) as offer_id,
    cast(null as string) as offer_name,
    cast(null as string) as offer_category,
    cast(null as string) as offer_type,
    cast(null as decimal(18, 2)) as discount_value,
    cast(null as decimal(18, 2)) as min_spend,
    cast(null as date) as valid_from_date,
    cast(null as date) as valid_to_date,
    cast(null as string) as quarantine_reason
where false
