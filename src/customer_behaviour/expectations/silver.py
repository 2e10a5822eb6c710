"""Suites of the silver facts every gold mart is built from."""

from __future__ import annotations

from .core import (
    TableSuite,
    between,
    in_set,
    needs,
    no_dominant_value,
    non_negative,
    not_null,
    rows_match,
    sql,
    table_suite,
)
from .sets import DEVICES, EVENT_TYPES, ORDER_STATUSES, SUBSCRIPTION_STATUSES, TRAFFIC_SOURCES


def suites() -> list[TableSuite]:
    return [
        table_suite(
            "silver.int_events_sessionized",
            ["event_id"],
            rows_match("select count(*) from silver.int_events_deduplicated", "deduplicated event"),
            not_null("session_id", "visitor_id", "event_type", "event_at", "event_date"),
            in_set("event_type", EVENT_TYPES),
            in_set("device", DEVICES),
            in_set("traffic_source", TRAFFIC_SOURCES),
            non_negative("price", "quantity"),
            needs("devices", no_dominant_value("device")),
            sql(
                "A session belongs to one visitor.",
                """
                select session_id, count(distinct visitor_id) as visitors
                from {batch}
                group by session_id
                having count(distinct visitor_id) > 1
                """,
                column="session_id",
            ),
            sql(
                "Events of a session are numbered 1..n without gaps or repeats.",
                """
                select session_id, count(*) as events,
                    min(event_number_in_session) as first_number,
                    max(event_number_in_session) as last_number,
                    count(distinct event_number_in_session) as distinct_numbers
                from {batch}
                group by session_id
                having min(event_number_in_session) <> 1
                    or max(event_number_in_session) <> count(*)
                    or count(distinct event_number_in_session) <> count(*)
                """,
                column="event_number_in_session",
            ),
            requires=["events"],
        ),
        table_suite(
            "silver.int_orders_deduplicated",
            ["order_id"],
            not_null("customer_id", "order_status", "ordered_at"),
            in_set("order_status", ORDER_STATUSES),
            non_negative("subtotal_amount", "discount_amount", "shipping_amount", "total_amount"),
            sql(
                "total = subtotal - discount + shipping (to the cent).",
                """
                select order_id, subtotal_amount, discount_amount, shipping_amount, total_amount
                from {batch}
                where abs(subtotal_amount - discount_amount + shipping_amount - total_amount)
                    >= 0.01
                """,
                column="total_amount",
            ),
            sql(
                "Every order's customer is a silver customer.",
                """
                select o.order_id, o.customer_id
                from {batch} as o
                anti join silver.int_customers_deduplicated as c using (customer_id)
                """,
                column="customer_id",
            ),
            requires=["orders"],
        ),
        table_suite(
            "silver.int_customers_deduplicated",
            ["customer_id"],
            not_null("signed_up_at"),
            in_set("subscription_status", SUBSCRIPTION_STATUSES),
            # var earliest_birth_year: older birth years are cleaned to null in staging
            between("birth_year", 1900, None),
            requires=["customers"],
        ),
    ]
