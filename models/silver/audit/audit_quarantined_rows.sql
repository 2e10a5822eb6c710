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

final as (

    {% for e in audit_entities() %}
        select * from quarantined_{{ e.entity }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select * from final
