"""The DuckDB-versus-Spark comparison itself (no Spark needed): what counts as equal."""

import datetime as dt
from decimal import Decimal

from customer_behaviour.compare_engines import compare_rows


def test_equal_bags_in_any_order_with_float_noise_are_equal():
    duck = [
        ("a", 1, 0.1 + 0.2, Decimal("1.50"), dt.datetime(2024, 1, 1)),
        ("b", None, None, None, None),
    ]
    spark = [
        ("b", None, float("nan"), None, None),
        ("a", 1, 0.3, Decimal("1.5"), dt.datetime(2024, 1, 1)),
    ]
    assert compare_rows("gold.t", ["k", "n", "x", "d", "ts"], duck, spark).equal


def test_a_value_beyond_the_tolerance_a_missing_row_and_a_null_differ():
    cols = ["k", "x"]
    assert not compare_rows("gold.t", cols, [("a", 1.0)], [("a", 1.0 + 1e-6)]).equal
    assert compare_rows("gold.t", cols, [("a", 1.0)], [("a", 1.0 + 1e-12)]).equal
    missing = compare_rows("gold.t", cols, [("a", 1.0), ("b", 2.0)], [("a", 1.0)])
    assert not missing.equal and "row counts differ" in missing.problems[0]
    assert not compare_rows("gold.t", cols, [("a", None)], [("a", 0.0)]).equal
    assert not compare_rows("gold.t", ["k", "l"], [("a", ["x", "y"])], [("a", ["y", "x"])]).equal


def test_the_report_names_the_differing_column():
    result = compare_rows("gold.t", ["k", "v"], [("a", "x")], [("a", "y")])
    assert "(v, 'x', 'y')" in result.line()


def test_the_engines_row_hash_inside_a_row_json_is_not_compared():
    duck = [('{"source_row_id":"00aa-1","order_id":"O1"}',)]
    spark = [('{"source_row_id":"ff01-1","order_id":"O1"}',)]
    assert compare_rows("silver.t", ["raw_record"], duck, spark).equal
    other = [('{"source_row_id":"ff01-1","order_id":"O2"}',)]
    assert not compare_rows("silver.t", ["raw_record"], duck, other).equal
