"""`cbw publish` and the serving helper: readers open a published copy, never the build file.

Most tests use a hand-made DuckDB file with gold and silver schemas (the mechanics do not need
dbt); one builds a small slice of the warehouse with dbt while a reader process holds the
published file open.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from conftest import REPO_ROOT

from customer_behaviour import bench_warehouse, cli, publish, serving

ENV = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "src")}

# A reader process: holds the published file open (plain read-only connect, as a BI tool does),
# prints what it reads, then on each line from stdin reads again through its open connection
# ("old") and through a reconnect with connect_published ("new").
READER = """
import sys, duckdb
from customer_behaviour.serving import connect_published
path = sys.argv[1]
held = duckdb.connect(path, read_only=True)
query = "select string_agg(version, ',') from gold.mart_version"
print("open", held.execute(query).fetchone()[0], flush=True)
for _ in sys.stdin:
    fresh = connect_published(path)
    print("old", held.execute(query).fetchone()[0], "new", fresh.execute(query).fetchone()[0],
          flush=True)
    fresh.close()
"""


def make_build(path: Path, version: str) -> None:
    """A stand-in for a built warehouse: gold marts, silver audit tables and a staging table."""
    con = duckdb.connect(str(path))
    try:
        con.execute("create schema if not exists gold; create schema if not exists silver")
        con.execute(
            'create or replace table gold.mart_version as select ? as version, 42 as "it\'s"',
            [version],
        )
        con.execute("comment on table gold.mart_version is 'One row per build: it''s the marts'")
        con.execute("comment on column gold.mart_version.version is 'Which build wrote it.'")
        con.execute("create or replace view gold.v_latest as select version from gold.mart_version")
        con.execute(
            "create or replace table silver.audit_reconciliation as select ? as version, "
            "0 as unaccounted_rows",
            [version],
        )
        con.execute("create or replace table silver.stg_demo__events as select 1 as event_id")
    finally:
        con.close()


def read_version(path: Path) -> str:
    con = serving.connect_published(path)
    try:
        return con.execute("select version from gold.mart_version").fetchone()[0]
    finally:
        con.close()


@contextlib.contextmanager
def holding(path: Path, *, read_only: bool, query: str = "select 'open'") -> Iterator[str]:
    """A process that opens ``path`` (read-only or for writing, as a BI tool or a build does)
    and keeps it open for the block; yields what it printed for ``query`` once open."""
    code = (
        "import sys, duckdb; c = duckdb.connect(sys.argv[1], read_only=sys.argv[2] == 'ro'); "
        "print(c.execute(sys.argv[3]).fetchone()[0], flush=True); sys.stdin.read()"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(path), "ro" if read_only else "rw", query],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        yield proc.stdout.readline().strip()
        assert proc.poll() is None, "the holder died: it did not keep the file open"
    finally:
        proc.kill()
        proc.wait()
        proc.stdout.close()
        proc.stdin.close()


def run_publish(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "customer_behaviour.publish", *args],
        capture_output=True,
        text=True,
        env={**ENV, **(env or {})},
        timeout=120,
    )


@pytest.fixture
def build(tmp_path: Path) -> Path:
    path = tmp_path / "warehouse.duckdb"
    make_build(path, "v1")
    return path


def test_publish_copies_gold_and_audit_tables_with_their_comments(build: Path) -> None:
    published = build.with_name("warehouse.published.duckdb")
    result = publish.publish(build, published)
    assert result.tables == {
        "gold.mart_version": 1,
        "gold.v_latest": 1,
        "silver.audit_reconciliation": 1,
    }
    con = serving.connect_published(published)
    tables = con.execute(
        "select schema_name, table_name, comment from duckdb_tables() order by all"
    ).fetchall()
    columns = con.execute(
        "select column_name, comment from duckdb_columns() where comment is not null"
    ).fetchall()
    assert con.execute('select "it\'s" from gold.v_latest, gold.mart_version').fetchone() == (42,)
    con.close()
    assert tables == [
        ("gold", "mart_version", "One row per build: it's the marts"),
        ("gold", "v_latest", None),  # a view is published as a table
        ("silver", "audit_reconciliation", None),
    ]
    assert columns == [("version", "Which build wrote it.")]
    assert [p.name for p in build.parent.iterdir() if ".tmp-" in p.name] == []


def test_default_published_path_is_beside_the_build_file_unless_set(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("CBW_PUBLISHED_PATH", raising=False)
    assert (
        publish.default_published_path(tmp_path / "wh.duckdb") == tmp_path / "wh.published.duckdb"
    )
    monkeypatch.setenv("CBW_PUBLISHED_PATH", str(tmp_path / "serve.duckdb"))
    assert publish.default_published_path(tmp_path / "wh.duckdb") == tmp_path / "serve.duckdb"


def test_publish_refuses_a_missing_build_or_publishing_over_it(tmp_path: Path, build: Path) -> None:
    missing = run_publish("--db", str(tmp_path / "none.duckdb"))
    assert missing.returncode == 2 and "run dbt build first" in missing.stderr
    assert "Traceback" not in missing.stderr
    with pytest.raises(cli.UserError, match="must not be the build file"):
        publish.publish(build, build)
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    with pytest.raises(cli.UserError, match="no gold tables"):
        publish.publish(empty, tmp_path / "out.duckdb")
    assert not (tmp_path / "out.duckdb").exists()


def test_publish_while_a_build_writes_says_so_in_one_line(build: Path) -> None:
    with holding(build, read_only=False) as first_line:
        assert first_line == "open"
        done = run_publish("--db", str(build), "--published", str(build.with_name("p.duckdb")))
    assert done.returncode == 2
    assert "open for writing in another process" in done.stderr
    assert not build.with_name("p.duckdb").exists()


def test_parquet_export_is_replaced_whole(build: Path, tmp_path: Path) -> None:
    out = tmp_path / "parquet"
    publish.publish(build, tmp_path / "p.duckdb", out)
    (out / "gold" / "stale.parquet").write_bytes(b"from an older publish")
    make_build(build, "v2")
    publish.publish(build, tmp_path / "p.duckdb", out)
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*.parquet")) == [
        "gold/mart_version.parquet",
        "gold/v_latest.parquet",
        "silver/audit_reconciliation.parquet",
    ]
    parquet = out / "gold" / "mart_version.parquet"
    version = duckdb.connect().execute(f"select version from '{parquet}'").fetchall()
    assert version == [("v2",)]
    assert [p.name for p in tmp_path.iterdir() if ".tmp-" in p.name] == []


def test_parquet_swap_is_one_rename_and_keeps_the_previous_version(
    build: Path, tmp_path: Path
) -> None:
    out = tmp_path / "parquet"
    out.mkdir()
    (out / "README.txt").write_text("an export from before versioned folders")
    publish.publish(build, tmp_path / "p.duckdb", out)
    assert out.is_symlink()  # swapped by replacing the link: one rename
    assert (tmp_path / "parquet.v-0" / "README.txt").is_file()  # the real folder, moved aside
    first = out.resolve()
    make_build(build, "v2")
    publish.publish(build, tmp_path / "p.duckdb", out)
    # A reader in the middle of the previous export keeps its files.
    assert out.resolve() != first and (first / "gold" / "mart_version.parquet").is_file()
    make_build(build, "v3")
    publish.publish(build, tmp_path / "p.duckdb", out)
    assert len(list(tmp_path.glob("parquet.v-*"))) == 2 and not first.exists()
    parquet = out / "gold" / "mart_version.parquet"
    assert duckdb.connect().execute(f"select version from '{parquet}'").fetchall() == [("v3",)]
    assert [p.name for p in tmp_path.iterdir() if ".tmp-" in p.name] == []


def test_reconnect_in_the_same_process_sees_the_new_version(build: Path) -> None:
    published = build.with_name("p.duckdb")
    publish.publish(build, published)
    held = serving.connect_published(published)
    plain = duckdb.connect(str(published), read_only=True)
    make_build(build, "v2")
    publish.publish(build, published)

    # The trap the helper exists for: DuckDB hands a plain connect() of a path it already has
    # open the cached instance, which still reads the replaced (unlinked) file.
    cached = duckdb.connect(str(published), read_only=True)
    assert cached.execute("select version from gold.mart_version").fetchone() == ("v1",)
    assert read_version(published) == "v2"
    # connections opened before the publish keep their version until they are closed
    assert held.execute("select version from gold.mart_version").fetchone() == ("v1",)
    for con in (held, plain, cached):
        con.close()


def test_a_publish_killed_before_the_swap_leaves_the_old_published_file(
    build: Path,
) -> None:
    published = build.with_name("p.duckdb")
    publish.publish(build, published)
    before = published.read_bytes()
    make_build(build, "v2")
    proc = subprocess.Popen(
        [sys.executable, "-m", "customer_behaviour.publish", "--db", str(build)]
        + ["--published", str(published), "--parquet", str(build.with_name("pq"))],
        stdout=subprocess.PIPE,
        text=True,
        env={**ENV, publish.PAUSE_ENV: "60"},
    )
    try:
        line = proc.stdout.readline()  # printed once everything is written, before the swap
        assert "pausing" in line, line
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        proc.kill()
        proc.stdout.close()
    assert published.read_bytes() == before
    assert read_version(published) == "v1"
    leftovers = sorted(p.name for p in build.parent.iterdir() if ".tmp-" in p.name)
    assert leftovers == [f"p.duckdb.tmp-{proc.pid}", f"pq.tmp-{proc.pid}"]
    # the next publish clears what the killed one left and publishes the new build
    publish.publish(build, published, build.with_name("pq"))
    assert read_version(published) == "v2"
    assert [p.name for p in build.parent.iterdir() if ".tmp-" in p.name] == []


def test_stale_temps_of_a_live_publish_are_left_alone(tmp_path: Path) -> None:
    target = tmp_path / "p.duckdb"
    live = tmp_path / f"p.duckdb.tmp-{os.getpid()}"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f"p.duckdb.tmp-{dead.pid}"
    stale_all = [stale, stale.with_name(stale.name + ".wal"), stale.with_name(stale.name + "-old")]
    other = tmp_path / f"p.duckdb.tmp-{dead.pid}.bak"  # not a name publish writes
    for path in (live, other, *stale_all):
        path.write_bytes(b"x")
    assert sorted(publish.remove_stale_temps(target)) == sorted(stale_all)
    assert live.exists() and other.exists()


def dbt_build(select: list[str], db: Path, work: Path) -> None:
    """`dbt build` in its own process, as scripts/build.sh runs it (in-process dbt would keep
    the build file open in this process after it returns)."""
    cmd = [str(Path(sys.executable).with_name("dbt")), "build", "--select", *select]
    cmd += ["--indirect-selection", "cautious", "--project-dir", str(REPO_ROOT)]
    cmd += ["--profiles-dir", str(REPO_ROOT), "--target-path", str(work / "target")]
    cmd += ["--log-path", str(work / "logs")]
    env = {**ENV, "CBW_DUCKDB_PATH": str(db), "CBW_TARGET": "dev"}
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=REPO_ROOT)
    assert done.returncode == 0, done.stdout[-3000:]


def start_reader(published: Path) -> subprocess.Popen:
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(published)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=ENV,
    )
    return reader


def ask(reader: subprocess.Popen) -> str:
    reader.stdin.write("again\n")
    reader.stdin.flush()
    return reader.stdout.readline().strip()


def test_a_reader_holding_the_published_file_blocks_neither_build_nor_publish(
    build: Path,
) -> None:
    published = build.with_name("p.duckdb")
    assert run_publish("--db", str(build), "--published", str(published)).returncode == 0
    reader = start_reader(published)
    try:
        assert reader.stdout.readline().strip() == "open v1"
        make_build(build, "v2")  # the build writes its file while the reader is connected
        done = run_publish("--db", str(build), "--published", str(published))
        assert done.returncode == 0, done.stderr
        assert ask(reader) == "old v1 new v2"
        assert reader.poll() is None
    finally:
        reader.kill()
        reader.wait()


def test_dbt_build_and_publish_succeed_while_a_reader_holds_the_published_file(
    tmp_path: Path,
) -> None:
    """A real (small) dbt build: the gold products dimension, the audit tables and what they
    read, from the demo seeds; then a rebuild of gold while a reader is connected."""
    db = tmp_path / "warehouse.duckdb"
    published = tmp_path / "warehouse.published.duckdb"
    dbt_build(["+dim_products", "+audit_reconciliation"], db, tmp_path)
    first = run_publish("--db", str(db), "--published", str(published))
    assert first.returncode == 0, first.stderr
    con = serving.connect_published(published)
    counts = dict(
        con.execute(
            "select schema_name || '.' || table_name, estimated_size from duckdb_tables()"
        ).fetchall()
    )
    products = con.execute("select count(*) from gold.dim_products").fetchone()[0]
    con.close()
    assert {"gold.dim_products", "silver.audit_reconciliation"} <= counts.keys()
    assert not any(name.startswith(("silver.stg_", "silver.int_")) for name in counts)

    query = "select count(*) from gold.dim_products"
    with holding(published, read_only=True, query=query) as first_line:
        assert first_line == str(products)
        dbt_build(["dim_products"], db, tmp_path)
        again = run_publish("--db", str(db), "--published", str(published))
        assert again.returncode == 0, again.stderr
    con = serving.connect_published(published)
    assert con.execute("select count(*) from gold.dim_products").fetchone()[0] == products
    con.close()


def test_the_benchmark_times_publish_with_and_without_parquet(build: Path, tmp_path: Path) -> None:
    """bench-warehouse's publish step on a tiny file (the benchmark itself is never run here)."""
    res = bench_warehouse.time_publish(build, tmp_path / "bench")
    duck, both = res["duckdb"], res["with_parquet"]
    assert duck["measured"]["returncode"] == both["measured"]["returncode"] == 0
    assert duck["published_mb"] > 0 and duck["parquet_mb"] is None
    assert both["parquet_mb"] > 0
    assert (tmp_path / "bench" / "publish" / "with_parquet" / "parquet" / "gold").is_dir()
    assert not (tmp_path / "bench" / "publish" / "duckdb" / "parquet").exists()
    lines = bench_warehouse.publish_lines("full_tests", res)
    assert lines[0].startswith("## publish (full_tests warehouse,")
    assert "serving DuckDB file" in lines[1] and " ok " in lines[1] and "peak" in lines[1]
    assert "MB Parquet" in lines[2] and "MB Parquet" not in lines[1]
    assert lines[3].startswith("   Parquet export adds ")


def test_the_benchmark_reports_a_failed_publish() -> None:
    failed = {"returncode": 1, "timed_out": False, "seconds": 0.5, "peak_mb": 80.0}
    res = {
        "source_mb": 12.0,
        "duckdb": {
            "measured": {**failed, "tree_peak_mb": 0.0},
            "published_mb": None,
            "parquet_mb": None,
        },
        "with_parquet": {
            "measured": {**failed, "tree_peak_mb": 90.0},
            "published_mb": None,
            "parquet_mb": None,
        },
    }
    lines = bench_warehouse.publish_lines("full_models", res)
    assert len(lines) == 3
    assert "FAILED" in lines[1] and "peak     80 MB" in lines[1] and "written -" in lines[1]
    assert "peak     90 MB" in lines[2]
