"""Tests of the deterministic demo-data generator (customer_behaviour.generate)."""

from __future__ import annotations

import math
from pathlib import Path

import duckdb
import pytest

from customer_behaviour import generate as gen
from customer_behaviour.generate import DEFECT_RATES, TABLE_COLUMNS, GenerateConfig, generate

SMALL = {"customers": 150, "days": 60}
TABLES = ["customers", "products", "offers", "events", "orders", "order_lines"]


def _run(out: Path, **kw) -> dict[str, int]:
    return generate(GenerateConfig(out=out, **{**SMALL, **kw}))


def _files(d: Path) -> dict[str, bytes]:
    return {str(p.relative_to(d)): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def mid(tmp_path_factory) -> duckdb.DuckDBPyConnection:
    """A mid-size seeds run (~90k events) loaded as all-VARCHAR views."""
    out = tmp_path_factory.mktemp("mid")
    generate(GenerateConfig(out=out, customers=2000, days=400, seed=7))
    con = duckdb.connect()
    for t in TABLES:
        con.execute(
            f"CREATE TABLE {t} AS SELECT * FROM read_csv('{out}/raw_{t}.csv', all_varchar=true, "
            "header=true, quote='\"', escape='\"')"
        )
    return con


def _one(con: duckdb.DuckDBPyConnection, sql: str):
    return con.execute(sql).fetchone()


def _assert_rate(observed: int, n: int, rate: float, label: str) -> None:
    expected = n * rate
    tolerance = 5 * math.sqrt(expected) + 2  # ~5 sigma of a binomial count
    assert abs(observed - expected) <= tolerance, f"{label}: {observed} vs {expected:.1f} of {n}"


def test_same_seed_is_byte_identical(tmp_path):
    _run(tmp_path / "a")
    _run(tmp_path / "b")
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert set(a) == {f"raw_{t}.csv" for t in TABLES}
    assert a == b


def test_different_seed_differs(tmp_path):
    _run(tmp_path / "a", seed=1)
    _run(tmp_path / "b", seed=2)
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert a["raw_events.csv"] != b["raw_events.csv"]
    assert a["raw_customers.csv"] != b["raw_customers.csv"]


def test_headers_and_csv_dialect(tmp_path):
    _run(tmp_path)
    for t in TABLES:
        data = (tmp_path / f"raw_{t}.csv").read_bytes()
        assert b"\r" not in data
        assert data.endswith(b"\n")
        assert data.split(b"\n", 1)[0].decode() == ",".join(TABLE_COLUMNS[t])
    events = (tmp_path / "raw_events.csv").read_text()
    assert '""' not in events  # empty values are written empty, never as a quoted ""
    assert ',"Mozilla/5.0 (' in events  # user agents with commas are quoted
    assert TABLE_COLUMNS["events"][0] == "event_id" and len(TABLE_COLUMNS["events"]) == 15


def test_scale_arguments_change_volume(tmp_path):
    small = _run(tmp_path / "s", customers=100, anonymous_visitors=100, days=60)
    more_customers = _run(tmp_path / "c", customers=300, anonymous_visitors=100, days=60)
    more_anon = _run(tmp_path / "a", customers=100, anonymous_visitors=600, days=60)
    longer = _run(tmp_path / "d", customers=100, anonymous_visitors=100, days=180)
    assert more_customers["raw_customers"] > 2 * small["raw_customers"]
    assert more_customers["raw_events"] > 1.5 * small["raw_events"]
    assert more_anon["raw_events"] > 1.3 * small["raw_events"]
    assert longer["raw_events"] > 1.5 * small["raw_events"]
    assert small["raw_products"] == 250 and small["raw_offers"] == 40


def test_rows_returned_match_files(tmp_path):
    rows = _run(tmp_path)
    for t in TABLES:
        lines = (tmp_path / f"raw_{t}.csv").read_bytes().count(b"\n") - 1
        assert rows[f"raw_{t}"] == lines  # no value contains a newline


def test_landing_layout_csv_and_parquet(tmp_path):
    csv_rows = _run(tmp_path / "csv", layout="landing", days=30)
    pq_rows = _run(tmp_path / "pq", layout="landing", days=30, format="parquet")
    assert csv_rows == pq_rows
    d = tmp_path / "csv"
    days = sorted(p.name for p in (d / "events").glob("events_*.csv"))
    assert days[0] == "events_2024-01-01.csv"
    assert len(days) >= 30  # one per day, plus later days for late arrivals
    assert (d / "orders" / "orders_2024-01-15.csv").exists()
    assert (d / "order_lines" / "order_lines_2024-01-15.csv").exists()
    assert (d / "products" / "products.csv").exists() and (d / "offers" / "offers.csv").exists()
    assert list((d / "customers").glob("customers_*.csv"))
    con = duckdb.connect()
    for t in ("events", "orders", "customers"):
        q = "SELECT count(*) FROM read_{}('{}', {})"
        n_csv = _one(con, q.format("csv", f"{d}/{t}/*.csv", "all_varchar=true"))[0]
        n_pq = _one(con, q.format("parquet", f"{tmp_path}/pq/{t}/*.parquet", "union_by_name=true"))
        assert n_csv == n_pq[0] == csv_rows[f"raw_{t}"]
    types = con.execute(
        f"DESCRIBE SELECT * FROM read_parquet('{tmp_path}/pq/events/*.parquet')"
    ).fetchall()
    assert [r[0] for r in types] == TABLE_COLUMNS["events"]
    assert {r[1] for r in types} == {"VARCHAR"}
    # an event lands in the file of the day it arrived: never before its own day
    early = _one(
        con,
        f"""SELECT count(*) FROM read_csv('{d}/events/*.csv', all_varchar=true, filename=true)
        WHERE event_time LIKE '20%Z'
          AND left(event_time, 10) > regexp_extract(filename, 'events_(.*)\\.csv', 1)""",
    )[0]
    assert early == 0
    # landing rows are the seeds rows, just split into files
    seeds = tmp_path / "seeds"
    _run(seeds, days=30)
    n_seed = (seeds / "raw_events.csv").read_bytes().count(b"\n") - 1
    assert n_seed == csv_rows["raw_events"]


def test_every_order_has_a_purchase_event(mid):
    missing = _one(
        mid,
        """SELECT count(*) FROM (SELECT DISTINCT order_id FROM orders) o
        WHERE order_id NOT IN (SELECT order_id FROM events WHERE order_id IS NOT NULL
                               AND coalesce(lower(trim(event_type)), 'purchase') = 'purchase')""",
    )[0]
    assert missing == 0
    n, same_customer, same_time = _one(
        mid,
        """SELECT count(*), count(*) FILTER (WHERE o.customer_id = e.customer_id),
                  count(*) FILTER (WHERE o.order_time = e.event_time)
        FROM (SELECT DISTINCT * FROM orders) o
        JOIN (SELECT DISTINCT order_id, customer_id, event_time FROM events
              WHERE order_id IS NOT NULL) e USING (order_id)""",
    )
    assert same_customer >= 0.99 * n  # the rest: injected unknown-customer defects
    assert same_time >= 0.93 * n  # the rest: alternative/broken time formats
    bad_subtotal = _one(
        mid,
        """SELECT count(*) FROM (SELECT DISTINCT order_id, subtotal_amount FROM orders) o
        JOIN (SELECT order_id, sum(line_amount::DECIMAL(12, 2)) s FROM order_lines GROUP BY 1) l
        USING (order_id) WHERE o.subtotal_amount::DECIMAL(12, 2) <> l.s""",
    )[0]
    assert bad_subtotal == 0


def test_defect_rates(mid):
    R = DEFECT_RATES
    # events
    total, real = _one(mid, "SELECT count(*), count(DISTINCT event_id) FROM events")
    _assert_rate(total - real, real, R["events.duplicate_row"], "duplicates")
    mid.execute("CREATE TABLE ev AS SELECT DISTINCT * FROM events")
    clean_et = "('" + "','".join(gen.EVENT_TYPES) + "')"
    missing, dirty = _one(
        mid,
        f"""SELECT count(*) FILTER (WHERE event_type IS NULL),
                   count(*) FILTER (WHERE event_type NOT IN {clean_et}) FROM ev""",
    )
    _assert_rate(missing, real, R["events.missing_event_type"], "missing event_type")
    _assert_rate(dirty, real, R["events.dirty_event_type"] * (1 - 0.005), "dirty event_type")
    for col, values in (
        ("device", gen.DEVICES),
        ("country", gen.COUNTRIES),
        ("traffic_source", gen.SOURCES),
    ):
        clean = "('" + "','".join(values) + "')"
        n = _one(mid, f"SELECT count(*) FROM ev WHERE {col} NOT IN {clean}")[0]
        _assert_rate(n, real, R[f"events.dirty_{col}"], f"dirty {col}")
    canon, offset, slash, epoch, broken = _one(
        mid,
        r"""SELECT
          count(*) FILTER (WHERE regexp_full_match(event_time,
              '\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z')),
          count(*) FILTER (WHERE regexp_full_match(event_time,
              '\d{4}-\d\d-\d\d \d\d:\d\d:\d\d[+-]\d\d:\d\d')),
          count(*) FILTER (WHERE regexp_full_match(event_time, '\d{4}/\d\d/\d\d \d\d:\d\d:\d\d')),
          count(*) FILTER (WHERE regexp_full_match(event_time, '\d{13}')),
          count(*) FILTER (WHERE event_time IS NULL OR event_time IN ('not-a-date',
              '2024-13-45 99:00:00'))
        FROM ev""",
    )
    assert canon + offset + slash + epoch + broken == real
    _assert_rate(offset + slash + epoch, real, R["events.alt_time_format"], "alt time formats")
    for n in (offset, slash, epoch):
        _assert_rate(n, real, R["events.alt_time_format"] / 3, "one alt time format")
    _assert_rate(broken, real, R["events.unparseable_time"], "unparseable time")
    n_prod, bad_price, ghost = _one(
        mid,
        """SELECT count(*), count(*) FILTER (WHERE price::DOUBLE <= 0),
                  count(*) FILTER (WHERE product_id NOT IN (SELECT product_id FROM products))
        FROM ev WHERE product_id IS NOT NULL AND order_id IS NULL
          AND product_id NOT IN (SELECT product_id FROM products WHERE list_price::DOUBLE <= 0)""",
    )
    _assert_rate(bad_price, n_prod, R["events.bad_price"], "bad price")
    _assert_rate(ghost, n_prod, R["events.unknown_product"], "unknown product")
    n_cust, ghost_c = _one(
        mid,
        # ids >= C900000 were never issued (customers whose only row lost its id to the
        # empty-customer_id defect are orphans too, but are not counted here)
        """SELECT count(*), count(*) FILTER (WHERE customer_id >= 'C900000')
        FROM ev WHERE customer_id IS NOT NULL""",
    )
    _assert_rate(ghost_c, n_cust, R["events.unknown_customer"], "unknown customer")
    # late arrival: a row whose time is well before the latest time already written
    late = _one(
        mid,
        """WITH t AS (SELECT rowid AS r, event_time, try_strptime(event_time,
                        '%Y-%m-%dT%H:%M:%S.%gZ') AS ts FROM events),
        m AS (SELECT r, ts, max(ts) OVER (ORDER BY r ROWS BETWEEN UNBOUNDED PRECEDING
                                           AND 1 PRECEDING) AS seen FROM t)
        SELECT count(*) FROM m WHERE ts < seen - INTERVAL 5 MINUTE""",
    )[0]
    canonical_rows = total * (1 - R["events.alt_time_format"] - R["events.unparseable_time"])
    _assert_rate(late, int(canonical_rows), R["events.late_arrival"] * 0.97, "late arrival")
    # bots
    vis, bot_ua = _one(
        mid,
        """SELECT count(DISTINCT visitor_id), count(DISTINCT visitor_id) FILTER (
               WHERE user_agent SIMILAR TO '.*(Googlebot|AhrefsBot|python-requests).*')
        FROM ev""",
    )
    assert 0.001 * vis < bot_ua < 0.006 * vis
    # orders
    rows, real_o = _one(mid, "SELECT count(*), count(DISTINCT order_id) FROM orders")
    _assert_rate(rows - real_o, real_o, R["orders.duplicate_row"], "order duplicates")
    mid.execute("CREATE TABLE od AS SELECT DISTINCT * FROM orders")
    dirty, ghost, negative, broken = _one(
        mid,
        """SELECT count(*) FILTER (WHERE status NOT IN ('completed', 'cancelled', 'returned')),
                  count(*) FILTER (WHERE customer_id >= 'C900000'),
                  count(*) FILTER (WHERE total_amount::DOUBLE < 0),
                  count(*) FILTER (WHERE try_strptime(order_time, '%Y-%m-%dT%H:%M:%S.%gZ')
                                   IS NULL)
        FROM od""",
    )
    _assert_rate(dirty, real_o, R["orders.dirty_status"], "dirty status")
    _assert_rate(ghost, real_o, R["orders.unknown_customer"], "order unknown customer")
    _assert_rate(negative, real_o, R["orders.negative_total"], "negative total")
    _assert_rate(broken, real_o, R["orders.unparseable_time"], "order time")
    # order lines
    n_lines, ghost_p, bad_unit, orphan = _one(
        mid,
        """SELECT count(*),
                  count(*) FILTER (WHERE product_id NOT IN (SELECT product_id FROM products)),
                  count(*) FILTER (WHERE unit_price::DOUBLE <= 0),
                  count(*) FILTER (WHERE order_id NOT IN (SELECT order_id FROM orders))
        FROM order_lines""",
    )
    _assert_rate(ghost_p, n_lines, R["order_lines.unknown_product"], "line unknown product")
    _assert_rate(bad_unit, n_lines, R["order_lines.bad_unit_price"], "line unit price")
    _assert_rate(orphan, n_lines, R["order_lines.orphan_line"], "orphan line")
    # customers and products
    n_c, bad_by, empty_id = _one(
        mid,
        """SELECT count(*),
                  count(*) FILTER (WHERE birth_year IS NULL OR birth_year::INT NOT BETWEEN
                                   1920 AND 2010),
                  count(*) FILTER (WHERE customer_id IS NULL)
        FROM customers""",
    )
    _assert_rate(bad_by, n_c, R["customers.bad_birth_year"], "birth year")
    _assert_rate(empty_id, n_c, R["customers.empty_customer_id"], "empty customer_id")
    assert _one(mid, "SELECT count(*) FROM products WHERE list_price::DOUBLE <= 0")[0] == 2


def test_behaviour_is_realistic(mid):
    n_customers = _one(mid, "SELECT count(DISTINCT customer_id) FROM customers")[0]
    buyers, repeat, top20 = _one(
        mid,
        """WITH o AS (SELECT DISTINCT order_id, customer_id, total_amount::DOUBLE AS total
                      FROM orders WHERE total_amount::DOUBLE > 0
                        AND customer_id IN (SELECT customer_id FROM customers)),
        c AS (SELECT customer_id, count(*) AS n, sum(total) AS rev FROM o GROUP BY 1),
        r AS (SELECT *, row_number() OVER (ORDER BY rev DESC) AS rk, count(*) OVER () AS nb
              FROM c)
        SELECT count(*), avg((n > 1)::INT), sum(rev) FILTER (WHERE rk <= 0.2 * nb) / sum(rev)
        FROM r""",
    )
    assert 0.5 <= buyers / n_customers <= 0.75
    assert 0.3 <= repeat <= 0.7
    assert 0.6 <= top20 <= 0.85
    # funnel: desktop converts better than mobile
    conv = dict(
        mid.execute(
            """SELECT device, count(*) FILTER (WHERE event_type = 'purchase')
                             / count(DISTINCT visitor_id)
            FROM (SELECT DISTINCT * FROM events) GROUP BY 1"""
        ).fetchall()
    )
    assert conv["desktop"] > conv["mobile"]
    # sessions: events of a visitor are < 10 min apart within a session, >= 30 min between
    gaps = _one(
        mid,
        """WITH t AS (SELECT visitor_id, try_strptime(event_time, '%Y-%m-%dT%H:%M:%S.%gZ') ts
                      FROM (SELECT DISTINCT * FROM events)),
        g AS (SELECT ts - lag(ts) OVER (PARTITION BY visitor_id ORDER BY ts) AS gap
              FROM t WHERE ts IS NOT NULL)
        SELECT count(*) FILTER (WHERE gap > INTERVAL 10 MINUTE AND gap < INTERVAL 30 MINUTE)
        FROM g""",
    )[0]
    assert gaps == 0
    # identity: customer_id never appears on a visitor's events before its first login
    early = _one(
        mid,
        """WITH t AS (SELECT visitor_id, customer_id, lower(trim(event_type)) AS event_type,
                             coalesce(try_strptime(event_time, '%Y-%m-%dT%H:%M:%S.%gZ'),
                                      try_strptime(event_time, '%Y-%m-%d %H:%M:%S%z')::TIMESTAMP,
                                      try_strptime(event_time, '%Y/%m/%d %H:%M:%S'),
                                      make_timestamp(try_cast(event_time AS BIGINT) * 1000)) ts
                      FROM (SELECT DISTINCT * FROM events)),
        f AS (SELECT visitor_id, min(ts) FILTER (WHERE event_type = 'login') AS login,
                     min(ts) FILTER (WHERE customer_id IS NOT NULL) AS identified
              FROM t WHERE ts IS NOT NULL GROUP BY 1)
        SELECT count(*) FILTER (WHERE identified < login),
               count(*) FILTER (WHERE login IS NOT NULL)
        FROM f""",
    )
    assert early[0] <= 0.02 * early[1]  # only where the login row itself carries a defect
    # complementary products: the most frequent pair is bought together far above chance
    lift = _one(
        mid,
        """WITH b AS (SELECT DISTINCT order_id, product_id FROM order_lines),
        n AS (SELECT count(DISTINCT order_id) AS n FROM b),
        s AS (SELECT product_id, count(*) AS c FROM b GROUP BY 1),
        p AS (SELECT x.product_id AS a, y.product_id AS b, count(*) AS c FROM b x JOIN b y
              ON x.order_id = y.order_id AND x.product_id < y.product_id GROUP BY ALL)
        SELECT p.c * n.n / (sa.c * sb.c) FROM p, n, s sa, s sb
        WHERE sa.product_id = p.a AND sb.product_id = p.b ORDER BY p.c DESC LIMIT 1""",
    )[0]
    assert lift > 3


def test_cli_arguments(tmp_path, capsys):
    from customer_behaviour.cli import main

    rc = main(
        [
            "generate",
            "--out",
            str(tmp_path),
            "--customers",
            "50",
            "--days",
            "20",
            "--seed",
            "3",
            "--no-progress",
        ]
    )
    assert rc == 0
    assert (tmp_path / "raw_events.csv").exists()
    assert "raw_events" in capsys.readouterr().out
    assert main(["generate", "--layout", "landing"]) == 2  # --out is required for landing
