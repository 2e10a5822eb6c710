{#
    One row per landed line of the Online Retail day files (var online_retail_path: a folder),
    exactly as read: every column text, the file it came from, raw_record and source_row_id.
    The header line of each file is dropped; lines DuckDB could not read are rows too (columns
    null, `read_error` set), so they are quarantined and reconciled, never lost.

    At execution time, on this model's own connection, before the model's SQL runs:

    1. File checks (the landing folder's rules, audit_landing_files). The path is listed
       (landed_path_pattern, readable_files): .csv and .csv.gz files are read (any case); any
       other entry (a subfolder, another file type) stops the build naming it, unless var
       landing_ignore_patterns matches its name. Every file is read as
       plain lines (one column, no quoting) and the build STOPS, naming every offending file,
       when a file is empty, has no line equal to the expected header (wrong delimiter,
       missing, extra or renamed columns) or has more than one (files concatenated). Done on
       plain lines, not on the parsed read: DuckDB sniffs the column count from the first file
       of a glob, so a first file with another delimiter would make it read every file as one
       column, silently; another file with fewer fields fails with "schema mismatch in glob".
    2. Unreadable lines: the source is read with ignore_errors + store_rejects, which records
       them in the connection's temporary reject_errors / reject_scans tables (as
       audit_landing_rejects does for the landing folder). The files are scanned once and the
       rejects copied to a temp table the model reads. DuckDB reports one error per missing
       column of a short line: one row per file and line.
#}
{#- Landed columns (snake case, as named in the source) and the files' header names. -#}
{%- set columns = [
    'invoice_no', 'stock_code', 'description', 'quantity', 'invoice_date', 'unit_price',
    'customer_id', 'country',
] -%}
{%- set header = [
    'InvoiceNo', 'StockCode', 'Description', 'Quantity', 'InvoiceDate', 'UnitPrice',
    'CustomerID', 'Country',
] -%}
{%- set system = 'online_retail' -%}

{{ landed_file_rows(system, 'invoice_lines', columns, header, var('online_retail_path')) }}
