#!/usr/bin/env bash
# Install everything (pinned, into .venv) and build the warehouse on the built-in demo data:
# seeds -> bronze -> silver -> gold, with every dbt test, then the docs site, then the
# Great Expectations validation of the marts (report in reports/validation/), then, only when all
# of that passed (set -e), `cbw publish`: gold and the audit tables copied into the file readers
# open, swapped in atomically. The warehouse is written to $CBW_DUCKDB_PATH (default:
# warehouse.duckdb in the project root), the published copy to $CBW_PUBLISHED_PATH (default:
# warehouse.published.duckdb beside it); set CBW_PUBLISH_PARQUET=DIR to export Parquet too.
source "$(dirname "$0")/_env.sh"

DB="${CBW_DUCKDB_PATH:-warehouse.duckdb}"
echo "==> dbt build (target ${CBW_TARGET:-dev}, file $DB)"
dbt build --full-refresh
echo "==> dbt docs generate"
dbt docs generate --quiet
echo "==> validate the marts (Great Expectations)"
python -m customer_behaviour.validate --db "$DB" --out reports/validation
PUBLISHED="${CBW_PUBLISHED_PATH:-$(dirname "$DB")/$(basename "$DB" .duckdb).published.duckdb}"
echo "==> publish gold and the audit tables to $PUBLISHED"
python -m customer_behaviour.publish --db "$DB" --published "$PUBLISHED" \
    ${CBW_PUBLISH_PARQUET:+--parquet "$CBW_PUBLISH_PARQUET"}
echo "==> done: query the published file (never the build file) with"
echo "    .venv/bin/python -c \"from customer_behaviour.serving import connect_published as c; print(c('$PUBLISHED').sql('show all tables'))\""
