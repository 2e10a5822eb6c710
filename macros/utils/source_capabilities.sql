{#
    What the selected source system's data holds, from var source_capabilities (dbt_project.yml,
    the one home of "this source has no events / offers / ..."):

    source_capabilities()        -> the map {capability: true/false} of var source_system
    source_provides('events')    -> true / false

    Both stop the build, naming the var, when source_system has no entry or the capability is
    not one of the entry's keys (a typo must not read as "not provided").
#}
{% macro source_capabilities() -%}
    {%- set system = var('source_system') -%}
    {%- set capabilities = var('source_capabilities') -%}
    {%- if system not in capabilities -%}
        {{ exceptions.raise_compiler_error(
            "source_system '" ~ system ~ "' has no entry in var source_capabilities "
            ~ "(dbt_project.yml); known: " ~ (capabilities.keys() | sort | join(', '))) }}
    {%- endif -%}
    {{ return(capabilities[system]) }}
{%- endmacro %}


{% macro source_provides(capability) -%}
    {%- set capabilities = source_capabilities() -%}
    {%- if capability not in capabilities -%}
        {{ exceptions.raise_compiler_error(
            "unknown capability '" ~ capability ~ "': var source_capabilities."
            ~ var('source_system') ~ " has " ~ (capabilities.keys() | sort | join(', '))) }}
    {%- endif -%}
    {{ return(capabilities[capability] is sameas true) }}
{%- endmacro %}
