{#
    Data-quality rules that several silver models apply, each defined once here:

      exact_cast                     a landed number cast to its type exactly, or null
                                     (never rounded)
      is_after_delivery              a row dated after the delivery of the file it came in
                                     (quarantine reason timestamp_after_delivery)
      kept_copy_order                which copy of a record wins when it landed more than once
      quarantine_conflicting_copies  a valid copy whose content differs from the winning copy's
                                     gets quarantine reason conflicting_redelivery
#}


{#
    The landed text `column` as `type` when the text is a plain decimal numeral whose value the
    type holds exactly; null otherwise, so the caller quarantines the row (invalid_quantity,
    invalid_price, invalid_amount) instead of keeping a rounded value. DuckDB's try_cast
    rounds: '2.7' as integer is 3, '19.999' as decimal(18, 2) is 20.00.

      type integer (int, bigint, ...)   '2', ' 2 ', '+2', '-2', '2.0', '2.' -> 2;   '2.7' -> null
      type decimal(p, s)                '2.5', '2.50', '2.500' -> 2.50 (s = 2); '19.999' -> null

    Trailing zeros after the decimal point are not precision ('2.50' fits decimal(18, 2),
    '2.0' fits integer). Text that is not a plain numeral is refused even where try_cast would
    read it: exponents ('1e3'), hex ('0x10'), digit separators ('1_000'), 'nan', 'inf'. A value
    beyond the type's range is null (try_cast).
#}
{% macro exact_cast(column, type) -%}
    {%- set decimal_type = modules.re.match(
        '^ *(decimal|numeric) *[(] *[0-9]+ *, *([0-9]+) *[)] *$', type, modules.re.I
    ) -%}
    {%- if decimal_type -%}
        {%- set scale = decimal_type.group(2) | int -%}
    {%- elif type | trim | lower in ['tinyint', 'smallint', 'int', 'integer', 'bigint', 'hugeint'] -%}
        {%- set scale = 0 -%}
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            "exact_cast: type must be an integer type or decimal(p, s), got '" ~ type ~ "'") }}
    {%- endif -%}
    {#- Digits, at most `scale` significant digits after the point, then only zeros. ([.] is
        a literal point: a backslash in a Jinja string literal is an escape.) -#}
    {%- if scale == 0 -%}
        {%- set numeral = '[+-]?([0-9]+([.]0*)?|[.]0+)' -%}
    {%- else -%}
        {%- set numeral = '[+-]?([0-9]+([.][0-9]{0,' ~ scale ~ '}0*)?|[.][0-9]{1,' ~ scale ~ '}0*)' -%}
    {%- endif -%}
    case
        when {{ regexp_full_match('trim(' ~ column ~ ')', "'" ~ numeral ~ "'") }}
            then {{ try_cast_numeral('trim(' ~ column ~ ')', type) }}
    end
{%- endmacro %}


{#
    The latest plausible time of a landed row, as a SQL timestamp: the end of its reference day
    plus var future_timestamp_tolerance_hours (clock skew, and file dates written in the
    sender's local time zone). The reference day is, first match wins:

      1. `arrived_on`: the delivery date of the row's file (the YYYY-MM-DD in its name);
      2. var max_plausible_event_date, when set: for data without delivery dates (the seeds);
      3. when `relation` is given: the day by which var plausible_timestamp_quantile (0.999)
         of the relation's `timestamp` values had happened. Data-derived, never the wall
         clock: one row dated 2100 among thousands does not move it, so that row is the one
         found implausible. Pass `relation` only when it holds every row of the table (not
         in an incremental run, which sees only the new files); without it, a row with no
         delivery date is not checked.

    `arrived_on` and `timestamp` are SQL expressions; `relation` is a CTE or relation name.
#}
{% macro latest_plausible_at(arrived_on, timestamp, relation=none) -%}
    {%- set configured = var('max_plausible_event_date') -%}
    {%- set reference_days = [arrived_on] -%}
    {%- if configured is not none and configured | string | trim != '' -%}
        {%- do reference_days.append(
            "cast('" ~ (configured | string | trim | replace("'", "''")) ~ "' as date)"
        ) -%}
    {%- endif -%}
    {%- if relation is not none -%}
        {%- do reference_days.append(
            "(select cast(" ~ timestamp_quantile_disc(timestamp, var('plausible_timestamp_quantile'))
            ~ " as date) from " ~ relation
            ~ " as all_rows)"
        ) -%}
    {%- endif -%}
    {{ add_hours(
        'cast(coalesce(' ~ (reference_days | join(', ')) ~ ') as timestamp) + interval 1 day',
        var('future_timestamp_tolerance_hours')
    ) }}
{%- endmacro %}


{#- True when `timestamp` is later than latest_plausible_at (quarantine reason
    timestamp_after_delivery); a row exactly at the bound is plausible. Null when either side
    is null (no timestamp, or no reference day). -#}
{% macro is_after_delivery(timestamp, arrived_on, relation=none) -%}
    ({{ timestamp }} > {{ latest_plausible_at(arrived_on, timestamp, relation) }})
{%- endmacro %}


{#
    Which copy of a record is kept when the same key landed more than once (the order of its
    copies: the first one wins). One definition for int_*_validated (which compares every copy
    with the winner) and int_*_deduplicated (which keeps it):

      every entity  the earliest delivered copy: the date in its file's name (null, e.g. the
                    seeds: no preference), then lowest source_row_id
      events        ... and among copies of the same delivery day, the earliest event_at
      orders        ... and among copies of the same delivery day, the earliest ordered_at
      customers     the latest version (updated_at) first; among copies of one version the
                    earliest delivered

    Earliest delivered first: a later redelivery never replaces what an earlier load kept, so a
    day-by-day load keeps the copy a full refresh keeps.
#}
{% macro kept_copy_order(entity) -%}
    {%- set delivered = arrival_date('source_file') ~ ' nulls last' -%}
    {%- set orders = {
        'events': 'arrived_on nulls last, event_at, source_row_id',
        'orders': delivered ~ ', ordered_at, source_row_id',
        'order_lines': delivered ~ ', source_row_id',
        'products': delivered ~ ', source_row_id',
        'offers': delivered ~ ', source_row_id',
        'customers': 'updated_at desc nulls last, ' ~ delivered ~ ', source_row_id',
    } -%}
    {%- if entity not in orders -%}
        {{ exceptions.raise_compiler_error("kept_copy_order: unknown entity '" ~ entity ~ "'") }}
    {%- endif -%}
    {{ orders[entity] }}
{%- endmacro %}


{#
    True for a copy of a record that passed every check (`valid`) but whose `content` differs
    from the winning copy's (kept_copy_order) among the valid copies of the same `key`: a
    conflicting redelivery, quarantined as conflicting_redelivery. Exact redeliveries (same
    content) are false: they are deduplicated. `content` lists the cleaned, typed columns that
    say what the record is, without lineage (source_row_id, source_file, arrived_on,
    raw_record): ' Add_To_Cart ' and 'add_to_cart', or one instant written in two time formats,
    are the same content. Compared by a 64-bit hash within one key (odds of two different
    contents sharing it: 2^-64 per pair).
#}
{% macro is_conflicting_copy(entity, key, content, valid='quarantine_reason is null') -%}
    {%- set content_hash = columns_hash(content) -%}
    (
        ({{ valid }})
        and {{ content_hash }} is distinct from first_value({{ content_hash }}) over (
            partition by {{ key | join(', ') }}, ({{ valid }})
            order by {{ kept_copy_order(entity) }}
        )
    )
{%- endmacro %}


{#
    The select list of an int_*_validated model's last step: every column of the relation, with
    quarantine_reason set to conflicting_redelivery where it was null and is_conflicting_copy
    holds. `select {{ quarantine_conflicting_copies('offers', ['offer_id'], [...]) }} from x`
    quarantine_reason stays the last column, where every staging model has it.
#}
{% macro quarantine_conflicting_copies(entity, key, content) -%}
    {{ star_except(['quarantine_reason']) }},
    coalesce(
        quarantine_reason,
        case
            when {{ is_conflicting_copy(entity, key, content) }} then 'conflicting_redelivery'
        end
    ) as quarantine_reason
{%- endmacro %}
