"""Landing files on Spark read like on DuckDB: a tiny damaged landing folder (good lines, a line
with too few fields, one with too many, an unterminated quote) built on both engines gives the
same base rows, the same quarantined lines (read_error, source_file, line number) and the same
audit_landing_files; a new file is appended alone on the next Spark run; a file with a wrong
header stops the build naming it. Needs pyspark and java (skipped otherwise); one Spark dbt
invocation builds everything, a second checks the incremental append and the header error."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import yaml
from spark_support import require_spark

pytestmark = pytest.mark.spark

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT = str(Path(sys.executable).parent / "dbt")
TABLES = ["customers", "products", "offers", "events", "orders", "order_lines"]
MODELS = [f"base_demo__{t}" for t in TABLES] + ["audit_landing_files"]
# read_error_record holds the engine's own error message; source_row_id is an engine hash
COMPARED_OUT = ("source_row_id", "read_error_record")


@pytest.fixture(autouse=True)
def _spark_here() -> None:
    require_spark()


def landed_headers() -> dict[str, list[str]]:
    spec = yaml.safe_load((REPO_ROOT / "models/bronze/_landing__sources.yml").read_text())
    (landing,) = (s for s in spec["sources"] if s["name"] == "landing")
    return {t["name"]: [c["name"] for c in t["columns"]] for t in landing["tables"]}


def write_landing(root: Path) -> None:
    """One good file per table; events also a damaged one (a bad line of each kind)."""
    for table, columns in landed_headers().items():
        (root / table).mkdir(parents=True)
        good = [",".join(f"{table[:2]}{i}_{c}" for c in columns) for i in range(2)]
        header = ",".join(columns)
        (root / table / f"{table}_2024-01-01.csv").write_text("\n".join([header, *good]) + "\n")
    columns = landed_headers()["events"]
    n = len(columns)
    good = ",".join(["e9", '"quoted, with comma"', *["x"] * (n - 2)])
    (root / "events" / "events_2024-01-02.csv").write_text(
        "\n".join(
            [
                ",".join(columns),
                good,  # line 2: read
                ",".join(["e10"] * (n - 2)),  # line 3: too_few_fields
                ",".join(["e11"] * (n + 1)),  # line 4: too_many_fields
                "",  # line 5: blank, skipped
                ",".join(["e12", *["y"] * (n - 1)]),  # line 6: read
                ",".join(["e13", '"open', *["z"] * (n - 2)]),  # line 7: unterminated_quote
            ]
        )
        + "\n"
    )


def dbt(args: list[str], env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess:
    run = subprocess.run(
        [DBT, *args], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=900
    )
    if check and run.returncode != 0:
        pytest.fail(f"dbt {' '.join(args)} failed:\n{run.stdout[-4000:]}")
    return run


def spark_table(warehouse: Path, table: str) -> str:
    return f"read_parquet('{warehouse}/silver.db/{table}/*.parquet')"


def rows(con: duckdb.DuckDBPyConnection, relation: str, columns: list[str]) -> list[tuple]:
    select = ", ".join(f"cast({c} as string)" for c in columns)
    return sorted(con.sql(f"select {select} from {relation}").fetchall(), key=repr)


def test_spark_landing_matches_duckdb(tmp_path):
    landing = tmp_path / "landing"
    write_landing(landing)
    warehouse = tmp_path / "spark-warehouse"
    duck = tmp_path / "warehouse.duckdb"
    env = {
        **os.environ,
        "DBT_PROFILES_DIR": str(REPO_ROOT),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "CBW_SPARK_WAREHOUSE": str(warehouse),
        "CBW_DUCKDB_PATH": str(duck),
    }
    vars_ = f"{{bronze_source: landing, landing_path: '{landing}'}}"
    common = ["run", "-s", *MODELS, "--vars", vars_, "--log-path", str(tmp_path / "logs")]
    dbt([*common, "--target-path", str(tmp_path / "target-duckdb")], env)
    dbt([*common, "--target", "spark", "--target-path", str(tmp_path / "target-spark")], env)

    con = duckdb.connect(str(duck), read_only=True)
    for table in MODELS:
        columns = [
            c
            for (c,) in con.sql(
                "select column_name from information_schema.columns where table_schema = "
                f"'silver' and table_name = '{table}' order by ordinal_position"
            ).fetchall()
            if c not in COMPARED_OUT
        ]
        assert rows(con, spark_table(warehouse, table), columns) == rows(
            con, f"silver.{table}", columns
        ), table

    rejected = (
        "select source_file, source_line_number, read_error, "
        "json_extract_string(read_error_record, '$.csv_line') from {} "
        "where read_error is not null order by source_line_number"
    )
    expected = [
        ("events/events_2024-01-02.csv", 3, "too_few_fields"),
        ("events/events_2024-01-02.csv", 4, "too_many_fields"),
        ("events/events_2024-01-02.csv", 7, "unterminated_quote"),
    ]
    for relation in ("silver.base_demo__events", spark_table(warehouse, "base_demo__events")):
        found = con.sql(rejected.format(relation)).fetchall()
        assert [r[:3] for r in found] == expected, relation
        assert found[0][3] == ",".join(["e10"] * (len(landed_headers()["events"]) - 2))
    con.close()

    # Next run: a new events file is appended alone; an offers file with a wrong header stops
    # the offers model with an error naming the file.
    header = landed_headers()["events"]
    (landing / "events" / "events_2024-01-03.csv").write_text(
        ",".join(header) + "\n" + ",".join(["e20", *["w"] * (len(header) - 1)]) + "\n"
    )
    (landing / "offers" / "offers_2024-01-03.csv").write_text("offer_id;offer_name\nx;y\n")
    run = dbt(
        [
            "run",
            "-s",
            "base_demo__events",
            "base_demo__offers",
            "--vars",
            vars_,
            "--target",
            "spark",
            "--target-path",
            str(tmp_path / "target-spark"),
            "--log-path",
            str(tmp_path / "logs"),
        ],
        env,
        check=False,
    )
    assert run.returncode != 0
    assert "landing file offers/offers_2024-01-03.csv: no header line" in run.stdout
    con = duckdb.connect()
    counts = con.sql(
        f"select source_file, count(*) from {spark_table(warehouse, 'base_demo__events')} "
        "group by all order by all"
    ).fetchall()
    assert counts == [
        ("events/events_2024-01-01.csv", 2),
        ("events/events_2024-01-02.csv", 5),
        ("events/events_2024-01-03.csv", 1),
    ]
