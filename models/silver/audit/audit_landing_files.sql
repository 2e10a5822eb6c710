{#
    One row per entry in the landing folder's table folders (bronze_source: landing): every
    file read, with the table it feeds, rows landed and lines DuckDB could not read; and every
    entry ignored on purpose (var landing_ignore_patterns), marked so. The counts come from the
    base models (base_demo__*), which read the files (landed_rows) and stop the build, naming
    the entry or file, when a folder holds something the build does not read or a file it
    cannot load row by row (empty, no or two header lines). A header-only file shows here with
    0 rows.
#}
{{ config(enabled=var('bronze_source', 'seeds') == 'landing') }}

{%- set csv = var('landing_format') != 'parquet' -%}
{%- set tables = ['customers', 'products', 'offers', 'events', 'orders', 'order_lines'] -%}

with

{% for table_name in tables %}
    entries_{{ table_name }} as (

        select
            {{ sql_string(table_name, 'landing table') }} as source_table,
            {{ landing_file('entry_path') }} as source_file,
            entry_status
        from ({{ landing_entries(table_name) }})

    ),

    landed_{{ table_name }} as (

        select
            source_file,
            count(*) filter (where read_error is null) as rows_landed,
            count(*) filter (where read_error is not null) as lines_rejected
        from {{ ref('base_demo__' ~ table_name) }}
        group by all

    ),

{% endfor %}

files as (

    {% for table_name in tables %}
        select
            entries_{{ table_name }}.source_table,
            entries_{{ table_name }}.source_file,
            entries_{{ table_name }}.entry_status,
            landed_{{ table_name }}.rows_landed,
            landed_{{ table_name }}.lines_rejected
        from entries_{{ table_name }}
        left join landed_{{ table_name }}
            on entries_{{ table_name }}.source_file = landed_{{ table_name }}.source_file
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

final as (

    select
        source_table,
        source_file,
        entry_status,
        case when entry_status = 'read' then coalesce(rows_landed, 0) end as rows_landed,
        case when entry_status = 'read' then coalesce(lines_rejected, 0) end as lines_rejected,
        -- every file read has exactly one header line (CSV; checked by landed_rows when the
        -- file was loaded, which stops the build otherwise); Parquet has none
        case when entry_status = 'read' then {{ 1 if csv else 0 }} end as header_lines
    from files

)

select * from final
