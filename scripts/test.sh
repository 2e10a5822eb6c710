#!/usr/bin/env bash
# Run every test: lint (ruff, sqlfluff), dbt docs generation, then pytest, which builds the
# warehouse in-process (dbt unit tests, data tests and contracts included) on the demo data,
# on small landing folders it writes, and on ../shared/data when it is present, and validates
# the marts with Great Expectations. Extra arguments go to pytest (e.g. scripts/test.sh -k rfm).
#
# sqlfluff and dbt docs generate run beside pytest, which keeps about one core of two busy:
# their output is shown after pytest's, then pytest's summary line again. The run fails when
# any of them fails.
# The Spark tests need the Spark engine's packages (a Java runtime is installed by the tests
# themselves when missing and possible, else they skip with the reason).
export CBW_WITH_SPARK=1
source "$(dirname "$0")/_env.sh"

SCRATCH="$(mktemp -d)"
trap 'rm -rf "$SCRATCH"' EXIT

echo "==> ruff"
ruff check .
ruff format --check .

checks() {  # sqlfluff, then dbt docs generate; fails when either fails
    local lint docs
    echo "==> sqlfluff (templater dbt, dialect duckdb): every source system, incremental branches"
    scripts/lint_sql.sh && lint=0 || lint=$?
    echo "==> dbt docs generate (compiles every node, analyses included)"
    CBW_DUCKDB_PATH="$SCRATCH/docs.duckdb" dbt docs generate --quiet \
        --target-path "$SCRATCH/target" --log-path "$SCRATCH/logs" && docs=0 || docs=$?
    [ "$docs" -eq 0 ] || echo "dbt docs generate FAILED"
    return $((lint | docs))
}
checks > "$SCRATCH/checks.out" 2>&1 &
checks_pid=$!

echo "==> pytest (sqlfluff and dbt docs generate run beside it; their output follows)"
python -m pytest "$@" 2>&1 | tee "$SCRATCH/pytest.out" && tests=0 || tests=$?

wait "$checks_pid" && checked=0 || checked=$?
cat "$SCRATCH/checks.out"
# pytest's summary line last (what CI shows)
grep -E "(passed|failed|error|skipped|deselected|no tests ran).* in [0-9.]+s" \
    "$SCRATCH/pytest.out" | tail -n 1 || true
exit $((tests | checked))
