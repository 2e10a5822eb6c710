"""House conventions (docs/conventions.md, docs/quality_gate.md), checked on dbt's manifest the
way dbt-project-evaluator would: lineage between layers, documentation, key tests, contracts and
names. Plus: the descriptions reach DuckDB as comments (persist_docs), every var is declared in
dbt_project.yml, and what the repository cites is in the repository.

The project enables different staging models per source system and reads bronze from seeds or
landing files, so the manifest is parsed once per configuration (a model disabled in one is
enabled in another; a disabled node has no lineage in the manifest).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pytest
import yaml
from conftest import REPO_ROOT, DbtRun, connect, parsed_target, run_dbt

CONFIGURATIONS: dict[str, dict[str, str]] = {
    "seeds": {},
    "landing": {"bronze_source": "landing"},
    "online_retail": {"source_system": "online_retail"},
    "rees46": {"source_system": "rees46"},
}

# Known departures from a rule, each with what would fix it. A test fails when an entry is no
# longer needed, so these lists only shrink.
NAME_EXCEPTIONS: dict[str, str] = {
    # The issue names this public model `product_pairs`; BI users query it by that name.
    "product_pairs": "public name given by the CLV / association-rules issue",
}
KEY_TEST_EXCEPTIONS: dict[str, str] = {}


@pytest.fixture(scope="module")
def manifests(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """`dbt parse` of the project in each configuration -> manifest.json."""
    work = tmp_path_factory.mktemp("conventions")
    return {
        name: json.loads((parsed_target(work / name, vars) / "manifest.json").read_text())
        for name, vars in CONFIGURATIONS.items()
    }


def models(manifest: dict) -> dict[str, dict]:
    return {k: n for k, n in manifest["nodes"].items() if n["resource_type"] == "model"}


def layer(node: dict) -> str:
    """bronze | staging | intermediate | audit | gold, from the model's folder."""
    path = node["original_file_path"]
    for folder, name in [
        ("/silver/staging/", "staging"),
        ("/silver/intermediate/", "intermediate"),
        ("/silver/audit/", "audit"),
        ("/gold/", "gold"),
    ]:
        if folder in "/" + path:
            return name
    return "other"


def bronze_nodes(manifest: dict) -> set[str]:
    """Bronze = the landed data: seeds under seeds/bronze and every source."""
    seeds = {
        k
        for k, n in manifest["nodes"].items()
        if n["resource_type"] == "seed" and n["original_file_path"].startswith("seeds/bronze/")
    }
    return seeds | set(manifest["sources"])


def every_model(manifests: dict[str, dict]):
    """(configuration, unique_id, node) of each model, once (first configuration enabling it)."""
    seen = set()
    for config, manifest in manifests.items():
        for uid, node in models(manifest).items():
            if uid not in seen:
                seen.add(uid)
                yield config, uid, node


def short(uid: str) -> str:
    return uid.split(".", 2)[-1]


# --------------------------------------------------------------------------------------------
# Lineage between layers
# --------------------------------------------------------------------------------------------


def test_only_staging_reads_bronze(manifests) -> None:
    """Every landed table is read by its one base model (landed_rows, staging/<source>/base)."""
    offenders = set()
    for config, manifest in manifests.items():
        bronze = bronze_nodes(manifest)
        for node in models(manifest).values():
            reads = [short(d) for d in node["depends_on"]["nodes"] if d in bronze]
            if reads and layer(node) != "staging":
                offenders.add(f"{node['name']} reads {reads} ({config})")
    assert not offenders


def test_gold_never_reads_bronze(manifests) -> None:
    offenders = {
        f"{node['name']} ({config})"
        for config, manifest in manifests.items()
        for node in models(manifest).values()
        if layer(node) == "gold" and set(node["depends_on"]["nodes"]) & bronze_nodes(manifest)
    }
    assert not offenders


def test_staging_reads_only_bronze(manifests) -> None:
    """Staging renames, casts and cleans one raw table: no joins to other layers. Its base
    models (staging/<source>/base) count as part of it."""
    offenders = set()
    for config, manifest in manifests.items():
        bronze = bronze_nodes(manifest)
        all_models = models(manifest)
        for node in all_models.values():
            if layer(node) != "staging":
                continue
            for dep in node["depends_on"]["nodes"]:
                upstream = all_models.get(dep)
                allowed = dep in bronze or (upstream is not None and layer(upstream) == "staging")
                # reference seeds (seeds/reference) are lookup tables, fine anywhere
                allowed = allowed or (dep.startswith("seed.") and dep not in bronze)
                if not allowed:
                    offenders.add(f"{node['name']} reads {short(dep)} ({config})")
    assert not offenders


# --------------------------------------------------------------------------------------------
# Documentation and tests
# --------------------------------------------------------------------------------------------


def test_every_model_and_source_has_a_description(manifests) -> None:
    missing = {node["name"] for _, _, node in every_model(manifests) if not node["description"]}
    missing |= {
        f"source {s['source_name']}.{s['name']}"
        for manifest in manifests.values()
        for s in manifest["sources"].values()
        if not s["description"].strip()
    }
    assert not missing


def has_key_test(manifest: dict, uid: str, node: dict) -> bool:
    """unique + not_null on one column, unique_combination_of_columns, or a primary_key
    constraint (column or model level, enforced by the contract)."""
    tests: dict[str, set[str]] = {}
    for test in manifest["nodes"].values():
        meta = test.get("test_metadata") or {}
        if test["resource_type"] == "test" and test.get("attached_node") == uid and meta:
            tests.setdefault(meta["name"], set()).add(test.get("column_name") or "")
    if tests.get("unique", set()) & tests.get("not_null", set()) - {""}:
        return True
    if "unique_combination_of_columns" in tests:
        return True
    constraints = [c["type"] for c in node.get("constraints", [])]
    for column in node["columns"].values():
        constraints += [c["type"] for c in column.get("constraints", [])]
    return "primary_key" in constraints


def test_every_model_has_tests_on_its_primary_key(manifests) -> None:
    missing = {}
    for config, manifest in manifests.items():
        for uid, node in models(manifest).items():
            if not has_key_test(manifest, uid, node):
                missing[node["name"]] = config
    unexplained = {n: c for n, c in missing.items() if n not in KEY_TEST_EXCEPTIONS}
    assert not unexplained, f"models without a key test (configuration): {unexplained}"
    stale = set(KEY_TEST_EXCEPTIONS) - set(missing)
    assert not stale, f"fixed, remove from KEY_TEST_EXCEPTIONS: {stale}"


# --------------------------------------------------------------------------------------------
# Gold: contracts and column docs
# --------------------------------------------------------------------------------------------


def test_every_gold_model_is_contracted_and_every_column_documented(manifests) -> None:
    """SQL gold models carry an enforced contract. dbt cannot enforce contracts on Python
    models (docs: reference/resource-configs/contract, "do NOT support ... Python models"), so
    those opt out explicitly (contract: {enforced: false}) and instead declare a data_type for
    every column, ready for the day dbt supports it; their shape is checked by their data tests
    and the GX suites. Either way every column is described."""
    problems = set()
    for _, _, node in every_model(manifests):
        if layer(node) != "gold":
            continue
        name, enforced = node["name"], node["config"]["contract"]["enforced"]
        if node["language"] == "sql" and not enforced:
            problems.add(f"{name}: no enforced contract")
        if node["language"] == "python" and enforced:
            problems.add(f"{name}: a Python model cannot enforce a contract")
        if not node["columns"]:
            problems.add(f"{name}: no columns documented")
        for column, spec in node["columns"].items():
            if not spec["description"].strip():
                problems.add(f"{name}.{column}: no description")
            if not spec.get("data_type"):
                problems.add(f"{name}.{column}: no data_type")
    assert not problems


# --------------------------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------------------------


def expected_name(node: dict) -> re.Pattern | None:
    """The name pattern of the model's folder (docs/conventions.md: layers and prefixes)."""
    parts = Path(node["original_file_path"]).parts
    kind = layer(node)
    if kind == "staging":
        source = parts[parts.index("staging") + 1]
        prefix = "base" if "base" in parts else "stg"
        return re.compile(rf"^{prefix}_{source}__[a-z0-9_]+$")
    if kind == "intermediate":
        return re.compile(r"^int_[a-z0-9_]+$")
    if kind == "audit":
        return re.compile(r"^audit_[a-z0-9_]+$")
    if kind == "gold" and node["language"] == "sql":
        return re.compile(r"^(fct|dim|mart)_[a-z0-9_]+$")
    # python_models/gold/<domain>/<model>.py: no prefix for Python models (docs/conventions.md)
    return None


def test_model_names_follow_their_layer_prefix(manifests) -> None:
    wrong = {}
    for _, _, node in every_model(manifests):
        pattern = expected_name(node)
        if pattern and not pattern.match(node["name"]):
            wrong[node["name"]] = pattern.pattern
    unexplained = {n: p for n, p in wrong.items() if n not in NAME_EXCEPTIONS}
    assert not unexplained, f"models named against their folder's prefix: {unexplained}"
    stale = set(NAME_EXCEPTIONS) - set(wrong)
    assert not stale, f"fixed, remove from NAME_EXCEPTIONS: {stale}"


def test_python_models_live_under_python_models(manifests) -> None:
    misplaced = {
        node["original_file_path"]
        for _, _, node in every_model(manifests)
        if (node["language"] == "python") != node["original_file_path"].startswith("python_models/")
    }
    assert not misplaced


# --------------------------------------------------------------------------------------------
# persist_docs: descriptions are DuckDB comments, for BI tools that read the catalog
# --------------------------------------------------------------------------------------------


def test_descriptions_are_duckdb_comments_on_the_demo_warehouse(demo_warehouse: DbtRun) -> None:
    manifest = json.loads((demo_warehouse.db_path.parent / "target" / "manifest.json").read_text())
    con = connect(demo_warehouse.db_path)
    try:
        relations = dict(
            con.execute(
                """
                select schema_name || '.' || table_name, comment from duckdb_tables()
                union all
                select schema_name || '.' || view_name, comment from duckdb_views()
                where not internal
                """
            ).fetchall()
        )
        columns = {
            (f"{s}.{t}", c): comment
            for s, t, c, comment in con.execute(
                "select schema_name, table_name, column_name, comment from duckdb_columns()"
            ).fetchall()
        }
    finally:
        con.close()
    problems = []
    for node in models(manifest).values():
        relation = f"{node['schema']}.{node['alias']}"
        if relation not in relations:
            problems.append(f"{relation}: not built")
            continue
        if (relations[relation] or "").strip() != node["description"].strip():
            problems.append(f"{relation}: table comment differs from its description")
        if layer(node) != "gold":
            continue
        for column, spec in node["columns"].items():
            if (columns.get((relation, column)) or "").strip() != spec["description"].strip():
                problems.append(f"{relation}.{column}: column comment differs")
    assert not problems


# --------------------------------------------------------------------------------------------
# profiles.yml settings reach DuckDB (the memory limit is what keeps a 10M build under 6 GB)
# --------------------------------------------------------------------------------------------


def test_profile_settings_reach_duckdb_memory_limit_from_the_environment(tmp_path) -> None:
    sql = (
        "select current_setting('memory_limit') as memory_limit, "
        "current_setting('TimeZone') as time_zone"
    )
    run = run_dbt(
        ["show", "--inline", sql], tmp_path / "w.duckdb", tmp_path, env={"CBW_MEMORY_LIMIT": "3GB"}
    )
    row = run.result.result.results[0].agate_table.rows[0]
    reference = duckdb.connect()
    reference.execute("set memory_limit = '3GB'")
    expected = reference.execute("select current_setting('memory_limit')").fetchall()[0][0]
    reference.close()
    assert (row["memory_limit"], row["time_zone"]) == (expected, "UTC")


# --------------------------------------------------------------------------------------------
# Vars: every var() has one declaration, with its default and comment, in dbt_project.yml
# --------------------------------------------------------------------------------------------

# var('name' ...) in Jinja, the name quoted, possibly on the next line.
VAR_CALL = re.compile(r"""\bvar\(\s*['"]([A-Za-z0-9_]+)['"]""")
DBT_FOLDERS = ["models", "python_models", "macros", "analyses", "tests", "seeds", "snapshots"]
DBT_SUFFIXES = {".sql", ".yml", ".yaml", ".md"}


def vars_used() -> dict[str, set[str]]:
    """Each var() name -> the files calling it (dbt's files and dbt_project.yml)."""
    files = [REPO_ROOT / "dbt_project.yml"] + [
        f
        for folder in DBT_FOLDERS
        for f in sorted((REPO_ROOT / folder).rglob("*"))
        if f.suffix in DBT_SUFFIXES and f.is_file()
    ]
    used: dict[str, set[str]] = {}
    for f in files:
        for name in VAR_CALL.findall(f.read_text()):
            used.setdefault(name, set()).add(str(f.relative_to(REPO_ROOT)))
    return used


def test_every_var_used_is_declared_in_dbt_project_and_every_declared_var_used() -> None:
    declared = set(yaml.safe_load((REPO_ROOT / "dbt_project.yml").read_text())["vars"])
    used = vars_used()
    assert len(used) > 40  # the scan finds the project's vars
    undeclared = {name: sorted(files) for name, files in used.items() if name not in declared}
    assert not undeclared, (
        f"declare these vars (default + comment) in dbt_project.yml: {undeclared}"
    )
    assert not declared - set(used), "declared in dbt_project.yml but never used"


def test_run_scope_settings_list_every_var_the_incremental_gold_facts_apply() -> None:
    """A var an incremental gold fact applies must be in run_scope_settings (hashed into every
    run-scope fingerprint), or changing it would leave the facts built with the old value."""
    macro = (REPO_ROOT / "macros" / "utils" / "run_scope.sql").read_text()
    body = macro[macro.index("macro run_scope_settings()") :]
    listed = set(re.findall(r"'([a-z_]+)'", body[: body.index("endmacro")]))
    facts = [
        f
        for f in sorted((REPO_ROOT / "models" / "gold").rglob("*.sql"))
        if "run_scope_config(" in f.read_text() or "delete_run_scope(" in f.read_text()
    ]
    assert len(facts) >= 9
    read = {
        name: f.name
        for f in [*facts, *sorted((REPO_ROOT / "macros" / "behaviour").glob("*.sql"))]
        for name in VAR_CALL.findall(f.read_text())
    }
    missing = {name: where for name, where in read.items() if name not in listed}
    assert not missing, f"add to run_scope_settings (macros/utils/run_scope.sql): {missing}"


def test_the_var_scan_finds_calls_across_lines() -> None:
    text = "{%- set p = var(\n    'online_retail_timezone'\n) -%} {{ var(\"x\", 1) }}"
    assert VAR_CALL.findall(text) == ["online_retail_timezone", "x"]


# --------------------------------------------------------------------------------------------
# What the repository cites lives in the repository
# --------------------------------------------------------------------------------------------


def test_no_file_cites_a_style_guide_outside_the_repository() -> None:
    """The conventions are docs/conventions.md; nothing points at a file beside the repo."""
    tracked = [
        *REPO_ROOT.glob("*.md"),
        *REPO_ROOT.glob("docs/*.md"),
        REPO_ROOT / ".sqlfluff",
        REPO_ROOT / "dbt_project.yml",
        *REPO_ROOT.glob("scripts/*"),
        *REPO_ROOT.glob("src/**/*.py"),
        *REPO_ROOT.glob("tests/**/*.py"),
        *(f for folder in DBT_FOLDERS for f in (REPO_ROOT / folder).rglob("*.sql")),
        *(f for folder in DBT_FOLDERS for f in (REPO_ROOT / folder).rglob("*.yml")),
    ]
    citing = sorted(
        str(f.relative_to(REPO_ROOT))
        for f in tracked
        if f.is_file() and "STYLE" + ".md" in f.read_text()
    )
    assert not citing, "cite docs/conventions.md instead"
    assert (REPO_ROOT / "docs" / "conventions.md").is_file()
