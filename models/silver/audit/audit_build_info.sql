{#
    One row: what this warehouse was built from. `cbw validate` reads it to know which source
    system the marts come from and what that source provides (var source_capabilities), so a
    mart the source cannot fill is reported as not applicable rather than failed.
#}
{%- set provided = [] -%}
{%- set missing = [] -%}
{%- for name, value in source_capabilities() | dictsort -%}
    {%- do (provided if value else missing).append("'" ~ name ~ "'") -%}
{%- endfor -%}

with

final as (

    select
        {{ dbt.string_literal(var('source_system') | replace("'", "''")) }} as source_system,
        {{ dbt.string_literal(var('bronze_source') | replace("'", "''")) }} as bronze_source,
        {{ text_array(provided) }} as provided_capabilities,
        {{ text_array(missing) }} as missing_capabilities,
        {{ as_of_date() }} as as_of_date

)

select * from final
