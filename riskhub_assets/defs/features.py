"""Point-in-time client features: one partition per as-of date, computed only from data up to that date."""

import dagster as dg

from riskhub_assets.defs.tables import referenced_tables, sql_table_asset
from riskhub_assets.lib import features

GROUP = "features"
OWNERS = ["team:risk-modelling"]

client_daily_activity = sql_table_asset(
    features.ACTIVITY_CHECKS,
    features.load_client_daily_activity,
    deps=[
        dg.AssetKey(["warehouse", "fact_transactions"]),
        dg.AssetKey(["warehouse", "fact_events"]),
        dg.AssetKey(["clean", "clients"]),
        *referenced_tables(features.ACTIVITY_CHECKS),
    ],
    description="One row per client per day with activity: transactions, amounts, channel and risk mix, payments"
    " due and missed, complaints; the building block of rolling features.",
    group=GROUP,
    owners=OWNERS,
)

client_features = sql_table_asset(
    features.FEATURE_CHECKS,
    features.load_client_features,
    deps=[
        dg.AssetKey(["features", "client_daily_activity"]),
        dg.AssetKey(["warehouse", "fact_account_balances"]),
        dg.AssetKey(["warehouse", "fact_events"]),
        dg.AssetKey(["clean", "clients"]),
        *referenced_tables(features.FEATURE_CHECKS),
    ],
    description="One row per active, non-defaulted client per as-of date: RFM, balances and their trend, products,"
    " utilisation, missed payments, complaints, channel mix; only data up to the as-of date enters.",
    group=GROUP,
    owners=OWNERS,
)

feature_assets = [client_daily_activity, client_features]
