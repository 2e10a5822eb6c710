{#
    One row per landed row that silver could not use, from every bronze table: where it came
    from, which row, its raw values and why. Nothing is dropped silently: every landed row is
    either kept, a duplicate of a kept row, or here (proved by audit_reconciliation).
#}
with

{% for e in audit_entities() %}
    quarantined_{{ e.entity }} as (

        select
            '{{ source_table_name(e.entity) }}' as source_table,
            '{{ e.entity }}' as entity,
            source_row_id,
            source_file,
            {{ e.record_key }} as record_key,
            quarantine_reason as reason_code,
            raw_record
        from {{ e.validated }}
        where quarantine_reason is not null

    ),

{% endfor %}

{% if var('bronze_source') == 'landing' %}
-- Landing-file lines DuckDB could not read as a row: quarantined with file and line.
    unreadable_lines as (

        select
            source_table,
            source_table as entity,
            md5(source_file || ':' || cast(line_number as varchar)) as source_row_id,
            source_file,
            cast(null as varchar) as record_key,
            reason_code,
            to_json(struct_pack(
                source_file := source_file,
                line_number := line_number,
                csv_line := csv_line,
                error_message := error_message
            )) as raw_record
        from {{ ref('audit_landing_rejects') }}

    ),

{% endif %}
final as (

    {% for e in audit_entities() %}
        select * from quarantined_{{ e.entity }}
        union all
    {% endfor %}
    {% if var('bronze_source') == 'landing' %}
        select * from unreadable_lines
    {% else %}
        select * from quarantined_{{ audit_entities()[0].entity }}
        where false
    {% endif %}

)

select * from final
