"""Publish what readers need from a green build into a serving DuckDB file, swapped in atomically.

BI tools, the dashboard and analysts never open the build file: DuckDB lets one process write a
file or many read it, never both, so a reader of ``warehouse.duckdb`` would make the next
``dbt build`` fail and a build would lock every reader out. Instead, after ``dbt build`` and the
validation have passed, ``cbw publish``:

1. opens the build file read-only (ATTACH ... READ_ONLY in an in-memory DuckDB);
2. copies every table and view of the ``gold`` schema, and the ``silver.audit_*`` tables a data
   steward reads, as tables (CREATE TABLE AS), with their table and column comments (the model
   and column descriptions), into ``<published>.tmp-<pid>`` beside the published file;
3. with ``--parquet DIR``, exports the same tables from that temporary file to
   ``DIR.tmp-<pid>/<schema>/<table>.parquet`` for tools that cannot read a DuckDB 2.0 file;
4. checkpoints and closes the temporary file, then renames it over the published path
   (``os.replace``: atomic on one file system) and swaps the Parquet export in: ``DIR`` is a
   symbolic link to a version folder ``DIR.v-<n>``, replaced in one rename as well (the
   previous version is kept for readers in the middle of it, older ones are removed).

A build that fails, or a publish killed before step 4, leaves the previous published file as it
was; what it leaves behind is a ``.tmp-<pid>`` file that no reader opens, removed by the next
publish. A reader that has the published file open keeps reading the version it opened (Linux
keeps the replaced inode alive) until it reconnects: see :mod:`customer_behaviour.serving`.
``os.replace`` over a file another process holds open fails on Windows; the warehouse targets
Linux (and macOS, where it works as on Linux).

Constraints (primary keys, not null) are not copied: the published file is a read-only copy of
tables the build has already tested.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from customer_behaviour import cli

#: Schemas copied whole, and (schema, name prefix) of the silver tables copied beside them.
PUBLISHED_SCHEMAS = ("gold",)
PUBLISHED_PREFIXES = (("silver", "audit_"),)
#: Seconds to sleep after everything is written and before the swap. For the tests only: they
#: kill a publish in this window to show that the published file is left as it was.
PAUSE_ENV = "CBW_PUBLISH_PAUSE_BEFORE_SWAP"


@dataclass
class Published:
    """What one publish wrote."""

    path: Path
    tables: dict[str, int] = field(default_factory=dict)  # "schema.table" -> rows
    parquet_dir: Path | None = None
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


def default_build_path() -> Path:
    return Path(os.environ.get("CBW_DUCKDB_PATH") or "warehouse.duckdb")


def default_published_path(build_path: Path) -> Path:
    """``CBW_PUBLISHED_PATH``, else ``warehouse.published.duckdb`` beside the build file."""
    env = os.environ.get("CBW_PUBLISHED_PATH")
    if env:
        return Path(env)
    return build_path.with_name(f"{build_path.stem}.published{build_path.suffix or '.duckdb'}")


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def remove_stale_temps(target: Path) -> list[Path]:
    """Remove ``<target>.tmp-<pid>`` files/folders (and their .wal) left by a publish that died.
    A temporary of a publish still running (its pid alive) is left alone."""
    removed = []
    for tmp in target.parent.glob(f"{target.name}.tmp-*"):
        # <target>.tmp-<pid>, its .wal, a swapped-out folder <target>.tmp-<pid>-old (older
        # publishes) or a link <target>.tmp-<pid>-link not yet renamed over the target
        match = re.fullmatch(r"\.tmp-(\d+)(\.wal|-old|-link)?", tmp.name.removeprefix(target.name))
        if match is None or _pid_alive(int(match.group(1))):
            continue
        if tmp.is_dir() and not tmp.is_symlink():
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            tmp.unlink(missing_ok=True)
        removed.append(tmp)
    return removed


def _published_tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str | None]]:
    """(schema, name, comment) of every relation to publish from the attached ``src``."""
    rows = con.execute(
        "select schema_name, table_name, comment from duckdb_tables() where database_name = 'src' "
        "union all "
        "select schema_name, view_name, comment from duckdb_views() "
        "where database_name = 'src' and not internal "
        "order by 1, 2"
    ).fetchall()
    return [
        (schema, name, comment)
        for schema, name, comment in rows
        if schema in PUBLISHED_SCHEMAS
        or any(schema == s and name.startswith(p) for s, p in PUBLISHED_PREFIXES)
    ]


def _write_copy(build_path: Path, tmp: Path, parquet_tmp: Path | None) -> dict[str, int]:
    con = duckdb.connect(":memory:")
    try:
        if os.environ.get("CBW_MEMORY_LIMIT"):
            con.execute(f"set memory_limit = {quote_literal(os.environ['CBW_MEMORY_LIMIT'])}")
        try:
            con.execute(f"attach {quote_literal(str(build_path))} as src (read_only)")
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise
            raise cli.UserError(
                f"{build_path} is open for writing in another process (a build still running?)"
            ) from None
        relations = _published_tables(con)
        if not any(schema in PUBLISHED_SCHEMAS for schema, _, _ in relations):
            raise cli.UserError(f"{build_path} has no {' or '.join(PUBLISHED_SCHEMAS)} tables")
        con.execute(f"attach {quote_literal(str(tmp))} as dst")
        tables: dict[str, int] = {}
        for schema, name, comment in relations:
            s, n = quote_ident(schema), quote_ident(name)
            con.execute(f"create schema if not exists dst.{s}")
            con.execute(f"create table dst.{s}.{n} as select * from src.{s}.{n}")
            if comment:
                con.execute(f"comment on table dst.{s}.{n} is {quote_literal(comment)}")
            columns = con.execute(
                "select column_name, comment from duckdb_columns() "
                "where database_name = 'src' and schema_name = ? and table_name = ? "
                "and comment is not null",
                [schema, name],
            ).fetchall()
            for column, column_comment in columns:
                con.execute(
                    f"comment on column dst.{s}.{n}.{quote_ident(column)} "
                    f"is {quote_literal(column_comment)}"
                )
            tables[f"{schema}.{name}"] = con.execute(
                f"select count(*) from dst.{s}.{n}"
            ).fetchone()[0]
        con.execute("detach src")
        if parquet_tmp is not None:
            for key in tables:
                schema, name = key.split(".", 1)
                (parquet_tmp / schema).mkdir(parents=True, exist_ok=True)
                out = parquet_tmp / schema / f"{name}.parquet"
                con.execute(
                    f"copy dst.{quote_ident(schema)}.{quote_ident(name)} "
                    f"to {quote_literal(str(out))} (format parquet)"
                )
        con.execute("checkpoint dst")
        con.execute("detach dst")
    finally:
        con.close()
    return tables


def _swap_dir(new: Path, target: Path) -> None:
    """Put folder ``new`` at ``target`` in one atomic step. ``target`` is a symbolic link to a
    version folder ``<target>.v-<n>`` beside it, replaced by a link to the new version in one
    rename (``os.replace``), so a reader resolving ``target`` finds the whole previous export or
    the whole new one, never a missing or half-written folder. The previous version is kept (a
    reader may be in the middle of it) and older ones are removed. A real folder at ``target``
    (an export from before versioning) is moved aside first, once."""
    version = target.with_name(f"{target.name}.v-{time.time_ns()}")
    os.replace(new, version)
    if target.exists() and not target.is_symlink():
        os.replace(target, target.with_name(f"{target.name}.v-0"))
    link = target.with_name(f"{target.name}.tmp-{os.getpid()}-link")
    link.unlink(missing_ok=True)
    os.symlink(version.name, link)  # relative: the pair can be moved together
    os.replace(link, target)
    versions = sorted(
        target.parent.glob(f"{target.name}.v-*"),
        key=lambda p: int(p.name.rsplit("-", 1)[1]),
    )
    for stale in versions[:-2]:
        shutil.rmtree(stale, ignore_errors=True)


def publish(build_path: Path, published_path: Path, parquet_dir: Path | None = None) -> Published:
    """Copy gold and the audit tables of ``build_path`` into ``published_path`` (and Parquet
    under ``parquet_dir``), swapped in only once everything is written."""
    t0 = time.perf_counter()
    if not build_path.is_file():
        raise cli.UserError(f"no warehouse at {build_path}: run dbt build first")
    if published_path.resolve() == build_path.resolve():
        raise cli.UserError("the published file must not be the build file")
    published_path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(published_path)
    tmp = published_path.with_name(f"{published_path.name}.tmp-{os.getpid()}")
    parquet_tmp = None
    if parquet_dir is not None:
        parquet_dir.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temps(parquet_dir)
        parquet_tmp = parquet_dir.with_name(f"{parquet_dir.name}.tmp-{os.getpid()}")
    try:
        tables = _write_copy(build_path, tmp, parquet_tmp)
        pause = float(os.environ.get(PAUSE_ENV) or 0)
        if pause:
            print(f"publish: written {tmp}, pausing {pause:g} s before the swap", flush=True)
            time.sleep(pause)
        if parquet_tmp is not None:
            _swap_dir(parquet_tmp, parquet_dir)
        os.replace(tmp, published_path)
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
            leftover.unlink(missing_ok=True)
        if parquet_tmp is not None:
            shutil.rmtree(parquet_tmp, ignore_errors=True)
    return Published(published_path, tables, parquet_dir, time.perf_counter() - t0)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        type=Path,
        default=None,
        help="the build file (default: $CBW_DUCKDB_PATH, else warehouse.duckdb)",
    )
    parser.add_argument(
        "--published",
        type=Path,
        default=None,
        help="the serving file readers open (default: $CBW_PUBLISHED_PATH, else "
        "<build file stem>.published.duckdb beside the build file)",
    )
    parser.add_argument(
        "--parquet",
        type=Path,
        default=None,
        metavar="DIR",
        help="also export every published table to DIR/<schema>/<table>.parquet",
    )


def run(args: argparse.Namespace) -> int:
    build_path = args.db or default_build_path()
    published_path = args.published or default_published_path(build_path)
    result = publish(build_path, published_path, args.parquet)
    print(
        f"published {len(result.tables)} tables ({result.rows:,} rows) from {build_path} "
        f"to {result.path}"
        + (f" and {result.parquet_dir}" if result.parquet_dir else "")
        + f" in {result.seconds:.1f} s"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    return cli.module_main(sys.modules[__name__], "publish", argv)


if __name__ == "__main__":
    sys.exit(main())
