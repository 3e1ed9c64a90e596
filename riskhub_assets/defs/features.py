"""Point-in-time client features: one partition per as-of date, computed only from data up to that date."""

from riskhub_assets.lib import features
from riskhub_assets.orchestration.table_assets import sql_table_asset

feature_assets = [
    sql_table_asset("features.client_daily_activity", features.load_client_daily_activity),
    sql_table_asset("features.client_features", features.load_client_features),
]
