"""Benchmark the warehouse on Apache Spark beside DuckDB on the same landing data (a measurement,
not a test): the full build and one more day, on each engine, one heavy process at a time.

The data and its landing are bench-warehouse's (``cbw bench-warehouse --help``): ``--events``
1M maps to 22,500 customers over 400 days, generated once into the cache folder; the full build
sees every file that landed up to day DAYS, the increment is the files of day DAYS + 1. The
project is snapshotted into the work folder. Each engine builds models only (``--exclude-
resource-type test unit_test``, as bench-warehouse's figures):

- DuckDB: ``dbt build`` on the dev target into a fresh file, then the day (incremental);
- Spark: ``cbw spark-build`` (dbt build, the predictive models on the driver, dbt build of their
  dependants) on the spark target, ``local[N]`` with N = ``--spark-cores`` (default 2) or
  ``--spark-master``, into a fresh warehouse folder; then the day.

Printed per run: wall seconds, CPU seconds (DuckDB only: Spark's JVM is not a waited-for
child of the Python process, so rusage does not hold its CPU), peak memory (the largest
sampled sum of the process tree's RSS: for Spark the driver JVM and any local executors), gold
rows, and the ratio of Spark to DuckDB; per layer (bronze/staging/silver/gold/tests, plus the
predictive step on Spark): seconds summed over models from dbt's run results. These per-stage
figures are the input of the 1B-event plan in docs/spark.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

from customer_behaviour import bench_warehouse as bw
from customer_behaviour import cli


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--events", type=cli.positive_int, default=1_000_000)
    parser.add_argument("--customers", type=cli.positive_int, default=None)
    parser.add_argument("--days", type=cli.positive_int, default=400)
    parser.add_argument("--seed", type=cli.non_negative_int, default=42)
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=Path(
            os.environ.get("CBW_BENCH_CACHE") or Path(tempfile.gettempdir()) / "cbw-bench-cache"
        ),
    )
    parser.add_argument("--work-dir", type=Path, default=None, help="default: a new temp dir")
    parser.add_argument("--project-dir", type=Path, default=bw.REPO_ROOT)
    parser.add_argument("--spark-cores", type=cli.positive_int, default=2)
    parser.add_argument("--spark-master", default=None, help="instead of local[--spark-cores]")
    parser.add_argument("--skip-duckdb", action="store_true")
    parser.add_argument("--skip-incremental", action="store_true")
    parser.add_argument("--timeout", type=cli.positive_float, default=7200.0)
    parser.add_argument("--max-load", type=cli.positive_float, default=None)
    parser.add_argument("--max-wait", type=cli.non_negative_float, default=900.0)
    parser.add_argument("--json", type=Path, default=None, help="also write all figures here")


MODELS_ONLY = ["--exclude-resource-type", "test", "unit_test"]


def _layers(target: Path) -> dict[str, float]:
    """Seconds per layer over every run_results*.json dbt wrote into `target` (cbw spark-build
    keeps one per dbt invocation)."""
    manifest = target / "manifest.json"
    out: dict[str, float] = defaultdict(float)
    for rr in sorted(target.glob("run_results*.json")):
        for node in bw._nodes(rr, manifest):
            out[node["layer"]] += node["seconds"]
    return dict(out)


def _gold_rows_duckdb(db: Path) -> int:
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        tables = con.sql(
            "select table_name from information_schema.tables "
            "where table_schema = 'gold' and table_type = 'BASE TABLE'"
        ).fetchall()
        return sum(con.sql(f"select count(*) from gold.{t}").fetchall()[0][0] for (t,) in tables)


def _gold_rows_spark(warehouse: Path, work: Path) -> int | None:
    """Rows of every gold table on Spark, counted in a child process (its own session)."""
    script = (
        "import sys\n"
        "from customer_behaviour.compare_engines import spark_session\n"
        "s = spark_session(sys.argv[1])\n"
        "print(sum(s.table('gold.' + t.name).count() for t in s.catalog.listTables('gold')))\n"
    )
    m = bw.run_measured(
        [sys.executable, "-c", script, str(warehouse)], log_path=work / "spark_rows.log"
    )
    lines = Path(m.log).read_text(errors="replace").strip().splitlines()
    return int(lines[-1]) if m.ok and lines and lines[-1].isdigit() else None


def _step_seconds(log: Path) -> float | None:
    """The predictive step's seconds (its parse included), from cbw spark-models' last line
    ``cbw spark-models: N models in S s``."""
    for line in reversed(log.read_text(errors="replace").splitlines()):
        found = re.search(r"cbw spark-models: \d+ models in ([0-9.]+) s", line)
        if found:
            return float(found.group(1))
    return None


def run(args: argparse.Namespace) -> int:
    customers = args.customers or bw.customers_for(args.events, args.days)
    spec = bw.DataSpec(customers, args.days, "csv", args.seed, bw.dt.date(2024, 1, 1))
    bw.LOAD_GATE.update(max_load=args.max_load, max_wait=args.max_wait)
    work = args.work_dir or Path(tempfile.mkdtemp(prefix="cbw-bench-spark-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"# bench-spark: {os.cpu_count()} CPUs, load {os.getloadavg()}, work {work}")
    cache, meta = bw.ensure_generated(spec, args.cache_dir, work)
    landing = work / "landing"
    shutil.rmtree(landing, ignore_errors=True)
    rows_full = bw.land(cache, meta, landing, spec, increment=False)
    rows_day = bw.land(cache, meta, work / "landing_day", spec, increment=True)
    print(
        f"# data: {customers:,} customers, {spec.days} days + 1; full build lands "
        f"{rows_full.get('events', 0):,} events, the day {rows_day.get('events', 0):,}"
    )
    project = work / "project"
    shutil.rmtree(project, ignore_errors=True)
    snapshot = bw.snapshot_project(args.project_dir, project)
    print(f"# project snapshot of {snapshot.get('commit', '?')}")
    dbt_vars = {"bronze_source": "landing", "landing_path": str(landing)}
    master = args.spark_master or f"local[{args.spark_cores}]"
    results: dict[str, dict[str, Any]] = {}

    def duckdb_run(name: str) -> None:
        db = work / "warehouse.duckdb"
        step = bw.run_dbt(
            name, ["build", *MODELS_ONLY], project=project, db_path=db, work=work / "duckdb",
            dbt_vars=dbt_vars, threads=2, timeout=args.timeout,
        )  # fmt: skip
        layers: dict[str, float] = defaultdict(float)
        for node in step.nodes:
            layers[node["layer"]] += node["seconds"]
        results[name] = {
            "measured": step.measured,
            "layers": dict(layers),
            "gold_rows": _gold_rows_duckdb(db) if step.measured.ok else None,
        }

    def spark_run(name: str) -> None:
        target = work / "spark" / "target"
        for old in target.glob("run_results*.json"):
            old.unlink()
        cmd = [sys.executable, "-m", "customer_behaviour", "spark-build"]
        cmd += ["--project-dir", str(project), "--target-path", str(target)]
        cmd += ["--vars", json.dumps(dbt_vars), "--", *MODELS_ONLY]
        env = {
            **os.environ,
            "CBW_SPARK_WAREHOUSE": str(work / "spark" / "warehouse"),
            "CBW_SPARK_MASTER": master,
            "DBT_PROFILES_DIR": str(project),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "DBT_USE_COLORS": "false",
        }
        log = work / "spark" / f"{name}.log"
        m = bw.run_measured(cmd, log_path=log, env=env, cwd=project, timeout=args.timeout)
        layers = _layers(target)
        step = _step_seconds(log)
        if step is not None:
            layers["predictive step"] = step
        results[name] = {
            "measured": m,
            "layers": layers,
            "gold_rows": _gold_rows_spark(work / "spark" / "warehouse", work / "spark")
            if m.ok
            else None,
        }

    runs = [("spark_full", spark_run)]
    if not args.skip_duckdb:
        runs.insert(0, ("duckdb_full", duckdb_run))
    for name, fn in runs:
        fn(name)
    if not args.skip_incremental:
        for f in sorted((work / "landing_day").rglob("*")):
            if f.is_file():
                bw._link(f, landing / f.relative_to(work / "landing_day"))
        for name, fn in runs:
            day = name.replace("full", "day")
            if results[name]["measured"].ok:
                fn(day)

    print(f"\n## 1 engine per row, {rows_full.get('events', 0):,} events; Spark on {master}")
    print(
        f"{'run':<12} {'status':<7} {'wall s':>8} {'cpu s':>8} {'peak MB':>8} "
        f"{'gold rows':>11} {'vs DuckDB':>9}"
    )
    for name, r in results.items():
        m = r["measured"]
        base = results.get(name.replace("spark", "duckdb"))
        ratio = (
            f"{m.seconds / base['measured'].seconds:.2f}x"
            if name.startswith("spark") and base and base["measured"].ok
            else "-"
        )
        rows = r["gold_rows"]
        # the JVM is not a waited-for child of the Python process: its CPU is not in rusage
        cpu = f"{m.cpu_seconds:8.1f}" if name.startswith("duckdb") else f"{'n/a':>8}"
        print(
            f"{name:<12} {'ok' if m.ok else 'FAILED':<7} {m.seconds:8.1f} {cpu} "
            f"{m.peak:8.0f} {rows if rows is not None else '-':>11} {ratio:>9}"
        )
    print("\n## seconds per layer (model execution summed; the step is the Python models)")
    names = list(results)
    layer_names = sorted({k for r in results.values() for k in r["layers"]})
    print(f"{'layer':<16}" + "".join(f"{n:>13}" for n in names))
    for layer in layer_names:
        print(
            f"{layer:<16}" + "".join(f"{results[n]['layers'].get(layer, 0.0):13.1f}" for n in names)
        )
    if args.json:
        args.json.write_text(
            json.dumps(
                {k: {**v, "measured": vars(v["measured"])} for k, v in results.items()},
                indent=1,
                default=str,
            )
        )
    return 0 if all(r["measured"].ok for r in results.values()) else 1
