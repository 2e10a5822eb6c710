#!/usr/bin/env bash
# SQL lint: sqlfluff (config .sqlfluff: templater dbt, dialect duckdb) of every model as each
# configuration renders it. The dbt templater lints only what the vars enable (a disabled model
# is skipped) and renders is_incremental() as dbt would (true only when the model's table
# exists), so one run with the default vars never sees the other source systems' adapters, the
# landing-only audits or any incremental branch. Four runs, vars given through an extra config
# file's [sqlfluff:templater:dbt:context]:
#
#   1. default vars (seeds, source_system demo): models and analyses;
#   2. bronze_source landing, in a database where every incremental model's table (and the
#      run scope's manifest) already exists (an empty placeholder each), so is_incremental()
#      is true: models/silver (the
#      landing-only audits, staging from landing files, the incremental branches) and the
#      incremental gold models;
#   3. source_system online_retail and 4. rees46: the adapter's staging models, reading a
#      one-line file in the source's format (the adapters check their files at compile time).
#
# Runs 2-4 run side by side once run 1 is done. Usage: scripts/lint_sql.sh (from anywhere).
source "$(dirname "$0")/_env.sh"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

context() {  # context <file> <var=value>...: an extra sqlfluff config setting dbt vars
    local file="$1"
    shift
    printf '[sqlfluff:templater:dbt:context]\n' > "$file"
    printf '%s\n' "$@" | sed 's/=/ = /' >> "$file"
}

# 2. landing, incremental: a header-only file per table (an empty folder stops the build, and
# the dbt templater would skip every model reading it); a placeholder table per incremental model.
for seed in seeds/bronze/raw_*.csv; do
    table="$(basename "$seed" .csv)"
    table="${table#raw_}"
    mkdir -p "$WORK/landing/$table"
    head -n 1 "$seed" > "$WORK/landing/$table/$table.csv"
done
context "$WORK/landing.cfg" "bronze_source=landing" "landing_path=$WORK/landing"
python - "$WORK/landing.duckdb" <<'PY'
import sys
from pathlib import Path

import duckdb

con = duckdb.connect(sys.argv[1])
for model in sorted(Path("models").rglob("*.sql")):
    text = model.read_text()
    if "is_incremental()" in text or "run_scope_config(" in text:
        schema = model.parts[1]  # models/<silver|gold>/...: the folder's schema
        con.execute(f"create schema if not exists {schema}")
        con.execute(f"create table {schema}.{model.stem} (placeholder integer)")
# int_run_scope's manifest, so its branch comparing with the last run is linted too.
con.execute("create schema if not exists silver")
con.execute("create table silver.run_scope_manifest (placeholder integer)")
con.close()
PY
incremental_gold="$(grep -rlE 'is_incremental\(\)|run_scope_config\(' models/gold || true)"

# 3. and 4.: one line of each public format, with its header.
mkdir -p "$WORK/online_retail" "$WORK/rees46"
cat > "$WORK/online_retail/2010-12-01.csv" <<'CSV'
InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom
CSV
cat > "$WORK/rees46/events.csv" <<'CSV'
event_time,event_type,product_id,category_id,category_code,brand,price,user_id,user_session
2019-10-01 00:00:00 UTC,view,44600062,2103807459595387724,,shiseido,35.79,541312140,72d76fde-8bb3-4e00-8c23-a032dfed738c
CSV
context "$WORK/online_retail.cfg" "source_system=online_retail" "online_retail_path=$WORK/online_retail"
context "$WORK/rees46.cfg" "source_system=rees46" "rees46_path=$WORK/rees46/events.csv"

lint() {  # lint <name> <processes> <sqlfluff args>...: one run, against its own database
    local name="$1" processes="$2"
    shift 2
    CBW_DUCKDB_PATH="$WORK/$name.duckdb" sqlfluff lint "$@" --processes "$processes" \
        > "$WORK/$name.out" 2>&1
}

report() {  # report <name> <exit code>: the run's findings, without the skip notices
    { grep -v -e "^WARNING    Skipped file" -e "^=== \[dbt templater\]" "$WORK/$1.out" || true; } \
        | sed "s/^/[$1] /"
    [ "$2" -eq 0 ] || echo "[$1] FAILED"
}

status=0
echo "-- default vars: models, analyses"
lint default 2 models analyses && code=0 || code=$?
report default "$code"
status=$((status | code))

echo "-- landing + incremental branches, online_retail, rees46 (side by side)"
# shellcheck disable=SC2086  # incremental_gold: file names without spaces
lint landing 1 models/silver $incremental_gold --config "$WORK/landing.cfg" &
landing=$!
lint online_retail 1 models/silver/staging/online_retail --config "$WORK/online_retail.cfg" &
online_retail=$!
lint rees46 1 models/silver/staging/rees46 --config "$WORK/rees46.cfg" &
rees46=$!
for name in landing online_retail rees46; do
    wait "${!name}" && code=0 || code=$?
    report "$name" "$code"
    status=$((status | code))
done
exit "$status"
