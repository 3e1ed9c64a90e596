"""The star schema BI and models read: client, account, date and reference dimensions; transaction, event and balance facts."""

from riskhub_assets.lib import warehouse
from riskhub_assets.orchestration.table_assets import sql_table_asset
from riskhub_assets.tables import tables_in


def warehouse_table(name: str):
    """A star-schema table with its data tests; facts are replaced day by day, dimensions rebuilt whole."""
    return sql_table_asset(name, lambda con, start, end: warehouse.load_table(con, name.split(".")[1], start, end))


warehouse_assets = [warehouse_table(t.name) for t in tables_in("warehouse")]
