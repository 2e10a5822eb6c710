#!/usr/bin/env bash
# Run every test: lint (ruff, sqlfluff), dbt docs generation, then pytest, which builds the
# warehouse in-process (dbt unit tests, data tests and contracts included) on the demo data,
# on small landing folders it writes, and on ../shared/data when it is present, and validates
# the marts with Great Expectations. Extra arguments go to pytest (e.g. scripts/test.sh -k rfm).
source "$(dirname "$0")/_env.sh"

SCRATCH="$(mktemp -d)"
trap 'rm -rf "$SCRATCH"' EXIT

echo "==> ruff"
ruff check .
ruff format --check .

echo "==> sqlfluff (templater dbt, dialect duckdb): every source system, incremental branches"
scripts/lint_sql.sh

echo "==> dbt docs generate (compiles every node, analyses included)"
CBW_DUCKDB_PATH="$SCRATCH/docs.duckdb" dbt docs generate --quiet \
    --target-path "$SCRATCH/target" --log-path "$SCRATCH/logs"

echo "==> pytest"
python -m pytest "$@"
