"""The star schema BI and models read: client, account, date and reference dimensions; transaction, event and balance facts."""

import dagster as dg
import pandas as pd
from dagster_duckdb import DuckDBResource

from riskhub_assets.defs.observability import check_result
from riskhub_assets.defs.resources import DUCKDB_POOL
from riskhub_assets.defs.tables import OWNERS, referenced_tables, sql_table_asset
from riskhub_assets.lib import warehouse
from riskhub_assets.lib.contract import ACCOUNT_PRODUCTS, CHANNELS, EVENT_TYPES, MERCHANT_CATEGORIES, PRODUCTS
from riskhub_assets.lib.quality import TableChecks, keys_not_null_and_unique
from riskhub_assets.lib.warehouse import GRAINS, TABLE_CHECKS

GROUP = "warehouse"


def _code_list(column: str, codes: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame({column: list(codes), "description": list(codes.values())})


REFERENCE_DIMENSIONS = {
    "dim_channel": ("channel", _code_list("channel", CHANNELS)),
    "dim_merchant_category": ("merchant_category", _code_list("merchant_category", MERCHANT_CATEGORIES)),
    "dim_event_type": ("event_type", _code_list("event_type", EVENT_TYPES)),
    "dim_product": (
        "product_code",
        pd.DataFrame(
            {
                "product_code": list(PRODUCTS),
                "product_family": [family for family, _ in PRODUCTS.values()],
                "product_name": [name for _, name in PRODUCTS.values()],
                "held_as_account": [p in ACCOUNT_PRODUCTS.values() for p in PRODUCTS],
            }
        ),
    ),
}
"""Small code lists of the landing contract: each dimension's key column and rows."""

UPSTREAM = {
    "dim_client": ["clean/clients"],
    "dim_account": ["clean/accounts"],
    "dim_date": [],
    "fact_transactions": ["clean/transactions", "clean/accounts"],
    "fact_events": ["clean/events"],
    "fact_account_balances": ["clean/accounts"],
    "dim_manager": ["clean/relationship_managers"],
    "dim_agency": ["clean/relationship_managers"],
    "fact_product_holdings": ["clean/product_holdings", "warehouse/dim_account"],
    "fact_manager_objectives": ["clean/relationship_managers"],
}
"""Clean tables each warehouse table is built from."""


def warehouse_table(name: str) -> dg.AssetsDefinition:
    """A star-schema table with its data tests; facts are replaced day by day, dimensions rebuilt whole."""
    checks = TABLE_CHECKS[name]
    upstream = [dg.AssetKey.from_user_string(p) for p in UPSTREAM[name]]
    return sql_table_asset(
        checks,
        lambda con, start, end: warehouse.load_table(con, name, start, end),
        deps=upstream + referenced_tables(checks),
        description=GRAINS[name],
        group=GROUP,
    )


def reference_dimension(name: str) -> dg.AssetsDefinition:
    """Factory: a small code list from the landing contract, stored through the DuckDB pandas I/O manager."""
    _, rows = REFERENCE_DIMENSIONS[name]

    @dg.asset(
        name=name,
        key_prefix=["warehouse"],
        description=GRAINS[name],
        group_name=GROUP,
        kinds={"duckdb", "pandas"},
        owners=OWNERS,
        backfill_policy=dg.BackfillPolicy.single_run(),
        pool=DUCKDB_POOL,
    )
    def _reference() -> dg.Output[pd.DataFrame]:
        return dg.Output(rows, metadata={"dagster/row_count": len(rows)})

    return _reference


def reference_dimension_check(name: str) -> dg.AssetChecksDefinition:
    """Factory: codes of a reference dimension are present and unique."""
    column, _ = REFERENCE_DIMENSIONS[name]
    checks = TableChecks(f"warehouse.{name}", key=(column,))

    @dg.asset_check(asset=dg.AssetKey(["warehouse", name]), name="keys_not_null_and_unique", blocking=True)
    def _check(duckdb: DuckDBResource) -> dg.AssetCheckResult:
        with duckdb.get_connection() as con:
            return check_result(keys_not_null_and_unique(con, checks))

    return _check


warehouse_assets = [warehouse_table(name) for name in UPSTREAM] + [
    reference_dimension(name) for name in REFERENCE_DIMENSIONS
]
warehouse_checks = [reference_dimension_check(name) for name in REFERENCE_DIMENSIONS]
