"""The closed sets the marts' enums must stay within.

Written out here so the validation reads a built warehouse without dbt; tests/test_validate.py
checks that each set equals its source of truth (the dbt_project.yml var or reference seed named
beside it), so the two cannot drift apart.
"""

from __future__ import annotations

# dbt_project.yml vars (+ 'unknown' where staging maps unreadable values to it)
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
]  # var event_types
DEVICES = ["desktop", "mobile", "tablet", "unknown"]  # var devices + unknown
TRAFFIC_SOURCES = [
    "direct",
    "organic_search",
    "paid_search",
    "social",
    "email",
    "referral",
    "affiliate",
    "unknown",
]  # var traffic_sources + unknown
ORDER_STATUSES = ["completed", "cancelled", "returned", "credit_note"]  # var order_statuses
SUBSCRIPTION_STATUSES = ["none", "trial", "subscribed", "cancelled", "unknown"]  # var + unknown
OFFER_TYPES = ["bogo", "percentage_discount", "fixed_discount", "free_shipping"]  # var offer_types
FUNNEL_STEPS = ["view", "cart", "checkout", "purchase"]  # var funnel_steps[*].step_name, in order
# var behaviour_segment_types
SEGMENT_TYPES = ["all", "device", "country", "traffic_source", "month", "rfm_segment"]
# var age_group_brackets [18, 25, 35, 45, 55, 65], labelled by macro age_group_labels()
AGE_GROUPS = ["under 18", "18-24", "25-34", "35-44", "45-54", "55-64", "65+", "unknown"]

# Tiers and segments defined in the gold models (dim_customers, dim_offers, customer_clv)
SPEND_TIERS_3 = ["No Spend", "Low", "Medium", "High"]
SPEND_TIERS_4 = ["No Spend", "Low", "Medium", "High", "VIP"]
CUSTOMER_SEGMENTS = ["New", "Regular", "VIP"]
DISCOUNT_PER_DOLLAR_TIERS = ["Low", "Medium", "High"]
CLV_TIERS = ["Low", "Medium", "High"]
CLV_MATRIX_TIERS = [*CLV_TIERS, "Unknown"]  # customer_clv and the matrix: Unknown = no CLV
RECOMMENDED_ACTIONS = ["protect", "grow", "win back", "deprioritise"]  # seed clv_action_rules

# seed reference/rfm_segment_rules.csv
RFM_SEGMENTS = [
    "Champions",
    "Loyal",
    "Can't Lose Them",
    "At Risk",
    "Need Attention",
    "Potential Loyalist",
    "New Customers",
    "Promising",
    "About to Sleep",
    "Lost",
    "Hibernating",
]
ENGAGEMENT_LEVELS = [
    "Champions",
    "Loyal Customers",
    "At Risk (High Value)",
    "Needs Attention",
    "Churn Risk",
]

# mart_step_transitions: the Markov chain's states
TRANSITION_FROM_STATES = ["start", *FUNNEL_STEPS[:-1]]
TRANSITION_TO_STATES = [*FUNNEL_STEPS[:-1], "conversion", "exit"]

# The keys of each source system's entry in var source_capabilities: what a source can provide.
# A suite's `requires` and a check's needs() name one of these.
CAPABILITIES = [
    "customers",
    "products",
    "orders",
    "order_lines",
    "events",
    "offers",
    "devices",
    "countries",
    "traffic_sources",
    "page_types",
    "checkout_step",
    "customer_countries",
    "acquisition_channels",
]
