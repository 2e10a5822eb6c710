"""The dashboard's pages render on a published demo warehouse and show their marts' figures.

Streamlit's AppTest runs each page's script in this process against a published copy of the
demo build (``demo_warehouse``, then ``publish``), the way ``cbw dashboard`` serves it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pytest

pytest.importorskip("streamlit", reason="streamlit not installed (requirements.txt)")

from streamlit.testing.v1 import AppTest  # noqa: E402

from customer_behaviour import publish  # noqa: E402
from customer_behaviour.dashboard import pages  # noqa: E402

pytestmark = pytest.mark.slow

APP = Path(pages.__file__).with_name("app.py")
#: Marts built from web events: empty when the source has none (Online Retail).
EVENT_MARTS = [
    "mart_funnel_steps",
    "mart_time_to_action",
    "mart_session_paths",
    "mart_step_transitions",
    "mart_channel_attribution",
    "mart_active_users",
]


def publish_demo(demo_warehouse, work: Path) -> Path:
    """Publish the demo build into ``work``, as ``scripts/build.sh`` does after a green build."""
    # dbt-duckdb keeps the build file attached in this process, and DuckDB refuses to attach
    # it twice: publish a checkpointed copy instead, as a build in another process would leave it.
    con = demo_warehouse.connect()
    try:
        con.execute("checkpoint")
    finally:
        con.close()
    build = shutil.copy(demo_warehouse.db_path, work / "warehouse.duckdb")
    target = work / "warehouse.published.duckdb"
    publish.publish(Path(build), target)
    return target


@pytest.fixture(scope="module")
def published(demo_warehouse, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return publish_demo(demo_warehouse, tmp_path_factory.mktemp("dashboard"))


@pytest.fixture(scope="module")
def without_events(published: Path) -> Path:
    """The published demo with its event marts emptied, as a source without events gives them."""
    target = published.with_name("no_events.published.duckdb")
    shutil.copy(published, target)
    con = duckdb.connect(str(target))
    try:
        for name in EVENT_MARTS:
            con.execute(f"delete from gold.{name}")
    finally:
        con.close()
    return target


def run_page(url_path: str, db: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("CBW_PUBLISHED_PATH", str(db))
    at = AppTest.from_string(
        f"from customer_behaviour.dashboard import pages\npages.render({url_path!r})",
        default_timeout=120,
    )
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def mart_df(db: Path, sql: str):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.sql(sql).df()
    finally:
        con.close()


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


@pytest.mark.parametrize("url_path", [p.url_path for p in pages.PAGES])
def test_every_page_renders_with_charts_and_tables(
    url_path: str, published: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = run_page(url_path, published, monkeypatch)
    assert at.title, "a page starts with its question"
    assert at.get("vega_lite_chart"), "every page draws at least one chart"
    assert not at.warning, [w.value for w in at.warning]  # no mart missing from the file
    assert not at.info, [i.value for i in at.info]  # and none empty on the demo


def test_the_app_opens_on_the_first_page(published: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CBW_PUBLISHED_PATH", str(published))
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.run()
    assert not at.exception
    assert at.title[0].value == "Where users drop off"


def test_active_users_shows_the_marts_last_day(
    published: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = run_page("active-users", published, monkeypatch)
    last = mart_df(
        published, "select * from gold.mart_active_users order by activity_date desc limit 1"
    ).iloc[0]
    assert metric(at, "DAU (last day)") == f"{last['dau']:,.0f}"
    assert metric(at, "MAU") == f"{last['mau']:,.0f}"
    assert metric(at, "Stickiness (DAU/MAU)") == f"{last['stickiness']:.1%}"


def test_concentration_shows_the_summary_figures(
    published: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = run_page("concentration", published, monkeypatch)
    dimension = at.sidebar.selectbox[0].value
    row = mart_df(
        published,
        f"select * from gold.mart_concentration_summary where dimension = '{dimension}'",
    ).iloc[0]
    assert metric(at, "Top 20 % share of net revenue") == f"{row['top_20_pct_revenue_share']:.1%}"
    assert metric(at, "Gini coefficient") == f"{row['gini_coefficient']:.3f}"


def test_funnel_table_is_the_marts_rows_for_the_chosen_segment(
    published: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = run_page("funnel", published, monkeypatch)
    at.sidebar.selectbox[0].select("device").run()
    at.sidebar.radio[0].set_value("session").run()
    shown = at.dataframe[0].value
    expected = mart_df(
        published,
        "select * from gold.mart_funnel_steps where funnel_level = 'session' "
        "and segment_type = 'device' order by segment_value, step_number",
    )
    assert len(shown) == len(expected) > 0
    assert list(shown["entrants"]) == list(expected["entrants"])
    assert list(shown["conversion_from_start"]) == list(expected["conversion_from_start"])


def test_active_users_date_filter_narrows_the_days(
    published: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = run_page("active-users", published, monkeypatch)
    days = mart_df(published, "select activity_date from gold.mart_active_users order by 1")
    first = days["activity_date"].iloc[0].date()
    at.sidebar.date_input[0].set_value((first, first)).run()
    assert not at.exception
    only = mart_df(
        published, f"select dau from gold.mart_active_users where activity_date = '{first}'"
    )
    assert metric(at, "DAU (last day)") == f"{only['dau'].iloc[0]:,.0f}"


@pytest.mark.parametrize(
    "url_path", ["funnel", "time-to-action", "paths", "active-users", "spend-tiers", "cohorts"]
)
def test_a_page_whose_mart_is_empty_says_so(
    url_path: str, without_events: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = run_page(url_path, without_events, monkeypatch)
    notes = [i.value for i in at.info]
    if url_path in {"spend-tiers", "cohorts"}:  # order marts: still filled
        assert not notes
        assert at.get("vega_lite_chart")
    else:
        assert notes and all("is empty for the current source" in n for n in notes), notes


def test_cbw_dashboard_without_a_published_file_says_so_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from customer_behaviour import cli

    assert cli.main(["dashboard", "--db", str(tmp_path / "none.duckdb")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no published warehouse at" in err and "build.sh" in err


def test_a_publish_while_the_app_runs_shows_on_the_next_run(
    published: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    served = Path(shutil.copy(published, tmp_path / "served.duckdb"))
    at = run_page("active-users", served, monkeypatch)
    before = metric(at, "MAU")
    newer = Path(shutil.copy(published, tmp_path / "newer.duckdb"))
    con = duckdb.connect(str(newer))
    try:
        con.execute("update gold.mart_active_users set mau = 987654")
    finally:
        con.close()
    os.replace(newer, served)  # what cbw publish does
    at.run()
    assert not at.exception
    assert before != "987,654" and metric(at, "MAU") == "987,654"
