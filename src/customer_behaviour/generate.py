"""Write deterministic demo data: the bronze tables of a customer-behaviour web shop.

Layouts: ``seeds`` (default) writes one CSV per table (raw_customers, raw_products, raw_offers,
raw_events, raw_orders, raw_order_lines) into ``seeds/bronze`` for ``dbt seed``; ``landing``
writes files as a real system would land them (one file per arrival day for events, orders and
order lines, customers by signup/update day) for benchmarks at 1M-10M events, streaming day by
day with bounded memory. Same arguments give byte-identical files. The processes, their
parameters and every injected defect (``DEFECT_RATES``) are documented in docs/demo_data.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from customer_behaviour import cli

# =============================================================================================
# Injected defects. Rates are per row of the denominator named in the comment; they are
# independent draws, so one row can carry several defects. docs/demo_data.md lists them all.
# =============================================================================================
DEFECT_RATES: dict[str, float] = {
    # raw_events; denominator: real (non-duplicate) events unless noted
    "events.duplicate_row": 0.02,  # exact copy of the row (same event_id), delivered twice
    "events.missing_event_type": 0.005,  # event_type empty
    "events.dirty_event_type": 0.03,  # ' Add_To_Cart ', 'PAGE_VIEW', ...
    "events.dirty_device": 0.03,
    "events.dirty_country": 0.03,
    "events.dirty_traffic_source": 0.03,
    "events.alt_time_format": 0.05,  # split 1/3 each: '+01:00' offset form, 'Y/m/d H:M:S', epoch ms
    "events.unparseable_time": 0.003,  # split 1/3 each: 'not-a-date', '2024-13-45 99:00:00', empty
    "events.bad_price": 0.003,  # of product events: price 0.00 or negative
    "events.unknown_product": 0.003,  # of product events: product_id P99xxx
    "events.unknown_customer": 0.002,  # of events carrying a customer_id: id never issued
    "events.late_arrival": 0.02,  # arrives (is written) 0-3 days after its event_time
    "events.late_arrival_max_days": 3,
    "events.bot_visitor_share": 0.005,  # of visitors; half bot user agents, half burst bots
    # raw_orders; denominator: real orders
    "orders.duplicate_row": 0.005,
    "orders.dirty_status": 0.03,
    "orders.unknown_customer": 0.002,
    "orders.negative_total": 0.002,
    "orders.unparseable_time": 0.002,
    # raw_order_lines; denominator: real order lines
    "order_lines.unknown_product": 0.002,
    "order_lines.bad_unit_price": 0.002,  # unit_price 0.00 or negative (line_amount kept)
    "order_lines.orphan_line": 0.001,  # extra line for an order_id that does not exist
    # raw_customers; denominator: customer rows
    "customers.bad_birth_year": 0.01,  # split 1/3 each: 1890-1910, 2026-2031, empty
    "customers.empty_customer_id": 0.002,
    # raw_products: a count, not a rate
    "products.bad_list_price_count": 2,  # list_price 0.00 and a negative one
}

# =============================================================================================
# Behaviour parameters (see docs/demo_data.md)
# =============================================================================================
N_PRODUCTS = 250
N_OFFERS = 40
PRE_WINDOW_SIGNUP_SHARE = 0.35  # customers who signed up in the year before start_date
# The calendar the data may cover: signups begin up to a year before start_date and timestamps
# are also written as Unix epoch milliseconds (so no earlier start); every date keeps a
# four-digit year, with a year to spare.
EARLIEST_START_DATE = dt.date(1971, 1, 1)
LATEST_LAST_DATE = dt.date(9998, 12, 31)
UPDATED_CUSTOMER_SHARE = 0.08  # customers with a second (updated) row
SECOND_DEVICE_SHARE = 0.35  # customers with two visitor_ids
SECOND_DEVICE_SESSION_SHARE = 0.3
# BG/NBD: purchase rate lambda ~ Gamma(r, 1/alpha) per (seasonality-weighted) day, drop-out
# probability after each purchase p ~ Beta(a, b). Purchase intents arrive as a Poisson process;
# an intent becomes an order only if its session passes the funnel (device/country dependent).
BGNBD_R, BGNBD_ALPHA = 1.0, 70.0
BGNBD_A, BGNBD_B = 1.0, 3.0
MIN_INTENT_GAP_DAYS = 0.25
# Gamma-Gamma-like spend: per customer spend level s ~ Gamma(q, 1/q) (mean 1); it raises basket
# size and the price band the customer shops in.
SPEND_SHAPE = 0.9
# Browsing sessions per weighted day: Gamma baseline + multiple of the purchase rate; lapsed
# customers (dropped out) keep a small fraction.
BROWSE_BASE_SHAPE, BROWSE_BASE_MEAN = 1.3, 0.004
BROWSE_PER_PURCHASE_RATE = 0.8
LAPSED_BROWSE_FACTOR = 0.08
ANON_EXTRA_SESSIONS_P = 0.3  # geometric number of sessions for anonymous visitors
ANON_SESSION_GAP_DAYS = 9.0
RESEARCH_SESSION_P = 0.35  # intent preceded by a session viewing the product 1-4 days earlier
RELOGIN_P = 0.07  # identified visitor starts a session anonymous again and logs in
MIN_SESSION_GAP_MS = 2 * 3_600_000

DAY_MS = 86_400_000
HOUR_MS = 3_600_000

COUNTRIES = ["GB", "US", "DE", "FR", "NL", "ES", "IT", "IE", "SE", "PL"]
COUNTRY_P = [0.36, 0.17, 0.12, 0.09, 0.06, 0.05, 0.05, 0.04, 0.03, 0.03]
COUNTRY_TZ_MIN = [0, -300, 60, 60, 60, 60, 60, 0, 60, 60]  # standard offsets, DST ignored
COUNTRY_CONVERSION = [1.0, 0.97, 1.0, 0.95, 1.0, 0.92, 0.91, 0.99, 1.0, 0.89]
DEVICES = ["desktop", "mobile", "tablet"]
DEVICE_P_CUSTOMER = [0.38, 0.52, 0.10]
DEVICE_P_ANON = [0.30, 0.60, 0.10]
SOURCES = ["direct", "organic_search", "paid_search", "social", "email", "referral", "affiliate"]
SOURCE_P_CUSTOMER = [0.30, 0.22, 0.10, 0.08, 0.18, 0.06, 0.06]
SOURCE_P_ANON = [0.26, 0.32, 0.16, 0.14, 0.0, 0.06, 0.06]
CHANNELS = ["organic_search", "paid_search", "social", "email", "referral", "affiliate", "direct"]
CHANNEL_P = [0.28, 0.18, 0.15, 0.08, 0.09, 0.07, 0.15]
GENDERS = ["F", "M", "X"]
GENDER_P = [0.52, 0.45, 0.03]
SUBSCRIPTIONS = ["none", "trial", "subscribed", "cancelled"]
SUBSCRIPTION_P = [0.55, 0.10, 0.25, 0.10]
SUBSCRIPTION_NEXT = {0: [1, 2], 1: [2, 3], 2: [3], 3: [2]}  # updated version's status
ORDER_STATUSES = ["completed", "cancelled", "returned"]
ORDER_STATUS_P = [0.88, 0.06, 0.06]
SHIPPING_FEE_CENTS = 499
FREE_SHIPPING_FROM_CENTS = 5000

# Funnel: P(next step | step) by device (desktop, mobile, tablet). Purchase-intent sessions
# always view products; browsing sessions never purchase.
INTENT_P_CART = np.array([0.93, 0.86, 0.90])
INTENT_P_CHECKOUT = np.array([0.86, 0.72, 0.80])
INTENT_P_PURCHASE = np.array([0.92, 0.82, 0.87])
BROWSE_P_VIEW = np.array([0.64, 0.55, 0.60])
BROWSE_P_CART = np.array([0.16, 0.11, 0.14])
BROWSE_P_CHECKOUT = np.array([0.30, 0.20, 0.25])
REMOVE_FROM_CART_P = 0.18
COMPLEMENT_P = 0.6  # further basket item is a complement of the session's anchor product
POPULAR_PICK_P = 0.45  # product pick: Zipf popularity, else the customer's price band
ZIPF_EXPONENT = 1.05

# Seasonality: weights of Mon..Sun, of Jan..Dec, and local hour of day.
WEEKDAY_W = np.array([0.95, 0.95, 0.97, 1.0, 1.02, 1.08, 1.12])
MONTH_W = np.array([0.92, 0.9, 0.95, 0.95, 0.97, 0.95, 0.95, 0.93, 0.98, 1.02, 1.25, 1.3])
HOUR_W = np.array(
    [0.5, 0.3, 0.2, 0.15, 0.15, 0.25, 0.5, 1.0, 1.4, 1.5, 1.5, 1.6]
    + [1.8, 1.7, 1.5, 1.5, 1.6, 1.8, 2.1, 2.4, 2.5, 2.2, 1.6, 0.9]
)
HOUR_P = HOUR_W / HOUR_W.sum()

UA_DESKTOP = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.80",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/123.0.0.0 Safari/537.36",
]
UA_MOBILE = [
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.6367.82 Mobile Safari/537.36",
    "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/123.0.6312.99 Mobile Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) CriOS/124.0.6367.88 Mobile/15E148 Safari/604.1",
]
UA_TABLET = [
    "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.6367.82 Safari/537.36",
]
UA_BOTS = [
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
    "python-requests/2.31.0",
]
USER_AGENTS = UA_DESKTOP + UA_MOBILE + UA_TABLET + UA_BOTS
UA_BY_DEVICE = [
    np.arange(0, 5),
    np.arange(5, 9),
    np.arange(9, 11),
]
UA_BOT_CODES = np.arange(11, 14)

EVENT_TYPES = [
    "page_view",
    "product_view",
    "add_to_cart",
    "remove_from_cart",
    "begin_checkout",
    "purchase",
    "login",
    "search",
    "offer_impression",
    "offer_click",
]
(
    ET_PV,
    ET_PROD,
    ET_ADD,
    ET_REMOVE,
    ET_CHECKOUT,
    ET_PURCHASE,
    ET_LOGIN,
    ET_SEARCH,
    ET_IMP,
    ET_CLICK,
) = range(10)
# mean seconds since the previous event in the session, by event type
ET_GAP_SECONDS = np.array([30.0, 35.0, 20.0, 25.0, 30.0, 75.0, 25.0, 12.0, 1.5, 8.0])

# Session building blocks ("units"), in the order they appear within a session.
(
    U_LAND,
    U_LOGIN_EARLY,
    U_IMP,
    U_CLICK,
    U_SEARCH,
    U_CAT,
    U_VIEW,
    U_VIEWADD,
    U_REMOVE,
    U_LOGIN_CHECKOUT,
    U_CARTPV,
    U_CHECKOUT,
    U_PURCHASE,
    U_BOTPAGE,
    U_BOTPROD,
) = range(15)
N_UNITS = 15
UNIT_LEN = np.array([1, 1, 1, 1, 1, 1, 1, 2, 1, 1, 1, 1, 1, 1, 1])
UNIT_ET = np.array(
    [ET_PV, ET_LOGIN, ET_IMP, ET_CLICK, ET_SEARCH, ET_PV, ET_PROD, ET_PROD, ET_REMOVE, ET_LOGIN]
    + [ET_PV, ET_CHECKOUT, ET_PURCHASE, ET_PV, ET_PROD]
)

# session kinds
K_BROWSE, K_INTENT, K_CRAWLER, K_BURST = 0, 1, 2, 3
# visitor kinds
V_CUSTOMER, V_ANON, V_CRAWLER, V_BURST = 0, 1, 2, 3

# Product taxonomy: category -> sub-category -> [(leaf, median list price)]
TAXONOMY: dict[str, dict[str, list[tuple[str, float]]]] = {
    "electronics": {
        "audio": [("headphones", 90), ("speakers", 120), ("earbuds", 60)],
        "cameras": [
            ("digital_cameras", 520),
            ("memory_cards", 22),
            ("camera_bags", 45),
            ("tripods", 55),
        ],
        "phones": [("smartphones", 640), ("phone_cases", 16), ("chargers", 24)],
        "computers": [("laptops", 850), ("laptop_sleeves", 28), ("mice", 30), ("keyboards", 60)],
        "tv": [("televisions", 600), ("soundbars", 220)],
    },
    "fashion": {
        "womens": [("dresses", 55), ("tops", 28), ("jeans", 50)],
        "mens": [("shirts", 38), ("jackets", 95), ("chinos", 45)],
        "shoes": [("trainers", 75), ("boots", 110)],
        "accessories": [("belts", 25), ("scarves", 22), ("sunglasses", 60)],
    },
    "home": {
        "kitchen": [
            ("coffee_machines", 190),
            ("kettles", 40),
            ("cookware", 65),
            ("coffee_filters", 6),
        ],
        "furniture": [("lamps", 55), ("shelves", 80), ("cushions", 20)],
        "bedding": [("duvets", 70), ("pillows", 25), ("bed_sheets", 35)],
    },
    "beauty": {
        "skincare": [("moisturisers", 24), ("cleansers", 15), ("serums", 32)],
        "haircare": [("shampoo", 9), ("conditioner", 9), ("hair_dryers", 65)],
        "makeup": [("lipstick", 16), ("mascara", 14)],
    },
    "sports": {
        "running": [("running_shoes", 110), ("running_socks", 12), ("water_bottles", 15)],
        "camping": [("tents", 160), ("sleeping_bags", 70), ("camping_stoves", 45)],
        "fitness": [("yoga_mats", 28), ("dumbbells", 45), ("resistance_bands", 15)],
        "cycling": [("bike_helmets", 55), ("bike_lights", 25)],
    },
    "toys": {
        "games": [("board_games", 30), ("puzzles", 18), ("card_games", 12)],
        "building": [("building_sets", 45)],
        "outdoor": [("scooters", 70), ("balls", 12)],
        "baby": [("soft_toys", 18), ("rattles", 9)],
    },
    "books": {
        "fiction": [("crime", 10), ("fantasy", 12), ("romance", 9)],
        "non_fiction": [("cookbooks", 22), ("biography", 16), ("travel_guides", 15)],
        "children": [("picture_books", 8)],
    },
    "grocery": {
        "coffee": [("coffee_beans", 11), ("ground_coffee", 8)],
        "snacks": [("chocolate", 4), ("crisps", 3)],
        "pantry": [("olive_oil", 9), ("pasta", 3), ("sauces", 4)],
        "drinks": [("tea", 5), ("juice", 3)],
    },
}
CATEGORIES = list(TAXONOMY)
CATEGORY_SHARE = [48, 45, 35, 28, 36, 24, 19, 15]  # products per category out of 250
BRANDS = {
    "electronics": ["Voltra", "Sonix", "Pixelon", "Nordtek", "Auralis", "Kameo"],
    "fashion": ["Linea", "Harbour & Co", "Urbanthread", "Maison Vert", "Northfold"],
    "home": ["Casa Nova", "Hearth", "Oakridge", "Lumen"],
    "beauty": ["Glowry", "Pura", "Velvet Leaf", "Dermalux"],
    "sports": ["Stride", "Peakline", "Trailfox", "Corefit"],
    "toys": ["Tinker", "Brickly", "Playnest", "Wobble"],
    "books": ["Penrose Press", "Quill House", "Northern Books"],
    "grocery": ["Bean Bros", "Golden Grove", "Pantry Co", "Leafy"],
}
# complementary leaves: the k-th product of each leaf in a group forms one basket group
COMPLEMENT_GROUPS = [
    ("digital_cameras", "memory_cards", "camera_bags", "tripods"),
    ("smartphones", "phone_cases", "chargers"),
    ("laptops", "laptop_sleeves", "mice"),
    ("televisions", "soundbars"),
    ("tents", "sleeping_bags", "camping_stoves"),
    ("running_shoes", "running_socks", "water_bottles"),
    ("coffee_machines", "coffee_beans", "coffee_filters"),
    ("shampoo", "conditioner"),
    ("pasta", "sauces", "olive_oil"),
    ("bike_helmets", "bike_lights"),
    ("yoga_mats", "resistance_bands"),
]
OFFER_TYPES = ["bogo", "percentage_discount", "fixed_discount", "free_shipping"]
OFFER_TYPE_P = [0.15, 0.40, 0.25, 0.20]
OFFER_TYPE_CLICK = [1.2, 1.0, 0.9, 0.8]
CATEGORY_CLICK = [0.10, 0.13, 0.08, 0.12, 0.09, 0.08, 0.05, 0.06]

BAD_TIME_STRINGS = ["not-a-date", "2024-13-45 99:00:00"]  # third variant: empty


# =============================================================================================
# Configuration and public API
# =============================================================================================
@dataclasses.dataclass(frozen=True)
class GenerateConfig:
    out: Path = Path("seeds/bronze")
    layout: str = "seeds"  # seeds | landing
    format: str = "csv"  # csv | parquet
    customers: int = 4000
    anonymous_visitors: int | None = None  # None: 1.5 x customers
    days: int = 400
    start_date: dt.date = dt.date(2024, 1, 1)
    seed: int = 42
    progress: bool = False
    products: int = N_PRODUCTS
    offers: int = N_OFFERS

    @property
    def n_anonymous(self) -> int:
        if self.anonymous_visitors is None:
            return round(1.5 * self.customers)
        return self.anonymous_visitors


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--layout", choices=["seeds", "landing"], default="seeds")
    parser.add_argument(
        "--out", type=Path, default=None, help="output dir (seeds default: seeds/bronze)"
    )
    parser.add_argument("--format", choices=["csv", "parquet"], default="csv")
    parser.add_argument("--customers", type=cli.positive_int, default=4000)
    parser.add_argument(
        "--anonymous-visitors",
        type=cli.non_negative_int,
        default=None,
        help="visitors who never log in (default: 1.5 x customers)",
    )
    parser.add_argument("--days", type=cli.positive_int, default=400)
    parser.add_argument(
        "--start-date",
        type=cli.iso_date,
        default=dt.date(2024, 1, 1),
        help=f"first day (from {EARLIEST_START_DATE}; the last day by {LATEST_LAST_DATE})",
    )
    parser.add_argument("--seed", type=cli.non_negative_int, default=42)
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    out = args.out
    if out is None:
        if args.layout == "landing":
            raise cli.UserError("--out is required with --layout landing")
        out = Path("seeds/bronze")
    cfg = GenerateConfig(
        out=out,
        layout=args.layout,
        format=args.format,
        customers=args.customers,
        anonymous_visitors=args.anonymous_visitors,
        days=args.days,
        start_date=args.start_date,
        seed=args.seed,
        progress=not args.no_progress and sys.stderr.isatty(),
    )
    t = time.perf_counter()
    rows = generate(cfg)
    secs = time.perf_counter() - t
    for table, n in rows.items():
        print(f"{table:16s} {n:>12,d} rows")
    print(f"wrote {cfg.layout} layout ({cfg.format}) to {cfg.out} in {secs:.1f}s")
    return 0


def generate(config: GenerateConfig | Mapping[str, Any]) -> dict[str, int]:
    """Generate all tables as described by ``config``; returns rows written per table."""
    cfg = config if isinstance(config, GenerateConfig) else _config_from_mapping(config)
    if cfg.layout not in ("seeds", "landing"):
        raise ValueError(f"unknown layout {cfg.layout!r}")
    if cfg.format not in ("csv", "parquet"):
        raise ValueError(f"unknown format {cfg.format!r}")
    if cfg.customers < 1 or cfg.days < 1 or cfg.n_anonymous < 0 or cfg.seed < 0:
        raise ValueError("customers and days must be >= 1, anonymous_visitors and seed >= 0")
    check_calendar(cfg.start_date, cfg.days)
    return _Generator(cfg).run()


def check_calendar(start_date: dt.date, days: int) -> None:
    """Raise ``UserError`` unless the days ``start_date`` .. ``start_date + days - 1`` lie
    within ``EARLIEST_START_DATE`` .. ``LATEST_LAST_DATE``."""
    if start_date < EARLIEST_START_DATE:
        raise cli.UserError(
            f"--start-date must be {EARLIEST_START_DATE} or later, got {start_date}"
        )
    if days - 1 > (LATEST_LAST_DATE - start_date).days:
        raise cli.UserError(
            f"{days} days from --start-date {start_date} end after {LATEST_LAST_DATE}, "
            "the last day the generator writes"
        )


def _config_from_mapping(m: Mapping[str, Any]) -> GenerateConfig:
    kw = {k.replace("-", "_"): v for k, v in m.items()}
    if "out" in kw:
        kw["out"] = Path(kw["out"])
    if isinstance(kw.get("start_date"), str):
        kw["start_date"] = dt.date.fromisoformat(kw["start_date"])
    return GenerateConfig(**kw)


# =============================================================================================
# Helpers
# =============================================================================================
def _rng(seed: int, *keys: int) -> np.random.Generator:
    return np.random.default_rng([seed, *keys])


def _segment_positions(counts: np.ndarray) -> np.ndarray:
    """Position of each element within its segment when segments have ``counts`` lengths."""
    counts = np.asarray(counts, dtype=np.int64)
    total = int(counts.sum())
    starts = np.cumsum(counts) - counts
    return np.arange(total, dtype=np.int64) - np.repeat(starts, counts)


def _splitmix64(x: np.ndarray) -> np.ndarray:
    """Bijective 64-bit mixer (splitmix64 finaliser): distinct inputs give distinct ids."""
    z = x.astype(np.uint64)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def _variants(value: str) -> list[str]:
    """Five dirty spellings of a categorical value: case changes and stray spaces."""
    if value.isupper():
        low = value.lower()
        return [low, f" {value} ", value.capitalize(), f"{value} ", f" {low}"]
    title = "_".join(p.capitalize() for p in value.split("_"))
    return [value.upper(), f" {title} ", title, f"{value} ", f" {value.upper()}"]


VARIANT_STRIDE = 6  # code = value_index * 6 + k; k = 0 clean, 1..5 dirty


def _vocab(values: list[str]) -> list[str]:
    """Clean values each followed by their dirty variants."""
    out: list[str] = []
    for v in values:
        out += [v, *_variants(v)]
    return out


def _dirty(rng: np.random.Generator, base: np.ndarray, rate: float) -> np.ndarray:
    """Vocabulary codes for ``base`` values, a ``rate`` share of them dirty; -1 stays null."""
    code = base.astype(np.int64) * VARIANT_STRIDE
    d = rng.random(base.size) < rate
    code = np.where(d, code + rng.integers(1, VARIANT_STRIDE, base.size), code)
    return np.where(base < 0, -1, code)


def _money(cents: np.ndarray) -> np.ndarray:
    return np.array([f"{c / 100:.2f}" for c in cents.tolist()], dtype=object)


def _iso_ms(ms: np.ndarray) -> np.ndarray:
    s = np.datetime_as_string(np.asarray(ms, dtype="datetime64[ms]"), unit="ms")
    return np.char.add(s.astype(str), "Z").astype(object)


# =============================================================================================
# Catalog: products and offers
# =============================================================================================
@dataclasses.dataclass
class _Catalog:
    n: int
    category: np.ndarray  # int, index into CATEGORIES
    leaf: np.ndarray  # int, index into leaf_names
    leaf_names: list[str]
    price: np.ndarray  # cents
    cdf: np.ndarray  # popularity CDF (Zipf); bad-price products have zero weight
    by_price: np.ndarray  # sellable product indices sorted by price
    group: np.ndarray  # basket group per product, -1 when none
    group_members: np.ndarray  # (groups, max_size), -1 padded
    group_size: np.ndarray
    frame: dict[str, np.ndarray]  # the raw_products columns


def _build_catalog(cfg: GenerateConfig) -> _Catalog:
    rng = _rng(cfg.seed, 1)
    n = cfg.products
    share = np.array(CATEGORY_SHARE, dtype=float)
    raw = share / share.sum() * n
    per_cat = np.floor(raw).astype(int)
    per_cat[np.argsort(-(raw - per_cat), kind="stable")[: n - per_cat.sum()]] += 1

    leaf_names: list[str] = []
    leaf_path: list[str] = []
    leaf_median: list[float] = []
    leaf_cat: list[int] = []
    for ci, (cat, subs) in enumerate(TAXONOMY.items()):
        for sub, leaves in subs.items():
            for leaf, median in leaves:
                leaf_names.append(leaf)
                leaf_path.append(f"{cat}.{sub}.{leaf}")
                leaf_median.append(median)
                leaf_cat.append(ci)
    leaf_cat_arr = np.array(leaf_cat)

    cat_of = np.empty(n, dtype=np.int64)
    leaf_of = np.empty(n, dtype=np.int64)
    rank_in_leaf = np.empty(n, dtype=np.int64)
    i = 0
    for ci in range(len(CATEGORIES)):
        leaves = np.flatnonzero(leaf_cat_arr == ci)
        for k in range(per_cat[ci]):
            cat_of[i] = ci
            leaf_of[i] = leaves[k % len(leaves)]
            rank_in_leaf[i] = k // len(leaves)
            i += 1

    median = np.array(leaf_median)[leaf_of]
    price = median * np.exp(rng.normal(0.0, 0.35, n))
    cents = np.maximum(np.round(price), 1).astype(np.int64) * 100 - 1
    weight = 1.0 / (rng.permutation(n) + 1.0) ** ZIPF_EXPONENT

    # complementary basket groups: k-th product of each leaf of a COMPLEMENT_GROUPS entry
    leaf_index = {name: j for j, name in enumerate(leaf_names)}
    group = np.full(n, -1, dtype=np.int64)
    members: list[list[int]] = []
    for leaves in COMPLEMENT_GROUPS:
        ids = [leaf_index[x] for x in leaves]
        for k in range(int(rank_in_leaf.max()) + 1):
            m = [
                int(np.flatnonzero((leaf_of == j) & (rank_in_leaf == k))[0])
                for j in ids
                if np.any((leaf_of == j) & (rank_in_leaf == k))
            ]
            if len(m) >= 2:
                group[m] = len(members)
                weight[m[0]] *= 2.0  # the group's lead product (camera, phone, ...) sells well
                members.append(m)
    size = max((len(m) for m in members), default=1)
    gm = np.full((max(len(members), 1), size), -1, dtype=np.int64)
    for g, m in enumerate(members):
        gm[g, : len(m)] = m
    gsize = np.array([len(m) for m in members] or [1])

    # two products with a broken list price (never sold or shown in events)
    bad = rng.choice(np.flatnonzero(group < 0), size=2, replace=False)
    cents[bad[0]] = 0
    cents[bad[1]] = -cents[bad[1]]
    weight[bad] = 0.0
    cdf = np.cumsum(weight) / weight.sum()
    sellable = np.flatnonzero(weight > 0)
    by_price = sellable[np.argsort(cents[sellable], kind="stable")]

    brand_pick = rng.random(n)
    names, brands = [], []
    models = rng.integers(1, 10, n) * 100 + rng.integers(0, 10, n) * 10
    letters = rng.integers(0, 6, n)
    for j in range(n):
        cat = CATEGORIES[cat_of[j]]
        leaf_title = leaf_names[leaf_of[j]].replace("_", " ").title()
        model = f"{'ASXKMR'[letters[j]]}{models[j]}"
        if brand_pick[j] < 0.10:
            brands.append(None)
            names.append(f"{leaf_title} {model}")
        else:
            b = BRANDS[cat][int(brand_pick[j] * 1000) % len(BRANDS[cat])]
            brands.append(b)
            names.append(f"{b} {leaf_title} {model}")
    frame = {
        "product_id": np.array([f"P{j + 1:05d}" for j in range(n)], dtype=object),
        "product_name": np.array(names, dtype=object),
        "category": np.array([CATEGORIES[c] for c in cat_of], dtype=object),
        "category_path": np.array([leaf_path[x] for x in leaf_of], dtype=object),
        "brand": np.array(brands, dtype=object),
        "list_price": _money(cents),
    }
    return _Catalog(
        n=n,
        category=cat_of,
        leaf=leaf_of,
        leaf_names=leaf_names,
        price=cents,
        cdf=cdf,
        by_price=by_price,
        group=group,
        group_members=gm,
        group_size=gsize,
        frame=frame,
    )


def _pick_products(rng: np.random.Generator, cat: _Catalog, u: np.ndarray) -> np.ndarray:
    """Zipf-popular product or one in the visitor's price band (u = price quantile)."""
    k = u.size
    popular = np.minimum(np.searchsorted(cat.cdf, rng.random(k), side="right"), cat.n - 1)
    q = np.clip(u + rng.normal(0.0, 0.12, k), 0.0, 0.999999)
    banded = cat.by_price[(q * cat.by_price.size).astype(np.int64)]
    return np.where(rng.random(k) < POPULAR_PICK_P, popular, banded)


def _complements(rng: np.random.Generator, cat: _Catalog, anchor: np.ndarray) -> np.ndarray:
    """A random other member of the anchor's basket group, -1 when it has none."""
    g = cat.group[anchor]
    has = g >= 0
    gi = np.where(has, g, 0)
    size = cat.group_size[gi]
    j = (rng.random(anchor.size) * size).astype(np.int64)
    m = cat.group_members[gi, j]
    m = np.where(m == anchor, cat.group_members[gi, (j + 1) % size], m)
    return np.where(has, m, -1)


@dataclasses.dataclass
class _Offers:
    n: int
    category: np.ndarray
    discount: np.ndarray  # cents
    min_spend: np.ndarray  # cents
    is_free_shipping: np.ndarray
    click_p: np.ndarray  # base click probability per impression
    redeem_p: np.ndarray
    valid: np.ndarray  # (days, max_valid) offer indices valid that day, -1 padded
    valid_count: np.ndarray
    frame: dict[str, np.ndarray]


def _build_offers(cfg: GenerateConfig) -> _Offers:
    rng = _rng(cfg.seed, 2)
    n = cfg.offers
    cat = rng.integers(0, len(CATEGORIES), n)
    typ = rng.choice(len(OFFER_TYPES), n, p=OFFER_TYPE_P)
    start = rng.integers(-14, max(cfg.days - 14, 1), n)
    length = rng.integers(2, 13, n) * 7
    min_spend = rng.integers(4, 31, n) * 500  # 20.00 - 150.00
    fs = typ == 3
    min_spend[fs] = rng.integers(3, 10, fs.sum()) * 500  # 15.00 - 45.00
    pct = rng.choice([10, 15, 20, 25, 30], n)
    discount = np.select(
        [typ == 0, typ == 1, typ == 2, typ == 3],
        [
            np.round(min_spend * 0.35 / 100) * 100,
            np.round(min_spend * pct / 100),
            np.minimum(rng.integers(1, 6, n) * 500, np.round(min_spend * 0.4 / 100) * 100),
            np.full(n, SHIPPING_FEE_CENTS),
        ],
    ).astype(np.int64)
    ratio = discount / min_spend
    click = np.array(CATEGORY_CLICK)[cat] * np.array(OFFER_TYPE_CLICK)[typ] * (0.6 + 2.5 * ratio)
    redeem = np.clip(0.3 + 1.5 * ratio, 0.2, 0.85)
    names = []
    for i in range(n):
        c = CATEGORIES[cat[i]].capitalize()
        ms, dv = min_spend[i] / 100, discount[i] / 100
        names.append(
            [
                f"{c}: buy one get one free over {ms:.0f}",
                f"{c}: {pct[i]}% off over {ms:.0f} (max {dv:.2f})",
                f"{c}: {dv:.0f} off over {ms:.0f}",
                f"{c}: free shipping over {ms:.0f}",
            ][typ[i]]
        )
    t0 = np.datetime64(cfg.start_date)
    vf = t0 + start.astype("timedelta64[D]")
    vt = vf + (length - 1).astype("timedelta64[D]")
    days = np.arange(cfg.days)
    ok = (start[None, :] <= days[:, None]) & (days[:, None] <= (start + length - 1)[None, :])
    count = ok.sum(1)
    width = max(int(count.max()), 1)
    valid = np.full((cfg.days, width), -1, dtype=np.int64)
    for d in np.flatnonzero(count):
        idx = np.flatnonzero(ok[d])
        valid[d, : idx.size] = idx
    frame = {
        "offer_id": np.array([f"OFF{i + 1:03d}" for i in range(n)], dtype=object),
        "offer_name": np.array(names, dtype=object),
        "offer_category": np.array([CATEGORIES[c] for c in cat], dtype=object),
        "offer_type": np.array([OFFER_TYPES[t] for t in typ], dtype=object),
        "discount_value": _money(discount),
        "min_spend": _money(min_spend),
        "valid_from": np.datetime_as_string(vf).astype(object),
        "valid_to": np.datetime_as_string(vt).astype(object),
    }
    return _Offers(
        n=n,
        category=cat,
        discount=discount,
        min_spend=min_spend,
        is_free_shipping=fs,
        click_p=click,
        redeem_p=redeem,
        valid=valid,
        valid_count=count,
        frame=frame,
    )


# =============================================================================================
# Population and session plan
# =============================================================================================
def _day_weights(start: dt.date, days: int) -> np.ndarray:
    d64 = np.datetime64(start) + np.arange(days).astype("timedelta64[D]")
    weekday = (d64.astype("datetime64[D]").astype(np.int64) + 3) % 7  # 1970-01-01 was a Thu
    month = d64.astype("datetime64[M]").astype(np.int64) % 12
    w = WEEKDAY_W[weekday] * MONTH_W[month]
    end = start + dt.timedelta(days=days)
    for year in range(start.year, end.year + 1):
        nov1 = dt.date(year, 11, 1)
        black_friday = nov1 + dt.timedelta(days=(4 - nov1.weekday()) % 7 + 21)
        for k in range(-1, 4):  # Thursday .. Cyber Monday
            j = (black_friday + dt.timedelta(days=k) - start).days
            if 0 <= j < days:
                w[j] *= 1.7
        for day in (24, 25, 26):
            j = (dt.date(year, 12, day) - start).days
            if 0 <= j < days:
                w[j] *= 0.6
    w = w * (1.0 + 0.15 * np.arange(days) / 365.0)  # slow growth
    return w / w.mean()


@dataclasses.dataclass
class _World:
    cfg: GenerateConfig
    t0: int  # window start, ms
    t_end: int
    catalog: _Catalog
    offers: _Offers
    # customers
    n_customers: int
    customer_frame: dict[str, np.ndarray]
    customer_row_ms: np.ndarray  # updated_time of each customer row (for landing/ordering)
    spend: np.ndarray
    # visitors
    vis_kind: np.ndarray
    vis_owner: np.ndarray
    vis_device: np.ndarray
    vis_country: np.ndarray
    vis_ua: np.ndarray
    vis_hex: np.ndarray
    vis_u: np.ndarray
    # sessions, sorted by start
    s_start: np.ndarray
    s_vis: np.ndarray
    s_kind: np.ndarray
    s_depth: np.ndarray
    s_anchor: np.ndarray
    s_research: np.ndarray
    s_mode: np.ndarray  # 0 anonymous, 1 identified, 2 login early, 3 login at checkout
    s_source: np.ndarray
    s_recency: np.ndarray  # days since the previous session of the same person


def _build_world(cfg: GenerateConfig, catalog: _Catalog, offers: _Offers) -> _World:
    t0 = int(np.datetime64(cfg.start_date, "ms").astype(np.int64))
    days = cfg.days
    t_end = t0 + days * DAY_MS
    w = _day_weights(cfg.start_date, days)
    cum = np.concatenate([[0.0], np.cumsum(w)])  # operational time at day boundaries
    grid = np.arange(days + 1, dtype=float)
    tz_ms = np.array(COUNTRY_TZ_MIN, dtype=np.int64) * 60_000

    def tau_to_day(tau: np.ndarray) -> np.ndarray:
        return np.interp(tau, cum, grid)

    def ms_to_tau(ms: np.ndarray) -> np.ndarray:
        return np.interp((ms - t0) / DAY_MS, grid, cum)

    def local_time_ms(rng: np.random.Generator, day: np.ndarray, country: np.ndarray):
        hour = rng.choice(24, day.size, p=HOUR_P)
        ms = (hour * 3600 + rng.random(day.size) * 3600) * 1000
        return t0 + day.astype(np.int64) * DAY_MS + ms.astype(np.int64) - tz_ms[country]

    # ---------------------------------------------------------------- customers
    rng = _rng(cfg.seed, 3)
    n = cfg.customers
    pre = rng.random(n) < PRE_WINDOW_SIGNUP_SHARE
    gw = w * np.linspace(0.7, 1.3, days)
    gcum = np.concatenate([[0.0], np.cumsum(gw)])
    sday = np.where(
        pre,
        -rng.integers(1, 366, n),
        np.floor(np.interp(rng.random(n) * gcum[-1], gcum, grid)).astype(np.int64),
    )
    sday = np.minimum(sday, days - 1)
    country = rng.choice(len(COUNTRIES), n, p=COUNTRY_P)
    signup_ms = local_time_ms(rng, sday, country)
    order = np.argsort(signup_ms, kind="stable")
    signup_ms, country = signup_ms[order], country[order]
    age = np.clip(np.round(rng.normal(38, 13, n)), 18, 85).astype(np.int64)
    birth_year = cfg.start_date.year - age
    gender = rng.choice(3, n, p=GENDER_P)
    channel = rng.choice(len(CHANNELS), n, p=CHANNEL_P)
    status = rng.choice(len(SUBSCRIPTIONS), n, p=SUBSCRIPTION_P)
    lam = rng.gamma(BGNBD_R, 1.0 / BGNBD_ALPHA, n)
    p_drop = rng.beta(BGNBD_A, BGNBD_B, n)
    spend = rng.gamma(SPEND_SHAPE, 1.0 / SPEND_SHAPE, n)
    u_price = (np.argsort(np.argsort(spend, kind="stable"), kind="stable") + 0.5) / n
    u_price = np.clip(0.15 + 0.85 * u_price + rng.normal(0, 0.05, n), 0, 1)
    mu = rng.gamma(BROWSE_BASE_SHAPE, BROWSE_BASE_MEAN / BROWSE_BASE_SHAPE, n)
    mu = mu + BROWSE_PER_PURCHASE_RATE * lam
    second = rng.random(n) < SECOND_DEVICE_SHARE

    # updated versions of some customers
    active_from = np.maximum(signup_ms, t0)
    room = t_end - active_from > 2 * DAY_MS
    upd = room & (rng.random(n) < UPDATED_CUSTOMER_SHARE)
    upd_ms = active_from + DAY_MS + (rng.random(n) * (t_end - active_from - 2 * DAY_MS))
    upd_ms = upd_ms.astype(np.int64)
    next_status = np.array(
        [SUBSCRIPTION_NEXT[s][rng.integers(len(SUBSCRIPTION_NEXT[s]))] for s in status.tolist()]
    )
    cust_rows = np.concatenate([np.arange(n), np.flatnonzero(upd)])
    row_ms = np.concatenate([signup_ms, upd_ms[upd]])
    row_status = np.concatenate([status, next_status[upd]])
    ro = np.lexsort((cust_rows, row_ms))
    cust_rows, row_ms, row_status = cust_rows[ro], row_ms[ro], row_status[ro]
    m = cust_rows.size
    by = birth_year[cust_rows].astype(object).astype(str).astype(object)
    bad_by = rng.random(m) < DEFECT_RATES["customers.bad_birth_year"]
    kind_by = rng.integers(0, 3, m)
    by = np.where(bad_by & (kind_by == 0), rng.integers(1890, 1911, m).astype(str), by)
    by = np.where(bad_by & (kind_by == 1), rng.integers(2026, 2032, m).astype(str), by)
    by = np.where(bad_by & (kind_by == 2), None, by).astype(object)
    cid = np.array([f"C{c + 1:06d}" for c in cust_rows.tolist()], dtype=object)
    cid[rng.random(m) < DEFECT_RATES["customers.empty_customer_id"]] = None
    customer_frame = {
        "customer_id": cid,
        "signup_time": _iso_ms(signup_ms[cust_rows]),
        "birth_year": by,
        "gender": np.array(GENDERS, dtype=object)[gender[cust_rows]],
        "country": np.array(COUNTRIES, dtype=object)[country[cust_rows]],
        "acquisition_channel": np.array(CHANNELS, dtype=object)[channel[cust_rows]],
        "subscription_status": np.array(SUBSCRIPTIONS, dtype=object)[row_status],
        "updated_time": _iso_ms(row_ms),
    }

    # ---------------------------------------------------------------- visitors
    rng = _rng(cfg.seed, 4)
    n_anon = cfg.n_anonymous
    prim_dev = rng.choice(3, n, p=DEVICE_P_CUSTOMER)
    sec_dev = (prim_dev + rng.integers(1, 3, n)) % 3
    sec_owner = np.flatnonzero(second)
    anon_dev = rng.choice(3, n_anon, p=DEVICE_P_ANON)
    n_human = n + sec_owner.size + n_anon
    share = DEFECT_RATES["events.bot_visitor_share"]
    n_bots = max(1, round(share / (1 - share) * n_human))
    bot_kind = np.where(np.arange(n_bots) % 2 == 0, V_CRAWLER, V_BURST)
    vis_kind = np.concatenate(
        [np.full(n + sec_owner.size, V_CUSTOMER), np.full(n_anon, V_ANON), bot_kind]
    )
    vis_owner = np.concatenate([np.arange(n), sec_owner, np.full(n_anon + n_bots, -1)])
    vis_device = np.concatenate([prim_dev, sec_dev[sec_owner], anon_dev, np.zeros(n_bots, int)])
    vis_country = np.concatenate(
        [
            country,
            country[sec_owner],
            rng.choice(len(COUNTRIES), n_anon, p=COUNTRY_P),
            rng.choice(len(COUNTRIES), n_bots, p=COUNTRY_P),
        ]
    )
    nv = vis_kind.size
    ua = np.empty(nv, dtype=np.int64)
    for d in range(3):
        sel = vis_device == d
        ua[sel] = rng.choice(UA_BY_DEVICE[d], sel.sum())
    crawler = vis_kind == V_CRAWLER
    ua[crawler] = rng.choice(UA_BOT_CODES, crawler.sum())
    hexes = rng.integers(0, 2**48, nv, dtype=np.uint64)
    while np.unique(hexes).size < nv:  # practically never; keeps ids unique
        _, first = np.unique(hexes, return_index=True)
        dup = np.setdiff1d(np.arange(nv), first)
        hexes[dup] = rng.integers(0, 2**48, dup.size, dtype=np.uint64)
    vis_u = np.concatenate([u_price, u_price[sec_owner], rng.random(n_anon), rng.random(n_bots)])
    primary_vis = np.arange(n)
    secondary_vis = np.full(n, -1)
    secondary_vis[sec_owner] = n + np.arange(sec_owner.size)

    # ---------------------------------------------------------------- sessions
    rng = _rng(cfg.seed, 5)
    tau_end = cum[-1]
    tau_signup = ms_to_tau(np.clip(signup_ms, t0, t_end))
    in_window = signup_ms >= t0
    first_seen = np.where(in_window, np.maximum(tau_signup - rng.exponential(6.0, n), 0.0), 0.0)
    second_start = np.minimum(tau_signup + rng.exponential(40.0, n), tau_end)

    # BG/NBD purchase intents, simulated in operational time
    t = tau_signup.copy()
    death = np.full(n, np.inf)
    ids = np.arange(n)
    i_cust, i_tau, i_vis, i_depth = [], [], [], []
    while ids.size:
        t[ids] += np.maximum(rng.exponential(1.0 / lam[ids]), MIN_INTENT_GAP_DAYS)
        ids = ids[t[ids] < tau_end]
        if not ids.size:
            break
        k = ids.size
        use_sec = (
            (secondary_vis[ids] >= 0)
            & (t[ids] >= second_start[ids])
            & (rng.random(k) < SECOND_DEVICE_SESSION_SHARE)
        )
        v = np.where(use_sec, secondary_vis[ids], primary_vis[ids])
        dev, ctry = vis_device[v], vis_country[v]
        cf = np.array(COUNTRY_CONVERSION)[ctry]
        r = rng.random((k, 3))
        depth = 1 + (r[:, 0] < INTENT_P_CART[dev])
        depth = depth + ((depth == 2) & (r[:, 1] < np.minimum(INTENT_P_CHECKOUT[dev] * cf, 0.99)))
        depth = depth + ((depth == 3) & (r[:, 2] < np.minimum(INTENT_P_PURCHASE[dev] * cf, 0.99)))
        i_cust.append(ids.copy())
        i_tau.append(t[ids].copy())
        i_vis.append(v)
        i_depth.append(depth)
        drop = (depth == 4) & (rng.random(k) < p_drop[ids])
        death[ids[drop]] = t[ids[drop]]
        ids = ids[~drop]
    i_cust_a = np.concatenate(i_cust) if i_cust else np.zeros(0, np.int64)
    i_tau_a = np.concatenate(i_tau) if i_tau else np.zeros(0)
    i_vis_a = np.concatenate(i_vis) if i_vis else np.zeros(0, np.int64)
    i_depth_a = np.concatenate(i_depth) if i_depth else np.zeros(0, np.int64)
    i_anchor = _pick_products(rng, catalog, u_price[i_cust_a])

    def poisson_times(owner, a, b, rate):
        length = np.maximum(b - a, 0.0)
        cnt = rng.poisson(rate * length)
        o = np.repeat(owner, cnt)
        tt = np.repeat(a, cnt) + rng.random(o.size) * np.repeat(length, cnt)
        return o, tt

    parts_vis, parts_ms, parts_kind = [], [], []
    parts_depth, parts_anchor, parts_research = [], [], []

    def add(vis, day=None, ms=None, kind=K_BROWSE, depth=None, anchor=None, research=None):
        k = vis.size
        if ms is None:
            ms = local_time_ms(rng, day, vis_country[vis])
        parts_vis.append(vis)
        parts_ms.append(ms)
        parts_kind.append(np.full(k, kind))
        parts_depth.append(np.full(k, -1) if depth is None else depth)
        parts_anchor.append(np.full(k, -1) if anchor is None else anchor)
        parts_research.append(np.zeros(k, bool) if research is None else research)

    # browsing sessions of customers: primary and secondary device, alive and lapsed
    share_p = np.where(second, 1 - SECOND_DEVICE_SESSION_SHARE, 1.0)
    alive_end = np.minimum(death, tau_end)
    for owner_vis, a, rate in (
        (primary_vis, first_seen, mu * share_p),
        (secondary_vis, second_start, mu * SECOND_DEVICE_SESSION_SHARE),
    ):
        ok = owner_vis >= 0
        c = np.flatnonzero(ok)
        o, tt = poisson_times(c, a[c], alive_end[c], rate[c])
        add(owner_vis[o], day=np.floor(tau_to_day(tt)))
        o, tt = poisson_times(
            c,
            np.maximum(a[c], alive_end[c]),
            np.full(c.size, tau_end),
            rate[c] * LAPSED_BROWSE_FACTOR,
        )
        add(owner_vis[o], day=np.floor(tau_to_day(tt)))
    # signup sessions (account created; the visitor logs in)
    c = np.flatnonzero(in_window & (signup_ms < t_end))
    add(primary_vis[c], ms=signup_ms[c])
    # purchase intents; a research session some days before views the product
    i_day = np.floor(tau_to_day(i_tau_a)).astype(np.int64)
    i_ms = local_time_ms(rng, i_day, vis_country[i_vis_a])
    floor_ms = np.maximum(signup_ms[i_cust_a], t0) + 600_000
    i_ms = np.where(
        i_ms < floor_ms, floor_ms + (rng.random(i_ms.size) * 3 * HOUR_MS).astype(np.int64), i_ms
    )
    add(i_vis_a, ms=i_ms, kind=K_INTENT, depth=i_depth_a, anchor=i_anchor)
    rs = rng.random(i_ms.size) < RESEARCH_SESSION_P
    r_day = i_day[rs] - rng.integers(1, 5, rs.sum())
    add(i_vis_a[rs], day=r_day, anchor=i_anchor[rs], research=np.ones(rs.sum(), bool))
    # anonymous visitors
    av = n + sec_owner.size + np.arange(n_anon)
    cnt = 1 + rng.geometric(1 - ANON_EXTRA_SESSIONS_P, n_anon) - 1
    first = rng.random(n_anon) * tau_end
    gaps = rng.exponential(ANON_SESSION_GAP_DAYS, cnt.sum())
    gaps[np.cumsum(cnt) - cnt] = 0.0
    cs = np.cumsum(gaps)
    tt = np.repeat(first, cnt) + cs - np.repeat(cs[np.cumsum(cnt) - cnt], cnt)
    o = np.repeat(av, cnt)
    keep = tt < tau_end
    add(o[keep], day=np.floor(tau_to_day(tt[keep])))
    # bots
    bv = n_human + np.arange(n_bots)
    cnt = 1 + rng.poisson(1.0, n_bots)
    o = np.repeat(bv, cnt)
    kinds = np.where(vis_kind[o] == V_CRAWLER, K_CRAWLER, K_BURST)
    ms = local_time_ms(rng, rng.integers(0, days, o.size), vis_country[o])
    for kk in (K_CRAWLER, K_BURST):
        add(o[kinds == kk], ms=ms[kinds == kk], kind=kk)

    s_vis = np.concatenate(parts_vis).astype(np.int64)
    s_ms = np.concatenate(parts_ms).astype(np.int64)
    s_kind = np.concatenate(parts_kind).astype(np.int8)
    s_depth = np.concatenate(parts_depth).astype(np.int8)
    s_anchor = np.concatenate(parts_anchor).astype(np.int64)
    s_research = np.concatenate(parts_research)
    keep = (s_ms >= t0) & (s_ms < t_end)
    s_vis, s_ms, s_kind, s_depth, s_anchor, s_research = (
        x[keep] for x in (s_vis, s_ms, s_kind, s_depth, s_anchor, s_research)
    )

    # sessions of one visitor at least MIN_SESSION_GAP_MS apart: drop colliding browsing
    # sessions, push colliding purchase sessions later
    for _ in range(20):
        o = np.lexsort((s_ms, s_vis))
        s_vis, s_ms, s_kind, s_depth, s_anchor, s_research = (
            x[o] for x in (s_vis, s_ms, s_kind, s_depth, s_anchor, s_research)
        )
        same = s_vis[1:] == s_vis[:-1]
        bad = np.flatnonzero(same & (s_ms[1:] - s_ms[:-1] < MIN_SESSION_GAP_MS))
        if not bad.size:
            break
        drop = np.zeros(s_ms.size, bool)
        later, earlier = bad + 1, bad
        drop_later = s_kind[later] != K_INTENT
        drop[later[drop_later]] = True
        drop_earlier = ~drop_later & (s_kind[earlier] != K_INTENT)
        drop[earlier[drop_earlier]] = True
        both = later[~drop_later & ~drop_earlier]
        s_ms[both] = (
            s_ms[both - 1]
            + MIN_SESSION_GAP_MS
            + (rng.random(both.size) * 4 * HOUR_MS).astype(np.int64)
        )
        keep = ~drop & (s_ms < t_end)
        s_vis, s_ms, s_kind, s_depth, s_anchor, s_research = (
            x[keep] for x in (s_vis, s_ms, s_kind, s_depth, s_anchor, s_research)
        )
    o = np.lexsort((s_ms, s_vis))
    s_vis, s_ms, s_kind, s_depth, s_anchor, s_research = (
        x[o] for x in (s_vis, s_ms, s_kind, s_depth, s_anchor, s_research)
    )
    ns = s_ms.size

    # identity: first session of a customer visitor at/after signup logs in; later ones are
    # identified (some start anonymous again and log in)
    owner = vis_owner[s_vis]
    is_c = owner >= 0
    threshold = np.where(
        is_c, np.maximum(signup_ms[np.maximum(owner, 0)], t0), np.iinfo(np.int64).max
    )
    post = is_c & (s_ms >= threshold)
    prev_same = np.concatenate([[False], s_vis[1:] == s_vis[:-1]])
    prev_post = np.concatenate([[False], post[:-1]]) & prev_same
    login_session = post & ~prev_post
    relogin = post & prev_post & (rng.random(ns) < RELOGIN_P)
    needs_login = login_session | relogin
    at_checkout = (s_kind == K_INTENT) & (s_depth >= 3) & (rng.random(ns) < 0.5)
    mode = np.where(post, 1, 0)
    mode = np.where(needs_login, np.where(at_checkout, 3, 2), mode).astype(np.int8)

    # recency (days since the person's previous session) and traffic source
    person = np.where(is_c, owner, n + s_vis)
    o = np.lexsort((s_ms, person))
    rec = np.full(ns, 999.0)
    same = person[o][1:] == person[o][:-1]
    gap_days = (s_ms[o][1:] - s_ms[o][:-1]) / DAY_MS
    rec[o[1:][same]] = gap_days[same]
    first_of_person = np.ones(ns, bool)
    first_of_person[o[1:][same]] = False
    src = np.where(
        is_c,
        rng.choice(len(SOURCES), ns, p=SOURCE_P_CUSTOMER),
        rng.choice(len(SOURCES), ns, p=SOURCE_P_ANON),
    )
    src_of_channel = np.array([SOURCES.index(c) for c in CHANNELS])
    src = np.where(is_c & first_of_person, src_of_channel[channel[np.maximum(owner, 0)]], src)
    bot = s_kind >= K_CRAWLER
    src = np.where(bot, np.where(s_kind == K_CRAWLER, 0, 5), src)

    o = np.lexsort((s_vis, s_ms))
    return _World(
        cfg=cfg,
        t0=t0,
        t_end=t_end,
        catalog=catalog,
        offers=offers,
        n_customers=n,
        customer_frame=customer_frame,
        customer_row_ms=row_ms,
        spend=spend,
        vis_kind=vis_kind,
        vis_owner=vis_owner,
        vis_device=vis_device,
        vis_country=vis_country,
        vis_ua=ua,
        vis_hex=hexes,
        vis_u=vis_u,
        s_start=s_ms[o],
        s_vis=s_vis[o],
        s_kind=s_kind[o],
        s_depth=s_depth[o],
        s_anchor=s_anchor[o],
        s_research=s_research[o],
        s_mode=mode[o],
        s_source=src[o].astype(np.int8),
        s_recency=rec[o].astype(np.float32),
    )


# =============================================================================================
# Day-by-day expansion of sessions into events, orders and order lines
# =============================================================================================
P_HOME, P_CART, P_CHECKOUT, P_COMPLETE, P_LOGIN, P_CAT0 = range(6)


def _paths(catalog: _Catalog, offers: _Offers) -> list[str]:
    fixed = ["/", "/cart", "/checkout", "/checkout/complete", "/account/login"]
    cats = [f"/c/{c}" for c in CATEGORIES]
    prods = [f"/p/P{j + 1:05d}" for j in range(catalog.n)]
    search = [f"/search?q={leaf.replace('_', '+')}" for leaf in catalog.leaf_names]
    offer = [f"/offers/OFF{j + 1:03d}" for j in range(offers.n)]
    return fixed + cats + prods + search + offer


class _DayExpander:
    """Turns the sessions that start on one day into event/order/line column arrays."""

    def __init__(self, world: _World) -> None:
        self.w = world
        self.cat = world.catalog
        self.off = world.offers
        self.p_prod0 = P_CAT0 + len(CATEGORIES)
        self.p_search0 = self.p_prod0 + self.cat.n
        self.p_offer0 = self.p_search0 + len(self.cat.leaf_names)
        self.tz_min = np.array(COUNTRY_TZ_MIN, dtype=np.int64)
        self.n_events = 0  # real events so far (event_id counter)
        self.n_orders = 0
        self.seed_key = np.uint64(_splitmix64(np.array([world.cfg.seed + 12345]))[0])
        self.ghost_customer0 = max(900_000, world.n_customers + 1)
        self.ghost_product0 = max(99_000, self.cat.n + 1)
        self.ghost_order0 = 9_000_000
        day_start = world.t0 + np.arange(world.cfg.days + 1, dtype=np.int64) * DAY_MS
        self.bounds = np.searchsorted(world.s_start, day_start)

    def expand(self, day: int) -> tuple[dict, dict, dict]:
        w, cat, off = self.w, self.cat, self.off
        lo, hi = int(self.bounds[day]), int(self.bounds[day + 1])
        rng = _rng(w.cfg.seed, 100, day)
        n = hi - lo
        vis = w.s_vis[lo:hi]
        kind = w.s_kind[lo:hi].astype(np.int64)
        mode = w.s_mode[lo:hi].astype(np.int64)
        start = w.s_start[lo:hi]
        research = w.s_research[lo:hi]
        owner = w.vis_owner[vis]
        device = w.vis_device[vis]
        country = w.vis_country[vis]
        u = w.vis_u[vis]
        human = kind <= K_INTENT
        intent = kind == K_INTENT
        spend = np.where(owner >= 0, w.spend[np.maximum(owner, 0)], 0.5)

        # funnel depth: 0 landing only, 1 product views, 2 cart, 3 checkout, 4 purchase
        r = rng.random((n, 3))
        bd = (r[:, 0] < BROWSE_P_VIEW[device]).astype(np.int64)
        bd += (bd == 1) & (r[:, 1] < BROWSE_P_CART[device])
        bd += (bd == 2) & (r[:, 2] < BROWSE_P_CHECKOUT[device])
        bd = np.where(research, np.maximum(bd, 1), bd)
        depth = np.where(intent, w.s_depth[lo:hi], np.where(human, bd, 0)).astype(np.int64)
        anchor = w.s_anchor[lo:hi]
        anchor = np.where(anchor >= 0, anchor, _pick_products(rng, cat, u))

        # offers shown / clicked
        vc = off.valid_count[day]
        has_imp = human & (vc > 0) & (rng.random(n) < np.where(intent, 0.45, 0.25))
        two = has_imp & (vc > 1) & (rng.random(n) < 0.3)
        j1 = (rng.random(n) * max(vc, 1)).astype(np.int64)
        j2 = (j1 + 1 + (rng.random(n) * max(vc - 1, 1)).astype(np.int64)) % max(vc, 1)
        off1 = np.where(has_imp, off.valid[day, j1], -1)
        off2 = np.where(two, off.valid[day, j2], -1)
        rec = w.s_recency[lo:hi]
        rec_f = np.where(rec <= 7, 1.7, np.where(rec <= 30, 1.0, 0.6))
        rec_f = np.where(owner >= 0, rec_f, 0.7)
        p_click = off.click_p[np.maximum(off1, 0)] * rec_f * np.where(intent, 1.5, 1.0)
        clicked = has_imp & (rng.random(n) < p_click)

        n_add = np.where(
            depth >= 2,
            1 + rng.poisson(np.where(intent, np.minimum(0.25 + 0.45 * spend, 3.0), 0.25)),
            0,
        )
        C = np.zeros((n, N_UNITS), dtype=np.int64)
        C[:, U_LAND] = human
        C[:, U_LOGIN_EARLY] = mode == 2
        C[:, U_IMP] = has_imp.astype(np.int64) + two
        C[:, U_CLICK] = clicked
        C[:, U_SEARCH] = (depth >= 1) * ((rng.random(n) < 0.3) + (rng.random(n) < 0.08))
        C[:, U_CAT] = human * rng.poisson(np.where(depth == 0, 0.5, 0.4))
        C[:, U_VIEW] = (depth >= 1) * (rng.poisson(np.where(intent, 0.5, 1.0)) + (depth == 1))
        C[:, U_VIEWADD] = n_add
        C[:, U_REMOVE] = (
            (depth >= 2) & (rng.random(n) < REMOVE_FROM_CART_P) & ((depth < 4) | (n_add >= 2))
        )
        C[:, U_LOGIN_CHECKOUT] = mode == 3
        C[:, U_CARTPV] = depth >= 3
        C[:, U_CHECKOUT] = depth >= 3
        C[:, U_PURCHASE] = depth == 4
        crawl, burst = kind == K_CRAWLER, kind == K_BURST
        C[:, U_BOTPAGE] = crawl * (5 + rng.poisson(25, n)) + burst * (60 + rng.poisson(40, n))
        C[:, U_BOTPROD] = crawl * rng.poisson(15, n)

        # expand units to events (session order is the unit order above)
        EC = C * UNIT_LEN
        per_sess = EC.sum(1)
        flat = EC.ravel()
        unit = np.repeat(np.tile(np.arange(N_UNITS), n), flat)
        es = np.repeat(np.arange(n), per_sess)
        pos = _segment_positions(flat)
        m = es.size
        et = UNIT_ET[unit].copy()
        va = unit == U_VIEWADD
        et[va & (pos % 2 == 1)] = ET_ADD

        # timing: seconds to minutes apart; bots much faster
        gap_s = np.clip(rng.exponential(1.0, m) * ET_GAP_SECONDS[et], 0.3, 480.0)
        ek = kind[es]
        gap_s = np.where(ek == K_CRAWLER, np.clip(rng.exponential(2.5, m), 0.2, 20.0), gap_s)
        gap_s = np.where(ek == K_BURST, rng.uniform(0.25, 0.95, m), gap_s)
        gap_ms = (gap_s * 1000).astype(np.int64)
        first = np.cumsum(per_sess) - per_sess
        gap_ms[first] = 0
        cs = np.cumsum(gap_ms)
        ms = start[es] + cs - cs[first][es]

        # products, quantities, prices
        prod = np.full(m, -1, dtype=np.int64)
        qty = np.zeros(m, dtype=np.int64)
        vi = np.flatnonzero(unit == U_VIEW)
        sv = es[vi]
        prod[vi] = np.where(
            (pos[vi] == 0) & (n_add[sv] == 0), anchor[sv], _pick_products(rng, cat, u[sv])
        )
        qty[vi] = 1
        ai = np.flatnonzero(va & (pos % 2 == 0))
        sa = es[ai]
        comp = _complements(rng, cat, anchor[sa])
        use_comp = (comp >= 0) & (rng.random(ai.size) < COMPLEMENT_P)
        prod[ai] = np.where(
            pos[ai] == 0, anchor[sa], np.where(use_comp, comp, _pick_products(rng, cat, u[sa]))
        )
        prod[ai + 1] = prod[ai]
        qty[ai] = 1
        bulky = np.isin(
            cat.category[prod[ai]], [CATEGORIES.index("grocery"), CATEGORIES.index("books")]
        )
        q = rng.choice([1, 2, 3, 4], ai.size, p=[0.8, 0.14, 0.045, 0.015])
        qty[ai + 1] = np.where(bulky, 1 + rng.poisson(1.2, ai.size), q)
        bp = np.flatnonzero(unit == U_BOTPROD)
        prod[bp] = cat.by_price[rng.integers(0, cat.by_price.size, bp.size)]
        qty[bp] = 1
        ri = np.flatnonzero(unit == U_REMOVE)
        prod[ri] = prod[ri - 1]
        qty[ri] = qty[ri - 1]
        is_prod = prod >= 0
        price = np.where(is_prod, cat.price[np.maximum(prod, 0)], 0)

        # page paths
        home_src = np.isin(w.s_source[lo:hi], [0, 4, 5])
        land = np.where(
            rng.random(n) < np.where(home_src, 0.7, 0.4), P_HOME, P_CAT0 + cat.category[anchor]
        )
        path = np.full(m, P_HOME, dtype=np.int64)
        sel = (unit == U_LAND) | (unit == U_IMP)
        path[sel] = land[es[sel]]
        path[(unit == U_LOGIN_EARLY) | (unit == U_LOGIN_CHECKOUT)] = P_LOGIN
        sel = unit == U_CLICK
        path[sel] = self.p_offer0 + off1[es[sel]]
        sel = unit == U_SEARCH
        path[sel] = self.p_search0 + cat.leaf[anchor[es[sel]]]
        sel = np.flatnonzero(unit == U_CAT)
        rc = rng.integers(0, len(CATEGORIES), sel.size)
        path[sel] = P_CAT0 + np.where(rng.random(sel.size) < 0.7, cat.category[anchor[es[sel]]], rc)
        path[is_prod & (unit != U_REMOVE)] = self.p_prod0 + prod[is_prod & (unit != U_REMOVE)]
        path[(unit == U_REMOVE) | (unit == U_CARTPV)] = P_CART
        path[unit == U_CHECKOUT] = P_CHECKOUT
        path[unit == U_PURCHASE] = P_COMPLETE
        sel = np.flatnonzero(unit == U_BOTPAGE)
        rr = rng.random(sel.size)
        path[sel] = np.where(
            rr < 0.3,
            P_HOME,
            np.where(
                rr < 0.6,
                P_CAT0 + rng.integers(0, len(CATEGORIES), sel.size),
                self.p_prod0 + cat.by_price[rng.integers(0, cat.by_price.size, sel.size)],
            ),
        )

        # offers and identity
        offer = np.full(m, -1, dtype=np.int64)
        sel = unit == U_IMP
        offer[sel] = np.where(pos[sel] == 0, off1[es[sel]], off2[es[sel]])
        sel = unit == U_CLICK
        offer[sel] = off1[es[sel]]
        login_unit = np.select([mode == 2, mode == 3], [U_LOGIN_EARLY, U_LOGIN_CHECKOUT], 99)
        logged = (mode[es] == 1) | (unit >= login_unit[es])
        cust = np.where(logged & (owner[es] >= 0), owner[es] + 1, 0)

        # orders: basket = added items minus the removed one, aggregated per product
        buy = depth == 4
        add_ev = va & (pos % 2 == 1) & buy[es]
        removed = np.zeros(m, bool)
        removed[ri - 1] = True
        bi = np.flatnonzero(add_ev & ~removed)
        key = es[bi] * (cat.n + 1) + prod[bi]
        _, first_idx, inv = np.unique(key, return_index=True, return_inverse=True)
        lq = np.bincount(inv, weights=qty[bi]).astype(np.int64)
        lo_ = np.argsort(first_idx, kind="stable")
        l_sess = es[bi][first_idx[lo_]]
        l_prod = prod[bi][first_idx[lo_]]
        l_qty = lq[lo_]
        l_unit = cat.price[l_prod]
        l_amount = l_qty * l_unit
        subtotal = np.bincount(l_sess, weights=l_amount, minlength=n).astype(np.int64)
        items = np.bincount(l_sess, weights=l_qty, minlength=n).astype(np.int64)
        pi = np.flatnonzero(unit == U_PURCHASE)
        ps = es[pi]
        order_rank = np.argsort(ms[pi], kind="stable")
        ord_no = np.zeros(n, dtype=np.int64)
        ord_no[ps[order_rank]] = self.n_orders + 1 + np.arange(ps.size)
        self.n_orders += ps.size
        ship = np.where(subtotal[ps] < FREE_SHIPPING_FROM_CENTS, SHIPPING_FEE_CENTS, 0)
        o1 = np.where(clicked[ps], off1[ps], -1)
        oi = np.maximum(o1, 0)
        redeem = (
            (o1 >= 0)
            & (subtotal[ps] >= off.min_spend[oi])
            & (~off.is_free_shipping[oi] | (ship > 0))
            & (rng.random(ps.size) < off.redeem_p[oi])
        )
        discount = np.where(redeem, off.discount[oi], 0)
        total = subtotal[ps] - discount + ship
        price[pi] = total
        qty[pi] = items[ps]
        order_col = np.zeros(m, dtype=np.int64)
        order_col[pi] = ord_no[ps]

        orders = {
            "ord": ord_no[ps],
            "cust": cust[pi],
            "ms": ms[pi],
            "status": rng.choice(3, ps.size, p=ORDER_STATUS_P),
            "subtotal": subtotal[ps],
            "discount": discount,
            "shipping": ship,
            "total": total,
            "offer": np.where(redeem, o1 + 1, 0),
        }
        lines = {
            "ord": ord_no[l_sess],
            "line": _segment_positions(np.bincount(l_sess, minlength=n)) + 1,
            "prod": l_prod + 1,
            "qty": l_qty,
            "unit": l_unit,
            "amount": l_amount,
            "arr": ms[pi][np.searchsorted(ps, l_sess)] if ps.size else np.zeros(0, np.int64),
        }

        events = {
            "eid": _splitmix64(
                (np.arange(m, dtype=np.uint64) + np.uint64(self.n_events + 1))
                * np.uint64(0x9E3779B97F4A7C15)
                + self.seed_key
            ),
            "ms": ms,
            "vid": w.vis_hex[vis][es],
            "cust": cust,
            "et": et,
            "path": path,
            "prod": np.where(is_prod, prod + 1, 0),
            "hp": is_prod | (unit == U_PURCHASE),
            "price": price,
            "qty": qty,
            "offer": offer + 1,
            "ord": order_col,
            "device": device[es],
            "country": country[es],
            "src": w.s_source[lo:hi][es].astype(np.int64),
            "ua": w.vis_ua[vis][es],
        }
        self.n_events += m
        return (
            self._event_defects(rng, events),
            self._order_defects(rng, orders),
            self._line_defects(rng, lines, day),
        )

    # ------------------------------------------------------------------ defects
    def _event_defects(self, rng: np.random.Generator, e: dict) -> dict:
        R = DEFECT_RATES
        m = e["ms"].size
        et = np.where(rng.random(m) < R["events.missing_event_type"], -1, e["et"])
        e["et"] = _dirty(rng, et, R["events.dirty_event_type"])
        e["device"] = _dirty(rng, e["device"], R["events.dirty_device"])
        e["tz"] = self.tz_min[e["country"]]
        e["country"] = _dirty(rng, e["country"], R["events.dirty_country"])
        e["src"] = _dirty(rng, e["src"], R["events.dirty_traffic_source"])
        x = rng.random(m)
        bad = R["events.unparseable_time"]
        alt = bad + R["events.alt_time_format"]
        e["tf"] = np.where(
            x < bad,
            4 + (x / bad * 3).astype(np.int64),
            np.where(x < alt, 1 + ((x - bad) / (alt - bad) * 3).astype(np.int64), 0),
        )
        is_prod = (e["prod"] > 0) & (e["ord"] == 0)
        y = rng.random(m)
        bp = is_prod & (y < R["events.bad_price"])
        e["price"] = np.where(
            bp, np.where(y < R["events.bad_price"] / 2, 0, -e["price"]), e["price"]
        )
        gp = is_prod & (rng.random(m) < R["events.unknown_product"])
        e["prod"] = np.where(gp, self.ghost_product0 + rng.integers(0, 1000, m), e["prod"])
        gc = (e["cust"] > 0) & (rng.random(m) < R["events.unknown_customer"])
        e["cust"] = np.where(gc, self.ghost_customer0 + rng.integers(0, 99_999, m), e["cust"])
        late = rng.random(m) < R["events.late_arrival"]
        delay = (rng.random(m) * R["events.late_arrival_max_days"] * DAY_MS).astype(np.int64)
        e["arr"] = e["ms"] + np.where(late, delay, 0)
        return _with_duplicates(rng, e, R["events.duplicate_row"], 60_000)

    def _order_defects(self, rng: np.random.Generator, o: dict) -> dict:
        R = DEFECT_RATES
        k = o["ord"].size
        o["arr"] = o["ms"].copy()
        o["status"] = _dirty(rng, o["status"], R["orders.dirty_status"])
        gc = rng.random(k) < R["orders.unknown_customer"]
        o["cust"] = np.where(gc, self.ghost_customer0 + rng.integers(0, 99_999, k), o["cust"])
        o["total"] = np.where(
            rng.random(k) < R["orders.negative_total"], -np.abs(o["total"]) - 1, o["total"]
        )
        x = rng.random(k)
        rate = R["orders.unparseable_time"]
        o["tf"] = np.where(x < rate, 4 + (x / rate * 3).astype(np.int64), 0)
        return _with_duplicates(rng, o, R["orders.duplicate_row"], 5_000)

    def _line_defects(self, rng: np.random.Generator, ln: dict, day: int) -> dict:
        R = DEFECT_RATES
        k = ln["ord"].size
        gp = rng.random(k) < R["order_lines.unknown_product"]
        ln["prod"] = np.where(gp, self.ghost_product0 + rng.integers(0, 1000, k), ln["prod"])
        y = rng.random(k)
        rate = R["order_lines.bad_unit_price"]
        ln["unit"] = np.where(y < rate, np.where(y < rate / 2, 0, -ln["unit"]), ln["unit"])
        orphan = np.flatnonzero(rng.random(k) < R["order_lines.orphan_line"])
        if orphan.size:
            extra = {c: v[orphan].copy() for c, v in ln.items()}
            extra["ord"] = self.ghost_order0 + rng.integers(0, 999_999, orphan.size)
            extra["line"] = np.ones(orphan.size, dtype=np.int64)
            ln = {c: np.concatenate([v, extra[c]]) for c, v in ln.items()}
        return ln


def _with_duplicates(rng: np.random.Generator, cols: dict, rate: float, jitter_ms: int) -> dict:
    """Append exact copies of a ``rate`` share of rows, arriving up to ``jitter_ms`` later."""
    k = cols["arr"].size
    dup = np.flatnonzero(rng.random(k) < rate)
    if not dup.size:
        return cols
    out = {c: np.concatenate([v, v[dup]]) for c, v in cols.items()}
    out["arr"][k:] += rng.integers(0, jitter_ms, dup.size)
    return out


# =============================================================================================
# Writing
# =============================================================================================
# The landed columns of each table, in file order: the one specification is the dbt source
# `landing` in models/bronze/_landing__sources.yml (the warehouse's base models read and check
# the files against the same list; the seeds are written by this generator).
LANDING_SOURCES = Path(__file__).resolve().parents[2] / "models/bronze/_landing__sources.yml"


def landed_columns(sources_file: Path = LANDING_SOURCES) -> dict[str, list[str]]:
    """Table -> its landed column names, from the `landing` source's YAML."""
    import yaml

    spec = yaml.safe_load(sources_file.read_text(encoding="utf-8"))
    (landing,) = (s for s in spec["sources"] if s["name"] == "landing")
    return {t["name"]: [c["name"] for c in t["columns"]] for t in landing["tables"]}


TABLE_COLUMNS: dict[str, list[str]] = landed_columns()
TABLES = ["customers", "products", "offers", "events", "orders", "order_lines"]


# --- CSV encoding -----------------------------------------------------------------------------
# Every field is a (bytes matrix (n, width) uint8, mask (n, width) bool) pair: the row's text is
# the masked bytes, so numbers/ids/timestamps are built digit by digit with integer arithmetic and
# a whole chunk becomes one CSV buffer with a single boolean compress -- no per-row Python.
Field = tuple[np.ndarray, np.ndarray]
_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def _csv_field(value: str | None) -> bytes:
    """Minimal CSV quoting of one value; None and '' are written empty."""
    if not value:
        return b""
    if any(ch in value for ch in ',"\n\r'):
        return b'"' + value.replace('"', '""').encode() + b'"'
    return value.encode()


def _f_bytes(s: np.ndarray) -> Field:
    """Field from a fixed-width bytes ('S') array."""
    s = np.ascontiguousarray(s)
    n, w = s.size, max(s.dtype.itemsize, 1)
    if s.dtype.itemsize == 0:
        return np.zeros((n, 1), np.uint8), np.zeros((n, 1), bool)
    mat = s.view(np.uint8).reshape(n, w)
    return mat, np.arange(w) < np.strings.str_len(s)[:, None]


class _Vocab:
    """Encoded categorical values; code -1 (null) gives the empty field."""

    def __init__(self, values: list[str]) -> None:
        self.mat, self.mask = _f_bytes(np.array([_csv_field(v) for v in values] + [b""], "S"))

    def __call__(self, codes: np.ndarray) -> Field:
        return self.mat[codes], self.mask[codes]


def _f_const(n: int, text: bytes) -> Field:
    mat = np.broadcast_to(np.frombuffer(text, np.uint8), (n, len(text)))
    return mat, np.ones((n, len(text)), bool)


_DIG2 = np.array([[48 + i // 10, 48 + i % 10] for i in range(100)], dtype=np.uint8)


def _digits(x: np.ndarray, width: int) -> np.ndarray:
    """Zero-padded decimal digits of non-negative ints as an (n, width) uint8 matrix."""
    x = np.asarray(x, dtype=np.int64)
    out = np.empty((x.size, width), np.uint8)
    j = width
    while j > 0:
        x, r = np.divmod(x, 100)
        if j >= 2:
            out[:, j - 2 : j] = _DIG2[r]
        else:
            out[:, 0] = 48 + r % 10
        j -= 2
    return out


def _n_digits(x: np.ndarray) -> np.ndarray:
    return np.searchsorted(10 ** np.arange(1, 19, dtype=np.int64), x, side="right") + 1


def _f_int(x: np.ndarray, width: int = 0, prefix: bytes = b"", present=None) -> Field:
    """Integer field, zero-padded to ``width`` (0: natural width), optional prefix, null mask."""
    x = np.asarray(x, dtype=np.int64)
    n = x.size
    w = width or int(_n_digits(np.array([max(int(x.max(initial=0)), 1)]))[0])
    p = len(prefix)
    mat = np.empty((n, p + w), np.uint8)
    mat[:, :p] = np.frombuffer(prefix, np.uint8)
    mat[:, p:] = _digits(np.maximum(x, 0), w)
    if width:
        mask = np.ones((n, p + w), bool)
    else:
        mask = np.arange(p + w) >= (w - _n_digits(x))[:, None]
        mask[:, :p] = True
    if present is not None:
        mask &= present[:, None]
    return mat, mask


def _f_hex(x: np.ndarray, digits: int, prefix: bytes) -> Field:
    b = np.ascontiguousarray(x, dtype=">u8").view(np.uint8).reshape(-1, 8)
    n, p = b.shape[0], len(prefix)
    h = np.empty((n, p + 16), np.uint8)
    h[:, p::2] = _HEX[b >> 4]
    h[:, p + 1 :: 2] = _HEX[b & 15]
    h = h[:, 16 - digits :] if digits < 16 else h
    h[:, :p] = np.frombuffer(prefix, np.uint8)
    return h, np.ones(h.shape, bool)


def _f_money(cents: np.ndarray, present=None) -> Field:
    c = np.asarray(cents, dtype=np.int64)
    a = np.abs(c)
    whole_m, whole_k = _f_int(a // 100)
    n, w = whole_m.shape
    mat = np.empty((n, w + 4), np.uint8)
    mask = np.ones((n, w + 4), bool)
    mat[:, 0] = ord("-")
    mask[:, 0] = c < 0
    mat[:, 1 : w + 1] = whole_m
    mask[:, 1 : w + 1] = whole_k
    mat[:, w + 1] = ord(".")
    mat[:, w + 2 :] = _DIG2[a % 100]
    if present is not None:
        mask &= present[:, None]
    return mat, mask


def _cat(fields: list[Field]) -> Field:
    return np.hstack([f[0] for f in fields]), np.hstack([f[1] for f in fields])


def _civil(ms: np.ndarray) -> list[np.ndarray]:
    """[year, month, day, hour, minute, second, millisecond] of UTC epoch milliseconds."""
    days, rem = np.divmod(ms.astype(np.int64), DAY_MS)
    z = days + 719468  # H. Hinnant's days -> civil date
    era = np.floor_divide(z, 146097)
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = np.where(mp < 10, mp + 3, mp - 9)
    year = yoe + era * 400 + (month <= 2)
    return [year, month, day, rem // HOUR_MS, rem // 60_000 % 60, rem // 1000 % 60, rem % 1000]


def _datetime_mat(ms: np.ndarray, dsep: bytes, tsep: bytes, millis: bool) -> np.ndarray:
    """'YYYY-MM-DD?HH:MM:SS[.mmm]' as an (n, 19|23) matrix with the given separators."""
    y, mo, d, h, mi, s, msec = _civil(ms)
    out = np.empty((ms.size, 23 if millis else 19), np.uint8)
    out[:, 0:2] = _DIG2[y // 100]
    out[:, 2:4] = _DIG2[y % 100]
    for pos, v in ((5, mo), (8, d), (11, h), (14, mi), (17, s)):
        out[:, pos : pos + 2] = _DIG2[v]
    out[:, [4, 7]] = dsep[0]
    out[:, 10] = tsep[0]
    out[:, [13, 16]] = ord(":")
    if millis:
        out[:, 19] = ord(".")
        out[:, 20] = 48 + msec // 100
        out[:, 21:23] = _DIG2[msec % 100]
    return out


def _f_time(ms: np.ndarray, tf: np.ndarray, tz: np.ndarray | None = None) -> Field:
    """Timestamp field: canonical '2024-03-04T12:34:56.123Z' (tf 0), '+01:00' offset form (1),
    'Y/m/d H:M:S' UTC (2), epoch ms (3), broken strings (4, 5) or empty (6)."""
    n = ms.size
    W = 25
    mat = np.zeros((n, W), np.uint8)
    mask = np.zeros((n, W), bool)
    i = np.flatnonzero(tf == 0)
    mat[i, :23] = _datetime_mat(ms[i], b"-", b"T", True)
    mat[i, 23] = ord("Z")
    mask[i, :24] = True
    if tz is not None:
        i = np.flatnonzero(tf == 1)
        z = tz[i]
        mat[i, :19] = _datetime_mat(ms[i] + z * 60_000, b"-", b" ", False)
        mat[i, 19] = np.where(z < 0, ord("-"), ord("+"))
        mat[i, 20:22] = _digits(np.abs(z) // 60, 2)
        mat[i, 22] = ord(":")
        mat[i, 23:25] = _digits(np.abs(z) % 60, 2)
        mask[i, :25] = True
        i = np.flatnonzero(tf == 2)
        mat[i, :19] = _datetime_mat(ms[i], b"/", b" ", False)
        mask[i, :19] = True
        i = np.flatnonzero(tf == 3)
        m, k = _f_int(ms[i])
        mat[i, : m.shape[1]] = m
        mask[i, : m.shape[1]] = k
    for code, text in ((4, BAD_TIME_STRINGS[0]), (5, BAD_TIME_STRINGS[1])):
        i = np.flatnonzero(tf == code)
        mat[i, : len(text)] = np.frombuffer(text.encode(), np.uint8)
        mask[i, : len(text)] = True
    return mat, mask


def _encode_csv(fields: list[Field]) -> bytes:
    """CSV lines (minimal quoting already applied, '\\n' endings) from fields."""
    n = fields[0][0].shape[0]
    if n == 0:
        return b""
    comma = np.full((n, 1), ord(","), np.uint8)
    newline = np.full((n, 1), ord("\n"), np.uint8)
    ones = np.ones((n, 1), bool)
    mats, masks = [], []
    for j, (m, k) in enumerate(fields):
        mats += [m, newline if j == len(fields) - 1 else comma]
        masks += [k, ones]
    return np.hstack(mats)[np.hstack(masks)].tobytes()


class _Formatter:
    """Turns the numeric/coded columns of each table into CSV fields."""

    def __init__(self, paths: list[str]) -> None:
        self.et = _Vocab(_vocab(EVENT_TYPES))
        self.path = _Vocab(paths)
        self.device = _Vocab(_vocab(DEVICES))
        self.country = _Vocab(_vocab(COUNTRIES))
        self.src = _Vocab(_vocab(SOURCES))
        self.ua = _Vocab(USER_AGENTS)
        self.status = _Vocab(_vocab(ORDER_STATUSES))

    def events(self, e: dict) -> list[Field]:
        return [
            _f_hex(e["eid"], 16, b"e"),
            _f_time(e["ms"], e["tf"], e["tz"]),
            _f_hex(e["vid"], 12, b"v"),
            _f_int(e["cust"], 6, b"C", e["cust"] > 0),
            self.et(e["et"]),
            self.path(e["path"]),
            _f_int(e["prod"], 5, b"P", e["prod"] > 0),
            _f_money(e["price"], e["hp"]),
            _f_int(e["qty"], present=e["qty"] > 0),
            _f_int(e["offer"], 3, b"OFF", e["offer"] > 0),
            _f_int(e["ord"], 7, b"O", e["ord"] > 0),
            self.device(e["device"]),
            self.country(e["country"]),
            self.src(e["src"]),
            self.ua(e["ua"]),
        ]

    def orders(self, o: dict) -> list[Field]:
        return [
            _f_int(o["ord"], 7, b"O"),
            _f_int(o["cust"], 6, b"C", o["cust"] > 0),
            _f_time(o["ms"], o["tf"]),
            self.status(o["status"]),
            _f_money(o["subtotal"]),
            _f_money(o["discount"]),
            _f_money(o["shipping"]),
            _f_money(o["total"]),
            _f_int(o["offer"], 3, b"OFF", o["offer"] > 0),
        ]

    def order_lines(self, ln: dict) -> list[Field]:
        return [
            _f_int(ln["ord"], 7, b"O"),
            _f_int(ln["line"]),
            _f_int(ln["prod"], 5, b"P"),
            _f_int(ln["qty"]),
            _f_money(ln["unit"]),
            _f_money(ln["amount"]),
        ]

    def static(self, frame: dict) -> list[Field]:
        return [_f_text(frame[c]) for c in frame]


def _f_text(values: np.ndarray) -> Field:
    """Field from str values (None: empty), quoting only the values that need it."""
    vals = ["" if v is None else str(v) for v in values.tolist()]
    arr = np.array(vals, dtype=str)
    need = np.zeros(arr.size, bool)
    for ch in ',"\n\r':
        need |= np.strings.find(arr, ch) >= 0
    if need.any():
        return _f_bytes(np.array([_csv_field(v) for v in vals], dtype="S"))
    return _f_bytes(np.strings.encode(arr, "utf-8"))


def _decode_for_parquet(field: Field) -> np.ndarray:
    """CSV field -> str values (None when empty), undoing the CSV quoting."""
    mat, mask = field
    out = []
    for row, k in zip(mat, mask, strict=True):
        v = row[k].tobytes()
        if not v:
            out.append(None)
        elif v[:1] == b'"':
            out.append(v[1:-1].replace(b'""', b'"').decode())
        else:
            out.append(v.decode())
    return np.array(out, dtype=object)


class _Writer:
    """Writes encoded columns in the requested layout and format."""

    def __init__(self, cfg: GenerateConfig, paths: list[str]) -> None:
        self.cfg = cfg
        self.out = Path(cfg.out)
        self.fmt = _Formatter(paths)
        self.ext = "csv" if cfg.format == "csv" else "parquet"
        self.rows: dict[str, int] = {t: 0 for t in TABLES}
        self.con = None
        self.out.mkdir(parents=True, exist_ok=True)
        self.seed_files: dict[str, Any] = {}
        self.pool = ThreadPoolExecutor(max_workers=1)
        self.pending: list[Future] = []
        self.tmp = Path(tempfile.mkdtemp(prefix="cbw-generate-"))
        if cfg.layout == "landing":
            for t in TABLES:
                d = self.out / t
                d.mkdir(exist_ok=True)
                for f in [*d.glob(f"{t}_*.csv"), *d.glob(f"{t}_*.parquet"), *d.glob(f"{t}.*")]:
                    f.unlink()
        else:
            for t in TABLES:
                f = open(self.tmp / f"raw_{t}.csv", "wb")  # noqa: SIM115 - closed in close()
                f.write((",".join(TABLE_COLUMNS[t]) + "\n").encode())
                self.seed_files[t] = f

    def write(self, table: str, cols: dict, label: str | None) -> None:
        """Write rows of ``table``; ``label`` names the landing file (a date) or None.

        Formatting and writing run on one background thread (in submission order, so output
        is deterministic) while the caller generates the next day."""
        self.rows[table] += len(next(iter(cols.values())))
        self._submit(self._format_and_write, table, cols, label)

    def write_fields(self, table: str, enc: list[Field], label: str | None) -> None:
        self.rows[table] += enc[0][0].shape[0]
        self._submit(self._write_fields, table, enc, label)

    def _submit(self, fn, *args) -> None:
        self.pending.append(self.pool.submit(fn, *args))
        while len(self.pending) > 6 or (self.pending and self.pending[0].done()):
            self.pending.pop(0).result()  # re-raises errors of the writer thread

    def _format_and_write(self, table: str, cols: dict, label: str | None) -> None:
        enc = self.fmt.static(cols) if table in STATIC_TABLES else getattr(self.fmt, table)(cols)
        self._write_fields(table, enc, label)

    def _write_fields(self, table: str, enc: list[Field], label: str | None) -> None:
        if self.cfg.layout == "seeds":
            self.seed_files[table].write(_encode_csv(enc))
            return
        name = f"{table}_{label}" if label else table
        path = self.out / table / f"{name}.{self.ext}"
        if self.cfg.format == "csv":
            with open(path, "wb") as f:
                f.write((",".join(TABLE_COLUMNS[table]) + "\n").encode() + _encode_csv(enc))
        else:
            self._parquet(table, enc, path)

    def _parquet(self, table: str, enc: list[np.ndarray], path: Path) -> None:
        import duckdb
        import pandas as pd

        if self.con is None:
            self.con = duckdb.connect()
        df = pd.DataFrame(
            {c: _decode_for_parquet(v) for c, v in zip(TABLE_COLUMNS[table], enc, strict=True)}
        )
        sel = ", ".join(f'"{c}"::VARCHAR AS "{c}"' for c in TABLE_COLUMNS[table])
        self.con.register("chunk", df)
        self.con.execute(f"COPY (SELECT {sel} FROM chunk) TO '{path}' (FORMAT parquet)")
        self.con.unregister("chunk")

    def close(self, ok: bool) -> None:
        try:
            self.pool.shutdown(wait=True)
            for fut in self.pending:
                fut.result()
            for f in self.seed_files.values():
                f.close()
            if ok and self.cfg.layout == "seeds":
                for t in TABLES:
                    src = self.tmp / f"raw_{t}.csv"
                    if self.cfg.format == "csv":
                        shutil.move(str(src), self.out / f"raw_{t}.csv")
                        continue
                    import duckdb

                    con = self.con or duckdb.connect()
                    self.con = con
                    sel = ", ".join(f'"{c}"' for c in TABLE_COLUMNS[t])
                    con.execute(
                        f"COPY (SELECT {sel} FROM read_csv('{src}', all_varchar=true, "
                        f"header=true, quote='\"', escape='\"', strict_mode=false)) "
                        f"TO '{self.out / f'raw_{t}.parquet'}' (FORMAT parquet)"
                    )
        finally:
            if self.con is not None:
                self.con.close()
            shutil.rmtree(self.tmp, ignore_errors=True)


STATIC_TABLES = ("customers", "products", "offers")


class _Generator:
    def __init__(self, cfg: GenerateConfig) -> None:
        self.cfg = cfg

    def run(self) -> dict[str, int]:
        cfg = self.cfg
        catalog = _build_catalog(cfg)
        offers = _build_offers(cfg)
        world = _build_world(cfg, catalog, offers)
        writer = _Writer(cfg, _paths(catalog, offers))
        ok = False
        try:
            writer.write("products", catalog.frame, None)
            writer.write("offers", offers.frame, None)
            self._write_customers(writer, world)
            self._stream(writer, world)
            ok = True
        finally:
            writer.close(ok)
        return {f"raw_{t}": writer.rows[t] for t in TABLES}

    def _label(self, day: int) -> str:
        return (self.cfg.start_date + dt.timedelta(days=int(day))).isoformat()

    def _write_customers(self, writer: _Writer, world: _World) -> None:
        frame = world.customer_frame
        if self.cfg.layout == "seeds":
            writer.write("customers", frame, None)
            return
        enc = writer.fmt.static(frame)
        day = (world.customer_row_ms - world.t0) // DAY_MS
        for d in np.unique(day):
            sel = np.flatnonzero(day == d)
            writer.write_fields("customers", [(m[sel], k[sel]) for m, k in enc], self._label(d))

    def _stream(self, writer: _Writer, world: _World) -> None:
        cfg = self.cfg
        exp = _DayExpander(world)
        pending: dict[int, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
        streamed = ("events", "orders", "order_lines")
        empty: dict[str, dict] = {}

        def flush(day: int) -> None:
            parts = pending.pop(day, {})
            for t in streamed:
                chunks = parts.get(t, [])
                if not chunks:
                    if t not in empty or day >= cfg.days:
                        continue
                    cols = empty[t]
                else:
                    cols = {c: np.concatenate([p[c] for p in chunks]) for c in chunks[0]}
                o = np.argsort(cols["arr"], kind="stable")
                writer.write(t, {c: v[o] for c, v in cols.items() if c != "arr"}, self._label(day))

        progress = _progress(cfg.days, cfg.progress)
        try:
            for day in range(cfg.days):
                results = exp.expand(day)
                for t, cols in zip(streamed, results, strict=True):
                    if t not in empty:
                        empty[t] = {c: v[:0] for c, v in cols.items()}
                    arrival_day = (cols["arr"] - world.t0) // DAY_MS
                    if arrival_day.size and arrival_day.min() == arrival_day.max():
                        pending[int(arrival_day[0])][t].append(cols)
                        continue
                    for d in np.unique(arrival_day):
                        sel = arrival_day == d
                        pending[int(d)][t].append({c: v[sel] for c, v in cols.items()})
                flush(day)
                progress.update(1)
                progress.set_postfix(events=f"{writer.rows['events']:,}", refresh=False)
            for day in sorted(pending):
                flush(day)
        finally:
            progress.close()


def _progress(total: int, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, unit="day", desc="generate", disable=not enabled, leave=False)
