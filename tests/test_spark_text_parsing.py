"""The staging parsers read the same landed texts to the same values on DuckDB and Spark.

parse_timestamp_utc, parse_date, exact_cast and clean_enum are compiled for each target (dbt
compile --inline) and run over tricky texts: offsets, fractional seconds, invalid dates, epochs,
empty. Texts only DuckDB reads (docs/spark.md, "Staging on Spark") are pinned as such, so the
documentation stays true. Skipped without pyspark or a Java runtime.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest
from conftest import REPO_ROOT
from dbt.cli.main import dbtRunner
from spark_support import require_spark


@pytest.fixture(autouse=True)
def _spark_here() -> None:
    require_spark()


pytestmark = pytest.mark.slow

UTC = dt.datetime
# text -> the UTC timestamp both engines read (None: neither reads it, quarantined)
AGREED = {
    "2024-03-04T12:34:56.123Z": UTC(2024, 3, 4, 12, 34, 56, 123000),
    "2024-03-04 13:34:56+01:00": UTC(2024, 3, 4, 12, 34, 56),
    "2024-03-04 12:34:56-05:00": UTC(2024, 3, 4, 17, 34, 56),
    "2024-03-04T12:34:56+0530": UTC(2024, 3, 4, 7, 4, 56),
    "2024-03-04T12:34:56-03": UTC(2024, 3, 4, 15, 34, 56),
    "2024-03-04 12:34:56.1234567": UTC(2024, 3, 4, 12, 34, 56, 123456),
    " 2024-03-04 12:34:56 ": UTC(2024, 3, 4, 12, 34, 56),
    "2024-03-04  12:34:56": UTC(2024, 3, 4, 12, 34, 56),
    "2024-3-4 1:2:3": UTC(2024, 3, 4, 1, 2, 3),
    "2024-03-04": UTC(2024, 3, 4),
    "2024-03-04 12:34:56 Europe/Paris": UTC(2024, 3, 4, 11, 34, 56),
    "2024/03/04 12:34:56": UTC(2024, 3, 4, 12, 34, 56),
    "2024/03/04 12:34:56.123": UTC(2024, 3, 4, 12, 34, 56, 123000),
    "2024/03/04": UTC(2024, 3, 4),
    "1709555696123": UTC(2024, 3, 4, 12, 34, 56, 123000),
    "1709555696": UTC(2024, 3, 4, 12, 34, 56),
    "2024-02-29 10:00:00": UTC(2024, 2, 29, 10),
    "2024-02-30": None,
    "2024-02-30 10:00:00": None,
    "2023-02-29T10:00:00Z": None,
    "2024/02/30": None,
    "2024-03-04 23:59:60": None,
    "2024-03-04 12": None,
    "2024": None,
    "2024-03": None,
    "+2024-03-04": None,
    "\t2024-03-04 12:34:56\t": None,
    "2024-03-04 12:34:56z": None,
    "20240304": None,
    "12345678901": None,
    "-1709555696": None,
    "not-a-date": None,
    "": None,
    "   ": None,
    None: None,
}
# Read by DuckDB's timestamptz cast, quarantined (null) on Spark: docs/spark.md
DUCKDB_ONLY = [
    "2024-03-04T24:00:00",
    "2024-03-04T12:34:56+01:00:30",
    "2024-03-04 12:34:56 utc",
    "2024 03 04",
    "2024-03-04T 12:34",
    "24-03-04",
    "10000-01-01",
]
# parse_date: DuckDB's date cast reads the date part of these, Spark's refuses them (both refuse
# them as timestamps)
DUCKDB_ONLY_DATES = ["2024-03-04 12:34:56 AD", "2024-03-04T12:34:56.5 +01:00"]
NUMERALS = ["2", "+2", "-2", " 2 ", "2.0", "2.", ".0", "2.7", "1e3", "0x10", "19.999", "2.500", ""]
ENUMS = [" Add_To_Cart ", "PAGE VIEW", "add - to -  cart", "Page\tView", "", None]

EXPRESSIONS = (
    "{{ parse_timestamp_utc('v') }} as ts, {{ parse_date('v') }} as d, "
    "{{ exact_cast('v', 'integer') }} as n_int, {{ exact_cast('v', 'decimal(18, 2)') }} as n_dec, "
    "{{ clean_enum('v') }} as e"
)


def _compiled(target: str, tmp_path) -> str:
    args = ["compile", "--quiet", "--inline", f"select {EXPRESSIONS} from t"]
    args += ["--target", target, "--target-path", str(tmp_path / f"target-{target}")]
    result = dbtRunner().invoke(args, project_dir=str(REPO_ROOT), profiles_dir=str(REPO_ROOT))
    assert result.success, result.exception
    return result.result.results[0].node.compiled_code


@pytest.fixture(scope="module")
def parsed(tmp_path_factory, monkeypatch_module):
    tmp_path = tmp_path_factory.mktemp("spark_parsing")
    monkeypatch_module.setenv("CBW_SPARK_WAREHOUSE", str(tmp_path / "warehouse"))
    monkeypatch_module.setenv("CBW_DUCKDB_PATH", ":memory:")
    texts = list(AGREED) + DUCKDB_ONLY + DUCKDB_ONLY_DATES + NUMERALS + ENUMS
    duck_sql, spark_sql = _compiled("dev", tmp_path), _compiled("spark", tmp_path)
    wrap = (
        "select i, {t}(ts) as ts, {t}(cast(d as timestamp)) as d, n_int, n_dec, e "
        "from ({q}) order by i"
    )

    con = duckdb.connect()
    con.sql("set TimeZone = 'UTC'")
    con.sql("create table t (i integer, v varchar)")
    con.executemany("insert into t values (?, ?)", list(enumerate(texts)))
    duck_query = duck_sql.replace("select ", "select i, ", 1)
    duck = con.sql(wrap.format(t="epoch_us", q=duck_query)).fetchall()

    from pyspark.sql import SparkSession

    spark = SparkSession.builder.getOrCreate()  # the session dbt-spark opened
    spark.conf.set("spark.sql.session.timeZone", "UTC")  # as profiles.yml sets them
    spark.conf.set("spark.sql.parser.escapedStringLiterals", "true")
    spark.createDataFrame(list(enumerate(texts)), "i int, v string").createOrReplaceTempView("t")
    spark_query = spark_sql.replace("select ", "select i, ", 1)
    sparked = [tuple(r) for r in spark.sql(wrap.format(t="unix_micros", q=spark_query)).collect()]
    return {texts[r[0]]: (r[1:], s[1:]) for r, s in zip(duck, sparked, strict=True)}


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as mp:
        yield mp


def _micros(value: dt.datetime | None) -> int | None:
    return None if value is None else round((value - UTC(1970, 1, 1)).total_seconds() * 1e6)


def test_timestamps_agree(parsed):
    for text, expected in AGREED.items():
        duck, spark = parsed[text]
        assert duck[0] == _micros(expected), text
        assert spark == duck, text


def test_duckdb_only_timestamps_are_null_on_spark(parsed):
    for text in DUCKDB_ONLY:
        duck, spark = parsed[text]
        assert duck[0] is not None and spark[0] is None, text


def test_duckdb_only_dates_are_null_on_spark(parsed):
    for text in DUCKDB_ONLY_DATES:
        duck, spark = parsed[text]
        assert duck[0] is None and spark[0] is None, text
        assert duck[1] is not None and spark[1] is None, text


def test_numerals_and_enums_agree(parsed):
    for text in NUMERALS + ENUMS:
        duck, spark = parsed[text]
        assert [str(x) for x in spark[2:]] == [str(x) for x in duck[2:]], text
